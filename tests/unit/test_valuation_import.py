"""Column mappings and the transaction import: mapping errors, per-row errors, nothing guessed."""

from __future__ import annotations

import textwrap

import pandas as pd
import pytest

from valuation.mapping import MappingError, bundled_mapping, load_mapping, parse_mapping
from valuation.transactions import apply_mapping, import_transactions, normalize_sales

BASIC = {"fields": {"building": ["小区", "幢号"], "floor": "楼层", "area": "面积", "price": "总价",
                    "date": "日期", "orientation": "朝向", "remarks": "备注"}}


def _raw(rows):
    return pd.DataFrame(rows, columns=["小区", "幢号", "楼层", "面积", "总价", "日期", "朝向", "备注"]).astype(str)


def test_missing_required_fields_are_all_reported_at_once():
    with pytest.raises(MappingError) as info:
        parse_mapping({"fields": {"building": "楼幢"}})
    text = str(info.value)
    for name in ("floor", "area", "price", "date"):
        assert f"缺少必填字段 {name}" in text


def test_unknown_field_and_bad_options_are_refused():
    with pytest.raises(MappingError) as info:
        parse_mapping({**BASIC, "price_basis": "每平", "fields": {**BASIC["fields"], "colour": "颜色"}})
    assert "不认识的字段“colour”" in str(info.value)
    assert "price_basis" in str(info.value)


def test_a_field_cannot_name_both_a_column_and_a_constant():
    with pytest.raises(MappingError, match="只能写 column、columns、value 中的一个"):
        parse_mapping({"fields": {**BASIC["fields"], "use": {"column": "用途", "value": "住宅"}}})


def test_required_fields_cannot_be_constants():
    with pytest.raises(MappingError, match="必须取自数据列"):
        parse_mapping({"fields": {**BASIC["fields"], "price": {"value": 100}}})


def test_columns_missing_from_the_file_are_named():
    mapping = parse_mapping({"fields": {**BASIC["fields"], "zone": "片区"}})
    with pytest.raises(MappingError, match="没有列 片区"):
        apply_mapping(_raw([["东辉", "1", "5", "90", "100", "2024-01-02", "南", ""]]), mapping)


def test_bad_rows_are_reported_with_row_and_reason_and_left_out():
    mapping = parse_mapping(BASIC)
    raw = _raw([
        ["东辉", "1", "5", "90", "1000000", "2024-01-02", "南", ""],
        ["东辉", "1", "第零层", "90", "1000000", "2024-01-02", "南", ""],
        ["东辉", "1", "5", "九十", "1000000", "2024-01-02", "南", ""],
        ["东辉", "", "5", "90", "1000000", "2024-01-02", "南", ""],
        ["东辉", "1", "5", "90", "1000000", "去年", "南", ""],
        ["东辉", "1", "5", "90", "1000000", "2024-01-02", "南南西北", ""],
    ])
    result = apply_mapping(raw, mapping)
    assert len(result.sales) == 1
    by_row = {e.row: e for e in result.errors}
    assert sorted(by_row) == [3, 4, 5, 6, 7]  # header is row 1, first data row 2
    assert by_row[3].field == "floor" and "楼层" in by_row[3].reason
    assert by_row[4].field == "area" and "数字" in by_row[4].reason
    assert by_row[5].field == "building" and "不能为空" in by_row[5].reason
    assert by_row[6].field == "date"
    assert by_row[7].field == "orientation"
    assert "第 4 行" in str(by_row[4])


def test_unit_prices_and_price_multiplier_give_total_yuan():
    mapping = parse_mapping({**BASIC, "price_basis": "per_m2", "price_multiplier": 10000})
    result = apply_mapping(_raw([["东辉", "1", "5/18", "90", "1.5", "2024-01-02", "朝南", ""]]), mapping)
    sale = result.sales.iloc[0]
    assert sale["price"] == pytest.approx(1.5 * 10000 * 90)
    assert (sale["floor"], sale["total_floors"], sale["orientation"]) == (5, 18, "南")
    assert sale["building_id"] == "东辉 1"


def test_floor_band_is_kept_and_valued_at_its_middle_floor():
    mapping = parse_mapping(BASIC)
    sale = apply_mapping(_raw([["东辉", "1", "07 TO 09", "90", "1", "2024-01", "", ""]]), mapping).sales.iloc[0]
    assert (sale["floor_low"], sale["floor"], sale["floor_high"]) == (7, 8, 9)
    assert sale["date"] == pd.Timestamp("2024-01-01")


def test_yaml_file_with_syntax_error_is_a_mapping_error(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("fields: [unclosed", encoding="utf-8")
    with pytest.raises(MappingError, match="无法按 YAML/JSON 读取"):
        load_mapping(path)


def test_hdb_mapping_reads_the_shared_data(shared_dir, tmp_path):
    source = shared_dir / "data" / "hdb_resale" / "resale_2015_2016.csv"
    sample = tmp_path / "hdb.csv"
    sample.write_text("".join(source.open(encoding="utf-8").readlines()[:201]), encoding="utf-8")
    result = import_transactions(sample, load_mapping(bundled_mapping("hdb_resale")))
    assert result.errors == [] and len(result.sales) == 200
    first = result.sales.iloc[0]
    assert first["building_id"] == "174 ANG MO KIO AVE 4"
    assert first["zone_code"] == "ANG MO KIO"
    assert (first["floor_low"], first["floor_high"], first["year_built"]) == (7, 9, 1986)
    assert first["house_type"] == "3 ROOM" and first["structure"] == "Improved"


def test_json_mapping_and_xlsx_file(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(textwrap.dedent("""
        {"fields": {"building": "楼幢", "floor": "楼层", "area": "面积", "price": "总价", "date": "日期",
                    "arms_length": {"column": "正常", "true_values": ["是"], "false_values": ["否"]}}}
    """), encoding="utf-8")
    mapping = load_mapping(path)
    xlsx = tmp_path / "s.xlsx"
    pd.DataFrame({"楼幢": ["B1", "B2"], "楼层": [3, 4], "面积": [88.5, 90], "总价": [1_000_000, 1_200_000],
                  "日期": ["2024-03-01", "2024-04-01"], "正常": ["是", "否"]}).to_excel(xlsx, index=False)
    result = import_transactions(xlsx, mapping)
    assert result.errors == []
    assert list(result.sales["arms_length"]) == [True, False]
    assert list(result.sales["floor"]) == [3, 4]


def test_normalize_sales_accepts_demo_city_sales():
    from tax_baseline.demo_city import generate_city

    sales = normalize_sales(generate_city(seed=1, n_zones=1, communities_per_zone=1, buildings_per_community=2).sales)
    assert (sales["floor_low"] == sales["floor"]).all()
    assert sales["month"].str.match(r"^\d{4}-\d{2}$").all()
