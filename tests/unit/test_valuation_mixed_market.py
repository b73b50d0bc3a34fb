"""A mixed market (issue 15): zones without sales take their own city's level, sections of one road share a level,
house types (segments) their own level within a community, and the model settings are chosen by cross-validation
inside the calibration sales."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from tax_baseline.quote import QuoteEngine
from valuation import pipeline
from valuation.calibration import CalibrationConfig, calibrate, region_of_zones, road_of, value_sales
from valuation.registry import register_from_tables
from valuation.transactions import normalize_sales

AS_OF = date(2026, 1, 31)


@pytest.fixture(scope="module")
def city():
    return generate_city(seed=11, n_zones=4, communities_per_zone=3, buildings_per_community=4, sales_per_building=12)


def _two_cities(city):
    """Zones Z01, Z02 named into 甲市, Z03, Z04 into 乙市, whose prices are half of 甲市's."""
    names = {"Z01": "甲市东区", "Z02": "甲市西区", "Z03": "乙市东区", "Z04": "乙市西区"}
    register = register_from_tables(city.tables)
    register["zone_code"] = register["zone_code"].map(names)
    sales = normalize_sales(city.sales).query("arms_length == True").reset_index(drop=True)
    zone = sales["building_id"].map(register.set_index("building_id")["zone_code"])
    sales["zone_code"] = zone.to_numpy()
    sales.loc[zone.str.startswith("乙市").to_numpy(), "price"] *= 0.5
    return register, sales, zone


def test_region_of_zones_and_road_of_sections():
    assert region_of_zones(["臺中市西屯區", "新北市板橋區", "浙江省温岭市", "ANG MO KIO"]) == [
        "臺中市", "新北市", "浙江省", None]
    roads = road_of(pd.Series(["臺中市西區向上路一段", "臺中市西區向上路二段", "臺中市西區民族路",
                               "臺中市西區五權路一段", "ANG MO KIO AVE 10"]))
    # two sections of 向上路 share it; 民族路 has no section; 五權路 has only one section here
    assert list(roads) == ["臺中市西區向上路", "臺中市西區向上路", None, None, None]


def test_a_zone_without_sales_takes_its_own_citys_level_not_all_zones(city):
    register, sales, zone = _two_cities(city)
    cal = calibrate(sales[(zone != "乙市西区").to_numpy()], AS_OF, register=register)
    b = cal.buildings.set_index("building_id")
    silent = register.loc[register["zone_code"] == "乙市西区", "building_id"]
    assert set(b.loc[silent, "source"]) == {"全市"}
    level = b["as_of_price"].groupby(register.set_index("building_id")["zone_code"]).median()
    # the unsold zone of the cheap city is priced near that city's sold zone, far below the dear city's
    assert level["乙市西区"] < 0.75 * level[["甲市东区", "甲市西区"]].min()
    assert abs(np.log(level["乙市西区"] / level["乙市东区"])) < abs(np.log(level["乙市西区"] / level["甲市东区"]))


def test_a_house_type_of_its_own_level_prices_an_unsold_building_of_that_type_in_a_quote(city):
    register = register_from_tables(city.tables)
    community = register["community_code"].iat[0]
    mine = register.index[register["community_code"] == community]
    register.loc[mine, "house_type"] = ["塔楼", "塔楼", "板楼", "板楼"][: len(mine)]
    sales = normalize_sales(city.sales).query("arms_length == True").reset_index(drop=True)
    towers = register.loc[register["house_type"] == "塔楼", "building_id"]
    # every 塔楼 of the city sells 40% dearer; the first 塔楼 of the community has no sales
    sales.loc[sales["building_id"].isin(towers).to_numpy(), "price"] *= 1.4
    silent = towers.iat[0]
    train = sales[sales["building_id"] != silent].reset_index(drop=True)
    units = sales[sales["building_id"] == silent].reset_index(drop=True)
    priced = {}
    for segment in (False, True):
        cal = calibrate(train, AS_OF, register=register, config=CalibrationConfig(segment=segment))
        assert cal.buildings.set_index("building_id").loc[silent, "source"] == "小区"
        engine = QuoteEngine(cal.tables)
        priced[segment] = value_sales(cal.tables, units, engine=engine)["estimate"].to_numpy()
        assert np.isfinite(priced[segment]).all()
    ratio_with = np.median(priced[True] / units["price"].to_numpy())
    ratio_without = np.median(priced[False] / units["price"].to_numpy())
    assert abs(np.log(ratio_with)) < abs(np.log(ratio_without))  # the segment level closes the gap
    assert priced[True].mean() > 1.1 * priced[False].mean()


def test_model_settings_are_chosen_by_cross_validation_inside_the_sales(city, monkeypatch):
    register = register_from_tables(city.tables)
    sales = normalize_sales(city.sales).query("arms_length == True").reset_index(drop=True)
    choice = pipeline.choose_config(sales, AS_OF, register, CalibrationConfig(), seed=3)
    assert choice.folds == pipeline.CV_FOLDS
    assert [c["name"] for c in choice.candidates] == [name for name, _ in pipeline.CANDIDATES]
    best = min(choice.candidates, key=lambda c: c["cod"])
    assert choice.chosen == best["name"]
    assert "交叉验证" in choice.to_dict()["rule"]
    monkeypatch.setattr(pipeline, "CV_MAX_SALES", 100)  # a large market: the defaults stand, no folds
    choice = pipeline.choose_config(sales, AS_OF, register, CalibrationConfig())
    assert choice.folds == 0 and choice.chosen == pipeline.CANDIDATES[0][0] and choice.candidates == []
    run = pipeline.run_calibration(normalize_sales(city.sales), AS_OF, register=register, holdouts=False,
                                   bootstrap=0)
    assert run.fit_statistics()["model_choice"]["chosen"] == pipeline.CANDIDATES[0][0]


def test_ratio_retransform_lowers_the_values_of_buildings_valued_from_little_data(city):
    register = register_from_tables(city.tables)
    sales = normalize_sales(city.sales).query("arms_length == True").reset_index(drop=True)
    silent = register["building_id"].iat[0]
    train = sales[sales["building_id"] != silent].reset_index(drop=True)
    plain = calibrate(train, AS_OF, register=register).buildings.set_index("building_id")["as_of_price"]
    corrected = calibrate(train, AS_OF, register=register,
                          config=CalibrationConfig(ratio_retransform=True)).buildings.set_index(
        "building_id")["as_of_price"]
    change = corrected / plain
    sold = change.drop(silent)
    assert change[silent] < sold.median()  # the unsold building: more uncertain, so lowered relative to the rest
    assert abs(np.log(sold.median())) < 0.01  # centred: the typical building keeps its value
