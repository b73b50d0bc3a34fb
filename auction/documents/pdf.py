"""PDF from a rendered DOCX: the same paragraphs, styles and tables, set by fpdf2 with an embedded CJK font.

Only what the templates use is read: paragraph styles (size, bold, alignment, first-line indent, spacing),
page breaks and grid tables with merged columns. Bold is drawn by stroking the glyph outline (the working
font has one weight), which keeps one embedded font per document.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from fpdf import FPDF
from fpdf.enums import TextMode, WrapMode

from auction.documents.fonts import FontFace, document_font

PT_TO_MM = 25.4 / 72
_ALIGN = {
    WD_ALIGN_PARAGRAPH.CENTER: "C",
    WD_ALIGN_PARAGRAPH.RIGHT: "R",
    WD_ALIGN_PARAGRAPH.JUSTIFY: "L",  # CJK text has no spaces to stretch
    WD_ALIGN_PARAGRAPH.LEFT: "L",
}


@dataclass(frozen=True)
class _Look:
    size: float
    bold: bool
    align: str
    indent_chars: int
    space_after: float
    line_spacing: float


def _resolve(style, attr: str, default):
    while style is not None:
        value = attr_value(style, attr)
        if value is not None:
            return value
        style = style.base_style
    return default


def attr_value(style, attr: str):
    if attr == "size":
        return style.font.size.pt if style.font.size is not None else None
    if attr == "bold":
        return style.font.bold
    fmt = style.paragraph_format
    if attr == "align":
        return fmt.alignment
    if attr == "indent":
        return fmt.first_line_indent.pt if fmt.first_line_indent is not None else None
    if attr == "after":
        return fmt.space_after.pt if fmt.space_after is not None else None
    if attr == "spacing":
        return fmt.line_spacing if isinstance(fmt.line_spacing, float) else None
    raise KeyError(attr)


def _look_of_style(style) -> _Look:
    size = _resolve(style, "size", 12.0)
    indent = _resolve(style, "indent", 0.0)
    return _Look(
        size=size,
        bold=bool(_resolve(style, "bold", False)),
        align=_ALIGN.get(_resolve(style, "align", WD_ALIGN_PARAGRAPH.LEFT), "L"),
        indent_chars=round(indent / size) if size else 0,
        space_after=_resolve(style, "after", 0.0),
        line_spacing=_resolve(style, "spacing", 1.2),
    )


def _look(paragraph: Paragraph, looks: dict[str, _Look]) -> _Look:
    """The paragraph's style as layout; ``looks`` caches it per style within one document."""
    key = paragraph._p.style or ""
    if key not in looks:
        looks[key] = _look_of_style(paragraph.style)
    return looks[key]


def _has_page_break(paragraph: Paragraph) -> bool:
    return any(br.get(qn("w:type")) == "page" for br in paragraph._p.iter(qn("w:br")))


FAMILY = "xpcjk"
FALLBACK_FAMILY = "xpcjkfull"


class _CourtPDF(FPDF):
    """A4 pages numbered at the foot as court documents are: ``— 1 —``."""

    def footer(self) -> None:
        self.set_y(-18)
        self.set_font(FAMILY, size=11)
        self.text_mode = TextMode.FILL
        self.cell(0, 6, f"— {self.page_no()} —", align="C")


def _start(face: FontFace, fallback: FontFace | None, title: str) -> FPDF:
    pdf = _CourtPDF(format="A4", unit="mm")
    pdf.set_margins(28, 30, 26)
    pdf.set_auto_page_break(True, margin=28)
    for family, font in ((FAMILY, face), (FALLBACK_FAMILY, fallback)):
        if font is None:
            continue
        pdf.add_font(family, fname=str(font.path), collection_font_number=font.index)
        # bounding boxes of the source font are right; recomputing them for CFF subsets is slow
        pdf.fonts[family].ttfont.recalcBBoxes = False
    if fallback is not None:
        pdf.set_fallback_fonts([FALLBACK_FAMILY])
    pdf.set_title(title)
    pdf.set_creator("xunpai")
    pdf.add_page()
    return pdf


def _set_font(pdf: FPDF, family: str, look: _Look) -> None:
    pdf.set_font(family, size=look.size)
    if look.bold:
        pdf.text_mode = TextMode.FILL_STROKE
        pdf.set_line_width(look.size * PT_TO_MM * 0.035)
    else:
        pdf.text_mode = TextMode.FILL


#: 避头尾 (kinsoku): these never begin a line, and the opening ones never end a line.
NO_LINE_START = set("，。、；：？！）》」』”’〕】…%,.;:?!)]}·")
NO_LINE_END = set("（《「『“‘〔【([{")


def _in_figure(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in ".,-/:")


