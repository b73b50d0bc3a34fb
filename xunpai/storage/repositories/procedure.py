"""What the price procedure's services read (``xunpai.services.procedure``): cases, reports, reference prices,
the holiday notices, and the objections the reference price and the agenda depend on.

Plain functions, the session first, named for what they fetch; the services keep no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from xunpai.storage.models.procedure import (
    CalendarYear,
    Objection,
    ObjectionDecision,
    ProcedureCase,
    ProcedureReport,
    ReferencePriceRecord,
)


def case_by_number(session: Session, case_number: str) -> ProcedureCase | None:
    """The case registered under this (canonical) 案号, or None."""
    return session.execute(select(ProcedureCase).where(ProcedureCase.case_number == case_number)).scalar_one_or_none()


def case_number_taken(session: Session, case_number: str) -> bool:
    return session.execute(select(ProcedureCase.id).where(ProcedureCase.case_number == case_number)).first() is not None


def cases_of_court(session: Session, court_code: str | None) -> list[ProcedureCase]:
    """The cases of one court (None: of every court), in the order they were registered."""
    query = select(ProcedureCase)
    if court_code:
        query = query.where(ProcedureCase.court_code == court_code)
    return list(session.execute(query.order_by(ProcedureCase.id)).scalars())


def calendar_years(session: Session) -> list[CalendarYear]:
    """The holiday notices an administrator has entered, by year."""
    return list(session.execute(select(CalendarYear).order_by(CalendarYear.year)).scalars())


def latest_reference_price(session: Session, lot_id: int) -> ReferencePriceRecord | None:
    """The reference price fixed last for a lot (a later one replaces an earlier), or None."""
    return session.execute(select(ReferencePriceRecord).where(ReferencePriceRecord.lot_id == lot_id)
                           .order_by(ReferencePriceRecord.id.desc()).limit(1)).scalar_one_or_none()


def admissible_objections_to_report(session: Session, report_id: int, states: Iterable[str]) -> list[Objection]:
    """The admissible objections to a report that are in one of ``states``."""
    return list(session.execute(select(Objection).where(Objection.report_id == report_id,
                                                        Objection.admissible.is_(True),
                                                        Objection.state.in_(list(states)))).scalars())


def decision_kinds(session: Session, objection_ids: Iterable[int]) -> set[str]:
    """The kinds of every decision taken on these objections."""
    ids = list(objection_ids)
    if not ids:
        return set()
    return set(session.execute(select(ObjectionDecision.kind).where(ObjectionDecision.objection_id.in_(ids))).scalars())


def case_objections_not_in(session: Session, case_id: int, states: Iterable[str]) -> list[Objection]:
    """A case's objections whose state is not one of ``states`` (the open ones, given the final states)."""
    return list(session.execute(select(Objection).where(Objection.case_id == case_id,
                                                        Objection.state.not_in(list(states)))).scalars())


def upheld_decided_after(session: Session, report_ids: Iterable[int], after: datetime) -> bool:
    """Whether an objection to one of these reports was upheld (裁定异议成立) after ``after``."""
    ids = list(report_ids)
    if not ids:
        return False
    return session.execute(select(ObjectionDecision.id).join(Objection, ObjectionDecision.objection_id == Objection.id)
                           .where(Objection.report_id.in_(ids), ObjectionDecision.kind == "decide_upheld",
                                  ObjectionDecision.created_at > after).limit(1)).first() is not None


def report_with_receipt(session: Session, lot_id: int, receipt_code: str) -> ProcedureReport | None:
    """The result of a property item recorded from this quote receipt, if any."""
    return session.execute(select(ProcedureReport).where(ProcedureReport.lot_id == lot_id,
                                                         ProcedureReport.receipt_code == receipt_code)
                           .limit(1)).scalar_one_or_none()
