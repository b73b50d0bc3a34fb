"""The court's documents of an online auction, one DOCX template each (``templates/*.docx``, written by
``build_templates.py``), rendered by docxtpl into DOCX for editing (Word/WPS) and, from the same rendered
content, into PDF with an embedded CJK font for publishing.

    render_document(kind, lot, plan, court, fmt="docx"|"pdf", life=None) -> bytes
    render_document_set(lot, plan, court, out_dir) -> list[Path]

Kinds (``DocumentKind``): 拍卖（变卖）公告, 竞买须知, 标的物介绍/调查情况表, 通知书 to parties and to priority
purchasers (网拍规定 art. 16), 评议笔录 of the collegial panel (art. 27), 拍卖（变卖）裁定书; after the sale
成交确认书, 成交裁定书, 协助执行通知书, 交付（移交）笔录; 悔拍通知书及保证金处理决定书, 以物抵债征询通知书,
暂缓（中止）拍卖通知书. A 变卖 has its own announcement and ruling (``fixed_price_announcement``,
``fixed_price_ruling``), chosen by the plan's round. With ``life`` (``auction.lifecycle.Lifecycle``) every
document is dated by the event it records and refused, saying which event is missing, before that event.
"""

from __future__ import annotations

import dataclasses
import enum
import io
import tempfile
import threading
from datetime import date
from functools import cache
from pathlib import Path

import jinja2
from docxtpl import DocxTemplate

from auction.documents.context import DocumentError, build_context, party_recipients, priority_recipients
from auction.lifecycle import Lifecycle, LotState
from auction.listing_plan import AuctionRound, ListingPlan
from auction.lot import CourtInfo, Lot

__all__ = ["COURT_FIELDS", "DocumentError", "DocumentKind", "LISTING_KINDS", "applicable_kinds", "court_gaps", "lifecycle_kinds", "render_document", "render_document_set", "TEMPLATES"]

TEMPLATES = Path(__file__).with_name("templates")


class DocumentKind(enum.StrEnum):
    ANNOUNCEMENT = "announcement"
    BIDDER_NOTICE = "bidder_notice"
    LOT_DESCRIPTION = "lot_description"
    NOTICE_TO_PARTIES = "notice_to_parties"
    NOTICE_TO_PRIORITY_PURCHASERS = "notice_to_priority_purchasers"
    AUCTION_RULING = "auction_ruling"
    SALE_CONFIRMATION = "sale_confirmation"
    SALE_RULING = "sale_ruling"
    PANEL_RECORD = "panel_record"
    REGISTRY_NOTICE = "registry_notice"
    HANDOVER_RECORD = "handover_record"
    RENEGED_DECISION = "reneged_decision"
    OFFER_IN_PAYMENT = "offer_in_payment"
    SUSPENSION_NOTICE = "suspension_notice"
    DIFFERENCE_NOTICE = "difference_notice"

    @property
    def label(self) -> str:
        return _LABELS[self]

    def label_for(self, plan: ListingPlan | None) -> str:
        """变卖公告 / 变卖裁定书 for a fixed-price sale."""
        if plan is not None and plan.round is AuctionRound.FIXED_PRICE_SALE and self in _FIXED_PRICE_LABELS:
            return _FIXED_PRICE_LABELS[self]
        return self.label

    @property
    def after_sale(self) -> bool:
        return self in (DocumentKind.SALE_CONFIRMATION, DocumentKind.SALE_RULING)


_LABELS = {
    DocumentKind.ANNOUNCEMENT: "拍卖公告",
    DocumentKind.BIDDER_NOTICE: "竞买须知",
    DocumentKind.LOT_DESCRIPTION: "标的物介绍",
    DocumentKind.NOTICE_TO_PARTIES: "当事人通知书",
    DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS: "优先购买权人通知书",
    DocumentKind.AUCTION_RULING: "拍卖裁定书",
    DocumentKind.SALE_CONFIRMATION: "成交确认书",
    DocumentKind.SALE_RULING: "成交裁定书",
    DocumentKind.PANEL_RECORD: "合议庭评议笔录",
    DocumentKind.REGISTRY_NOTICE: "协助执行通知书",
    DocumentKind.HANDOVER_RECORD: "交付（移交）笔录",
    DocumentKind.RENEGED_DECISION: "悔拍通知书及保证金处理决定书",
    DocumentKind.OFFER_IN_PAYMENT: "以物抵债征询通知书",
    DocumentKind.SUSPENSION_NOTICE: "暂缓（中止）拍卖通知书",
    DocumentKind.DIFFERENCE_NOTICE: "责令补交差价通知书",
}
_FIXED_PRICE_LABELS = {DocumentKind.ANNOUNCEMENT: "变卖公告", DocumentKind.AUCTION_RULING: "变卖裁定书"}
_FIXED_PRICE_TEMPLATES = {DocumentKind.ANNOUNCEMENT: "fixed_price_announcement",
                          DocumentKind.AUCTION_RULING: "fixed_price_ruling"}

