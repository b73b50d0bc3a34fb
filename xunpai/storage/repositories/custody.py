"""What the custody service reads (``xunpai.services.custody``): items, photos, costs, viewing slots and their
bookings.

Plain functions, the session first, named for what they fetch; the services keep no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from xunpai.storage.models.custody import CustodyCost, CustodyItem, CustodyPhoto, ViewingBooking, ViewingSlot


def photo_by_digest(session: Session, item_id: int, sha256: str) -> CustodyPhoto | None:
    """The item's photo with this SHA-256 (the same picture uploaded again), or None."""
    return session.scalars(select(CustodyPhoto).where(CustodyPhoto.item_id == item_id,
                                                      CustodyPhoto.sha256 == sha256)).first()


def booking_of_visitor(session: Session, item_id: int, visitor_key: str) -> ViewingBooking | None:
    """The visitor's booking to view this item (one per person per item), or None."""
    return session.scalars(select(ViewingBooking).where(ViewingBooking.item_id == item_id,
                                                        ViewingBooking.visitor_key == visitor_key)).first()


def taken_seats(session: Session, slot_id: int) -> set[int]:
    return set(session.scalars(select(ViewingBooking.seat).where(ViewingBooking.slot_id == slot_id)))


def booking_count(session: Session, slot_id: int) -> int:
    return session.scalar(select(func.count()).select_from(ViewingBooking).where(ViewingBooking.slot_id == slot_id))


def cost_amounts(session: Session, item_id: int) -> list[int]:
    """The amounts (fen) of the costs recorded for an item."""
    return list(session.scalars(select(CustodyCost.amount_fen).where(CustodyCost.item_id == item_id)))


def items_of_lot(session: Session, lot_id: int) -> list[CustodyItem]:
    return list(session.scalars(select(CustodyItem).where(CustodyItem.lot_id == lot_id)))


def items_of_case(session: Session, case_number: str) -> list[CustodyItem]:
    return list(session.execute(select(CustodyItem).where(CustodyItem.case_number == case_number)).scalars())


def items_of_court(session: Session, court_code: str, *, lot_id: int | None = None) -> list[CustodyItem]:
    """A court's items, newest first (optionally those of one lot)."""
    query = select(CustodyItem).where(CustodyItem.court_code == court_code)
    if lot_id is not None:
        query = query.where(CustodyItem.lot_id == lot_id)
    return list(session.execute(query.order_by(CustodyItem.id.desc())).scalars())


def slots_starting_from(session: Session, item_id: int, after: datetime) -> list[ViewingSlot]:
    """An item's viewing slots that start at ``after`` or later, by start."""
    return list(session.execute(select(ViewingSlot).where(ViewingSlot.item_id == item_id,
                                                          ViewingSlot.starts_at >= after)
                                .order_by(ViewingSlot.starts_at)).scalars())


def slots_ending_from(session: Session, item_ids: Iterable[int], since: datetime) -> list[ViewingSlot]:
    """The viewing slots of these items that end at ``since`` or later, by start."""
    return list(session.execute(select(ViewingSlot).where(ViewingSlot.item_id.in_(list(item_ids) or [-1]),
                                                          ViewingSlot.ends_at >= since)
                                .order_by(ViewingSlot.starts_at)).scalars())


def bookings_of_slots(session: Session, slot_ids: Iterable[int]) -> list[ViewingBooking]:
    return list(session.execute(select(ViewingBooking).where(
        ViewingBooking.slot_id.in_(list(slot_ids) or [-1]))).scalars())
