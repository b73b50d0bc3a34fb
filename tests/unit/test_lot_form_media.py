"""The guided lot form's field checks at their boundaries, the sheet reader sharing them, the fields of the
missing disclosures, and photos and videos recognised by their content (not their names)."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from PIL import Image

from auction import media
from auction.demo_lots import demo_rows
from auction.lot import missing_disclosures
from auction.lot_form import BY_COLUMN, FIELDS, check_field, disclosure_fields, sections
from auction.lot_sheet import check_form, form_values, prepare_row

TODAY = date(2026, 12, 1)


def test_money_fields_run_from_one_fen_to_100_billion_yuan():
    f = BY_COLUMN["参考价（元）"]
    assert check_field(f, "0.01") == "" and check_field(f, "100000000000") == ""
    assert "0.01 元至 1,000 亿元" in check_field(f, "100000000000.01")
    assert "0.01 元至 1,000 亿元" in check_field(f, "0")
    assert "最多两位小数" in check_field(f, "1.001")
    assert "“参考价”" in check_field(f, "99999999999999999")


def test_counts_and_dates_at_their_bounds():
    year = BY_COLUMN["建成年份"]
    assert check_field(year, "1900") == "" and check_field(year, "2100") == ""
    assert "1900 至 2100" in check_field(year, "1899") and "整数" in check_field(year, "2000.5")
    floor = BY_COLUMN["所在楼层"]
    assert check_field(floor, "-10") == "" and "应在" in check_field(floor, "-11")
    announce = BY_COLUMN["公告日期"]
    assert check_field(announce, TODAY.isoformat(), TODAY) == ""
    assert "已过" in check_field(announce, (TODAY - timedelta(days=1)).isoformat(), TODAY)
    assert "2000 年至 2100 年" in check_field(announce, "2101-01-01", TODAY)
    kind = BY_COLUMN["标的物类型"]
    assert check_field(kind, "real_estate") == "" and check_field(kind, "房产（不动产）") == ""
    assert "请从列表中选择" in check_field(kind, "house")


def test_every_number_field_has_a_range():
    for f in FIELDS:
        if f.type in ("int", "decimal"):
            assert f.minimum is not None and f.maximum is not None, f.column
        if f.type in ("money", "int", "decimal"):
            assert "应在" in check_field(f, "99999999999999999"), f.column


def test_the_form_names_every_problem_at_once_and_keeps_the_sheets_reasons():
    row = demo_rows(2, TODAY + timedelta(days=1), court_code="浙1081")[1]
    values = {k: v for k, v in row.items() if k != "内容JSON"} | {"建成年份": "3000", "总楼层": "x", "保证金（元）": "-5"}
    check = check_form(values, today=TODAY)
    assert check.lot is None and set(check.field_problems) == {"建成年份", "总楼层", "保证金（元）"}
    with pytest.raises(ValueError, match="建成年份"):
        prepare_row(2, {c: "" for c in BY_COLUMN} | values | {"照片": "", "内容JSON": ""}, TODAY)


def test_a_draft_lot_may_lack_disclosures_and_says_which_field_fills_each():
    row = demo_rows(2, TODAY + timedelta(days=1), court_code="浙1081")[1]
    values = {k: v for k, v in row.items() if k not in ("内容JSON", "照片", "看样安排", "已知瑕疵")}
    check = check_form(values, today=TODAY)
    assert check.ok, check.field_problems
    assert ("看样安排", "看样安排") in check.missing and ("已知瑕疵", "已知瑕疵") in check.missing
    assert all(column for _name, column in check.missing)


def test_a_stored_lot_reads_back_into_the_same_form():
    row = demo_rows(2, TODAY + timedelta(days=1), court_code="浙1081")[1]
    lot = prepare_row(2, row | {"内容JSON": ""}, TODAY).lot
    again = check_form({k: v for k, v in form_values(lot).items() if v}, today=TODAY, photos=lot.photos)
    assert again.ok and again.lot.lot == lot


def test_disclosure_names_all_have_a_field():
    from auction.lot import Lot

    bare = Lot(lot_id="X", case_number="", court_name="", title="", kind="real_estate")
    assert all(column for _n, column in disclosure_fields(missing_disclosures(bare)))
    car = Lot(lot_id="X", case_number="", court_name="", title="", kind="vehicle")
    assert all(column for _n, column in disclosure_fields(missing_disclosures(car)))


def test_sections_show_the_fields_of_the_kind():
    flat = dict(sections("real_estate"))
    car = dict(sections("vehicle"))
    assert "建筑面积" in [f.label for f in flat["标的物与调查情况"]]
    assert "建筑面积" not in [f.label for f in car["标的物与调查情况"]]
    assert "行驶里程" in [f.label for f in car["标的物与调查情况"]]


def _png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_photo_is_known_by_its_content_and_gets_a_thumbnail():
    found = media.examine("客厅.jpg", _png((800, 600)))  # the name says jpg, the content is a PNG
    assert (found.kind, found.mime, found.width, found.height) == ("photo", "image/png", 800, 600)
    assert len(found.sha256) == 64
    with Image.open(io.BytesIO(media.thumbnail(_png((800, 600))))) as thumb:
        assert thumb.format == "JPEG" and thumb.size == (320, 240)


def test_a_file_that_only_claims_to_be_a_photo_is_refused():
    with pytest.raises(media.MediaRefused, match="不是照片或视频"):
        media.examine("现场.jpg", b"\xff\xd8\xff this is not a jpeg")
    with pytest.raises(media.MediaRefused, match="空文件"):
        media.examine("空.png", b"")
    with pytest.raises(media.MediaRefused, match="不是照片或视频"):
        media.examine("标的.pdf", b"%PDF-1.4\n")


def test_videos_are_known_by_their_header_and_size():
    mp4 = b"\x00\x00\x00\x18ftypisom" + b"\x00" * 100
    assert media.examine("看样.mp4", mp4).mime == "video/mp4"
    assert media.examine("看样.webm", b"\x1a\x45\xdf\xa3" + b"\x00" * 50).mime == "video/webm"
    with pytest.raises(media.MediaRefused, match="200 MB"):
        media.examine("大.mp4", mp4 + b"\x00" * media.VIDEO_MAX_BYTES)


def test_a_photo_over_20_mb_is_refused():
    with pytest.raises(media.MediaRefused, match="20 MB"):
        media.examine("大.png", _png() + b"\x00" * media.PHOTO_MAX_BYTES)
