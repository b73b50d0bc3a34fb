"""The court's documents of an online auction, one DOCX template each (``templates/*.docx``, written by
``build_templates.py``), rendered by docxtpl into DOCX for editing (Word/WPS) and, from the same rendered
content, into PDF with an embedded CJK font for publishing.

    render_document(kind, lot, plan, court, fmt="docx"|"pdf") -> bytes
    render_document_set(lot, plan, court, out_dir) -> list[Path]

Kinds (``DocumentKind``): 拍卖公告, 竞买须知, 标的物介绍/调查情况表, 通知书 to parties and to priority
purchasers (网拍规定 art. 16), 拍卖裁定书; after the sale 成交确认书 and 成交裁定书.
"""

from __future__ import annotations

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
from auction.listing_plan import ListingPlan
from auction.lot import CourtInfo, Lot

__all__ = ["DocumentError", "DocumentKind", "render_document", "render_document_set", "TEMPLATES"]

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

    @property
    def label(self) -> str:
        return _LABELS[self]

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
}


@cache
def _template_bytes(kind: DocumentKind) -> bytes:
    path = TEMPLATES / f"{kind.value}.docx"
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


def _render(kind: DocumentKind, context: dict) -> DocxTemplate:
    template = DocxTemplate(io.BytesIO(_template_bytes(kind)))
    template.render(context, jinja_env=_ENVIRONMENT, autoescape=True)
    return template


def _context_for(kind: DocumentKind, lot: Lot, plan: ListingPlan, court: CourtInfo, issued_on: date | None,
                 base: dict | None = None) -> dict:
    context = dict(base) if base is not None else build_context(lot, plan, court, issued_on)
    if kind.after_sale and not context["has_sale"]:
        raise DocumentError(f"标的物“{lot.title}”尚未成交，不能制作{kind.label}。")
    if kind is DocumentKind.SALE_RULING and not lot.sale.paid_in_full_on:
        # the ruling states the day the price was paid in full and is served within 10 days of it
        raise DocumentError(f"标的物“{lot.title}”尚未登记价款付清日期，不能制作{kind.label}"
                            "（拍卖变卖规定第二十条：价款全额交付后作出并送达）。")
    if kind is DocumentKind.NOTICE_TO_PARTIES:
        context["recipients"] = party_recipients(lot)
        if not context["recipients"]:
            raise DocumentError(f"标的物“{lot.title}”没有需要通知的当事人，不能制作{kind.label}。")
    if kind is DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS:
        context["recipients"] = priority_recipients(lot)
        if not context["recipients"]:
            raise DocumentError(f"标的物“{lot.title}”没有需要通知的已知优先购买权人，不能制作{kind.label}。")
    return context


def render_document(kind: DocumentKind | str, lot: Lot, plan: ListingPlan | None, court: CourtInfo, *,
                    fmt: str = "docx", issued_on: date | None = None) -> bytes:
    """One document as DOCX or PDF bytes. ``plan`` defaults to ``lot.plan``; ``issued_on`` dates the
    document (default: the announcement date; rulings and notices the notification deadline; the sale
    documents the sale and payment dates)."""
    kind = DocumentKind(kind)
    if fmt not in ("docx", "pdf"):
        raise DocumentError(f"文书格式“{fmt}”不受支持，应为 docx 或 pdf。")
    plan = plan or lot.plan
    if plan is None:
        raise DocumentError(f"标的物“{lot.title}”没有拍卖方案，不能制作{kind.label}。")
    template = _render(kind, _context_for(kind, lot, plan, court, issued_on))
    return _output(template, kind, lot, fmt)


def _pdf_engine():
    # deferred: fpdf and fontTools.subset add about 0.6 s to the CLI's start-up (measured with
    # python -X importtime -m xunpai --help); they are loaded with the first PDF.
    from auction.documents import pdf

    return pdf


def _title(kind: DocumentKind, lot: Lot) -> str:
    return f"{kind.label} {lot.case_number}"


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
                        formats: tuple[str, ...] = ("docx", "pdf"), issued_on: date | None = None) -> list[Path]:
    """Every applicable document of the lot, in each format, written to ``out_dir`` as
    ``<lot_id>-<kind>.<fmt>``. The context is built once; each template is rendered once for both formats."""
    plan = plan or lot.plan
    if plan is None:
        raise DocumentError(f"标的物“{lot.title}”没有拍卖方案，不能制作文书。")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    base = build_context(lot, plan, court, issued_on)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in lot.lot_id) or "lot"
    rendered = [(kind, _render(kind, _context_for(kind, lot, plan, court, issued_on, base)))
                for kind in applicable_kinds(lot)]
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
