"""Records as Chinese files write them (issue 15): numbers, placeholders, yes/no, total floors, orientations.

Each form is read through a real mapping; each unreadable one is refused with its row and reason.
"""

from __future__ import annotations

import pandas as pd
import pytest

from tax_baseline.parsing import (
    FloorParseError,
    FloorUnknown,
    parse_floor,
    parse_orientation,
    parse_total_floors,
)
from valuation.mapping import MappingError, bundled_mapping, load_mapping, parse_mapping
from valuation.record_values import read_areas, read_prices, read_roc_dates, read_yes_no
from valuation.registry import read_register
from valuation.transactions import apply_mapping, import_transactions

FIELDS = {"building": "楼幢", "floor": "楼层", "area": "面积", "price": "总价", "date": "日期", "elevator": "电梯",
          "total_floors": "总层数", "orientation": "朝向", "year_built": "建成"}
COLUMNS = list(dict.fromkeys(FIELDS.values()))


def _import(rows, **top):
    mapping = parse_mapping({"fields": FIELDS, **top})
    return apply_mapping(pd.DataFrame(rows, columns=COLUMNS).astype(str), mapping)


def _row(**kw):
    base = {"楼幢": "B1", "楼层": "5", "面积": "90", "总价": "1000000", "日期": "2024-01-02", "电梯": "有",
            "总层数": "18", "朝向": "南", "建成": "2000"}
    base.update(kw)
    return [base[c] for c in COLUMNS]


@pytest.mark.parametrize(("text", "yuan"), [("239万", 2_390_000), ("239万元", 2_390_000), ("1.2亿", 120_000_000),
                                            ("2,390,000", 2_390_000), ("２３９万", 2_390_000),
                                            ("2,390,000元", 2_390_000), ("¥1,000,000", 1_000_000)])
def test_total_prices_read_with_their_multipliers_and_units(text, yuan):
    result = _import([_row(总价=text)])
    assert result.errors == []
    assert result.sales["price"].iat[0] == pytest.approx(yuan)


def test_a_price_with_its_own_unit_is_not_multiplied_again():
    result = _import([_row(总价="239"), _row(总价="239万")], price_multiplier=10000)
    assert list(result.sales["price"]) == [2_390_000, 2_390_000]


def test_unit_prices_with_units_attached_give_totals():
    rows = [_row(总价="21036元/平米", 面积="100"), _row(总价="2.1万/㎡", 面积="100㎡")]
    result = _import(rows, price_basis="per_m2")
    assert result.errors == []
    assert list(result.sales["price"]) == pytest.approx([2_103_600, 2_100_000])


def test_a_unit_price_where_a_total_is_expected_is_refused_with_the_hint():
    result = _import([_row(总价="21036元/平米")])
    assert result.sales.empty
    (error,) = result.errors
    assert (error.row, error.field) == (2, "price") and "price_basis: per_m2" in error.reason
    assert "21036元/平米" in str(error)


@pytest.mark.parametrize(("text", "m2"), [("113.62㎡", 113.62), ("89.5平方米", 89.5), ("89.5平米", 89.5),
                                          ("１１３.６２", 113.62), ("40.1平方公尺", 40.1), ("1,113.5", 1113.5)])
def test_areas_read_with_units_separators_and_full_width_digits(text, m2):
    values, bad = read_areas(pd.Series([text]))
    assert not bad.iat[0] and values.iat[0] == pytest.approx(m2)


@pytest.mark.parametrize("placeholder", ["暂无数据", "不详", "未知", "--", "NA", "None", ""])
def test_placeholders_in_an_optional_field_leave_it_empty_and_keep_the_row(placeholder):
    result = _import([_row(电梯=placeholder, 朝向=placeholder, 建成=placeholder, 总层数=placeholder)])
    assert result.errors == []
    sale = result.sales.iloc[0]
    assert pd.isna(sale["elevator"]) and pd.isna(sale["orientation"])
    assert pd.isna(sale["year_built"]) and pd.isna(sale["total_floors"])


def test_a_placeholder_in_a_required_field_refuses_the_row_showing_what_was_written():
    result = _import([_row(面积="暂无数据")])
    (error,) = result.errors
    assert error.field == "area" and "不能为空" in error.reason and "暂无数据" in str(error)


@pytest.mark.parametrize(("text", "value"), [("有", "有"), ("無", "无"), ("无", "无"), ("是", "有"), ("否", "无"),
                                             ("有電梯", "有"), ("沒有", "无")])
def test_yes_no_in_simplified_and_traditional_characters(text, value):
    result = _import([_row(电梯=text)])
    assert result.errors == [] and result.sales["elevator"].iat[0] == value


def test_an_unreadable_yes_no_is_refused():
    values, bad = read_yes_no(pd.Series(["也许"]))
    assert bad.iat[0] and pd.isna(values.iat[0])


@pytest.mark.parametrize(("text", "total"), [("十五層", 15), ("15", 15), ("15层", 15), ("共33层", 33), ("15F", 15),
                                             ("四十層", 40), ("5/18", 18), ("中楼层(共18层)", 18),
                                             ("未知楼层(共33层)", 33), ("１８层", 18)])
def test_total_floors_in_every_form_the_floor_parser_reads(text, total):
    assert parse_total_floors(text) == total
    result = _import([_row(总层数=text, 楼层="3")])
    assert result.errors == [] and result.sales["total_floors"].iat[0] == total


def test_unreadable_total_floors_are_refused_with_row_and_reason():
    result = _import([_row(), _row(总层数="很多层")])
    (error,) = result.errors
    assert (error.row, error.field) == (3, "total_floors") and "十八層" in error.reason


