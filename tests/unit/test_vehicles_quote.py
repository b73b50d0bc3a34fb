"""The vehicle quote from a small table worked by hand: value, factors, comparables, curve, refusals, batch."""

import math
from datetime import date
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from vehicles.batch import price_vehicles
from vehicles.depreciation import AGE_KNOTS, VehicleTable, fit_depreciation
from vehicles.names import parse_vehicle_name
from vehicles.quote import VehicleQuoteEngine
from vehicles.study import study_table
from vehicles.subject import NewPriceUnknown, UnknownBrand, UnknownSeries, VehicleQuery, VehicleQuoteError

NAME = "宝马5系 2020款 530Li 领先型"


def small_table() -> VehicleTable:
    """By hand: each year of age × 0.90; brand 宝马 × 1.05; series 宝马5系 × 0.98; index 2024-04 0.95,
    2024-05 0.97, 2024-06 1.00; every other term 0 (× 1)."""
    model = parse_vehicle_name(NAME)
    terms = [("intercept", "", 0.0)] + [("age", str(k), math.log(0.9) if k == 0 else 0.0) for k in AGE_KNOTS]
    terms += [("brand", "宝马", math.log(1.05)), ("series", model.series_key, math.log(0.98)),
              ("month", "2024-04", math.log(0.95)), ("month", "2024-05", math.log(0.97)), ("month", "2024-06", 0.0)]
    terms = pd.DataFrame(terms, columns=["group", "level", "coefficient"]).assign(records=40)
    series = pd.DataFrame({"series_key": [model.series_key, parse_vehicle_name("宝马3系 2020款 325Li").series_key],
                           "brand": ["宝马", "宝马"], "series_name": ["宝马5系", "宝马3系"],
                           "class": ["35-60万", "35-60万"], "records": [40, 30]})
    models = pd.DataFrame({"model_key": [model.model_key], "series_key": [model.series_key], "brand": ["宝马"],
                           "series_name": ["宝马5系"], "model_year": [2020], "trim": ["530Li 领先型"], "name": [NAME],
                           "new_price": [400000.0], "records": [2]})
    index = pd.DataFrame({"month": ["2024-04", "2024-05", "2024-06"], "coefficient": np.log([0.95, 0.97, 1.0]),
                          "index": [0.95, 0.97, 1.0], "records": [10, 10, 20]})
    base = {"name": NAME, "brand": "宝马", "series_name": "宝马5系", "series_key": model.series_key, "model_year": 2020,
            "trim": "530Li 领先型", "model_key": model.model_key, "imported": False, "fuel": "汽油", "gearbox": "自动",
            "city": "北京", "city_level": "一线", "new_price": 400000.0, "inspection_areas": 0,
            "inspection_findings": 0, "date": date(2024, 6, 10), "month": "2024-06"}
    records = pd.DataFrame([
        {**base, "record_id": "A", "registration": date(2021, 6, 1), "age_months": 36, "mileage_km": 30000.0,
         "price": 310000.0},
        {**base, "record_id": "B", "registration": date(2023, 6, 1), "age_months": 12, "mileage_km": 14000.0,
         "price": 380000.0},
    ])
    return VehicleTable(terms, models, series, index, records,
                        {"as_of": "2024-06-30", "records": 40, "fill": {"inspection_areas": 0.0,
                                                                        "inspection_findings": 0.0}}, "手算表")


QUERY = VehicleQuery(NAME, "2022-06", "2万公里", date(2024, 6, 15), city="北京")


def test_the_value_is_the_new_price_times_each_factor_worked_by_hand():
    quote = VehicleQuoteEngine(small_table()).quote(QUERY)
    # 400,000 × 0.90² (2 years) × 1.05 (宝马) × 0.98 (宝马5系) × 1.00 (2024-06) = 333,396
    assert quote.value == Decimal("333396") and quote.value_fen == 33339600
    assert quote.new_price == Decimal("400000.00")
    assert quote.new_price_source == "车辆表中该年款款型 2 条记录的新车含税价中位数"
    factors = {f.name: f for f in quote.factors}
    assert factors["车龄"].multiplier == Decimal("0.810000") and factors["车龄"].level == "2年0个月"
    assert factors["品牌"].multiplier == Decimal("1.050000")
    assert factors["车系"].multiplier == Decimal("0.980000")
    assert factors["车系"].source == "车系“宝马5系” 40 条记录（收缩估计）"
    assert factors["城市"].multiplier == Decimal("1.000000") and "无记录" in factors["城市"].source
    assert quote.retention == Decimal("0.8335")
    assert "未提供检测结果：按车辆表记录的平均异常处数计" in quote.warnings


