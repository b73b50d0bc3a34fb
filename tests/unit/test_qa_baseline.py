"""Product QA of the tax baseline: problems a judge or an administrator met using xunpai from the command line."""

from datetime import date

import pandas as pd

from tax_baseline.quote import QuoteEngine
from tax_baseline.tables import ALL_ZONES, BaselineTables, validate
from tests.unit.test_quote import request, small_tables


def _with(tables: BaselineTables, name: str, frame: pd.DataFrame) -> BaselineTables:
    frames = {k: v.copy() for k, v in tables.frames.items()}
    frames[name] = frame
    return BaselineTables(frames, name=tables.name)


def test_index_line_of_the_breakdown_names_the_rows_it_read():
    # The small tables only have 全部 index rows; the building is in zone Z1. The breakdown must name the
    # rows used (全部), not the building's zone, or the judge cannot find them in the table.
    result = QuoteEngine(small_tables()).quote(request(valuation_date=date(2025, 3, 20)))
    index = next(f for f in result.breakdown if f.name == "价格指数")
    assert index.row["估价分区"] == ALL_ZONES


def test_index_line_names_the_zone_when_the_zone_has_its_own_rows():
    tables = small_tables()
    own = pd.DataFrame([("Z1", "2025-02", 100.5), ("Z1", "2025-03", 101.0)], columns=["zone_code", "month", "index"])
    result = QuoteEngine(_with(tables, "price_index", own)).quote(request())
    index = next(f for f in result.breakdown if f.name == "价格指数")
    assert index.row["估价分区"] == "Z1"


def test_overlapping_area_bands_are_refused_at_import():
    # 0-90 and 80-144 both cover 85 ㎡: which coefficient applies would depend on row order.
    bands = pd.DataFrame([(ALL_ZONES, ALL_ZONES, 0.0, 90.0, 101.0, "乘"), (ALL_ZONES, ALL_ZONES, 80.0, 144.0, 100.0, "乘")],
                         columns=["zone_code", "house_type", "area_from", "area_to", "percent", "method"])
    errors = validate(_with(small_tables(), "area_bands", bands))
    assert [(e.sheet, e.row, e.column) for e in errors] == [("面积修正", 3, "面积下限(㎡)")]
    assert "第 2 行" in errors[0].reason and "重叠" in errors[0].reason


def test_bands_that_touch_or_belong_to_different_groups_are_accepted():
    bands = pd.DataFrame([(ALL_ZONES, ALL_ZONES, 0.0, 90.0, 101.0, "乘"), (ALL_ZONES, ALL_ZONES, 90.0, 144.0, 100.0, "乘"),
                          (ALL_ZONES, "别墅", 80.0, 500.0, 99.0, "乘")],
                         columns=["zone_code", "house_type", "area_from", "area_to", "percent", "method"])
    assert validate(_with(small_tables(), "area_bands", bands)) == []


def test_overlapping_age_bands_are_refused_at_import():
    ages = pd.DataFrame([("钢混", 0, 10, 100.0, "乘"), ("钢混", 9, 100, 98.0, "乘"), ("砖混", 0, 100, 95.0, "乘")],
                        columns=["structure", "age_from", "age_to", "percent", "method"])
    errors = validate(_with(small_tables(), "age_bands", ages))
    assert [(e.sheet, e.row, e.column) for e in errors] == [("成新修正", 3, "房龄下限(年)")]


def test_an_address_whose_building_number_does_not_exist_says_so():
    # before: “地址不唯一，请从候选中选择” — as if several buildings matched, when none has that number
    import pytest

    from tax_baseline.quote import AddressNotResolved

    engine = QuoteEngine(small_tables())
    for typed in ("东辉公寓9幢", "東輝公寓九號樓302室"):
        with pytest.raises(AddressNotResolved, match="楼幢号 9 在基准表中没有对应的楼幢") as refused:
            engine.quote(request(building_id=None, address=typed))
        assert [c.building_id for c in refused.value.candidates] == ["B1", "B2"]
    with pytest.raises(AddressNotResolved, match="地址不唯一"):  # no number typed: really not unique
        engine.quote(request(building_id=None, address="东辉公寓"))


def test_area_typed_with_a_chinese_input_method_or_a_unit_is_read_in_the_quote_and_the_batch():
    # before: “８９．５” and “89.5㎡” were refused as 不是数字 (and 89.5平方米, as records write it)
    from tax_baseline.batch import price_batch

    engine = QuoteEngine(small_tables())
    expected = engine.quote(request(area="88.88")).total_price
    typed = ["８８．８８", "88.88㎡", "88.88 平方米", "88.88m²", " 88.88 "]
    for text in typed:
        assert engine.quote(request(area=text)).total_price == expected
    units = pd.DataFrame({"楼幢编号": ["B1"] * (len(typed) + 1), "所在层": ["3"] * (len(typed) + 1),
                          "朝向": ["南"] * (len(typed) + 1), "建筑面积": [*typed, "88,88"],
                          "立契时间": ["2025-03-10"] * (len(typed) + 1), "估价时点": ["2025-03-20"] * (len(typed) + 1)})
    out = price_batch(engine, units)
    assert list(out["状态"]) == ["成功"] * len(typed) + ["拒绝"]  # a decimal comma stays ambiguous
    assert set(out["总价(元)"][: len(typed)]) == {str(expected)}


