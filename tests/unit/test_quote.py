"""The quote engine against a small table worked by hand, its refusals, and batch = single quote."""

from datetime import date
from decimal import Decimal

import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from tax_baseline.quote import (
    AddressNotResolved,
    InvalidQuoteInput,
    QuoteEngine,
    QuoteRequest,
    TableGap,
    UnknownBuilding,
)
from tax_baseline.tables import ALL_ZONES, BaselineTables, validate


def small_tables(floor_method: str = "乘") -> BaselineTables:
    return BaselineTables({
        "zones": pd.DataFrame({"zone_code": ["Z1"], "zone_name": ["城东片区"]}),
        "communities": pd.DataFrame({"community_code": ["C1", "C2"], "community_name": ["东辉公寓", "锦绣花园"],
                                     "zone_code": ["Z1", "Z1"]}),
        "buildings": pd.DataFrame({
            "building_id": ["B1", "B2", "B3"], "community_code": ["C1", "C1", "C2"],
            "address": ["温岭市太平街道东辉公寓3幢", "温岭市太平街道东辉公寓8幢", "温岭市太平街道锦绣花园1幢"],
            "total_floors": [6, 6, 18], "elevator": ["无", "无", "有"], "house_type": ["普通住宅"] * 3,
            "structure": ["钢混", "钢混", "钢混"], "year_built": [2010, 2010, 2015], "use": ["住宅"] * 3}),
        "aliases": pd.DataFrame({"alias": ["东辉公寓三号楼"], "building_id": ["B1"]}),
        "base_prices": pd.DataFrame({"scope": ["楼幢", "楼幢", "小区"], "key": ["B1", "B1", "C2"],
                                     "effective_date": [date(2024, 1, 1), date(2025, 1, 1), date(2024, 1, 1)],
                                     "price": [9000.0, 10000.0, 15000.0]}),
        "floor_coefficients": pd.DataFrame(
            [(ALL_ZONES, "8层以内无电梯", 6, f, p, floor_method) for f, p in
             zip(range(1, 7), (97.0, 103.0, 110.0, 108.0, 101.0, 92.0), strict=True)]
            + [(ALL_ZONES, "8层以上", 18, f, 100.0, "乘") for f in range(1, 19)],
            columns=["zone_code", "elevator_class", "total_floors", "floor", "percent", "method"]),
        "other_factors": pd.DataFrame([(ALL_ZONES, "朝向", "南", 103.0, "乘"), (ALL_ZONES, "朝向", "北", 95.0, "乘"),
                                       (ALL_ZONES, "边套", "是", 102.0, "乘")],
                                      columns=["zone_code", "factor", "level", "percent", "method"]),
        "area_bands": pd.DataFrame([(ALL_ZONES, ALL_ZONES, 0.0, 90.0, 101.0, "乘"),
                                    (ALL_ZONES, ALL_ZONES, 90.0, 500.0, 100.0, "乘")],
                                   columns=["zone_code", "house_type", "area_from", "area_to", "percent", "method"]),
        "age_bands": pd.DataFrame([("钢混", 0, 10, 100.0, "乘"), ("钢混", 10, 100, 98.0, "乘")],
                                  columns=["structure", "age_from", "age_to", "percent", "method"]),
        "price_index": pd.DataFrame([(ALL_ZONES, "2025-02", 100.5), (ALL_ZONES, "2025-03", 101.0)],
                                    columns=["zone_code", "month", "index"]),
        "zone_corrections": pd.DataFrame([("小区", "C1", 50.0)], columns=["scope", "key", "amount"]),
    }, name="手算样表")


def request(**kw) -> QuoteRequest:
    base = dict(building_id="B1", floor="3", orientation="南", area="88.88", contract_date=date(2025, 3, 10),
                valuation_date=date(2025, 3, 20))
    base.update(kw)
    return QuoteRequest(**base)


def test_small_tables_are_valid():
    assert validate(small_tables()) == []


def test_golden_quote_worked_by_hand():
    # Base 10000.00 (in force from 2025-01-01 at the contract date 2025-03-10), index Feb 100.5 × Mar 101.0,
    # floor 3 of a 6-storey walk-up 110, 南 103, area band (0, 90] 101, age 15 years of 钢混 98,
    # community correction +50 yuan/m²:
    # 10000 × 1.005 × 1.01 × 1.10 × 1.03 × 1.01 × 0.98 + 50 = 11433.2112317 → 11433.21 yuan/m²;
    # 11433.21 × 88.88 = 1016183.7048 → 1016183.70 yuan.
    result = QuoteEngine(small_tables()).quote(request())
    assert result.unit_price == Decimal("11433.21")
    assert result.total_price == Decimal("1016183.70")
    assert [f.name for f in result.breakdown] == ["基准价", "价格指数", "楼层系数", "朝向系数", "面积修正", "成新修正",
                                                  "误差修正"]
    base = result.breakdown[0]
    assert base.value == Decimal("10000.00") and base.row["执行日期"] == "2025-01-01"
    assert result.version == "手算样表" and result.warnings == ()


