"""Lots (标的物) on their way to the platforms: the domain lot, publications (one per lot and platform, each with
its idempotency key), bulk-publish jobs and the outcome (成交 / 流拍 / 悔拍 / 撤回 / 暂缓) with the sale price.

One lot: ``Lot.lot`` is the domain ``auction.lot.Lot`` itself (``xunpai.storage.types.DomainLot``), plan and
prices included. The columns the database needs to find and constrain lots (court, 标的编号, round, case number,
title, kind, the content digest) are derived from it in one place, ``Lot._derive`` (run whenever ``lot`` is
assigned), and never written otherwise; the prices are read from the lot's plan (``starting_price_fen`` ...).
``procedure_lot_id`` ties the lot to the reference-price procedure's lot (``procedure_lots``) of its case.

Amounts are integer fen (BigInteger). Migration branch ``lots`` (``lots_0001`` .. ``lots_0005``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from auction import case_number as case_numbers
from auction.lot import Lot as DomainLotValue
from auction.lot import LotDataError, PlanPrices, lot_digest
from xunpai.storage.models.base import Base
from xunpai.storage.models.procedure import ProcedureLot
from xunpai.storage.types import DomainLot

LOT_STATUSES = {"draft": "草稿", "queued": "待错峰发布", "published": "已交平台", "ended": "已结束"}
OUTCOMES = {"sold": "成交", "unsold": "流拍", "reneged": "悔拍", "withdrawn": "撤回", "suspended": "暂缓"}
PUBLICATION_STATUSES = {"queued": "排队待发", "sending": "发送中", "published": "已交平台", "failed": "失败"}
# What is true of a lot on a platform (what the clerk sees): the package is built and downloadable (准备就绪), the
# platform acknowledged it with its reference (已提交), the platform shows it (已上线), the platform refused or could
# not be reached (失败, with its reason), withdrawn or suspended there (已撤回 / 已暂缓), its auction over (已结束).
PUBLICATION_STAGES = {"ready": "准备就绪", "submitted": "已提交", "live": "已上线", "failed": "失败",
                      "withdrawn": "已撤回", "suspended": "已暂缓", "terminated": "已中止", "ended": "已结束"}
MEDIA_KINDS = {"photo": "照片", "video": "视频"}


class Lot(PlanPrices, Base):
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
    lot: Mapped[DomainLotValue] = mapped_column("content", DomainLot)  # the domain lot, plan and prices included
    content_sha256: Mapped[str] = mapped_column(String(64))
    # No ON DELETE action: a procedure's lot that an auction lot refers to is kept (nothing deletes them).
    procedure_lot_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_lots.id"), nullable=True, index=True)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    sale_price_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sale: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # auction.lot.SaleResult as a dict (buyer)
    outcome_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    publications: Mapped[list[Publication]] = relationship(back_populates="lot", cascade="all, delete-orphan")
    procedure_lot: Mapped[ProcedureLot | None] = relationship()

    @validates("lot")
    def _derive(self, _key: str, lot: DomainLotValue) -> DomainLotValue:
        """The one place the query columns are written: from the domain lot being stored."""
        if lot.plan is None:
            raise LotDataError(f"标的 {lot.lot_id} 没有拍卖方案（起拍价、保证金、竞价时间），不能保存。")
        self.court_code = case_numbers.parse(lot.case_number).court_code
        self.lot_code, self.case_number, self.title = lot.lot_id, lot.case_number, lot.title
        self.kind, self.round = str(lot.kind.value), str(lot.plan.round.value)
        self.content_sha256 = lot_digest(lot)
        return lot

    # The prices (PlanPrices) and the plan are the domain lot's, read for pages, reports and JSON.
    @property
    def plan(self) -> dict[str, Any]:
        """The plan as plain data (ISO dates), for templates and JSON."""
        return self.lot.plan.to_dict()


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
    # what is true on the platform (PUBLICATION_STAGES), since when, and the clerk who recorded a manual step
    stage: Mapped[str | None] = mapped_column(String(20), nullable=True)
    stage_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    stage_by: Mapped[str | None] = mapped_column(String(100), nullable=True)

    lot: Mapped[Lot] = relationship(back_populates="publications")

    @property
    def stage_name(self) -> str:
        return PUBLICATION_STAGES.get(self.stage or "", PUBLICATION_STATUSES.get(self.status, self.status))


class LotDraft(Base):
    """The clerk's form as typed (any field blank or wrong): saved at any time, never lost; the lot it made."""

    __tablename__ = "lot_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_code: Mapped[str] = mapped_column(String(20), index=True)
    case_number: Mapped[str] = mapped_column(String(60), default="")
    title: Mapped[str] = mapped_column(String(300), default="")
    values: Mapped[dict] = mapped_column(JSON, default=dict)  # column → text, as typed
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("lots.id", ondelete="SET NULL"), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    media: Mapped[list[LotMedia]] = relationship(back_populates="draft", order_by="LotMedia.id",
                                                 cascade="all, delete-orphan")


class LotMedia(Base):
    """A photo or video uploaded for a lot: its type read from its content, its size, its SHA-256 (the file is
    kept under that name in the media folder), a thumbnail for photos."""

    __tablename__ = "lot_media"
    __table_args__ = (UniqueConstraint("draft_id", "sha256", name="uq_lot_media_draft_sha256"),
                      CheckConstraint("kind in ('photo','video')", name="ck_lot_media_kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("lot_drafts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))  # the file's own name, shown (never used as a path)
    mime: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    draft: Mapped[LotDraft] = relationship(back_populates="media")


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
