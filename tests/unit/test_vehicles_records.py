"""Values as listings write them, and records through the vehicle column mapping, unreadable rows reported."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from valuation.mapping import MappingError, parse_mapping
from vehicles import values as v
from vehicles.records import (
    VEHICLE_FIELDS,
    apply_vehicle_mapping,
    bundled_vehicle_mapping,
    distinct_listings,
    import_vehicle_records,
    load_vehicle_mapping,
)


@pytest.mark.parametrize("text,km", [("1.39万公里", 13900), ("7.02万公里", 70200), ("13900公里", 13900),
                                     ("0.01万公里", 100), ("1.39万km", 13900)])
def test_mileage_as_listings_write_it(text, km):
    assert v.parse_mileage(text) == km


@pytest.mark.parametrize("text,month,precision", [
    ("2019年", date(2019, 7, 1), "year"), ("2019-10", date(2019, 10, 1), "month"),
    ("2019年10月", date(2019, 10, 1), "month"), ("2019/10/08", date(2019, 10, 1), "month"),
    ("未上牌", None, "unregistered")])
def test_registration_as_listings_write_it(text, month, precision):
    reg = v.parse_registration(text)
    assert (reg.month, reg.precision) == (month, precision)


def test_age_counts_whole_months_and_an_unregistered_car_is_new():
    assert v.age_months(v.parse_registration("2019-10"), date(2021, 3, 20)) == 17
    assert v.age_months(v.parse_registration("未上牌"), date(2021, 3, 20)) == 0


def test_amounts_in_wan_and_a_price_cut_is_a_note_not_a_price():
    assert v.parse_amount("34.17万").yuan == Decimal("341700.00")
    assert v.parse_amount("341,700元").yuan == Decimal("341700.00")
    assert v.parse_amount("28.18", 10000).yuan == Decimal("281800.00")
    cut = v.parse_amount("28.18万 已降1000元")
    assert (cut.yuan, cut.note) == (Decimal("281800.00"), "已降1000元")
    with pytest.raises(v.ValueReadError, match="降价说明，不是价格"):
        v.parse_amount("已降1000元")


def test_displacement_and_electric_range():
    assert v.parse_displacement("2.0T") == v.Displacement(2.0, True)
    assert v.parse_displacement("1.5L") == v.Displacement(1.5, False)
    assert v.parse_displacement("44km") == v.Displacement(None, False, 44.0)
    with pytest.raises(v.ValueReadError, match="排量"):
        v.parse_displacement("两升")


def test_inspection_findings_per_area():
    assert v.parse_inspection("['2处异常', '3处异常']") == v.Inspection(2, 5)
    assert v.parse_inspection("[]") == v.Inspection(0, 0)
    assert v.parse_inspection("无异常") == v.Inspection(0, 0)


MAPPING = {
    "price_multiplier": 10000,
    "fields": {"name": "车型", "registration": "上牌", "mileage": "里程", "new_price": "新车价", "price": "价格",
               "city": "城市", "date": {"value": "2021-03"}, "gearbox": "变速箱", "displacement": "排量"},
}


def test_unreadable_rows_are_reported_with_row_and_reason_and_the_rest_read():
    raw = pd.DataFrame({
        "车型": ["宝马5系 2018款 530Li 领先型", "大众 速腾 2018款 1.6L 自动舒适型", "", "宝马5系 2018款 530Li 领先型"],
        "上牌": ["2019-03", "2018年", "2018年", "2022-01"],
        "里程": ["3.2万公里", "五万公里", "1万公里", "1万公里"],
        "新车价": ["51.77万", "16.04万", "16.04万", "51.77万"],
        "价格": ["38.5", "已降1000元", "9.9", "40"],
        "城市": ["beijing", "北京", "上海", "北京"],
        "变速箱": ["自动", "自动", "自动", "手动"],
        "排量": ["2.0T", "1.6L", "1.6L", "2.0T"],
    })
    mapping = parse_mapping(MAPPING, "test", VEHICLE_FIELDS)
    result = apply_vehicle_mapping(raw, mapping)
    assert len(result.records) == 1 and result.rows_refused == 3
    messages = [str(e) for e in result.errors]
    assert "第 3 行 表显里程：应为里程，如“1.39万公里”“13900公里”（原值“五万公里”）" in messages
    assert any(m.startswith("第 3 行 成交价/挂牌价：“已降1000元”是降价说明") for m in messages)
    assert any(m.startswith("第 4 行 车型名称：不能为空") for m in messages)
    assert any(m.startswith("第 5 行 上牌时间：上牌时间晚于成交/挂牌日期") for m in messages)
    record = result.records.iloc[0]
    assert (record["brand"], record["series"], record["model_year"]) == ("宝马", "5系", 2018)
    assert (record["price"], record["new_price"], record["mileage_km"]) == (385000.0, 517700.0, 32000.0)
    assert (record["city"], record["city_level"], record["age_months"]) == ("北京", "一线", 24)


def test_a_housing_field_in_a_vehicle_mapping_is_refused():
    with pytest.raises(MappingError, match="不认识的字段“floor”"):
        parse_mapping({"fields": {**MAPPING["fields"], "floor": "楼层"}}, "test", VEHICLE_FIELDS)


def test_the_shared_listings_read_and_cars_shown_in_several_cities_are_one(shared_dir):
    path = shared_dir / "data" / "vehicles_guazi" / "guazi.csv"
    result = import_vehicle_records(path, load_vehicle_mapping(bundled_vehicle_mapping("guazi")))
    assert result.rows_read == 19320
    assert len(result.records) + result.rows_refused == 19320
    reasons = {(e.field, e.reason.split("：")[0]) for e in result.errors}
    assert reasons == {("new_price", "不能为空"), ("mileage", "不能为空"), ("name", "不能为空")}
    distinct = distinct_listings(result.records)
    assert len(distinct) < len(result.records) / 5  # the platform shows most cars in every city's pages
    assert (distinct["copies"] >= 10).sum() > 1000  # shown in all ten cities
