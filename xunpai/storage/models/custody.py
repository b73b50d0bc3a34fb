"""Custody (保管/仓储) of seized vehicles and movables: items, photos, tasks, costs, viewing slots and bookings;
and the service providers (辅助机构) with their lotteries, assignments and tasks (网拍规定 art. 7).

Viewing capacity is enforced by the database, not by a read-then-write check: each booking takes a seat
number 1..capacity of its slot (CHECK) that is UNIQUE per slot, and copies the slot's capacity under a
composite foreign key to (slot id, capacity, item), so two concurrent bookings can never exceed the capacity on
PostgreSQL or SQLite. One booking per person per item: UNIQUE (item, visitor). Migration branch ``lots``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xunpai.storage.models.base import Base


class CustodyItem(Base):
    __tablename__ = "custody_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id", ondelete="SET NULL"), nullable=True,
                                               index=True)
    court_code: Mapped[str] = mapped_column(String(20), index=True)
    case_number: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # vehicle | movable
    description: Mapped[str] = mapped_column(String(300))
    identifiers: Mapped[dict] = mapped_column(JSON, default=dict)  # plate, VIN, serial number
    debtor: Mapped[str] = mapped_column(String(200), default="")
    location: Mapped[str] = mapped_column(String(300))
    condition: Mapped[str] = mapped_column(Text)
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)
    tariff_daily_fen: Mapped[int] = mapped_column(BigInteger)
    intake_on: Mapped[date] = mapped_column(Date)
    released_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="in_custody")
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("service_providers.id", ondelete="SET NULL"),
                                                    nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CustodyPhoto(Base):
    __tablename__ = "custody_photos"
    __table_args__ = (UniqueConstraint("item_id", "sha256", name="uq_custody_photos_item_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("custody_items.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(BigInteger)
    stage: Mapped[str] = mapped_column(String(20), default="intake")  # intake | inspection | delivery
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class CustodyTask(Base):
    """Cleaning, inspection, transport: due date, completion, result, and the cost it caused."""

    __tablename__ = "custody_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("custody_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    result: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CustodyCost(Base):
    """A necessary cost other than daily storage (cleaning, transport, towing), borne by the debtor (art. 7)."""

    __tablename__ = "custody_costs"
    __table_args__ = (CheckConstraint("amount_fen >= 0", name="ck_custody_costs_amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("custody_items.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    incurred_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")


class ViewingSlot(Base):
    __tablename__ = "viewing_slots"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="ck_viewing_slots_capacity"),
        CheckConstraint("ends_at > starts_at", name="ck_viewing_slots_span"),
        UniqueConstraint("id", "capacity", "item_id", name="uq_viewing_slots_id_capacity_item"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("custody_items.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(300), default="")


class ViewingBooking(Base):
    __tablename__ = "viewing_bookings"
    __table_args__ = (
        ForeignKeyConstraint(["slot_id", "slot_capacity", "item_id"],
                             ["viewing_slots.id", "viewing_slots.capacity", "viewing_slots.item_id"],
                             ondelete="CASCADE", name="fk_viewing_bookings_slot_capacity_item"),
        CheckConstraint("seat >= 1 and seat <= slot_capacity", name="ck_viewing_bookings_seat"),
        UniqueConstraint("slot_id", "seat", name="uq_viewing_bookings_slot_seat"),
        UniqueConstraint("item_id", "visitor_key", name="uq_viewing_bookings_item_visitor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(Integer, index=True)
    slot_capacity: Mapped[int] = mapped_column(Integer)
    seat: Mapped[int] = mapped_column(Integer)
    item_id: Mapped[int] = mapped_column(Integer)  # the slot's item (part of the composite key above)
    visitor_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the normalized ID number or phone
    visitor_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(30), default="")
    booked_at: Mapped[datetime] = mapped_column(DateTime)


class ServiceProvider(Base):
    """辅助机构: a firm that stores, transports, shows or inspects seized property (网拍规定 art. 7)."""

    __tablename__ = "service_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True, nullable=True)
    services: Mapped[list] = mapped_column(JSON, default=list)
    contact: Mapped[str] = mapped_column(String(100), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ProviderLottery(Base):
    """A public lottery (摇号): candidates and the seed's commitment recorded before the draw (auction.lottery)."""

    __tablename__ = "provider_lotteries"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_code: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(30))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id", ondelete="SET NULL"), nullable=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("custody_items.id", ondelete="SET NULL"),
                                                nullable=True)
    commitment: Mapped[dict] = mapped_column(JSON)
    k: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str | None] = mapped_column(String(200), nullable=True)  # revealed at the draw
    result: Mapped[list | None] = mapped_column(JSON, nullable=True)
    committed_at: Mapped[datetime] = mapped_column(DateTime)
    drawn_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ProviderAssignment(Base):
    __tablename__ = "provider_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("service_providers.id", ondelete="CASCADE"), index=True)
    lottery_id: Mapped[int | None] = mapped_column(ForeignKey("provider_lotteries.id", ondelete="SET NULL"),
                                                   nullable=True)
    service: Mapped[str] = mapped_column(String(30))
    court_code: Mapped[str] = mapped_column(String(20))
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id", ondelete="SET NULL"), nullable=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("custody_items.id", ondelete="SET NULL"),
                                                nullable=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime)


class ProviderTask(Base):
    """A task given to a provider, with a due date; overdue tasks are chased (催办) and each reminder counted."""

    __tablename__ = "provider_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("provider_assignments.id", ondelete="CASCADE"),
                                               index=True)
    title: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date, index=True)
    done_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