def test_added_coefficients_do_not_compound():
    # Floor coefficients applied as 加: unit = rolled × (1.03 × 1.01 × 0.98) + rolled × 0.10 + 50
    result = QuoteEngine(small_tables(floor_method="加")).quote(request())
    rolled = Decimal(10000) * Decimal("1.005") * Decimal("1.01")
    expected = rolled * Decimal("1.03") * Decimal("1.01") * Decimal("0.98") + rolled * Decimal("0.10") + 50
    assert result.unit_price == expected.quantize(Decimal("0.01"))


def test_older_base_price_applies_to_an_older_contract_date():
    result = QuoteEngine(small_tables()).quote(request(contract_date=date(2024, 6, 1), valuation_date=date(2024, 6, 1)))
    assert result.breakdown[0].value == Decimal("9000.00")


def test_community_base_price_is_used_when_the_building_has_none():
    result = QuoteEngine(small_tables()).quote(request(building_id="B3", floor="5/18"))
    assert result.breakdown[0].row["适用范围"] == "小区" and result.breakdown[0].value == Decimal("15000.00")


def test_relative_floor_averages_its_band():
    result = QuoteEngine(small_tables()).quote(request(floor="中楼层(共6层)"))
    floor = next(f for f in result.breakdown if f.name == "楼层系数")
    assert floor.value == (Decimal("110") + Decimal("108")) / 2  # 中 of 6 floors = floors 3-4
    assert any("区间" in w for w in result.warnings)


@pytest.mark.parametrize("kw, error, text", [
    (dict(floor="7"), InvalidQuoteInput, "高于总层数"),
    (dict(floor="7/6"), InvalidQuoteInput, "高于总层数"),
    (dict(area="0"), InvalidQuoteInput, "大于 0"),
    (dict(area="-5"), InvalidQuoteInput, "大于 0"),
    (dict(area="abc"), InvalidQuoteInput, "不是数字"),
    (dict(area="88.888"), InvalidQuoteInput, "两位小数"),
    (dict(contract_date=date(2023, 12, 31)), InvalidQuoteInput, "早于"),
    (dict(building_id="B404"), UnknownBuilding, "B404"),
    (dict(floor="abc"), InvalidQuoteInput, "无法识别楼层"),
    (dict(orientation="东"), TableGap, "朝向"),
    (dict(orientation="上下"), InvalidQuoteInput, ""),
])
def test_impossible_input_is_refused_with_what_is_expected(kw, error, text):
    with pytest.raises(error) as info:
        QuoteEngine(small_tables()).quote(request(**kw))
    assert text in str(info.value)


def test_address_resolves_variants_to_the_building():
    engine = QuoteEngine(small_tables())
    for typed in ("温岭市太平街道东辉公寓3栋2单元302室", "溫嶺市太平街道東輝公寓３號樓", " 东辉公寓 3幢 ", "东辉公寓三号楼"):
        assert engine.quote(request(building_id=None, address=typed)).building_id == "B1", typed


def test_ambiguous_address_returns_candidates_and_prices_nothing():
    engine = QuoteEngine(small_tables())
    with pytest.raises(AddressNotResolved) as info:
        engine.quote(request(building_id=None, address="东辉公寓5幢"))
    assert "候选" in str(info.value) or info.value.candidates == []
    assert all(c.building_id in {"B1", "B2", "B3"} for c in info.value.candidates)


def test_wrong_building_number_is_never_priced_silently():
    engine = QuoteEngine(small_tables())
    with pytest.raises(AddressNotResolved):
        engine.quote(request(building_id=None, address="温岭市太平街道东辉公寓4幢"))


