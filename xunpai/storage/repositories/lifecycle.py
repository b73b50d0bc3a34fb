"""Queries of the lot lifecycle (``lot_events``) and the court profiles; plain functions, the session first."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xunpai.storage.models.lifecycle import CourtProfile, LotEvent
from xunpai.storage.models.lots import Lot

__all__ = ["court_profile", "events_of", "events_of_lots", "lot_series", "lots_with_events", "next_seq"]


def events_of(session: Session, lot_id: int) -> list[LotEvent]:
    return list(session.scalars(select(LotEvent).where(LotEvent.lot_id == lot_id).order_by(LotEvent.seq)))


def events_of_lots(session: Session, lot_ids: Iterable[int]) -> dict[int, list[LotEvent]]:
    out: dict[int, list[LotEvent]] = {}
    ids = list(lot_ids)
    if not ids:
        return out
    for row in session.scalars(select(LotEvent).where(LotEvent.lot_id.in_(ids)).order_by(LotEvent.lot_id,
                                                                                          LotEvent.seq)):
        out.setdefault(row.lot_id, []).append(row)
    return out


def next_seq(session: Session, lot_id: int) -> int:
    return (session.scalar(select(func.max(LotEvent.seq)).where(LotEvent.lot_id == lot_id)) or 0) + 1


def lot_series(session: Session, court_code: str, case_number: str, lot_code: str) -> list[Lot]:
    """Every round of the same property, oldest first: the same court, case and 标的编号 (a re-auction after 悔拍
    carries the code with “-重拍N”)."""
    base = lot_code.split("-重拍")[0]
    pattern = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "-重拍%"
    return list(session.scalars(select(Lot).where(
        Lot.court_code == court_code, Lot.case_number == case_number,
        (Lot.lot_code == base) | Lot.lot_code.like(pattern, escape="\\")).order_by(Lot.id)))


def court_profile(session: Session, court_code: str) -> CourtProfile | None:
    return session.get(CourtProfile, court_code)


def lots_with_events(session: Session, court_code: str | None, limit: int = 1000) -> list[Lot]:
    """The court's lots (every court's when ``court_code`` is None) that have a recorded event or are published
    (the agenda's lots), newest first."""
    with_events = select(LotEvent.lot_id).distinct()
    query = select(Lot).where(Lot.id.in_(with_events) | (Lot.status == "published"))
    if court_code is not None:
        query = query.where(Lot.court_code == court_code)
    return list(session.scalars(query.order_by(Lot.id.desc()).limit(limit)))
