"""The document set, opened back: python-docx for DOCX, pypdf for PDF; amounts in figures and capitals,
dates and case numbers in the court's form, art. 14 warnings, an embedded CJK font."""

import io
import re
from datetime import date

import pytest
from docx import Document
from pypdf import PdfReader

from auction.amounts import capitals, date_capitals, date_cn
from auction.documents import LISTING_KINDS, DocumentError, DocumentKind, render_document, render_document_set
from auction.lot_examples import example_court, example_real_estate_lot, example_vehicle_lot
from tax_baseline.money import format_yuan

COURT = example_court()


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    """Extracted text with line breaks and spaces removed (lines wrap anywhere in CJK text)."""
    reader = PdfReader(io.BytesIO(data))
    # pypdf puts a NUL where the text switches to the fallback font
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def sold_set(tmp_path_factory):
    lot = example_real_estate_lot(sold=True)
    out = tmp_path_factory.mktemp("docs")
    paths = render_document_set(lot, lot.plan, COURT, out)
    return lot, {p.name: p.read_bytes() for p in paths}


def test_the_set_has_every_document_in_both_formats(sold_set):
    lot, files = sold_set
    expected = {f"{lot.lot_id}-{kind.value}.{fmt}" for kind in LISTING_KINDS for fmt in ("docx", "pdf")}
    assert set(files) == expected


def test_no_template_field_is_left_unrendered(sold_set):
    _, files = sold_set
    for name, data in files.items():
        text = docx_text(data) if name.endswith(".docx") else pdf_text(data)
        assert "{{" not in text and "{%" not in text and "}}" not in text, name


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_announcement_states_prices_in_figures_and_capitals(sold_set, fmt):
    lot, files = sold_set
    data = files[f"{lot.lot_id}-announcement.{fmt}"]
    text = squash(docx_text(data) if fmt == "docx" else pdf_text(data))
    plan = lot.plan
    for fen in (plan.reference_price_fen, plan.starting_price_fen, plan.deposit_fen, plan.bid_increment_fen):
        assert f"{format_yuan(fen)}（{capitals(fen)}）" in text
    assert "864,200.00元（人民币捌拾陆万肆仟贰佰元整）" in text
    assert "1,234,567.00元（人民币壹佰贰拾叁万肆仟伍佰陆拾柒元整）" in text
    assert "（2026）浙1081执1234号" in text
    assert "2026年12月31日10时00分" in text and "2027年1月1日10时00分" in text
    assert date_cn(plan.announce_on) in text
    # 网拍规定 art. 12: property, price, deposit, bidder conditions, defects, rights and duties, time, platform, court
    for item in ("标的物", "起拍价", "保证金", "竞买人条件", "已知瑕疵", "权利义务与法律责任", "竞价时间",
                 "淘宝网（阿里拍卖）", "浙江省温岭市人民法院", "卫生间墙面有渗水痕迹", "抵押", "钱某某", "购房资格"):
        assert item in text, item


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_bidder_notice_carries_the_warnings_of_article_14(sold_set, fmt):
    lot, files = sold_set
    data = files[f"{lot.lot_id}-bidder_notice.{fmt}"]
    text = squash(docx_text(data) if fmt == "docx" else pdf_text(data))
    warnings = [
        "竞买人应当具备完全民事行为能力",
        "委托他人代为竞买的，应当在竞价程序开始前经本院确认",
        "已知瑕疵：卫生间墙面有渗水痕迹",
        "拍卖财产以实物现状为准",
        "竞买人可以申请实地看样",
        "视为对拍卖财产完全了解，并接受拍卖财产一切已知和未知瑕疵",
        "载明买受人真实身份的拍卖成交确认书在网络司法拍卖平台上公示",
        "买受人悔拍后保证金不予退还",
        "必须具备购房资格",  # 竞买人资格规定 for real estate
        "顺延5分钟",
        "24小时内退还",
    ]
    for warning in warnings:
        assert warning in text, warning


