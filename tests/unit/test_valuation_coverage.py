"""Issue 15: inferred total floors never refuse a floor, register buildings without sales are priced and
flagged, every sale of a ratio study is accounted for (under 95% coverage 不合格), KI/MKI, the sales-chasing
test, and the absorbed fixed effects counted in the degrees of freedom."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from tax_baseline.quote import QuoteEngine, QuoteRequest
from valuation import ratio_study as rs
from valuation.calibration import calibrate, study_sales
from valuation.diagnostics import coefficient_inference
from valuation.pipeline import study_version
from valuation.registry import buildings_from_sales, register_from_tables
from valuation.transactions import normalize_sales

AS_OF = date(2026, 1, 31)
# assesspy 2.0.2 (AGPL-3.0, used once as an oracle, not a dependency): ki() and mki() on the IAAO tables
ORACLE = {"iaao_table_1_1.csv": (0.029691824694517976, 1.1426101097230945),
          "iaao_table_1_4.csv": (0.03130972774935137, 1.1402046014431084),
          "iaao_table_d_1.csv": (-0.03645328657454058, 0.8379704086253066),
          "iaao_table_d_2.csv": (-0.0362776025236593, 0.9170797656602073)}


@pytest.fixture(scope="module")
def city():
    return generate_city(seed=5, n_zones=2, communities_per_zone=2, buildings_per_community=5, sales_per_building=20)


@pytest.fixture(scope="module")
def sales(city):
    s = normalize_sales(city.sales.drop(columns=["true_value"]))
    return s[s["arms_length"]].reset_index(drop=True)


@pytest.mark.parametrize("table", sorted(ORACLE))
def test_kakwani_indices_match_the_oracle_values(shared_dir, table):
    data = pd.read_csv(shared_dir / "data" / "iaao" / table)
    ki, mki = ORACLE[table]
    assert rs.ki(data["estimate"], data["sale_price"]) == pytest.approx(ki, abs=1e-12)
    assert rs.mki(data["estimate"], data["sale_price"]) == pytest.approx(mki, abs=1e-12)
    study = rs.ratio_study(data["estimate"], data["sale_price"], bootstrap=0)
    assert (study.ki, study.mki) == pytest.approx((ki, mki))


def test_kakwani_of_equal_estimates_and_prices_is_neutral():
    s = np.array([100.0, 200, 300, 400])
    assert rs.ki(s, s) == pytest.approx(0.0) and rs.mki(s, s) == pytest.approx(1.0)
    assert rs.ki(np.full(4, 250.0), s) < 0  # flat estimates: regressive


def _judge(coverage):
    return rs.judge(1.0, 8.0, 1.0, 0.0, (-0.01, 0.01), 100, coverage=coverage)


def test_the_verdict_fails_under_95_percent_coverage_with_the_reason():
    assert _judge(rs.Coverage(given=100, priced=95)).passed is True
    low = _judge(rs.Coverage(given=100, priced=94, refused={"所在楼层高于总层数": 6}))
    assert low.passed is False and low.checks["coverage"] == "不合格"
    assert "覆盖率 94.0%（94/100）低于 95%" in low.warnings[0]
    small = rs.judge(1.0, 8.0, 1.0, 0.0, (-0.01, 0.01), 10, coverage=rs.Coverage(given=100, priced=10))
    assert small.passed is False  # too few to judge the statistics, but coverage alone fails it


def test_study_version_counts_every_sale_and_fails_on_unknown_buildings(city, sales):
    cal = calibrate(sales[sales["building_id"] != sales["building_id"].iat[0]], AS_OF)
    result = study_version(cal.tables, sales, bootstrap=0)
    c = result.coverage
    unknown = int((sales["building_id"] == sales["building_id"].iat[0]).sum())
    assert c.refused == {"楼幢编号不在当前启用的基准表中": unknown}
    assert c.given == c.priced + c.n_refused and result.study.n == c.priced - c.trimmed
    out = result.to_dict()
    assert out["coverage"] == pytest.approx(c.share) and out["accounting"]["refused_by_reason"] == c.refused
    if c.share < 0.95:
        assert result.study.verdict.passed is False
    assert len(result.refused_frame) == unknown


def test_a_sale_above_an_inferred_total_is_priced_with_a_warning(sales):
    sales = sales.assign(total_floors=None)  # no register, no total floors column: inferred from the floors
    register, flags = buildings_from_sales(sales)
    assert (register["total_floors_source"] == "推断").all() and flags["total_floors_guessed"].all()
    cal = calibrate(sales, AS_OF)
    b = cal.tables["buildings"].iloc[0]
    assert b["total_floors_source"] == "推断"
    above = int(b["total_floors"]) + 1
    engine = QuoteEngine(cal.tables)
    result = engine.quote(QuoteRequest(building_id=b["building_id"], floor=str(above), area="90",
                                       contract_date=AS_OF))
    assert result.total_floors == above and any("系由成交推断" in w for w in result.warnings)
    batch = engine.quote_frame(pd.DataFrame({"building_id": [b["building_id"]], "floor_low": [above],
                                             "floor_high": [above], "area": [90.0], "contract_date": [AS_OF]}))
    assert batch["status"].iat[0] == "ok"
    assert batch["unit_price_fen"].iat[0] == int(result.unit_price * 100)


def test_a_registered_total_still_refuses_a_floor_above_it(city, sales):
    register = register_from_tables(city.tables)
    cal = calibrate(sales, AS_OF, register=register)
    b = cal.tables["buildings"].iloc[0]
    assert b["total_floors_source"] == "登记"
    priced = QuoteEngine(cal.tables).quote_frame(pd.DataFrame({
        "building_id": [b["building_id"]], "floor_low": [int(b["total_floors"]) + 1],
        "floor_high": [int(b["total_floors"]) + 1], "area": [90.0], "contract_date": [AS_OF]}))
    assert priced["reason"].iat[0] == "所在楼层高于总层数"


def test_a_register_building_without_sales_is_priced_and_flagged(city, sales):
    register = register_from_tables(city.tables)
    lonely = register["building_id"].iat[3]
    cal = calibrate(sales[sales["building_id"] != lonely], AS_OF, register=register)
    row = cal.tables["buildings"].set_index("building_id").loc[lonely]
    assert row["price_source"] == "小区"
    assert cal.buildings.set_index("building_id").loc[lonely, "n_sales"] == 0
    result = QuoteEngine(cal.tables).quote(QuoteRequest(building_id=lonely, floor="2", area="90",
                                                        contract_date=AS_OF))
    assert result.unit_price > 0 and any("没有成交样本" in w and "小区" in w for w in result.warnings)
    sold = cal.tables["buildings"]["price_source"].eq("楼幢").sum()
    assert sold == len(register) - 1
    study, _ = study_sales(cal.tables, sales[sales["building_id"] == lonely].reset_index(drop=True), bootstrap=0)
    assert study.coverage.share == 1.0  # the building's own (held-out) sales are priced from the register


def test_sales_chasing_test_flags_sold_parcels_moved_apart():
    rng = np.random.default_rng(1)
    unsold = rng.normal(1.00, 0.05, 400)
    assert not rs.sales_chasing_test(rng.normal(1.00, 0.05, 200), unsold).flagged
    chased = rs.sales_chasing_test(rng.normal(1.06, 0.02, 200), unsold)
    assert chased.flagged and "追逐成交价" in chased.message and chased.ks_p < 0.05
    with pytest.raises(rs.RatioStudyError):
        rs.sales_chasing_test([1.0, 1.1], unsold)


def test_ratio_study_against_a_prior_version_runs_the_sales_chasing_test(city, sales):
    cal = calibrate(sales, AS_OF, register=register_from_tables(city.tables))
    sold = set(sales["building_id"].unique()[:8])
    result = study_version(cal.tables, sales[sales["building_id"].isin(sold)], bootstrap=0, prior=city.tables)
    test = result.sales_chasing
    assert test is not None and test.n_sold == 8 and test.n_unsold == len(city.tables["buildings"]) - 8


def test_absorbed_building_effects_count_in_the_degrees_of_freedom():
    rng = np.random.default_rng(0)
    n_buildings, n = 200, 1200
    building = rng.integers(0, n_buildings, n)
    north = rng.random(n) < 0.4
    y = rng.normal(0, 0.3, n_buildings)[building] - 0.05 * north + rng.normal(0, 0.05, n)
    table, diag = coefficient_inference(y, building, {"orientation": pd.Series(np.where(north, "北", "南"))})
    buildings = diag["buildings"]
    assert diag["df_absorbed"] == buildings and diag["df_resid"] == diag["n"] - buildings - 1
    row = table.set_index("level").loc["北"]
    assert row["coef"] == pytest.approx(-0.05, abs=0.01) and row["ci_low"] < -0.05 < row["ci_high"]
    assert diag["estimator"] == "linearmodels AbsorbingLS"


def test_a_batch_prices_a_floor_above_an_inferred_total_and_notes_estimated_buildings(sales):
    from tax_baseline.batch import price_batch

    sales = sales.assign(total_floors=None)
    lonely = sales["building_id"].iat[-1]
    register, _ = buildings_from_sales(sales)
    cal = calibrate(sales[sales["building_id"] != lonely], AS_OF, register=register)
    b = cal.tables["buildings"].set_index("building_id")
    sold = b.index[0]
    above = int(b.loc[sold, "total_floors"]) + 2
    units = pd.DataFrame({"building_id": [sold, lonely], "address": ["", ""], "floor": [str(above), "1"],
                          "area": ["90", "90"], "contract_date": ["2026-01-31"] * 2, "valuation_date": [""] * 2,
                          "orientation": ["", ""]})
    out = price_batch(QuoteEngine(cal.tables), units)
    assert list(out["状态"]) == ["成功", "成功"], list(out["原因"])
    assert "按实际层数估价" in out["提示"].iat[0]
    assert "没有成交样本" in out["提示"].iat[1]