def test_basement_without_number_and_unknown_floor_with_its_total():
    assert (parse_floor("地下層").low, parse_floor("地下层").high) == (-1, -1)
    with pytest.raises(FloorUnknown) as info:
        parse_floor("未知楼层(共33层)")
    assert info.value.total_floors == 33 and isinstance(info.value, FloorParseError)
    result = _import([_row(楼层="未知楼层(共33层)", 总层数="")])
    (error,) = result.errors
    assert error.field == "floor" and "未知" in error.reason


@pytest.mark.parametrize(("text", "floors"), [("一層，二層", (1, 2)), ("二層，陽台", (2, 2)),
                                              ("七層，見其他登記事項", (7, 7)), ("一層，二層，三層，騎樓", (1, 3))])
def test_several_floors_read_as_a_band_and_annexes_left_out(text, floors):
    reading = parse_floor(text)
    assert (reading.low, reading.high) == floors


def test_floors_that_do_not_join_are_refused():
    with pytest.raises(FloorParseError, match="不相连"):
        parse_floor("一層，三層")


@pytest.mark.parametrize(("text", "grade"), [("南 西 北", "南北"), ("东 南 西 北", "南北"), ("东南 西北", "南北"),
                                             ("东 西北", "东"), ("东 南 西", "南"), ("東南 西北", "南北"),
                                             ("南 北", "南北"), ("东/南", "东南")])
def test_orientations_of_several_windows_read_to_one_grade(text, grade):
    assert parse_orientation(text) == grade
    result = _import([_row(朝向=text)])
    assert result.errors == [] and result.sales["orientation"].iat[0] == grade


def test_roc_dates_and_years():
    dates = read_roc_dates(pd.Series(["1081127", "0830617", "108/11/27", "108年11月27日", "10811", "1081340"]))
    assert [d.strftime("%Y-%m-%d") if pd.notna(d) else None for d in dates] == [
        "2019-11-27", "1994-06-17", "2019-11-27", "2019-11-27", "2019-11-01", None]


def test_keep_rows_skip_rows_subtract_and_extract(tmp_path):
    path = tmp_path / "lvr.csv"
    path.write_text("门牌,标的,楼层,总价,车位价,面积,车位面积,日期\n"
                    "address,sign,floor,price,berth price,area,berth area,date\n"
                    "臺中市西區大業路1~30號,房地,四層,5000000,1000000,120,20,1081127\n"
                    "臺中市西區大業路1~30號,土地,,9000000,0,50,0,1081127\n"
                    "臺中市西區大業路1~30號,房地,五層,5000000,x,100,0,1081127\n", encoding="utf-8")
    mapping = parse_mapping({
        "file": {"skip_rows": [2]}, "keep_rows": [{"column": "标的", "values": ["房地"]}],
        "fields": {"building": "门牌", "community": {"column": "门牌", "extract": "^(.+?路)"}, "floor": "楼层",
                   "price": {"column": "总价", "subtract": ["车位价"]},
                   "area": {"column": "面积", "subtract": "车位面积"}, "date": {"column": "日期", "calendar": "roc"}}})
    result = import_transactions(path, mapping)
    assert (result.rows_read, result.rows_skipped, len(result.sales)) == (3, 1, 1)
    sale = result.sales.iloc[0]
    assert (sale["price"], sale["area"], sale["community_code"]) == (4_000_000, 100, "臺中市西區大業路")
    assert sale["date"] == pd.Timestamp("2019-11-27") and sale["row"] == 3
    (error,) = result.errors
    assert error.row == 5 and "车位价" in error.reason  # rows numbered as in the file, the English row counted


def test_mapping_keys_are_checked():
    with pytest.raises(MappingError) as info:
        parse_mapping({"fields": {**FIELDS, "floor": {"column": "楼层", "subtract": ["x"]},
                                  "zone": {"column": "区", "extract": "("}},
                       "keep_rows": [{"column": "标的"}], "file": {"skip_rows": [1]}})
    text = str(info.value)
    assert "subtract" in text and "extract" in text and "keep_rows" in text and "skip_rows" in text


def test_register_mapping_needs_only_the_building(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("楼幢,小区,层数,电梯\nA,C1,十八層,有\nB,C1,,\nC,C1,,\n", encoding="utf-8")
    reg_map = tmp_path / "reg.yaml"
    reg_map.write_text("fields:\n  building: 楼幢\n  community: 小区\n  total_floors: 层数\n  elevator: 电梯\n",
                       encoding="utf-8")
    result = read_register(path, load_mapping(reg_map, purpose="register"))
    assert list(result.buildings["building_id"]) == ["A"]
    assert result.buildings["total_floors"].iat[0] == 18 and result.buildings["total_floors_source"].iat[0] == "登记"
    assert sorted(e.row for e in result.errors) == [3, 4] and "总层数" in result.errors[0].reason


def test_taiwan_mapping_reads_the_shared_data(shared_dir):
    mapping = load_mapping(bundled_mapping("taiwan_lvr"))
    result = import_transactions(shared_dir / "data" / "taiwan_lvr_2019q4" / "b_lvr_land_a.csv", mapping)
    assert result.rows_read == 1515 and result.rows_skipped > 500 and len(result.sales) > 700
    first = result.sales.iloc[0]
    assert first["row"] == 3  # the English header (row 2) is not a record
    assert (first["zone_code"], first["floor"], first["total_floors"], first["year_built"]) == ("臺中市西區", 13, 14,
                                                                                                1996)
    assert first["date"] == pd.Timestamp("2019-11-27")
    assert first["price"] == pytest.approx(56379 * 47.89)
    assert all(e.row >= 3 for e in result.errors)


def test_price_reader_flags_own_units():
    _, _, own = read_prices(pd.Series(["239", "239万", "239元"]), per_m2=False)
    assert list(own) == [False, True, True]