def test_vehicle_bidder_notice_has_no_housing_clause():
    lot = example_vehicle_lot()
    text = squash(docx_text(render_document("bidder_notice", lot, lot.plan, COURT)))
    assert "购房资格" not in text
    assert "竞买人应当具备完全民事行为能力" in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_rulings_are_dated_in_chinese_numerals(sold_set, fmt):
    lot, files = sold_set
    read = docx_text if fmt == "docx" else pdf_text
    ruling = squash(read(files[f"{lot.lot_id}-auction_ruling.{fmt}"]))
    assert date_capitals(lot.plan.notify_parties_by) == "二〇二六年十一月二十八日"
    assert "二〇二六年十一月二十八日" in ruling
    assert "执行裁定书" in ruling and "审判长张审判长" in ruling.replace("　", "")
    sale = squash(read(files[f"{lot.lot_id}-sale_ruling.{fmt}"]))
    assert "二〇二七年一月八日" in sale
    assert "912,300.00元（人民币玖拾壹万贰仟叁佰元整）" in sale
    assert "归买受人周某某所有" in sale
    assert "网拍规定" not in sale and "《最高人民法院关于人民法院网络司法拍卖若干问题的规定》第二十二条第二款" in sale


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_sale_confirmation_names_the_buyer_and_price(sold_set, fmt):
    lot, files = sold_set
    data = files[f"{lot.lot_id}-sale_confirmation.{fmt}"]
    text = squash(docx_text(data) if fmt == "docx" else pdf_text(data))
    assert "周某某" in text and "A1234" in text and "2027年1月1日10时07分" in text
    assert "人民币玖拾壹万贰仟叁佰元整" in text


def test_survey_sheet_table_is_filled(sold_set):
    lot, files = sold_set
    text = squash(docx_text(files[f"{lot.lot_id}-lot_description.docx"]))
    for value in ("商品房", "118.56平方米", "6/11", "2012年", "南北", "三室两厅两卫", "2梯2户", "约53年",
                  "未腾空", "2026年11月10日", "车位不在拍卖范围内"):
        assert value in text, value
    assert "118.56平方米" in pdf_text(files[f"{lot.lot_id}-lot_description.pdf"])


def test_vehicle_description_shows_the_2024_checks():
    lot = example_vehicle_lot()
    text = squash(pdf_text(render_document("lot_description", lot, None, COURT, fmt="pdf")))
    for value in ("浙J·A1234B", "国六", "68,400公里", "违停", "2026年11月12日核查"):
        assert value in text, value
    docx = squash(docx_text(render_document("lot_description", lot, None, COURT)))
    assert "车辆核查情况" in docx and "不动产调查情况表" not in docx and "房屋性质" not in docx


def test_notices_have_one_page_per_recipient(sold_set):
    lot, files = sold_set
    parties = PdfReader(io.BytesIO(files[f"{lot.lot_id}-notice_to_parties.pdf"]))
    first_pages = [re.sub(r"\s+", "", p.extract_text()) for p in parties.pages]
    starts = [i for i, t in enumerate(first_pages) if t.startswith("浙江省温岭市人民法院通知书")]
    assert len(starts) == len(lot.parties)
    assert "温岭市某农村商业银行股份有限公司（申请执行人）" in first_pages[starts[0]]
    assert "赵某某（被执行人）" in first_pages[starts[1]]
    priority = squash(docx_text(files[f"{lot.lot_id}-notice_to_priority_purchasers.docx"]))
    assert "钱某某（优先购买权人（按份共有人，第一顺序））" in priority
    assert "视为放弃优先购买权" in priority


def test_every_pdf_embeds_a_cjk_font_subset(sold_set):
    _, files = sold_set
    for name, data in files.items():
        if not name.endswith(".pdf"):
            continue
        reader = PdfReader(io.BytesIO(data))
        fonts = reader.pages[0]["/Resources"]["/Font"]
        embedded = []
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "+" in font["/BaseFont"]  # subset tag
            embedded.append(any(k in descriptor for k in ("/FontFile2", "/FontFile3")))
            assert "CJK" in font["/BaseFont"]
        assert embedded and all(embedded), name


def test_sale_documents_are_refused_before_the_sale():
    lot = example_real_estate_lot()
    with pytest.raises(DocumentError, match="尚未成交"):
        render_document("sale_ruling", lot, lot.plan, COURT)
    lot.priority_purchasers = []
    with pytest.raises(DocumentError, match="优先购买权人"):
        render_document(DocumentKind.NOTICE_TO_PRIORITY_PURCHASERS, lot, lot.plan, COURT)


def test_set_before_the_sale_leaves_out_sale_documents_and_absent_recipients(tmp_path):
    lot = example_vehicle_lot()
    names = {p.name for p in render_document_set(lot, None, COURT, tmp_path, formats=("docx",))}
    assert f"{lot.lot_id}-announcement.docx" in names
    assert not any("sale_" in n or "priority" in n for n in names)


