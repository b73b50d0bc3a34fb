"""Queries over lots, their publications and bulk jobs (the publishing and outcomes services' repository).

Plain functions, the session first, named for what they fetch or change; the services keep no SQL.
``IntegrityError`` is re-exported so that a service can catch a concurrent insert without importing SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from xunpai.storage.models.lots import BulkJob, Lot, LotDraft, LotMedia, Publication
from xunpai.storage.models.procedure import ProcedureCase, ProcedureLot

__all__ = [
    "IntegrityError", "bulk_job_for_sheet", "claim_publication", "court_lots", "due_publications",
    "courts_of_lots", "lot_counts_by_status", "lots_by_codes", "lots_by_ids", "lots_of_court", "lots_with_code", "lots_with_outcomes",
    "procedure_lot_id_for", "publications_by_lot", "published_with_remote_id", "sending_publications",
    "case_judge_of_lot", "court_drafts", "draft_of_lot", "lot_by_key", "media_by_sha", "publications_with_stage", "latest_lot_with_code",
]

_CHUNK = 500  # bound parameters per IN (...) list


def lots_by_codes(session: Session, lot_codes: Iterable[str]) -> list[Lot]:
    """The lots stored under any of the 标的编号 (every court and round)."""
    codes = sorted(set(lot_codes))
    found: list[Lot] = []
    for start in range(0, len(codes), _CHUNK):
        found += session.scalars(select(Lot).where(Lot.lot_code.in_(codes[start:start + _CHUNK])))
    return found


def lots_by_ids(session: Session, lot_ids: Iterable[int]) -> dict[int, Lot]:
    return {lot.id: lot for lot in session.scalars(select(Lot).where(Lot.id.in_(list(lot_ids))))}


def publications_by_lot(session: Session, lot_ids: Iterable[int], platform: str) -> dict[int, Publication]:
    """The publications of ``lot_ids`` on one platform, by lot id."""
    return {p.lot_id: p for p in session.scalars(select(Publication).where(
        Publication.lot_id.in_(list(lot_ids)), Publication.platform == platform))}


def claim_publication(session: Session, publication_id: int, *, remote_id: str, url: str, remote_status: str | None,
                      sent_at: datetime) -> bool:
    """Mark a publication published unless a concurrent run did first (the row lock plus the re-checked WHERE);
    True when this call recorded it."""
    return bool(session.execute(
        update(Publication).where(Publication.id == publication_id, Publication.status != "published")
        .values(status="published", remote_id=remote_id, url=url, remote_status=remote_status, sent_at=sent_at,
                last_error=None)
        .execution_options(synchronize_session=False)).rowcount)


def sending_publications(session: Session) -> list[tuple[int, str]]:
    """(lot id, platform) of every publication a crashed run left ``sending``, oldest first."""
    return [tuple(row) for row in session.execute(select(Publication.lot_id, Publication.platform)
                                                  .where(Publication.status == "sending").order_by(Publication.id))]


def due_publications(session: Session, now: datetime) -> list[tuple[int, str]]:
    """(lot id, platform) of the queued publications whose ``not_before`` has come, oldest first."""
    return [tuple(row) for row in session.execute(select(Publication.lot_id, Publication.platform).where(
        Publication.status.in_(("queued", "sending")), Publication.not_before.is_not(None),
        Publication.not_before <= now).order_by(Publication.id))]


def published_with_remote_id(session: Session, platform: str | None = None) -> list[tuple[int, str, str]]:
    """(publication id, platform, remote id) of the published listings, optionally of one platform."""
    query = select(Publication.id, Publication.platform, Publication.remote_id).where(
        Publication.status == "published", Publication.remote_id.is_not(None))
    if platform:
        query = query.where(Publication.platform == platform)
    return [tuple(row) for row in session.execute(query.order_by(Publication.id))]


def bulk_job_for_sheet(session: Session, sheet_sha256: str, platform: str) -> BulkJob | None:
    return session.scalars(select(BulkJob).where(BulkJob.sheet_sha256 == sheet_sha256,
                                                 BulkJob.platform == platform)).first()


def lots_of_court(session: Session, lot_ids: Sequence[int], court_code: str) -> set[int]:
    """Which of ``lot_ids`` are lots of that court."""
    return set(session.scalars(select(Lot.id).where(Lot.id.in_(list(lot_ids)), Lot.court_code == court_code)))


def courts_of_lots(session: Session, lot_ids: Sequence[int]) -> set[str]:
    """The courts the lots ``lot_ids`` belong to (for the write check, ``xunpai.services.authority``)."""
    ids = sorted(set(lot_ids))
    courts: set[str] = set()
    for start in range(0, len(ids), _CHUNK):
        courts |= set(session.scalars(select(Lot.court_code).distinct().where(Lot.id.in_(ids[start:start + _CHUNK]))))
    return courts


def court_lots(session: Session, court_code: str, *, status: str = "", text: str = "", newest_first: bool = True,
               limit: int = 500) -> list[Lot]:
    """A court's lots, optionally of one status or matching a text (title, 标的编号, case number)."""
    query = select(Lot).where(Lot.court_code == court_code)
    if status:
        query = query.where(Lot.status == status)
    if text:
        query = query.where(Lot.title.contains(text) | Lot.lot_code.contains(text) | Lot.case_number.contains(text))
    return list(session.scalars(query.order_by(Lot.id.desc() if newest_first else Lot.id).limit(limit)))