#: the event (lifecycle field) each document records, and the Chinese name of the missing event
_NEEDS = {
    DocumentKind.PANEL_RECORD: ("panel_on", "合议庭评议（网拍规定第二十七条）"),
    DocumentKind.AUCTION_RULING: ("panel_on", "合议庭评议（网拍规定第二十七条）"),
    DocumentKind.NOTICE_TO_PARTIES: ("panel_on", "合议庭评议（网拍规定第二十七条）"),
    DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS: ("panel_on", "合议庭评议（网拍规定第二十七条）"),
    DocumentKind.SALE_CONFIRMATION: ("sale", "成交"),
    DocumentKind.SALE_RULING: ("ruled_on", "作出成交裁定（价款全额交付后，拍卖变卖规定第二十条）"),
    DocumentKind.REGISTRY_NOTICE: ("ruled_on", "作出成交（抵债）裁定"),
    DocumentKind.HANDOVER_RECORD: ("delivered_on", "移交财产"),
    DocumentKind.RENEGED_DECISION: ("reneged_on", "悔拍"),
    DocumentKind.OFFER_IN_PAYMENT: ("offer", "询问以物抵债"),
    DocumentKind.SUSPENSION_NOTICE: ("suspended", "暂缓或中止拍卖"),
    DocumentKind.DIFFERENCE_NOTICE: ("difference_fen", "接受抵债且应受清偿的债权额低于抵债价（拍卖变卖规定第十六条第二款）"),
}


_ACCOUNT, _PANEL, _CLERK, _PHONE, _CONTACTS = ("本院账户（开户行、户名、账号）", "合议庭成员（至少三人，审判长在前）", "书记员",
                                               "监督电话", "联系人及电话")  # the names CourtInfo.missing() gives
#: the court details each document prints (its template's fields): without them it would print "—"
COURT_FIELDS = {
    DocumentKind.ANNOUNCEMENT: (_ACCOUNT, _PHONE, _CONTACTS),
    DocumentKind.BIDDER_NOTICE: (_ACCOUNT, _PHONE, _CONTACTS),
    DocumentKind.NOTICE_TO_PARTIES: (_CONTACTS,),
    DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS: (_CONTACTS,),
    DocumentKind.AUCTION_RULING: (_PANEL, _CLERK),
    DocumentKind.SALE_RULING: (_PANEL, _CLERK),
    DocumentKind.PANEL_RECORD: (_CLERK,),
    DocumentKind.REGISTRY_NOTICE: (_CONTACTS,),
    DocumentKind.HANDOVER_RECORD: (_PANEL, _CLERK),
    DocumentKind.OFFER_IN_PAYMENT: (_CONTACTS,),
    DocumentKind.DIFFERENCE_NOTICE: (_ACCOUNT, _CONTACTS),
}


def court_gaps(lot: Lot, court: CourtInfo, kinds=None) -> dict[DocumentKind, list[str]]:
    """For each of ``kinds`` (default: the lot's applicable documents) that prints a court detail the court
    information lacks, the Chinese names of what is missing (the lot's own contacts stand in for the court's)."""
    missing = set(dataclasses.replace(court, name=court.name or lot.court_name,
                                      contacts=court.contacts or lot.contacts).missing())
    out = {}
    for kind in (applicable_kinds(lot) if kinds is None else kinds):
        gaps = [name for name in COURT_FIELDS.get(kind, ()) if name in missing]
        if gaps:
            out[kind] = gaps
    return out


def _template_name(kind: DocumentKind, plan: ListingPlan) -> str:
    if plan.round is AuctionRound.FIXED_PRICE_SALE and kind in _FIXED_PRICE_TEMPLATES:
        return _FIXED_PRICE_TEMPLATES[kind]
    return kind.value


