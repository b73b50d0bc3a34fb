"""The life of a lot after its listing (``auction.lifecycle``): the events recorded for it, in order, and the
court profile (法院信息: account, collegial panel, clerk, supervision phone, seal text) every document reads.

``lot_events`` is append-only: a lot's state is the replay of its events; a correction is a new event, never an
update. Migration branch ``lots`` (``lots_0004``)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from xunpai.storage.models.base import Base


class LotEvent(Base):
    """One event of ``auction.lifecycle.Event`` for one lot (one round): kind, day, moment, details."""

    __tablename__ = "lot_events"
    __table_args__ = (UniqueConstraint("lot_id", "seq", name="uq_lot_events_lot_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    state_after: Mapped[str] = mapped_column(String(30))
    on: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(100), default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class CourtProfile(Base):
    """法院信息 of one court as ``auction.lot.CourtInfo`` (JSON), edited by the court's administrator."""

    __tablename__ = "court_profiles"

    court_code: Mapped[str] = mapped_column(ForeignKey("courts.code", ondelete="CASCADE"), primary_key=True)
    profile: Mapped[dict] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)