def wrap_lines(text: str, width_mm: float, char_width) -> list[str]:
    """Break ``text`` into lines no wider than ``width_mm`` at any character (CJK has no spaces),
    keeping closing punctuation off the start and opening punctuation off the end of a line, and figures
    (``1,234,567.00``, ``2027``) whole."""
    lines: list[str] = []
    line: list[str] = []
    used = 0.0
    for char in text:
        w = char_width(char)
        if line and used + w > width_mm:
            k = len(line)  # line[:k] stays, line[k:] moves down with ``char``
            if char in NO_LINE_START:
                while k > 1 and line[k - 1] in NO_LINE_START:
                    k -= 1
                if k > 1:
                    k -= 1
            after = line[k] if k < len(line) else char
            if k > 0 and _in_figure(line[k - 1]) and _in_figure(after):
                figure_start = k
                while figure_start > 0 and _in_figure(line[figure_start - 1]):
                    figure_start -= 1
                if figure_start > 0:
                    k = figure_start
                elif char in NO_LINE_START:  # the figure fills the line: the mark hangs past the edge, as in print
                    line.append(char)
                    used += w
                    continue
                # else a figure longer than the line has to break
            while k > 1 and line[k - 1] in NO_LINE_END:
                k -= 1
            lines.append("".join(line[:k]))
            line = line[k:]
            used = sum(char_width(c) for c in line)
        line.append(char)
        used += w
    if line:
        lines.append("".join(line))
    return lines


def _paragraph(pdf: FPDF, family: str, paragraph: Paragraph, looks: dict[str, _Look]) -> None:
    if _has_page_break(paragraph):
        pdf.add_page()
    text = paragraph.text
    if not text.strip():
        return
    look = _look(paragraph, looks)
    _set_font(pdf, family, look)
    height = look.size * PT_TO_MM * look.line_spacing
    widths = pdf.current_font.cw
    scale = look.size * PT_TO_MM / 1000

    def char_width(char: str) -> float:
        return widths[ord(char)] * scale

    if FALLBACK_FAMILY in pdf.fonts and any(ord(c) not in pdf.current_font.cmap for c in text):
        pdf.multi_cell(0, height, "\u3000" * look.indent_chars + text, align=look.align, new_x="LMARGIN",
                       new_y="NEXT", wrapmode=WrapMode.CHAR)  # characters from the fallback font
    else:
        for line in wrap_lines("\u3000" * look.indent_chars + text, pdf.epw, char_width):
            pdf.cell(0, height, line, align=look.align, new_x="LMARGIN", new_y="NEXT")
    if look.space_after:
        pdf.ln(look.space_after * PT_TO_MM)


def _table(pdf: FPDF, family: str, table: Table, looks: dict[str, _Look]) -> None:
    grid = [int(col.get(qn("w:w")) or 0) for col in table._tbl.tblGrid.iter(qn("w:gridCol"))]
    total = sum(grid) or 1
    rows = []
    for tr in table._tbl.tr_lst:
        cells = []
        for tc in tr.tc_lst:
            span = tc.grid_span
            paragraphs = [Paragraph(p, table) for p in tc.p_lst]
            cells.append((paragraphs, span))
        rows.append(cells)
    first = next((p for cells in rows for ps, _ in cells for p in ps), None)
    look = _look(first, looks) if first is not None else _Look(11, False, "L", 0, 0, 1.2)
    pdf.set_font(family, size=look.size)
    pdf.text_mode = TextMode.FILL
    width = pdf.epw
    with pdf.table(
        col_widths=[w / total * width for w in grid],
        first_row_as_headings=False,
        line_height=look.size * PT_TO_MM * 1.35,
        text_align="LEFT",
        padding=1.2,
        wrapmode=WrapMode.CHAR,
    ) as out:
        for cells in rows:
            row = out.row()
            for paragraphs, span in cells:
                row.cell("\n".join(p.text for p in paragraphs), colspan=span)
    pdf.ln(2)


def _blocks(document: DocxDocument) -> list[Paragraph | Table]:
    blocks: list[Paragraph | Table] = []
    for child in document.element.body.iterchildren():
        if child.tag == qn("w:p"):
            blocks.append(Paragraph(child, document))
        elif child.tag == qn("w:tbl"):
            blocks.append(Table(child, document))
    return blocks


def document_text(document: DocxDocument) -> str:
    """All the text of a document (paragraphs and table cells), for choosing the font."""
    return "".join(t.text or "" for t in document.element.body.iter(qn("w:t")))


def docx_to_pdf(document: DocxDocument, title: str = "",
                font: tuple[FontFace, FontFace | None] | None = None) -> bytes:
    """The PDF of a rendered document with its CJK font embedded (subset). ``font`` is a
    ``fonts.document_font`` result shared by a document set; without it one is cut for this document."""
    if font is None:
        with tempfile.TemporaryDirectory(prefix="xunpai-font-") as tmp:
            return docx_to_pdf(document, title, document_font(document_text(document) + title, Path(tmp)))
    pdf = _start(font[0], font[1], title)
    looks: dict[str, _Look] = {}
    for block in _blocks(document):
        if isinstance(block, Table):
            _table(pdf, FAMILY, block, looks)
        else:
            _paragraph(pdf, FAMILY, block, looks)
    return bytes(pdf.output())