def lot_counts_by_status(session: Session, court_code: str) -> dict[str, int]:
    return dict(session.execute(select(Lot.status, func.count()).where(Lot.court_code == court_code)
                                .group_by(Lot.status)).all())


def lots_with_code(session: Session, lot_code: str) -> list[Any]:
    """Rows of id, court_code, round, case_number of the lots stored under a 标的编号."""
    return list(session.execute(select(Lot.id, Lot.court_code, Lot.round, Lot.case_number)
                                .where(Lot.lot_code == lot_code).order_by(Lot.id)))


def lots_with_outcomes(session: Session, court_code: str | None, date_from: date | None,
                       date_to: date | None) -> list[Lot]:
    """Lots whose outcome date is within [date_from, date_to] (both included), by court and date."""
    query = select(Lot).where(Lot.outcome.is_not(None))
    if court_code:
        query = query.where(Lot.court_code == court_code)
    if date_from:
        query = query.where(Lot.outcome_on >= date_from)
    if date_to:
        query = query.where(Lot.outcome_on <= date_to)
    return list(session.scalars(query.order_by(Lot.court_code, Lot.outcome_on, Lot.id)))


def procedure_lot_id_for(session: Session, case_number: str, name: str) -> int | None:
    """The procedure's lot (``procedure_lots``) of that case with that name, when exactly one matches."""
    ids = list(session.scalars(select(ProcedureLot.id).join(ProcedureCase, ProcedureLot.case_id == ProcedureCase.id)
                               .where(ProcedureCase.case_number == case_number,
                                      ProcedureLot.name == name.strip()).limit(2)))
    return ids[0] if len(ids) == 1 else None


def draft_of_lot(session: Session, lot_id: int) -> LotDraft | None:
    """The newest draft the lot was made or edited from."""
    return session.scalars(select(LotDraft).where(LotDraft.lot_id == lot_id).order_by(LotDraft.id.desc())
                           .limit(1)).first()


def court_drafts(session: Session, court_code: str, limit: int = 50) -> list[LotDraft]:
    """A court's drafts that have not made a lot yet, newest first."""
    return list(session.scalars(select(LotDraft).where(LotDraft.court_code == court_code, LotDraft.lot_id.is_(None))
                                .order_by(LotDraft.updated_at.desc()).limit(limit)))


def lot_by_key(session: Session, court_code: str, lot_code: str, round_: str) -> Lot | None:
    return session.scalars(select(Lot).where(Lot.court_code == court_code, Lot.lot_code == lot_code,
                                             Lot.round == round_)).first()


def latest_lot_with_code(session: Session, court_code: str, lot_code: str) -> Lot | None:
    """The court's newest lot under a 标的编号 (its latest round)."""
    return session.scalars(select(Lot).where(Lot.court_code == court_code, Lot.lot_code == lot_code)
                           .order_by(Lot.id.desc()).limit(1)).first()


def media_by_sha(session: Session, sha256: str) -> LotMedia | None:
    return session.scalars(select(LotMedia).where(LotMedia.sha256 == sha256).limit(1)).first()


def publications_with_stage(session: Session, stages: Sequence[str], court_code: str | None = None,
                            platform: str | None = None) -> list[Publication]:
    query = select(Publication).join(Lot).where(Publication.stage.in_(list(stages)))
    if court_code:
        query = query.where(Lot.court_code == court_code)
    if platform:
        query = query.where(Publication.platform == platform)
    return list(session.scalars(query.order_by(Publication.id)))


def case_judge_of_lot(session: Session, lot_id: int) -> str | None:
    """The judge in charge of the lot's case (the procedure's case), "" when none is recorded."""
    if not hasattr(ProcedureCase, "judge"):
        return ""
    return session.scalar(select(ProcedureCase.judge).join(ProcedureLot, ProcedureLot.case_id == ProcedureCase.id)
                          .join(Lot, Lot.procedure_lot_id == ProcedureLot.id).where(Lot.id == lot_id)) or ""
