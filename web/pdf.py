"""Printable PDFs of the pages: the quote result (询价结果单) with its verification code, and the receipt
(回执) of a filed objection. Chinese fonts are embedded (subset) from the system's Noto CJK fonts."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from fpdf import FPDF

from auction.documents.pdf import wrap_lines
from web.filters import yuan

SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
SERIF_BOLD = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc")
SANS = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_SC = 2  # index of the Simplified Chinese face in the Noto CJK collections


class _Document(FPDF):
    def __init__(self, title: str, footer_text: str):
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.set_title(title)
        self.set_creator("询拍 xunpai")
        regular = SERIF if SERIF.exists() else SANS
        self.add_font("cjk", "", str(regular), collection_font_number=_SC)
        self.add_font("cjk", "B", str(SERIF_BOLD if SERIF_BOLD.exists() else regular), collection_font_number=_SC)
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 16, 18)
        self.add_page()

    def footer(self):
        self.set_y(-14)
        self.set_font("cjk", "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 5, f"{self.footer_text}    第 {self.page_no()} 页", align="C")
        self.set_text_color(0, 0, 0)

    def court_heading(self, court_name: str, text: str):
        """The court's name above the document's title, as every document of the court opens."""
        self.set_font("cjk", "", 10)
        self.cell(0, 6, court_name, align="C", new_x="LMARGIN", new_y="NEXT")
        self.heading(text)

    @classmethod
    def quote_receipt(cls, title: str, heading: str, detail: dict, *, code: str, verify_url: str,
                      court_name: str) -> _Document:
        """A 结果单 opened as every one opens: the verification code in the footer, the court and the title, and
        who asked for the quote (询价人), when, in which case and for what."""
        doc = cls(title, f"校验码 {code}  核验：{verify_url}")
        doc.court_heading(court_name, heading)
        doc.pairs([
            ("案号", detail.get("case_number", "")),
            ("询价用途", detail.get("purpose", "")),
            ("询价人", detail.get("actor_name", "")),
            ("询价时间", detail.get("queried_at", "")),
        ])
        return doc

    def verification(self, warnings: Iterable[str], *, code: str, verify_url: str, what: str, note: str):
        """A 结果单's warnings and its verification: the code, where anyone checks ``what`` it states against the
        ledger, and the ``note`` on what the result is."""
        if warnings:
            self.subheading("提示")
            for warning in warnings:
                self.bullet(warning)
        self.subheading("核验")
        self.paragraph(f"校验码：{code}")
        self.paragraph(f"任何人可在 {verify_url} 输入校验码，核对本结果单所载{what}是否与系统台账一致。")
        self.paragraph(note, 9)

    def heading(self, text: str, size: int = 17):
        self.set_font("cjk", "B", size)
        self.cell(0, 11, text, align="C", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def subheading(self, text: str):
        self.ln(2)
        self.set_font("cjk", "B", 12)
        self.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(143, 29, 33)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(1.5)

    def wrap(self, text: str, width: float) -> list[str]:
        """``text`` in the current font broken into lines no wider than ``width`` (mm) as the court's documents
        break them (``auction.documents.pdf.wrap_lines``: between any two Chinese characters, figures such as
        B000001 or 2024-05-01 kept whole, 避头尾); a line break in the text starts a new line, and nothing is cut
        off. fpdf2's own wrapping breaks only at spaces and justifies: it spread "· 楼幢 B000001" across a whole
        line and put the sentence below it."""
        lines: list[str] = []
        for part in str(text).split("\n"):
            lines.extend(line.strip() for line in wrap_lines(part, width, self.get_string_width) or [""])
        return lines

    def pairs(self, rows: Iterable[tuple[str, str]]):
        for key, value in rows:
            self.set_font("cjk", "", 10)
            self.set_text_color(90, 90, 90)
            self.cell(34, 7, key)
            self.set_text_color(0, 0, 0)
            self.set_font("cjk", "", 10.5)
            x = self.get_x()
            for line in self.wrap(value, self.w - self.r_margin - x - 2 * self.c_margin):
                self.set_x(x)
                self.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float]):
        """A table with a shaded header row; a long cell (or heading) wraps inside its column (a source must be
        read whole), and a row that does not fit on the page starts the next one under the header again."""
        height = 5.2

        def draw(values: list[str], fill: bool) -> None:
            cells = [self.wrap(value, width - 2 * self.c_margin) for value, width in zip(values, widths, strict=True)]
            row_height = max(len(lines) for lines in cells) * height + 1.3
            if not fill and self.get_y() + row_height > self.page_break_trigger:
                self.add_page()
                header()
            x, y = self.l_margin, self.get_y()
            for lines, width in zip(cells, widths, strict=True):
                self.rect(x, y, width, row_height, style="DF" if fill else "D")
                for i, line in enumerate(lines):
                    self.set_xy(x, y + 0.65 + i * height)
                    self.cell(width, height, line)
                x += width
            self.set_xy(self.l_margin, y + row_height)

        def header() -> None:
            self.set_font("cjk", "B", 9.5)
            self.set_fill_color(238, 238, 238)
            draw([str(name) for name in headers], fill=True)
            self.set_font("cjk", "", 9)

        if self.get_y() + 7 + height + 1.3 > self.page_break_trigger:  # no header alone at a page's foot
            self.add_page()
        header()
        for row in rows:
            draw([str(value) for value in row], fill=False)
        self.ln(1)

    def bullet(self, text: str, size: float = 10):
        """A list item: "·" and the text, its following lines under the text, not under the dot."""
        self.set_font("cjk", "", size)
        mark = "· "
        indent = self.get_string_width(mark)
        width = self.w - self.l_margin - self.r_margin - 2 * self.c_margin - indent
        for i, line in enumerate(self.wrap(text, width)):
            self.set_x(self.l_margin + (0 if i == 0 else indent))
            self.cell(0, 6, (mark if i == 0 else "") + line, new_x="LMARGIN", new_y="NEXT")

    def paragraph(self, text: str, size: float = 10):
        self.set_font("cjk", "", size)
        for line in self.wrap(text, self.w - self.l_margin - self.r_margin - 2 * self.c_margin):
            self.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")


def quote_pdf(detail: dict, *, code: str, verify_url: str, court_name: str) -> bytes:
    """询价结果单: what was asked, the price, the breakdown with its table rows, the verification code."""
    result = detail["result"]
    doc = _Document.quote_receipt("询价结果单", "定向询价结果单", detail, code=code, verify_url=verify_url,
                                  court_name=court_name)
    doc.subheading("标的物")
    floor = (f"{result['floor_low']}" if result["floor_low"] == result["floor_high"]
             else f"{result['floor_low']}-{result['floor_high']}")
    doc.pairs([
        ("坐落", result["address"]),
        ("楼幢编号", result["building_id"]),
        ("所在楼层 / 总层数", f"{floor} / {result['total_floors']}"),
        ("朝向", result.get("orientation") or "—"),
        ("建筑面积", f"{result['area']} ㎡"),
        ("立契时间", result["contract_date"]),
        ("估价时点", result["valuation_date"]),
    ])
    doc.subheading("询价结果")
    doc.pairs([
        ("单价", f"{_money(result['unit_price'])} 元/㎡"),
        ("总价", f"{_money(result['total_price'])} 元"),
        ("方法", result.get("method", "")),
        ("基准表版本", result["version"]),
        ("取整规则", result.get("rounding_rule", "")),
    ])
    doc.subheading("计算明细")
    rows = []
    for factor in result["breakdown"]:
        source = "，".join(f"{k}={v}" for k, v in (factor.get("row") or {}).items())
        rows.append([factor["name"], factor["value"], factor["method"], f"{factor['table']} {source}"])
    doc.table(["项目", "取值", "方式", "来源（表与行）"], rows, [36, 28, 18, 92])
    doc.verification(result.get("warnings"), code=code, verify_url=verify_url, what="标的物与价格",
                     note="说明：本结果为依据税务机关计税基准价作出的定向询价结果（参考价规定第五条）；"
                          "当事人对定向询价结果不服的，依参考价规定第二十四条不予受理异议，法院另有规定的除外。")
    return bytes(doc.output())


def objection_receipt_pdf(detail: dict, *, court_name: str) -> bytes:
    """异议回执: what was filed, when, and the deadlines the court set (provisional where the calendar is)."""
    doc = _Document("异议受理回执", f"{court_name} · 回执编号 {detail['reference']}")
    doc.court_heading(court_name, "异议申请提交回执")
    doc.pairs([
        ("回执编号", detail["reference"]),
        ("案号", detail["case_number"]),
        ("异议人", f"{detail['party_name']}（{detail['party_role']}）"),
        ("异议对象", detail.get("report", "")),
        ("提交时间", detail["filed_at"]),
        ("当前状态", detail.get("status", "")),
    ])
    doc.subheading("异议事由")
    for ground in detail.get("grounds", []):
        doc.bullet(ground)
    doc.subheading("事实与理由")
    doc.paragraph(detail.get("text", ""))
    if detail.get("evidence"):
        doc.subheading("证据材料")
        doc.table(["文件名", "大小", "SHA-256"],
                  [[e["name"], f"{e['size']:,} 字节", e["sha256"][:32] + "…"] for e in detail["evidence"]],
                  [60, 26, 88])
    if detail.get("deadlines"):
        doc.subheading("办理期限")
        doc.table(["事项", "截止日期", "说明"],
                  [[d["label"], d["due"], d.get("note", "")] for d in detail["deadlines"]], [60, 34, 80])
    doc.ln(3)
    doc.paragraph("本回执仅证明系统已收到上述材料，不代表异议已被受理；受理与否由法院依法审查决定并告知。", 9)
    return bytes(doc.output())


def _money(value: str) -> str:
    return yuan(value)


def inquiry_letter_pdf(detail: dict, *, court_name: str) -> bytes:
    """询价函 (参考价规定 art. 6): to the body asked for a 定向询价, with the inquiry's requirements and its term."""
    doc = _Document("询价函", f"{court_name} · {detail['case_number']}")
    doc.court_heading(court_name, "询 价 函")
    doc.paragraph(f"本院在执行{detail['case_number']}案件中，需确定下列财产的处置参考价。依照《最高人民法院关于人民法院"
                  "确定财产处置参考价若干问题的规定》第五条、第六条，请贵单位就该财产提供计税基准价（或政府定价、政府"
                  "指导价）询价结果。", 10.5)
    doc.subheading("询价对象")
    doc.pairs([("财产", detail["property"]), ("类型", detail.get("kind", "")),
               ("坐落", detail.get("address") or "—"), ("基准表楼幢编号", detail.get("building_id") or "—")])
    doc.subheading("询价要求")
    doc.paragraph("一、询价结果应载明财产基本情况、所依据的计税基准价（或政府定价、政府指导价）及其执行日期、计算方法和结果；")
    doc.paragraph("二、询价结果应载明有效期，有效期最长不得超过一年（参考价规定第二十七条）；")
    doc.paragraph("三、请于收到本函之日起三日内出具询价结果；在指定期限内出具的询价结果为参考价（参考价规定第六条第二款）。")
    doc.subheading("联系")
    doc.pairs([("承办法官", detail.get("judge") or "—"), ("出具日期", detail.get("date", ""))])
    doc.ln(6)
    doc.paragraph(f"{court_name}（盖章）", 11)
    return bytes(doc.output())