def test_a_rare_character_outside_the_working_font_is_still_printed():
    lot = example_real_estate_lot(sold=True)
    lot.sale.buyer_name = "周堃"  # 堃 is not in GB 2312
    text = pdf_text(render_document("sale_confirmation", lot, None, COURT, fmt="pdf"))
    assert "周堃" in text


def test_markup_in_values_is_escaped():
    lot = example_vehicle_lot()
    lot.title = "A&B <公司> 车辆"
    text = docx_text(render_document("announcement", lot, None, COURT))
    assert "A&B <公司> 车辆" in text


def test_fixed_price_sale_announcement_states_the_advance_payment():
    from auction.listing_plan import plan_listing

    lot = example_vehicle_lot()
    lot.plan = plan_listing("86000", "vehicle", "fixed_price_sale", date(2027, 2, 1), previous_starting_price="48200")
    text = squash(docx_text(render_document("announcement", lot, None, COURT)))
    assert "变卖公告" in text and "一次性交付全部变卖价款48,200.00元（人民币肆万捌仟贰佰元整）" in text
    # a 变卖 is no third auction: no starting price, deposit, increment or extension, and it cites its articles
    assert "起拍价" not in text and "保证金" not in text and "增价幅度" not in text and "顺延" not in text
    assert "竞价时间不少于" not in text and "第二十六条第二款" in text and "第二十三条、第二十四条、第二十五条" in text
    assert "至2027年4月9日" in text  # the sale period, from the plan


def test_unknown_format_is_refused():
    lot = example_vehicle_lot()
    with pytest.raises(DocumentError, match="docx 或 pdf"):
        render_document("announcement", lot, None, COURT, fmt="odt")


def test_committed_templates_are_what_the_build_script_writes():
    from auction.documents import TEMPLATES
    from auction.documents.build_templates import build_bytes

    for name, data in build_bytes().items():
        assert (TEMPLATES / name).read_bytes() == data, f"{name}: run python -m auction.documents.build_templates"


def test_announcement_states_how_each_party_was_notified():
    lot = example_vehicle_lot()
    text = squash(docx_text(render_document("announcement", lot, None, COURT)))
    assert "申请执行人钱某某已于2026年11月20日通知" in text
    assert "被执行人吴某某无法通知（下落不明），已于2026年11月20日在网络司法拍卖平台公示并说明理由" in text
    assert "公示满5日视为已经通知" in text


def test_notices_are_dated_no_later_than_three_days_before_the_announcement(sold_set):
    lot, files = sold_set
    text = squash(docx_text(files[f"{lot.lot_id}-notice_to_parties.docx"]))
    assert date_cn(lot.plan.notify_parties_by) == "2026年11月28日"
    assert text.endswith("浙江省温岭市人民法院2026年11月28日")
    assert "公告将于2026年12月1日发布" in text


def test_lines_never_start_with_closing_punctuation_nor_split_figures():
    from auction.documents.pdf import NO_LINE_END, NO_LINE_START, wrap_lines

    text = "参考价为1,234,567.00元（人民币壹佰贰拾叁万肆仟伍佰陆拾柒元整）。依照《规定》第二条，为起拍价的9.95%。" * 3
    for width in range(8, 40):
        lines = wrap_lines(text, width, lambda c: 0.5 if c.isascii() else 1.0)
        assert "".join(lines) == text
        for i, line in enumerate(lines):
            assert sum(0.5 if c.isascii() else 1.0 for c in line) <= width
            if i:
                assert line[0] not in NO_LINE_START, (width, lines)
            if i < len(lines) - 1:
                assert line[-1] not in NO_LINE_END, (width, lines)
        assert sum(line.count("1,234,567.00") for line in lines) == 3  # figures are never split
        assert sum(line.count("9.95") for line in lines) == 3


def test_a_figure_that_fills_its_line_keeps_whole_and_its_closing_mark_hangs():
    from auction.documents.pdf import wrap_lines

    width = lambda c: 0.5 if c.isascii() else 1.0  # noqa: E731
    # "2024-05-01" is exactly 5 wide: the "。" after it may not open the next line, and the date may not break
    assert wrap_lines("立契时间2024-05-01。次日", 5, width) == ["立契时间", "2024-05-01。", "次日"]
    # a figure wider than the line still breaks (there is no other way), at the line's edge
    assert wrap_lines("1234567890123，", 3, width) == ["123456", "789012", "3，"]
