"""The ledger (台账): one append-only chain of entries, each carrying the hash of the one before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from xunpai.storage.models.base import Base


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    # A user's queries today (the daily limit) are counted by this index, not by scanning their history.
    __table_args__ = (Index("ix_ledger_entries_actor_recorded_at", "actor", "recorded_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
    kind: Mapped[str] = mapped_column(String(60), index=True)
    actor: Mapped[str] = mapped_column(String(100), default="", index=True)
    court_code: Mapped[str] = mapped_column(String(20), default="", index=True)
    case_number: Mapped[str] = mapped_column(String(60), default="", index=True)
    purpose: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class LedgerHead(Base):
    """One row holding the newest seq and hash; appends lock it so the chain never forks."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))