def test_comparables_are_the_series_nearest_records_each_adjusted_to_the_subject():
    quote = VehicleQuoteEngine(small_table()).quote(QUERY)
    first, second = quote.comparables
    # B: 1 year old, 14,000 km: distance 1 + 0.3 = 1.3; modelled 370,440 → × 333,396 / 370,440 = 0.9
    assert (first.record_id, first.adjustment, first.adjusted_price) == ("B", Decimal("0.9000"), Decimal("342000"))
    # A: 3 years, 30,000 km: distance 1 + 0.5 = 1.5; modelled 300,056.4 → × 1/0.9
    assert (second.record_id, second.adjustment, second.adjusted_price) == ("A", Decimal("1.1111"),
                                                                             Decimal("344441"))


def test_the_curve_gives_the_value_of_this_series_and_age_in_each_month_and_by_age():
    curve = VehicleQuoteEngine(small_table()).quote(QUERY).curve
    assert curve.history == [{"month": "2024-04", "index": 0.95, "value": 316726},
                             {"month": "2024-05", "index": 0.97, "value": 323394},
                             {"month": "2024-06", "index": 1.0, "value": 333396}]
    by_age = {p["age_years"]: p for p in curve.by_age}
    assert by_age[0]["value"] == 411600 and by_age[1]["value"] == 370440 and by_age[3]["value"] == 300056
    assert by_age[3]["mileage_km"] == 30000  # the subject's 10,000 km a year
    assert sorted(p["price"] for p in curve.observed) == [310000, 380000]


def test_a_valuation_after_the_last_index_month_carries_the_index_flat_and_says_so():
    quote = VehicleQuoteEngine(small_table()).quote(
        VehicleQuery(NAME, "2022-09", "2万公里", date(2024, 9, 2), city="北京"))
    assert quote.value == Decimal("333396")
    assert any("晚于车辆表价格指数的最后一个月 2024-06" in w for w in quote.warnings)


def test_an_unknown_series_is_refused_with_candidates():
    with pytest.raises(UnknownSeries) as refused:
        VehicleQuoteEngine(small_table()).quote(VehicleQuery("宝马8系 2020款 840i", "2022-06", "2万公里",
                                                            date(2024, 6, 15)))
    assert set(refused.value.candidates) == {"宝马5系", "宝马3系"}
    assert "没有车系“宝马8系”的记录" in str(refused.value) and "相近的车系" in str(refused.value)


def test_an_unknown_trim_without_a_new_price_is_refused_and_a_given_new_price_is_used():
    engine = VehicleQuoteEngine(small_table())
    with pytest.raises(NewPriceUnknown, match="请填写新车含税价"):
        engine.quote(VehicleQuery("宝马5系 2017款 540Li 旗舰版", "2018-06", "5万公里", date(2024, 6, 15)))
    quote = engine.quote(VehicleQuery("宝马5系 2017款 540Li 旗舰版", "2018-06", "5万公里", date(2024, 6, 15),
                                      new_price="60万"))
    assert quote.new_price == Decimal("600000.00") and quote.new_price_source == "委托方提供的新车含税价"


@pytest.mark.parametrize("registration,mileage,reason", [
    ("2025-01", "2万公里", "晚于估价日"), ("去年", "2万公里", "上牌时间“去年”无法识别"), ("2022-06", "两万", "里程“两万”无法识别")])
def test_bad_input_is_refused_in_chinese(registration, mileage, reason):
    with pytest.raises(VehicleQuoteError, match=reason):
        VehicleQuoteEngine(small_table()).quote(VehicleQuery(NAME, registration, mileage, date(2024, 6, 15)))


def test_the_batch_gives_the_single_quote_s_yuan_and_refuses_rows_in_place():
    table = small_table()
    rows = pd.DataFrame({"车型名称": [NAME, "宝马8系 2020款 840i", NAME], "上牌时间": ["2022-06", "2022-06", "未上牌"],
                         "表显里程": ["2万公里", "2万公里", "0.01万公里"], "城市": ["北京", "北京", "beijing"]})
    out = price_vehicles(table, rows, date(2024, 6, 15))
    assert list(out["状态"]) == ["已估价", "未估价", "已估价"]
    assert out["估价(元)"].iat[0] == 333396 and out["估价(元)"].iat[2] == 411600
    assert out["原因"].iat[1].startswith("车辆表中没有该车系的记录")


