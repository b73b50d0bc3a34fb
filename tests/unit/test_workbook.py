"""The tax bureau's template: round trip, and every bad cell reported with sheet, row, column and reason."""

import struct
import zipfile

import pytest
from openpyxl import load_workbook

from tax_baseline.demo_city import generate_city
from tax_baseline.tables import SPECS
from tax_baseline.workbook import WorkbookError, read_csv_table, read_xlsx, write_template, write_xlsx
from tests.unit.test_quote import small_tables


def test_template_has_a_sheet_per_table_with_chinese_headers_and_instructions(tmp_path):
    path = tmp_path / "模板.xlsx"
    write_template(path)
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明"
    for spec in SPECS:
        assert [c.value for c in book[spec.sheet][1]] == [c.header for c in spec.columns]


def test_round_trip_keeps_every_value(tmp_path):
    tables = small_tables()
    path = tmp_path / "基准表.xlsx"
    write_xlsx(tables, path)
    again, errors = read_xlsx(path)
    assert errors == []
    for spec in SPECS:
        left, right = tables[spec.name], again[spec.name]
        assert len(left) == len(right), spec.name
        assert left.astype(str).values.tolist() == right.astype(str).values.tolist(), spec.name


def test_each_bad_cell_is_reported_and_nothing_is_returned_usable(tmp_path):
    path = tmp_path / "坏表.xlsx"
    write_xlsx(small_tables(), path)
    book = load_workbook(path)
    floors = book["楼层系数"]
    floors["E3"] = "一点一"  # percent not a number
    floors["D4"] = 9  # floor 9 of a 6-storey building
    book["楼幢"]["B2"] = "C9"  # unknown community
    book["基准价"]["C2"] = "2025-13-01"  # not a date
    book.save(path)
    _tables, errors = read_xlsx(path)
    texts = [str(e) for e in errors]
    assert any("“楼层系数”表第 3 行“系数(%)”列：应为数字" in t for t in texts), texts
    assert any("“基准价”表第 2 行“执行日期”列" in t for t in texts), texts
    # Cross-table checks run once the cells are clean; fix the cells and the references are reported.
    floors["E3"] = 110
    book["基准价"]["C2"] = "2025-01-01"
    book.save(path)
    _tables, errors = read_xlsx(path)
    texts = [str(e) for e in errors]
    assert any("“楼层系数”表第 4 行“所在层”列：所在层高于总层数 6" in t for t in texts), texts
    assert any("“楼幢”表第 2 行“小区代码”列：在“小区”表中不存在" in t for t in texts), texts


def test_percent_written_as_a_coefficient_is_refused_with_a_hint(tmp_path):
    path = tmp_path / "楼层系数.csv"
    path.write_text("估价分区,电梯类别,总层数,所在层,系数(%),计算方式\n全部,8层以内无电梯,6,1,0.97,乘\n", encoding="utf-8")
    _spec, _frame, errors = read_csv_table(path)
    assert len(errors) == 1 and "110 表示 ×1.10" in str(errors[0]) and "第 2 行" in str(errors[0])


def test_unknown_sheet_and_missing_sheet_are_reported(tmp_path):
    path = tmp_path / "x.xlsx"
    write_xlsx(small_tables(), path)
    book = load_workbook(path)
    del book["楼层系数"]
    book.create_sheet("杂项")
    book.save(path)
    _tables, errors = read_xlsx(path)
    texts = " ".join(str(e) for e in errors)
    assert "不认识的工作表" in texts and "缺少此工作表" in texts


def _break_sheet_data(path, member: str) -> None:
    """Overwrite bytes near the end of one sheet's compressed data, the zip's directory left whole: the workbook
    opens (openpyxl reads the first 16 KB of each sheet then), and reading that sheet fails part way, as it does
    for a large file whose copy or upload broke off."""
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    data = bytearray(path.read_bytes())
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    start = info.header_offset + 30 + name_len + extra_len
    late = start + info.compress_size * 9 // 10
    data[late:late + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))


def test_a_workbook_broken_part_way_is_refused_in_chinese_naming_the_sheet(tmp_path):
    path = tmp_path / "中断.xlsx"
    city = generate_city(seed=1, n_zones=2, communities_per_zone=3, buildings_per_community=5, sales_per_building=2)
    write_xlsx(city.tables, path)  # its floor coefficients sheet is some 270 KB of XML
    book = load_workbook(path, read_only=True)
    titles = book.sheetnames
    book.close()
    with zipfile.ZipFile(path) as z:
        sheets = [i for i in z.infolist() if i.filename.startswith("xl/worksheets/sheet")]
    member = max(sheets, key=lambda i: i.compress_size).filename  # the largest sheet
    _break_sheet_data(path, member)
    with pytest.raises(WorkbookError) as caught:
        read_xlsx(path)
    (error,) = caught.value.errors
    assert error.sheet in titles and "文件不完整或已损坏" in error.reason
    assert not any("a" <= ch.lower() <= "z" for ch in error.reason.replace("Excel", "").replace("WPS", "")
                   .replace("xlsx", ""))  # no English from zipfile or zlib


def test_a_file_that_is_not_a_workbook_is_refused_in_chinese(tmp_path):
    path = tmp_path / "改了扩展名.xlsx"
    path.write_text("楼幢编号,小区代码\n", encoding="utf-8")
    with pytest.raises(WorkbookError) as caught:
        read_xlsx(path)
    (error,) = caught.value.errors
    assert error.sheet == path.name and "不是 .xlsx 格式" in error.reason and "zip" not in error.reason.lower()
