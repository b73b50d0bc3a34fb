"""What the scraping service reads: the reference prices in force, for joining scraped auction results
(``xunpai.services.scraping``)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xunpai.storage.models.procedure import ProcedureCase, ProcedureLot, ReferencePriceRecord


def reference_prices_in_force(session: Session, court_code: str | None = None) -> list[tuple[str, str, int]]:
    """``(case number, lot name, value in fen)`` of every lot's newest reference-price record (the one in force),
    oldest case first, of one court or of all."""
    newest = (select(ReferencePriceRecord.lot_id, func.max(ReferencePriceRecord.id).label("record_id"))
              .group_by(ReferencePriceRecord.lot_id).subquery())
    query = (select(ProcedureCase.case_number, ProcedureLot.name, ReferencePriceRecord.value_fen)
             .join(ProcedureLot, ProcedureLot.case_id == ProcedureCase.id)
             .join(newest, newest.c.lot_id == ProcedureLot.id)
             .join(ReferencePriceRecord, ReferencePriceRecord.id == newest.c.record_id)
             .order_by(ProcedureCase.id, ProcedureLot.id))
    if court_code:
        query = query.where(ProcedureCase.court_code == court_code)
    return [tuple(row) for row in session.execute(query)]