def test_the_fit_recovers_a_known_depreciation_and_shrinks_a_rare_series_toward_its_brand():
    rng = np.random.default_rng(3)
    rows = []
    for series, n, effect in (("宝马5系", 300, 0.10), ("宝马3系", 300, -0.10), ("宝马X1", 3, 0.30)):
        model = parse_vehicle_name(f"{series} 2018款 标准型")
        for _ in range(n):
            months = int(rng.integers(6, 96))
            km = float(rng.integers(5, 150)) * 1000
            ratio = math.exp(-0.12 * months / 12 + effect + rng.normal(0, 0.01))
            rows.append({"record_id": str(len(rows)), "name": model.text, "brand": "宝马", "series_name": series,
                         "series_key": model.series_key, "model_year": 2018, "trim": "标准型",
                         "model_key": model.model_key, "imported": False, "fuel": "汽油", "gearbox": "自动",
                         "registration": None, "age_months": months, "mileage_km": km, "city": "北京",
                         "city_level": "一线", "new_price": 300000.0, "inspection_areas": 0, "inspection_findings": 0,
                         "price": 300000.0 * ratio, "date": date(2024, 6, 1), "month": "2024-06"})
    table = fit_depreciation(pd.DataFrame(rows), date(2024, 6, 30))
    engine = VehicleQuoteEngine(table)
    five = [engine.quote(VehicleQuery("宝马5系 2018款 标准型", "未上牌", 0, date(2024, 6, 15))).curve.by_age[a]["retention"]
            for a in (2, 4)]
    assert five[1] / five[0] == pytest.approx(math.exp(-0.24), abs=0.01)  # two more years: −12% a year
    x1 = table.coefficient("series", parse_vehicle_name("宝马X1 2018款").series_key)
    assert 0 < x1 < 0.30  # three records: pulled toward the brand, not fitted exactly
    assert table.statistics["solver"].startswith("scipy.sparse")


def with_intervals() -> VehicleTable:
    """The hand table with the intervals a calibration gives (price / estimate at the 10th and 90th percentile)."""
    table = small_table()
    table.statistics["interval"] = {"folds": 5, "percentiles": [0.1, 0.9], "strata": {
        "series": {"low": 0.9, "high": 1.1, "n": 100, "mdape": 4.0},
        "series_few": {"low": 0.88, "high": 1.12, "n": 60, "mdape": 6.0},
        "brand": {"low": 0.8, "high": 1.25, "n": 50, "mdape": 9.0}}}
    return table


def test_a_series_level_quote_carries_its_interval_worked_by_hand():
    quote = VehicleQuoteEngine(with_intervals()).quote(QUERY)
    # 宝马5系 has 40 records (≥ 10): 333,396 × 0.9 = 300,056.4 → 300,056; × 1.1 = 366,735.6 → 366,736
    assert quote.level == "series" and quote.level_name == "车系"
    assert (quote.interval_low, quote.interval_high) == (Decimal("300056"), Decimal("366736"))
    assert "车系记录 10 条及以上" in quote.interval_source and "5 折交叉验证" in quote.interval_source


def test_an_unseen_series_of_a_known_brand_is_valued_at_the_brand_level_with_a_wider_interval():
    engine = VehicleQuoteEngine(with_intervals())
    eight = VehicleQuery("宝马8系 2020款 840i", "2022-06", "2万公里", date(2024, 6, 15), city="北京")
    with pytest.raises(NewPriceUnknown, match="按品牌“宝马”水平估价须以新车含税价为基准") as refused:
        engine.quote(eight)  # the table has no model of the series to take the new-car price from
    assert set(refused.value.candidates) == {"宝马5系", "宝马3系"}
    quote = engine.quote(VehicleQuery(**{**eight.__dict__, "new_price": "100万"}))
    # 1,000,000 × 0.81 (2 years) × 1.05 (宝马) × 1 (series unseen) × 1.00 (2024-06) = 850,500
    assert quote.value == Decimal("850500") and quote.level == "brand" and quote.level_name == "品牌"
    assert (quote.interval_low, quote.interval_high) == (Decimal("680400"), Decimal("1063125"))
    factors = {f.name: f for f in quote.factors}
    assert factors["车系"].multiplier == Decimal("1.000000") and "无记录" in factors["车系"].source
    assert any("按品牌“宝马”（70 条记录）与类别水平估价" in w and "相近的车系" in w for w in quote.warnings)
    # the comparables are the brand's records (none of its class 60万以上 here), adjusted to the subject
    assert {c.record_id for c in quote.comparables} == {"A", "B"}
    assert sorted(p["price"] for p in quote.curve.observed) == [310000, 380000]


