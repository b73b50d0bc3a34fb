"""Calibration recovers the known coefficients of a generated city, and its tables price as they read."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from tax_baseline.demo_city import WALKUP_6, generate_city
from tax_baseline.quote import QuoteEngine, QuoteRequest
from tax_baseline.tables import validate
from valuation.calibration import calibrate, roll_forward
from valuation.comparables import Subject, find_comparables
from valuation.pipeline import run_calibration, study_version
from valuation.registry import register_from_tables
from valuation.report import render
from valuation.transactions import normalize_sales

AS_OF = date(2026, 1, 31)


@pytest.fixture(scope="module")
def city():
    return generate_city(seed=7, n_zones=3, communities_per_zone=4, buildings_per_community=8, sales_per_building=40)


@pytest.fixture(scope="module")
def run(city):
    return run_calibration(normalize_sales(city.sales), AS_OF, prior=city.tables, name="test", bootstrap=50)


def test_calibrated_tables_are_valid_and_screening_removed_the_non_arms_length_sales(run, city):
    assert validate(run.calibration.tables) == []
    excluded = run.screening.sales.set_index("sale_id")
    non_arms = city.sales.loc[~city.sales["arms_length"], "sale_id"]
    assert (excluded.loc[non_arms, "reason_code"] == "non_arms_length").all()


def test_orientation_coefficients_recovered_within_one_hundredth(run, city):
    truth = city.tables["other_factors"].query("factor == '朝向'").set_index("level")["percent"] / 100
    est = run.calibration.tables["other_factors"].set_index("level")["percent"].reindex(truth.index) / 100
    weights = city.sales["orientation"].value_counts().reindex(truth.index)
    shift = np.average(np.log(est / truth), weights=weights)  # only ratios between levels are identified
    assert np.abs(est * np.exp(-shift) - truth).max() <= 0.01


def test_six_storey_walk_up_floor_curve_recovered_within_one_hundredth(run, city):
    fc = run.calibration.tables["floor_coefficients"]
    est = fc.query("elevator_class == '8层以内无电梯' and total_floors == 6").sort_values("floor")["percent"]
    truth = np.array(WALKUP_6) / 100
    est = est.to_numpy() / 100
    shift = np.mean(np.log(est / truth))  # a building-level constant is absorbed by the base price
    assert np.abs(est * np.exp(-shift) - truth).max() <= 0.01


def test_building_values_recovered_within_two_percent_median(run, city):
    b = city.tables["buildings"]
    units = pd.DataFrame({"building_id": b["building_id"], "floor": (b["total_floors"] + 1) // 2, "area": 90.0,
                          "orientation": "南", "contract_date": date(2023, 2, 1), "valuation_date": AS_OF})
    truth = QuoteEngine(city.tables).quote_frame(units)["unit_price_fen"].to_numpy()
    est = QuoteEngine(run.calibration.tables).quote_frame(units)["unit_price_fen"].to_numpy()
    counts = city.sales.groupby("building_id").size().reindex(b["building_id"]).fillna(0).to_numpy()
    # the truth adds a fixed 150 yuan/m² correction to one community: compare its buildings too
    error = np.abs(est / truth - 1)[counts >= 5]
    assert np.median(error) <= 0.02


def test_ratio_study_passes_in_and_out_of_sample(run):
    for study in (run.in_sample, run.holdout_random, run.holdout_recent):
        assert 0.98 <= study.median_ratio <= 1.02
        assert study.cod < 6
        assert study.verdict.passed


def test_a_calibrated_unit_is_priced_at_the_product_of_its_published_coefficients(run):
    tables = run.calibration.tables
    b = tables["buildings"].iloc[0]
    floor = int(b["total_floors"])
    request = QuoteRequest(building_id=b["building_id"], floor=floor, area="88.50", orientation="东南",
                           contract_date=AS_OF, valuation_date=AS_OF)
    result = QuoteEngine(tables).quote(request)
    expected = _product_of_rows(tables, b, floor, Decimal("88.50"), "东南", AS_OF)
    assert result.unit_price == expected
    assert result.total_price == (expected * Decimal("88.50")).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _product_of_rows(tables, b, floor, area, orientation, on):
    from tax_baseline.tables import elevator_class

    bp = tables["base_prices"].query("scope == '楼幢' and key == @b.building_id and effective_date <= @on")
    value = Decimal(str(bp.sort_values("effective_date")["price"].iloc[-1]))
    fc = tables["floor_coefficients"]
    klass = elevator_class(int(b["total_floors"]), b["elevator"] == "有")
    row = fc[(fc["elevator_class"] == klass) & (fc["total_floors"] == b["total_floors"]) & (fc["floor"] == floor)]
    factors = [row["percent"].iloc[0]]
    of = tables["other_factors"]
    factors.append(of[(of["factor"] == "朝向") & (of["level"] == orientation)]["percent"].iloc[0])
    ab = tables["area_bands"]
    zone = tables["communities"].set_index("community_code").at[b["community_code"], "zone_code"]
    ab = ab[ab["zone_code"] == zone] if (ab["zone_code"] == zone).any() else ab[ab["zone_code"] == "全部"]
    factors.append(ab[(ab["area_from"] < float(area)) & (float(area) <= ab["area_to"])]["percent"].iloc[0])
    ag = tables["age_bands"]
    age = on.year - int(b["year_built"])
    ag = ag[ag["structure"] == b["structure"]] if (ag["structure"] == b["structure"]).any() else ag
    factors.append(ag[(ag["age_from"] <= age) & (age < ag["age_to"])]["percent"].iloc[0])
    for f in factors:
        value *= Decimal(str(f)) / 100
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_zone_drift_gets_its_own_index(run, city):
    pi = run.calibration.tables["price_index"]
    drifting = city.tables["zones"]["zone_code"].iat[-1]
    own = pi[pi["zone_code"] == drifting]["index"].to_numpy() / 100
    city_wide = pi[pi["zone_code"] == "全部"]["index"].to_numpy() / 100
    assert np.prod(own) / np.prod(city_wide) > 1.03  # the truth drifts 0.2% a month apart for 36 months


def test_building_without_sales_gets_a_community_level_value_and_a_flag(city):
    sales = normalize_sales(city.sales)
    silent = city.tables["buildings"]["building_id"].iat[0]
    cal = calibrate(sales[sales["building_id"] != silent].query("arms_length == True"), AS_OF,
                    register=register_from_tables(city.tables))
    row = cal.buildings.set_index("building_id").loc[silent]
    assert row["source"] == "小区" and row["n_sales"] == 0
    assert silent in cal.statistics["buildings_without_sales"]
    bp = cal.tables["base_prices"]
    community = city.tables["buildings"]["community_code"].iat[0]
    own = bp[(bp["key"] == silent)]["price"].to_numpy()
    comm = bp[(bp["key"] == community)]["price"].to_numpy()
    # the community's level, moved only by what its estate cohort and age band say (no own deviation)
    assert np.allclose(own, comm, rtol=0.10)
    assert cal.buildings.set_index("building_id").loc[silent, "shrinkage_weight"] == 0


def test_roll_forward_extends_the_index_by_its_trend(run):
    tables = roll_forward(run.calibration.tables, "2026-06")
    pi = tables["price_index"].query("zone_code == '全部'")
    assert pi["month"].max() == "2026-06"
    future = pi[pi["month"] > "2026-01"]["index"]
    assert future.nunique() == 1


def test_comparables_come_from_the_building_first_and_are_adjusted_by_the_table(run, city):
    sales = run.screening.kept
    building = sales["building_id"].value_counts().index[0]
    subject = Subject(building, 2, 2, 95.0, AS_OF, "南")
    comps = find_comparables(subject, sales, run.calibration.tables, k=5)
    assert len(comps.samples) == 5 and (comps.samples["scope"] == "同楼幢").all()
    assert comps.indicated_unit_price == pytest.approx(comps.subject_unit_value, rel=0.08)
    assert "比较法" in comps.method
    assert comps.to_dict()["samples"][0]["adjustment"] > 0


def test_report_renders_printable_html_with_plots(run, city):
    result = study_version(run.calibration.tables, normalize_sales(city.sales), bootstrap=20)
    html = render(result.study, result.frame, tables=run.calibration.tables, strata=result.strata)
    assert html.count("data:image/png;base64,") >= 3
    assert "@media print" in html and "楼层系数" in html and "中位数比率" in html


def test_statsmodels_inference_gives_clustered_standard_errors(run, city):
    inf = run.inference.set_index(["factor", "level"])
    north = inf.loc[("orientation", "北")]
    truth = city.tables["other_factors"].query("factor == '朝向'").set_index("level")["percent"]
    reference = city.sales["orientation"].value_counts().index[0]
    assert north["se"] > 0 and north["ci_low"] < north["coef"] < north["ci_high"]
    assert north["percent"] / 100 == pytest.approx(truth["北"] / truth[reference], abs=0.01)
    assert run.diagnostics["cov_type"] == "cluster(building), debiased"
    assert "inference" in run.fit_statistics()