def test_batch_prices_exactly_as_the_single_quote():
    city = generate_city(seed=5, n_zones=3, communities_per_zone=3, buildings_per_community=4, sales_per_building=8)
    engine = QuoteEngine(city.tables)
    sales = city.sales.head(400)
    units = pd.DataFrame({"building_id": sales["building_id"], "floor": sales["floor"],
                          "orientation": sales["orientation"], "area": sales["area"],
                          "contract_date": date(2023, 1, 15), "valuation_date": sales["date"]})
    batch = engine.quote_frame(units)
    assert (batch["status"] == "ok").all()
    for i, row in units.iterrows():
        single = engine.quote(QuoteRequest(building_id=row.building_id, floor=int(row.floor), area=str(row.area),
                                           orientation=row.orientation, contract_date=row.contract_date,
                                           valuation_date=row.valuation_date))
        assert int(single.unit_price * 100) == batch.at[i, "unit_price_fen"]
        assert int(single.total_price * 100) == batch.at[i, "total_price_fen"]


def test_batch_refuses_rows_with_reasons():
    engine = QuoteEngine(small_tables())
    units = pd.DataFrame({"building_id": ["B1", "B404", "B1", "B1"], "floor": [3, 3, 9, 3],
                          "orientation": ["南", "南", "南", "南"], "area": [88.88, 80, 80, 0],
                          "contract_date": [date(2025, 3, 10)] * 4})
    out = engine.quote_frame(units)
    assert list(out["status"]) == ["ok", "refused", "refused", "refused"]
    assert "基准表" in out.at[1, "reason"] and "总层数" in out.at[2, "reason"] and "面积" in out.at[3, "reason"]


@pytest.mark.parametrize("column", [pd.Categorical([None, None]), pd.Categorical(["", ""]), pd.Series([None, None])])
def test_batch_without_orientations_in_tables_or_rows(column):
    # HDB-style tables have no orientation rows; an empty orientation column must price without correction.
    tables = small_tables()
    other = tables.frames["other_factors"]
    tables.frames["other_factors"] = other[other["factor"] != "朝向"].reset_index(drop=True)
    units = pd.DataFrame({"building_id": ["B1", "B1"], "floor": [3, 3], "orientation": column,
                          "area": [80, 80], "contract_date": [date(2025, 3, 1)] * 2})
    out = QuoteEngine(tables).quote_frame(units)
    assert list(out["status"]) == ["ok", "ok"]
    assert out.at[0, "unit_price_fen"] == out.at[1, "unit_price_fen"] > 0


def test_batch_follows_the_single_quotes_band_precedence():
    # Zone-specific and type-specific area bands, and an age band for every structure (全部):
    # the batch must pick the same band as the single quote for each building.
    tables = small_tables()
    tables.frames["area_bands"] = pd.DataFrame(
        [("Z1", "普通住宅", 0.0, 500.0, 99.0, "乘"), (ALL_ZONES, ALL_ZONES, 0.0, 500.0, 102.0, "乘"),
         (ALL_ZONES, "普通住宅", 0.0, 500.0, 97.0, "加")],
        columns=["zone_code", "house_type", "area_from", "area_to", "percent", "method"])
    tables.frames["age_bands"] = pd.DataFrame([(ALL_ZONES, 0, 12, 100.0, "乘"), (ALL_ZONES, 12, 100, 96.0, "加")],
                                              columns=["structure", "age_from", "age_to", "percent", "method"])
    tables.frames["buildings"].loc[2, "house_type"] = "公寓"
    tables.frames["base_prices"].loc[3] = ["小区", "C1", date(2024, 1, 1), 12000.0]
    assert validate(tables) == []
    engine = QuoteEngine(tables)
    units = pd.DataFrame({"building_id": ["B1", "B2", "B3"], "floor": [2, 5, 10], "orientation": ["南", "北", ""],
                          "area": [70.5, 133.33, 88.0], "contract_date": [date(2025, 3, 1)] * 3,
                          "valuation_date": [date(2026, 5, 1)] * 3})
    out = engine.quote_frame(units)
    for i, row in units.iterrows():
        single = engine.quote(QuoteRequest(building_id=row.building_id, floor=int(row.floor), area=str(row.area),
                                           orientation=row.orientation or None, contract_date=row.contract_date,
                                           valuation_date=row.valuation_date))
        assert out.at[i, "status"] == "ok"
        assert int(single.unit_price * 100) == out.at[i, "unit_price_fen"], row.building_id
    area_rows = {r.building_id: next(f for f in engine.quote(QuoteRequest(
        building_id=r.building_id, floor=int(r.floor), area=str(r.area), contract_date=r.contract_date)).breakdown
        if f.name == "面积修正").value for r in units.itertuples()}
    assert area_rows == {"B1": Decimal("99.00"), "B2": Decimal("99.00"), "B3": Decimal("102.00")}
