"""The printable documents break lines as Chinese print does (web/pdf.py): between Chinese characters, never inside
a building number or a date, no closing mark at the start of a line, and nothing cut off."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from auction.documents.pdf import NO_LINE_END as _NO_LINE_END
from auction.documents.pdf import NO_LINE_START as _NO_LINE_START
from web.pdf import _Document, quote_pdf

WARNING = ("· 楼幢 B000001 所在估价分区没有成交样本：基准价按本市成交最少的分区的水平及本楼幢的层数、电梯、结构、建成年份推算，"
           "误差可能较大，宜以定向询价或委托评估核实（基准价依据：全市）。")


@pytest.fixture
def doc() -> _Document:
    document = _Document("测试", "页脚")
    document.set_font("cjk", "", 10)
    return document


def test_a_sentence_with_a_building_number_fills_its_lines_instead_of_breaking_at_the_spaces(doc):
    width = doc.w - doc.l_margin - doc.r_margin - 2 * doc.c_margin
    lines = doc.wrap(WARNING, width)
    assert len(lines) == 2, lines  # fpdf2's own wrapping gave three: "· 楼幢 B000001" alone, then the sentence
    assert lines[0].startswith("· 楼幢 B000001 所在估价分区")
    assert "".join(lines) == WARNING  # nothing lost, nothing added
    assert doc.get_string_width(lines[0]) > 0.9 * width  # the first line is full


@pytest.mark.parametrize("width", [20, 33, 47, 61, 90])
def test_no_line_is_too_wide_no_number_is_split_and_no_closing_mark_opens_a_line(doc, width):
    text = "校验码：3A34-5933-AEDD，任何人可在 http://127.0.0.1:8011/verify 输入校验码（核对本结果单），楼幢 B000001、立契时间 2024-05-01。"
    lines = doc.wrap(text, width)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        # a closing mark hangs past the edge only when the line holds nothing it could take along
        fits = line[:-1] if line[-1] in _NO_LINE_START and not re.search(r"[\u4e00-\u9fff]", line[:-1]) else line
        assert doc.get_string_width(fits) <= width + 1e-6, (width, line)
        assert line[0] not in _NO_LINE_START, (width, lines)
    for line in lines[:-1]:
        assert line[-1] not in _NO_LINE_END, (width, lines)
    joined = "\n".join(lines)
    for token in ("B000001", "2024-05-01", "3A34-5933-AEDD", "http://127.0.0.1:8011/verify"):
        if doc.get_string_width(token) <= width:
            assert token in joined, (width, lines)  # a number that fits a line is never broken


def test_a_run_wider_than_the_line_is_broken_between_its_characters(doc):
    lines = doc.wrap("a" * 200, 30)
    assert len(lines) > 1 and "".join(lines) == "a" * 200
    assert all(doc.get_string_width(line) <= 30 for line in lines)


def test_a_line_break_in_the_text_starts_a_new_line(doc):
    assert doc.wrap("第一行\n第二行", 100) == ["第一行", "第二行"]


def _quote_detail(source_row: dict, warnings: list[str]) -> dict:
    factor = {"name": "基准价", "value": "20884.00", "method": "基价", "table": "基准价", "row": source_row}
    return {"case_number": "（2026）浙1099执1234号", "purpose": "确定财产处置参考价", "actor_name": "王法官",
            "queried_at": "2026-12-02 06:44:26",
            "result": {"address": "示范市城东街道东辉公寓1幢", "building_id": "B000001", "floor_low": 3, "floor_high": 3,
                       "total_floors": 5, "orientation": "南", "area": "89.5", "contract_date": "2024-05-01",
                       "valuation_date": "2026-12-02", "unit_price": "21450.14", "total_price": "1919787.53",
                       "method": "定向询价", "version": "示范市-2023", "rounding_rule": "四舍五入到分",
                       "breakdown": [factor] * 30, "warnings": warnings}}


def test_the_quote_sheet_prints_every_source_whole_and_the_warning_as_one_paragraph():
    row = {"执行日期": "2023-01-01", "楼幢或小区编号": "B000001", "适用范围": "楼幢", "备注": "由成交推断的总层数" * 3}
    data = quote_pdf(_quote_detail(row, [WARNING[2:]]), code="3A34-5933-AEDD", verify_url="http://x/verify",
                     court_name="示范市人民法院")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2  # thirty rows of three lines each run onto the next page
    text = re.sub(r"[\s\x00]", "", "".join(page.extract_text() for page in reader.pages))
    assert text.count("适用范围=楼幢") == 30 and "…" not in text  # no source cut off
    assert text.count("由成交推断的总层数由成交推断的总层数由成交推断的总层数") == 30
    pages = [re.sub(r"[\s\x00]", "", page.extract_text()) for page in reader.pages]
    with_rows = [page for page in pages if "适用范围=楼幢" in page]
    assert len(with_rows) >= 2  # the table runs over a page break ...
    assert all(page.count("项目取值方式来源（表与行）") == 1 for page in with_rows)  # ... and its header with it
    assert "·楼幢B000001所在估价分区没有成交样本" in text


def test_a_heading_wider_than_its_column_wraps_and_a_table_near_the_foot_starts_on_the_next_page(doc):
    doc.set_y(doc.page_break_trigger - 8)  # room for the header row, not for a row under it
    doc.table(["修正后价格（元，四舍五入到元）", "来源"], [["181,584", "全部 500 条记录拟合的分段线性折旧曲线"]], [20, 40])
    reader = PdfReader(io.BytesIO(bytes(doc.output())))
    pages = [re.sub(r"[\s\x00]", "", page.extract_text()) for page in reader.pages]
    assert len(pages) == 2 and "修正后" not in pages[0]  # not a header left alone at the foot of page 1
    assert "修正后价格（元，四舍五入到元）" in pages[1] and "全部500条记录拟合的分段线性折旧曲线" in pages[1]
