"""What the objection services read and write (``xunpai.services.objections``): objections by submission key,
by court, by party, their decisions, and the insert that a concurrent double submission may lose.

Plain functions, the session first, named for what they fetch or change; the services keep no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xunpai.storage.models.procedure import Objection, ObjectionDecision, ProcedureCase


def objection_by_submission_key(session: Session, key: str) -> Objection | None:
    return session.execute(select(Objection).where(Objection.submission_key == key)).scalar_one_or_none()


def party_objected_before(session: Session, report_id: int, party_id: int, states: Iterable[str]) -> bool:
    """Whether the party has an admissible objection to the report in one of ``states``."""
    return session.execute(select(Objection.id).where(
        Objection.report_id == report_id, Objection.party_id == party_id, Objection.admissible.is_(True),
        Objection.state.in_(list(states)))).first() is not None


def objections_of_case(session: Session, case_id: int) -> list[Objection]:
    """A case's objections, oldest first."""
    return list(session.execute(select(Objection).where(Objection.case_id == case_id).order_by(Objection.id)).scalars())


def decisions_of(session: Session, objection_id: int) -> list[ObjectionDecision]:
    """An objection's decisions, in the order they were taken."""
    return list(session.execute(select(ObjectionDecision).where(ObjectionDecision.objection_id == objection_id)
                                .order_by(ObjectionDecision.id)).scalars())


def objections_of_court(session: Session, court_code: str, *, excluding_states: Iterable[str] = (),
                        case_number: str | None = None, newest_first: bool = True, limit: int = 200
                        ) -> list[Objection]:
    """The objections filed in a court's cases (optionally of one case, and not in ``excluding_states``)."""
    query = (select(Objection).join(ProcedureCase, ProcedureCase.id == Objection.case_id)
             .where(ProcedureCase.court_code == court_code))
    excluded = list(excluding_states)
    if excluded:
        query = query.where(Objection.state.not_in(excluded))
    if case_number:
        query = query.where(ProcedureCase.case_number == case_number)
    order = Objection.filed_at.desc() if newest_first else Objection.id
    return list(session.execute(query.order_by(order).limit(limit)).scalars())


def objections_of_parties(session: Session, party_ids: Sequence[int], *, case_id: int | None = None,
                          case_number: str | None = None, newest_first: bool = False, limit: int = 500
                          ) -> list[Objection]:
    """The objections filed by these registered parties (optionally in one case)."""
    query = (select(Objection).join(ProcedureCase, ProcedureCase.id == Objection.case_id)
             .where(Objection.party_id.in_(list(party_ids) or [-1])))
    if case_id is not None:
        query = query.where(Objection.case_id == case_id)
    if case_number:
        query = query.where(ProcedureCase.case_number == case_number)
    order = Objection.id.desc() if newest_first else Objection.id
    return list(session.execute(query.order_by(order).limit(limit)).scalars())


def count_party_objections(session: Session, party_id: int, report_id: int, states: Iterable[str]) -> int:
    """How many of a party's objections to a report are in one of ``states``."""
    return session.scalar(select(func.count()).select_from(Objection).where(
        Objection.party_id == party_id, Objection.report_id == report_id, Objection.state.in_(list(states))))


def same_content_objection(session: Session, report_id: int, party_id: int, content_key: str,
                           excluding_states: Iterable[str]) -> Objection | None:
    """The party's earlier objection to the report with the same content (a resubmitted form), still standing."""
    return session.execute(select(Objection).where(Objection.report_id == report_id, Objection.party_id == party_id,
                                                   Objection.content_key == content_key,
                                                   Objection.state.not_in(list(excluding_states)))
                           .order_by(Objection.id).limit(1)).scalar_one_or_none()
