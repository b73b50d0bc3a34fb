"""What the demo builder (``xunpai.demo``) looks up in the data the other areas' builders made."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from xunpai.storage.models.custody import CustodyItem, ViewingSlot
from xunpai.storage.models.procedure import ProcedureCase


def court_cases(session: Session, court_code: str) -> list[ProcedureCase]:
    """The court's procedure cases, oldest first."""
    return list(session.execute(select(ProcedureCase).where(ProcedureCase.court_code == court_code)
                                .order_by(ProcedureCase.id)).scalars())


def first_item_with_viewing_slot(session: Session, court_code: str) -> CustodyItem | None:
    """The court's oldest item in custody that has a viewing slot."""
    return session.execute(select(CustodyItem).join(ViewingSlot, ViewingSlot.item_id == CustodyItem.id)
                           .where(CustodyItem.court_code == court_code).order_by(CustodyItem.id)).scalars().first()