def test_an_unknown_brand_is_refused_with_its_reason():
    with pytest.raises(UnknownBrand, match="没有品牌“奔驰”的任何记录") as refused:
        VehicleQuoteEngine(with_intervals()).quote(VehicleQuery("奔驰E级 2020款 E300L", "2022-06", "2万公里",
                                                                date(2024, 6, 15), new_price="50万"))
    assert "不能只按新车价档估价" in str(refused.value)


def test_the_batch_values_an_unseen_series_at_the_brand_level_as_the_single_quote():
    table = with_intervals()
    rows = pd.DataFrame({"车型名称": [NAME, "宝马8系 2020款 840i", "宝马8系 2020款 840i", "奔驰E级 2020款 E300L"],
                         "上牌时间": ["2022-06"] * 4, "表显里程": ["2万公里"] * 4, "城市": ["北京"] * 4,
                         "新车含税价": ["", "100万", "", "50万"]})
    out = price_vehicles(table, rows, date(2024, 6, 15))
    assert list(out["状态"]) == ["已估价", "已估价", "未估价", "未估价"]
    assert list(out["估价层级"]) == ["车系", "品牌", "", ""]
    assert out["估价(元)"].iat[1] == 850500 and out["区间下限(元)"].iat[1] == 680400
    assert out["区间上限(元)"].iat[1] == 1063125 and out["区间上限(元)"].iat[0] == 366736
    assert out["原因"].iat[2] == "车辆表中没有该车系的记录：按品牌水平估价须填写新车含税价"
    assert out["原因"].iat[3].startswith("车辆表中没有该品牌的记录")


def test_the_study_counts_each_level_and_how_often_the_price_falls_in_the_interval():
    table = with_intervals()
    base = table.records.iloc[[0]]
    eight = parse_vehicle_name("宝马8系 2020款 840i")
    benz = parse_vehicle_name("奔驰E级 2020款 E300L")
    records = pd.concat([table.records,
                         base.assign(series_key=eight.series_key, model_key=eight.model_key, record_id="D"),
                         base.assign(brand="奔驰", series_key=benz.series_key, model_key=benz.model_key,
                                     record_id="E")], ignore_index=True)
    study = study_table(table, records, bootstrap=0, trim=False)
    assert study.records == 4 and study.refused == 1 and study.coverage == 75.0  # 奔驰: brand unknown
    assert study.levels["series"]["records"] == 2 and study.levels["brand"]["records"] == 1
    # D (宝马8系, valued at the brand level without the series' × 0.98) is A's sale: 310,000 / 306,180 is inside
    # the brand interval 0.8–1.25; A and B inside the series interval 0.9–1.1
    assert study.in_interval == 100.0 and study.levels["brand"]["in_interval"] == 100.0


def test_a_calibration_estimates_each_level_s_interval_out_of_fold():
    rng = np.random.default_rng(5)
    rows = []
    for s in range(30):
        series, n = f"{chr(65 + s % 26)}{s}", (40 if s < 6 else 4)
        model = parse_vehicle_name(f"宝马 {series} 2018款 标准型")
        effect = rng.normal(0, 0.1)
        for _ in range(n):
            months = int(rng.integers(6, 96))
            ratio = math.exp(-0.12 * months / 12 + effect + rng.normal(0, 0.03))
            rows.append({"record_id": str(len(rows)), "name": model.text, "brand": "宝马", "series_name": series,
                         "series_key": model.series_key, "model_year": 2018, "trim": "标准型",
                         "model_key": model.model_key, "imported": False, "fuel": "汽油", "gearbox": "自动",
                         "registration": None, "age_months": months, "mileage_km": 10000.0 * months / 12,
                         "city": "北京", "city_level": "一线", "new_price": 300000.0, "inspection_areas": 0,
                         "inspection_findings": 0, "price": 300000.0 * ratio, "date": date(2024, 6, 1),
                         "month": "2024-06"})
    table = fit_depreciation(pd.DataFrame(rows), date(2024, 6, 30), interval_folds=4)
    strata = table.statistics["interval"]["strata"]
    assert set(strata) == {"series", "series_few", "brand"}
    # pricing a series unseen misses its own effect (sd 0.1): a wider interval than the series level's
    assert strata["brand"]["high"] - strata["brand"]["low"] > strata["series"]["high"] - strata["series"]["low"]
    assert strata["series"]["low"] < 1 < strata["series"]["high"]
