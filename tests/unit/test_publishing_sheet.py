"""The bulk sheet: every row checked first; each bad row reported with its row number and reason."""

from datetime import date

import pytest

from auction.demo_lots import demo_rows
from auction.lot_sheet import read_sheet, write_sheet

ANNOUNCE = date(2026, 12, 1)


@pytest.fixture
def rows():
    return demo_rows(6, ANNOUNCE)


def test_good_sheet_reads_every_row(tmp_path, rows):
    write_sheet(tmp_path / "s.xlsx", rows)
    prepared, problems = read_sheet(tmp_path / "s.xlsx")
    assert problems == []
    assert [p.row for p in prepared] == [2, 3, 4, 5, 6, 7]
    assert prepared[0].court_code == "浙1081" and prepared[0].lot_code == "V00001"
    # 一拍: start ≥ 70% of the reference price (rounded up by the court policy)
    assert all(p.starting_price_fen * 10 >= p.reference_price_fen * 7 for p in prepared)


def test_each_bad_row_is_named_with_its_reason(tmp_path, rows):
    rows[1]["起拍价（元）"] = "699900.00"    # reference 1,000,000 → 69.99%
    rows[1]["参考价（元）"] = "1000000.00"
    rows[2]["排放标准"] = ""                  # a vehicle without the 2024 emission check
    rows[3]["保证金（元）"] = "21000.00"      # set below with a start of 100,000.00: 21%
    rows[3]["起拍价（元）"] = "100000.00"
    rows[3]["参考价（元）"] = "100000.00"
    rows[5] = dict(rows[4])                    # the same lot twice
    write_sheet(tmp_path / "s.xlsx", rows)
    prepared, problems = read_sheet(tmp_path / "s.xlsx")
    by_row = {p.row: p.reason for p in problems}
    assert set(by_row) == {3, 4, 5, 7}
    assert "网拍规定第十条" in by_row[3] and "69.99" in by_row[3]
    assert "车辆排放标准" in by_row[4]
    assert "网拍规定第十七条" in by_row[5]
    assert "与第 6 行是同一标的" in by_row[7]
    assert [p.row for p in prepared] == [2, 6]


def test_deposit_boundaries(tmp_path, rows):
    for i, deposit in enumerate(("5000.00", "20000.00", "4999.99", "20000.01")):
        rows[i].update({"参考价（元）": "100000.00", "起拍价（元）": "100000.00", "保证金（元）": deposit})
    write_sheet(tmp_path / "s.xlsx", rows[:4])
    _prepared, problems = read_sheet(tmp_path / "s.xlsx")
    assert [p.row for p in problems] == [4, 5]  # 4.9999% and 20.0001%


def test_unknown_header_and_missing_header(tmp_path, rows):
    write_sheet(tmp_path / "a.xlsx", rows, columns=("标的编号", "案号"))
    _p, problems = read_sheet(tmp_path / "a.xlsx")
    assert problems[0].row == 1 and "表头缺少列" in problems[0].reason
    write_sheet(tmp_path / "b.xlsx", [], columns=("标的编号", "案号", "执行法院", "标的名称", "标的物类型", "拍卖轮次",
                                                  "参考价（元）", "公告日期", "备注"))
    _p, problems = read_sheet(tmp_path / "b.xlsx")
    assert "未知的列：备注" in problems[0].reason


def test_not_a_workbook(tmp_path):
    (tmp_path / "x.xlsx").write_text("not a workbook")
    _p, problems = read_sheet(tmp_path / "x.xlsx")
    assert problems and "无法读取表格" in problems[0].reason


def test_announcement_in_the_past_is_refused(tmp_path, rows):
    write_sheet(tmp_path / "s.xlsx", rows[:1])
    _p, problems = read_sheet(tmp_path / "s.xlsx", today=date(2026, 12, 2))
    assert "已过" in problems[0].reason


def test_numbers_typed_into_excel_cells_are_read_exactly(tmp_path, rows):
    row = rows[1]  # real estate
    row.update({"参考价（元）": 1234567.89, "建筑面积（平方米）": 98.56, "总楼层": 18, "所在楼层": 3})
    write_sheet(tmp_path / "s.xlsx", [row])
    (prepared,), problems = read_sheet(tmp_path / "s.xlsx")
    assert problems == []
    assert prepared.reference_price_fen == 123456789
    assert prepared.content["survey"]["building_area_m2"] == "98.56"