@cache
def _template_bytes(name: str) -> bytes:
    path = TEMPLATES / f"{name}.docx"
    if not path.is_file():
        raise DocumentError(f"缺少文书模板 {path}；请运行 python -m auction.documents.build_templates。")
    return path.read_bytes()


class _CompiledTemplates(jinja2.Environment):
    """docxtpl compiles each template's XML with ``from_string`` on every render; the XML of a template never
    changes in a process, so it is compiled once (about a third of the DOCX time)."""

    def __init__(self) -> None:
        super().__init__(autoescape=True)
        self._compiled: dict[str, jinja2.Template] = {}
        self._lock = threading.Lock()

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002 - jinja's signature
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        with self._lock:
            compiled = self._compiled.get(source)
            if compiled is None:
                compiled = self._compiled[source] = super().from_string(source)
        return compiled


_ENVIRONMENT = _CompiledTemplates()


def _render(kind: DocumentKind, context: dict, plan: ListingPlan) -> DocxTemplate:
    template = DocxTemplate(io.BytesIO(_template_bytes(_template_name(kind, plan))))
    template.render(context, jinja_env=_ENVIRONMENT, autoescape=True)
    return template


def _context_for(kind: DocumentKind, lot: Lot, plan: ListingPlan, court: CourtInfo, issued_on: date | None,
                 base: dict | None = None, life: Lifecycle | None = None, created_on: date | None = None) -> dict:
    label = kind.label_for(plan)
    context = dict(base) if base is not None else build_context(lot, plan, court, issued_on, life=life,
                                                                created_on=created_on)
    if life is not None:
        needed = _NEEDS.get(kind)
        if needed is not None and not getattr(life, needed[0]):
            raise DocumentError(f"标的物“{lot.title}”尚未登记“{needed[1]}”，不能制作{label}。")
        if kind in (DocumentKind.ANNOUNCEMENT, DocumentKind.BIDDER_NOTICE) and not lot.platform.strip():
            raise DocumentError(f"标的物“{lot.title}”未载明网络司法拍卖平台，不能制作{label}"
                                "（网拍规定第十二条第二款：公告应载明网络平台）。")
    elif kind.after_sale and not context["has_sale"]:
        raise DocumentError(f"标的物“{lot.title}”尚未成交，不能制作{label}。")
    elif kind not in LISTING_KINDS:
        raise DocumentError(f"{label}依据标的的流程事项制作，请从标的的流程页面制作。")
    if kind is DocumentKind.SALE_RULING and life is None and not lot.sale.paid_in_full_on:
        # the ruling states the day the price was paid in full and is served within 10 days of it
        raise DocumentError(f"标的物“{lot.title}”尚未登记价款付清日期，不能制作{label}"
                            "（拍卖变卖规定第二十条：价款全额交付后作出并送达）。")
    if kind is DocumentKind.NOTICE_TO_PARTIES:
        context["recipients"] = party_recipients(lot)
        if not context["recipients"]:
            raise DocumentError(f"标的物“{lot.title}”没有需要通知的当事人，不能制作{label}。")
    if kind is DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS:
        context["recipients"] = priority_recipients(lot)
        if not context["recipients"]:
            raise DocumentError(f"标的物“{lot.title}”没有需要通知的已知优先购买权人，不能制作{label}。")
    return context


LISTING_KINDS = frozenset({DocumentKind.ANNOUNCEMENT, DocumentKind.BIDDER_NOTICE, DocumentKind.LOT_DESCRIPTION,
                           DocumentKind.NOTICE_TO_PARTIES, DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS,
                           DocumentKind.AUCTION_RULING, DocumentKind.SALE_CONFIRMATION, DocumentKind.SALE_RULING})


def lifecycle_kinds(life: Lifecycle) -> list[DocumentKind]:
    """The documents the lot's events allow now, in the order a clerk makes them."""
    lot = life.lot
    kinds = []
    if life.panel_on:
        kinds.append(DocumentKind.PANEL_RECORD)
        kinds.append(DocumentKind.AUCTION_RULING)
        if party_recipients(lot):
            kinds.append(DocumentKind.NOTICE_TO_PARTIES)
        if priority_recipients(lot):
            kinds.append(DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS)
    kinds += [DocumentKind.ANNOUNCEMENT, DocumentKind.BIDDER_NOTICE, DocumentKind.LOT_DESCRIPTION]
    for kind, (attribute, _name) in _NEEDS.items():
        if kind not in kinds and attribute != "panel_on" and getattr(life, attribute):
            kinds.append(kind)
    if life.state is LotState.SUSPENDED and DocumentKind.SUSPENSION_NOTICE not in kinds:
        kinds.append(DocumentKind.SUSPENSION_NOTICE)
    if life.sale is None and DocumentKind.RENEGED_DECISION in kinds:  # 承受人 defaulted: no buyer, no deposit
        kinds.remove(DocumentKind.RENEGED_DECISION)
    return kinds


