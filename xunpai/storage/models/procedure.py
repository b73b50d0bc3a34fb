"""The procedure between the price and the sale: cases and their parties, lots' reference-price reports and
results, objections with their evidence, steps and decisions, and the administrator's holiday notices.

The per-court objection policy lives in ``courts.policy["objection_policy"]`` (``statutory`` | ``wenling``).
Money is integer fen (BigInteger).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from xunpai.storage.models.base import Base

PARTY_ROLES = {"applicant": "申请执行人", "debtor": "被执行人", "interested_party": "利害关系人"}
PROPERTY_KINDS = {"real_estate": "房产", "vehicle": "车辆", "movable": "动产", "equity": "股权", "land": "土地使用权",
                  "other": "其他财产权"}


class ProcedureCase(Base):
    """An enforcement case (执行案件) as far as the price procedure needs it."""

    __tablename__ = "procedure_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    court_code: Mapped[str] = mapped_column(ForeignKey("courts.code"), index=True)
    case_number: Mapped[str] = mapped_column(String(60), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    judge: Mapped[str] = mapped_column(String(100), default="")  # the judge in charge (username)
    registered_by: Mapped[str] = mapped_column(String(100), default="")

    parties: Mapped[list[ProcedureParty]] = relationship(back_populates="case", order_by="ProcedureParty.id")
    lots: Mapped[list[ProcedureLot]] = relationship(back_populates="case", order_by="ProcedureLot.id")


class ProcedureParty(Base):
    """申请执行人 / 被执行人 / 利害关系人, identified by a resident ID number (居民身份证号, checked with
    ``stdnum.cn.ric``) or an organisation's unified social credit code (``stdnum.cn.uscc``)."""

    __tablename__ = "procedure_parties"
    __table_args__ = (UniqueConstraint("case_id", "id_number", name="uq_procedure_parties_case_id_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("procedure_cases.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    id_kind: Mapped[str] = mapped_column(String(10))  # ric | uscc
    id_number: Mapped[str] = mapped_column(String(30))
    address_for_service: Mapped[str] = mapped_column(String(300), default="")
    contact: Mapped[str] = mapped_column(String(100), default="")  # telephone or other contact

    case: Mapped[ProcedureCase] = relationship(back_populates="parties")


class ProcedureLot(Base):
    """A seized item whose reference price is being fixed; the ranked appraisal firms and the lottery record."""

    __tablename__ = "procedure_lots"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("procedure_cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    seized_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    first_auction_announced_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    appraisal_firms: Mapped[list] = mapped_column(JSON, default=list)  # ranked, 参考价规定 art. 16
    firm_choice: Mapped[str] = mapped_column(String(20), default="")  # agreed | lottery
    lottery: Mapped[dict] = mapped_column(JSON, default=dict)  # commitment, then seed and result
    current_firm: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(30), default="real_estate")  # PROPERTY_KINDS
    address: Mapped[str] = mapped_column(String(300), default="")
    building_id: Mapped[str] = mapped_column(String(60), default="")  # the baseline tables' 楼幢编号, when found
    unit_label: Mapped[str] = mapped_column(String(60), default="")  # 室号

    case: Mapped[ProcedureCase] = relationship(back_populates="lots")
    reports: Mapped[list[ProcedureReport]] = relationship(back_populates="lot", order_by="ProcedureReport.id")


class ProcedureReport(Base):
    """One result: 议价结果, 定向询价结果, 网络询价报告, 评估报告, 补正说明 or 专业技术评审结论."""

    __tablename__ = "procedure_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("procedure_lots.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(200))  # platform, firm, agency or "当事人"
    value_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    commissioned_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    received_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    extension_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    corrected_value_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    corrects_report_id: Mapped[int | None] = mapped_column(ForeignKey("procedure_reports.id"), nullable=True)
    forwarded_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # 参考价规定 art. 21(1)
    published_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # art. 21(2)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    issued_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # validity runs from here (art. 27)
    receipt_code: Mapped[str] = mapped_column(String(40), default="")  # the ledger receipt of a quote (定向询价)
    details: Mapped[dict | None] = mapped_column(JSON, nullable=True, default=dict)  # e.g. the parties' 议价 submissions (art. 4)

    lot: Mapped[ProcedureLot] = relationship(back_populates="reports")


class ReferencePriceRecord(Base):
    """A reference price as fixed (each fixing kept; the newest is in force)."""

    __tablename__ = "procedure_reference_prices"

    id: Mapped[int] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("procedure_lots.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    value_fen: Mapped[int] = mapped_column(BigInteger)
    mean_exact: Mapped[str] = mapped_column(String(80), default="")  # exact mean in fen, "n/d"
    fixed_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, nullable=True)
    basis: Mapped[list] = mapped_column(JSON, default=list)  # report ids used
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)
    fixed_by: Mapped[str] = mapped_column(String(100), default="")