def test_dates_as_courts_type_them_are_read_in_the_batch():
    # before: “2025年3月10日” (the usual form in a court's spreadsheet) was refused as 立契时间应为日期
    from tax_baseline.batch import price_batch
    from tax_baseline.typed_dates import date_text

    typed = ["2025年3月10日", "2025.3.10", "２０２５－０３－１０", "2025/03/10", "2025-03-10 00:00:00"]
    units = pd.DataFrame({"楼幢编号": ["B1"] * 5, "所在层": ["3"] * 5, "朝向": ["南"] * 5, "建筑面积": ["88.88"] * 5,
                          "立契时间": typed, "估价时点": ["2025年3月20日"] * 5})
    out = price_batch(QuoteEngine(small_tables()), units)
    assert list(out["状态"]) == ["成功"] * 5
    assert set(out["总价(元)"]) == {str(QuoteEngine(small_tables()).quote(request()).total_price)}
    assert date_text("2025年13月1日") == "2025-13-01"  # still refused later, as not a date
    assert date_text("不知道") == "不知道"


def test_the_batch_gives_the_warnings_the_single_quote_gives():
    # before: the batch had no place for them; a 中楼层 row priced at a band's mean looked like an exact floor
    from tax_baseline.batch import price_batch

    engine = QuoteEngine(small_tables())
    units = pd.DataFrame({"楼幢编号": ["B1", "B1", "B3"], "所在层": ["3", "中楼层", "5"], "朝向": ["南", "南", ""],
                          "建筑面积": ["80"] * 3, "立契时间": ["2025-03-10", "2025-03-10", "2025-06-01"]})
    notes = list(price_batch(engine, units)["提示"])
    assert notes[0] == ""
    band = engine.quote(request(floor="中楼层", valuation_date=None)).warnings
    assert notes[1] == "".join(band)
    assert "未填写朝向" in notes[2] and "价格指数只到 2025-03" in notes[2]


def test_an_import_with_bad_cells_says_that_the_cross_table_checks_come_next(tmp_path):
    # before: the administrator fixed every reported cell, imported again and met a second list (duplicates,
    # references) with no warning that one would come
    from openpyxl import load_workbook

    from tax_baseline.workbook import WorkbookError, read_xlsx, write_xlsx

    path = tmp_path / "t.xlsx"
    write_xlsx(small_tables(), path)
    book = load_workbook(path)
    book["楼层系数"]["E2"] = "九十七"
    book["小区"]["C2"] = "Z9"  # a reference error, found only once the cells are right
    book.save(path)
    _tables, errors = read_xlsx(path)
    assert "还将检查重复行、跨表引用" in str(WorkbookError(errors, str(path)))
    book["楼层系数"]["E2"] = 97
    book.save(path)
    _tables, errors = read_xlsx(path)
    assert [e.column for e in errors] == ["分区代码"]
    assert "还将检查" not in str(WorkbookError(errors, str(path)))


def test_a_missing_or_unknown_sheet_is_not_reported_at_row_0():
    from tax_baseline.tables import CellError

    # before: “‘Sheet1’表第 0 行：不认识的工作表”
    assert str(CellError("Sheet1", 0, "", None, "不认识的工作表")) == "“Sheet1”表：不认识的工作表"
    assert str(CellError("楼层系数", 1, "系数(%)", None, "缺少此列")) == "“楼层系数”表第 1 行“系数(%)”列：缺少此列"


def test_batch_headers_with_their_unit_are_recognised():
    # before: a court's sheet headed 建筑面积（㎡） was refused as 缺少列：建筑面积
    from tax_baseline.batch import price_batch

    units = pd.DataFrame({"楼幢编号": ["B1"], "所在层": ["3"], "朝向": ["南"], "建筑面积（㎡）": ["88.88"],
                          " 立契时间 ": ["2025-03-10"], "估价时点(YYYY-MM-DD)": ["2025-03-20"]})
    out = price_batch(QuoteEngine(small_tables()), units)
    assert list(out["状态"]) == ["成功"]
    assert out.at[0, "总价(元)"] == str(QuoteEngine(small_tables()).quote(request()).total_price)
    again = price_batch(QuoteEngine(small_tables()), out.drop(columns=["状态", "原因", "提示"]))  # a result fed back
    assert list(again["状态"]) == ["成功"]


def test_date_cells_of_an_xlsx_are_read_as_the_dates_typed(tmp_path):
    # before: the result file echoed 立契时间 as “2025-03-10 00:00:00”
    from datetime import datetime

    from tax_baseline.batch import read_units

    path = tmp_path / "units.xlsx"
    pd.DataFrame({"楼幢编号": ["B1"], "所在层": ["3"], "建筑面积": [88.88],
                  "立契时间": [datetime(2025, 3, 10)]}).to_excel(path, index=False)
    units = read_units(path)
    assert units.at[0, "立契时间"] == "2025-03-10" and units.at[0, "建筑面积"] == "88.88"