def render_document(kind: DocumentKind | str, lot: Lot, plan: ListingPlan | None, court: CourtInfo, *,
                    fmt: str = "docx", issued_on: date | None = None, life: Lifecycle | None = None,
                    created_on: date | None = None) -> bytes:
    """One document as DOCX or PDF bytes. ``plan`` defaults to ``lot.plan``; ``issued_on`` dates the
    document (default: the announcement date; rulings and notices the notification deadline; the sale
    documents the sale and payment dates)."""
    kind = DocumentKind(kind)
    if fmt not in ("docx", "pdf"):
        raise DocumentError(f"文书格式“{fmt}”不受支持，应为 docx 或 pdf。")
    plan = plan or lot.plan
    if plan is None:
        raise DocumentError(f"标的物“{lot.title}”没有拍卖方案，不能制作{kind.label}。")
    template = _render(kind, _context_for(kind, lot, plan, court, issued_on, life=life, created_on=created_on), plan)
    return _output(template, kind, lot, fmt)


def _pdf_engine():
    # deferred: fpdf and fontTools.subset add about 0.6 s to the CLI's start-up (measured with
    # python -X importtime -m xunpai --help); they are loaded with the first PDF.
    from auction.documents import pdf

    return pdf


def _title(kind: DocumentKind, lot: Lot) -> str:
    return f"{kind.label_for(lot.plan)} {lot.case_number}"


def _output(template: DocxTemplate, kind: DocumentKind, lot: Lot, fmt: str, font=None) -> bytes:
    if fmt == "pdf":
        return _pdf_engine().docx_to_pdf(template.docx, title=_title(kind, lot), font=font)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def applicable_kinds(lot: Lot) -> list[DocumentKind]:
    """The documents a lot needs now: notices only to those who exist, sale documents after the sale."""
    kinds = [DocumentKind.ANNOUNCEMENT, DocumentKind.BIDDER_NOTICE, DocumentKind.LOT_DESCRIPTION]
    if party_recipients(lot):
        kinds.append(DocumentKind.NOTICE_TO_PARTIES)
    if priority_recipients(lot):
        kinds.append(DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS)
    kinds.append(DocumentKind.AUCTION_RULING)
    if lot.sale is not None:
        kinds.append(DocumentKind.SALE_CONFIRMATION)
        if lot.sale.paid_in_full_on:  # 拍卖变卖规定 art. 20: the ruling follows payment in full
            kinds.append(DocumentKind.SALE_RULING)
    return kinds


def render_document_set(lot: Lot, plan: ListingPlan | None, court: CourtInfo, out_dir: Path | str, *,
                        formats: tuple[str, ...] = ("docx", "pdf"), issued_on: date | None = None,
                        kinds: list[DocumentKind] | None = None) -> list[Path]:
    """Every applicable document of the lot, in each format, written to ``out_dir`` as
    ``<lot_id>-<kind>.<fmt>``. The context is built once; each template is rendered once for both formats."""
    plan = plan or lot.plan
    if plan is None:
        raise DocumentError(f"标的物“{lot.title}”没有拍卖方案，不能制作文书。")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = build_context(lot, plan, court, issued_on)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in lot.lot_id) or "lot"
    rendered = [(kind, _render(kind, _context_for(kind, lot, plan, court, issued_on, base), plan))
                for kind in (applicable_kinds(lot) if kinds is None else kinds)]
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="xunpai-font-") as tmp:
        font = None
        if "pdf" in formats:  # one small font cut for the whole set (see fonts.document_font)
            text = "".join(_pdf_engine().document_text(t.docx) + _title(k, lot) for k, t in rendered)
            font = _pdf_engine().document_font(text, Path(tmp))
        for kind, template in rendered:
            for fmt in formats:
                path = out / f"{stem}-{kind.value}.{fmt}"
                path.write_bytes(_output(template, kind, lot, fmt, font))
                written.append(path)
    return written
