"""Lots (标的物) on their way to the platforms: content, plan, publications (one per lot and platform, each with
its idempotency key), bulk-publish jobs and the outcome (成交 / 流拍 / 悔拍 / 撤回 / 暂缓) with the sale price.

Amounts are integer fen (BigInteger). Migration branch ``lots`` (``lots_0001``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xunpai.storage.db import Base

LOT_STATUSES = {"draft": "草稿", "queued": "待错峰发布", "published": "已发布", "ended": "已结束"}
OUTCOMES = {"sold": "成交", "unsold": "流拍", "reneged": "悔拍", "withdrawn": "撤回", "suspended": "暂缓"}
PUBLICATION_STATUSES = {"queued": "排队待发", "sending": "发送中", "published": "已发布", "failed": "发布失败"}


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("court_code", "lot_code", "round", name="uq_lots_court_lot_code_round"),
        CheckConstraint("outcome is null or outcome in ('sold','unsold','reneged','withdrawn','suspended')",
                        name="ck_lots_outcome"),
        CheckConstraint("outcome = 'sold' or sale_price_fen is null", name="ck_lots_sale_price_only_when_sold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    court_code: Mapped[str] = mapped_column(String(20), index=True)
    lot_code: Mapped[str] = mapped_column(String(60))  # 标的编号, the court's own key for the lot
    case_number: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    round: Mapped[str] = mapped_column(String(30))
    content: Mapped[dict] = mapped_column(JSON)  # auction.lot.lot_to_dict(lot)
    content_sha256: Mapped[str] = mapped_column(String(64))
    plan: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reference_price_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    starting_price_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    deposit_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    sale_price_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sale: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # auction.lot.SaleResult as a dict (buyer)
    outcome_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    publications: Mapped[list[Publication]] = relationship(back_populates="lot", cascade="all, delete-orphan")


class Publication(Base):
    """One lot on one platform. The idempotency key is fixed before the remote call (intent recorded first),
    so a retry or a rerun after a crash sends the same key and the platform returns the earlier listing."""

    __tablename__ = "lot_publications"
    __table_args__ = (UniqueConstraint("lot_id", "platform", name="uq_lot_publications_lot_platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(80), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    remote_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    remote_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    package_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    not_before: Mapped[datetime | None] = mapped_column(DateTime, nullable=True, index=True)  # off-peak queue
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    bulk_job_id: Mapped[int | None] = mapped_column(ForeignKey("lot_bulk_jobs.id", ondelete="SET NULL"),
                                                    nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    lot: Mapped[Lot] = relationship(back_populates="publications")


class BulkJob(Base):
    """A bulk publish of one spreadsheet to one platform; the same sheet again resumes the same job."""

    __tablename__ = "lot_bulk_jobs"
    __table_args__ = (UniqueConstraint("sheet_sha256", "platform", name="uq_lot_bulk_jobs_sheet_platform"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_name: Mapped[str] = mapped_column(String(300))
    sheet_sha256: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(20))
    court_code: Mapped[str] = mapped_column(String(20), default="")
    actor: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20))  # running | done
    total: Mapped[int] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class BulkJobRow(Base):
    __tablename__ = "lot_bulk_job_rows"
    __table_args__ = (UniqueConstraint("job_id", "row_number", name="uq_lot_bulk_job_rows_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("lot_bulk_jobs.id", ondelete="CASCADE"), index=True)
    row_number: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), index=True)