class Objection(Base):
    """异议: who, against which report, on which grounds, where it stands."""

    __tablename__ = "procedure_objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("procedure_cases.id", ondelete="CASCADE"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("procedure_reports.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("procedure_parties.id"))
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)  # a double submission is one objection
    grounds: Mapped[list] = mapped_column(JSON)
    facts: Mapped[str] = mapped_column(Text)
    reasons: Mapped[str] = mapped_column(Text)
    address_for_service: Mapped[str] = mapped_column(String(300))
    filed_at: Mapped[datetime] = mapped_column(DateTime)
    filed_on: Mapped[date] = mapped_column(Date)
    report_received_on: Mapped[date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(20))
    admissible: Mapped[bool] = mapped_column(Boolean)
    route: Mapped[str | None] = mapped_column(String(30), nullable=True)
    assessment: Mapped[str] = mapped_column(Text, default="")
    article: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(30), index=True)
    state_entered_on: Mapped[date] = mapped_column(Date)
    material_requests: Mapped[int] = mapped_column(Integer, default=0)
    decision_served_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    mailed_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # postmark (民诉法 art. 85(4))
    content_key: Mapped[str] = mapped_column(String(64), default="", index=True)  # the same text resubmitted
    review_extension_days: Mapped[int] = mapped_column(Integer, default=0)  # 执行程序解释 art. 8

    evidence: Mapped[list[EvidenceFile]] = relationship(order_by="EvidenceFile.id")
    events: Mapped[list[ObjectionEvent]] = relationship(order_by="ObjectionEvent.id")


class EvidenceFile(Base):
    """证据材料: stored with its SHA-256 and size; one file once per objection."""

    __tablename__ = "procedure_evidence_files"
    __table_args__ = (UniqueConstraint("objection_id", "sha256", name="uq_procedure_evidence_files_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("procedure_objections.id", ondelete="CASCADE"),
                                              index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class ObjectionEvent(Base):
    """Every state change of an objection, in order (the ledger holds the same, hash-chained)."""

    __tablename__ = "procedure_objection_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("procedure_objections.id", ondelete="CASCADE"),
                                              index=True)
    event: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(30))
    to_state: Mapped[str] = mapped_column(String(30))
    happened_on: Mapped[date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class ObjectionDecision(Base):
    """A ruling or conclusion on an objection and what it did to the reference price."""

    __tablename__ = "procedure_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("procedure_objections.id", ondelete="CASCADE"),
                                              index=True)
    kind: Mapped[str] = mapped_column(String(40))
    decided_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(Text, default="")
    effect: Mapped[dict] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime)


class CalendarYear(Base):
    """An administrator's entry of a year's State Council holiday notice (RULES.md section 5)."""

    __tablename__ = "procedure_calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    holidays: Mapped[list] = mapped_column(JSON)  # ISO dates
    workdays: Mapped[list] = mapped_column(JSON)  # ISO dates (调休上班)
    source: Mapped[str] = mapped_column(String(300), default="")
    entered_by: Mapped[str] = mapped_column(String(100), default="")
    entered_at: Mapped[datetime] = mapped_column(DateTime)
