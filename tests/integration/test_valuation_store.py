"""A calibrated version is stored as a draft, loads back, and prices through the quote engine as it reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tax_baseline.demo_city import generate_city
from tax_baseline.quote import QuoteEngine, QuoteRequest
from valuation.pipeline import run_calibration
from valuation.transactions import normalize_sales
from xunpai.services import baseline as baseline_store

AS_OF = date(2026, 1, 31)


@pytest.fixture(scope="module")
def city():
    return generate_city(seed=3, n_zones=2, communities_per_zone=2, buildings_per_community=4, sales_per_building=25)


@pytest.fixture(scope="module")
def run(city):
    return run_calibration(normalize_sales(city.sales), AS_OF, prior=city.tables, name="calib-test", holdouts=False,
                           bootstrap=20)


def test_saved_and_loaded_version_prices_at_the_product_of_its_coefficients(uow, run):
    version = baseline_store.save_version(uow, run.calibration.tables, "calib-test", source="test",
                                          created_by="tester", fit_statistics=run.fit_statistics())
    assert version.status == "draft"
    uow.session.flush()
    loaded = baseline_store.load_version(uow, "calib-test")
    assert baseline_store.get_version(uow, "calib-test").fit_statistics["n_sales"] == run.calibration.statistics[
        "n_sales"]
    b = loaded["buildings"].iloc[1]
    request = QuoteRequest(building_id=b["building_id"], floor=1, area="101.25", orientation="南北",
                           contract_date=AS_OF, valuation_date=AS_OF)
    result = QuoteEngine(loaded).quote(request)
    value = Decimal(1)
    for factor in result.breakdown:
        if factor.method == "基价":
            value *= factor.value
        else:
            assert factor.method == "乘"
            value *= factor.value / 100
    published = {("基准价",): loaded["base_prices"].query("key == @b.building_id and effective_date == @AS_OF")[
        "price"].iloc[0]}
    assert Decimal(str(published[("基准价",)])) == result.breakdown[0].value
    assert result.unit_price == value.quantize(Decimal("0.01"), ROUND_HALF_UP)
    same = QuoteEngine(run.calibration.tables).quote(request)
    assert same.unit_price == result.unit_price


def test_cli_calibrate_then_ratio_study(database_url, city, tmp_path):
    sales = city.sales.drop(columns=["true_value"]).assign(arms_length=city.sales["arms_length"].map({True: "是",
                                                                                                     False: "否"}))
    csv = tmp_path / "sales.csv"
    sales.to_csv(csv, index=False)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "fields:\n  building: building_id\n  community: community_code\n  zone: zone_code\n  floor: floor\n"
        "  total_floors: total_floors\n  elevator: elevator\n  orientation: orientation\n  area: area\n"
        "  price: price\n  date: date\n  remarks: remarks\n"
        "  arms_length: {column: arms_length, true_values: [是], false_values: [否]}\n", encoding="utf-8")
    env = {**os.environ, "XUNPAI_DATABASE_URL": database_url}
    cli = [sys.executable, "-c", "from xunpai.cli import main; main()"]
    done = subprocess.run([*cli, "calibrate", "--sales", str(csv), "--mapping", str(mapping), "--as-of",
                           "2026-01-31", "--version", "v-cli", "--no-holdouts", "--json"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    stats = json.loads(done.stdout)
    assert stats["status"] == "draft" and stats["screening"]["kept"] < len(sales)
    report = tmp_path / "r.html"
    done = subprocess.run([*cli, "ratio-study", "--sales", str(csv), "--mapping", str(mapping), "--version", "v-cli",
                           "--report", str(report), "--json", "--bootstrap", "50"],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in ("n", "median_ratio", "cod", "prd", "prb", "ppe10", "mdape"):
        assert key in out
    assert 0.97 < out["median_ratio"] < 1.03
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    building = city.sales["building_id"].value_counts().index[0]
    done = subprocess.run([*cli, "comparables", "--sales", str(csv), "--mapping", str(mapping), "--version", "v-cli",
                           "--building-id", building, "--floor", "3", "--area", "90", "--orientation", "南",
                           "--valuation-date", "2026-01-31", "--json"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    comps = json.loads(done.stdout)
    assert len(comps["samples"]) == 5 and comps["indicated_unit_price"] > 0
    assert all(sample["building_id"] == building for sample in comps["samples"])
    bad = subprocess.run([*cli, "ratio-study", "--sales", str(csv), "--mapping", str(tmp_path / "none.yaml")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "找不到文件" in bad.stderr


def test_cli_calibrate_with_a_register_and_ratio_study_coverage(database_url, city, tmp_path):
    sales = city.sales.drop(columns=["true_value", "total_floors"])
    lonely = city.tables["buildings"]["building_id"].iat[0]
    csv = tmp_path / "sales.csv"
    sales[sales["building_id"] != lonely].to_csv(csv, index=False)
    register = tmp_path / "register.csv"
    b = city.tables["buildings"].merge(city.tables["communities"], on="community_code")
    b.assign(total_floors=b["total_floors"].map(lambda t: f"共{t}层")).to_csv(register, index=False)
    mapping = tmp_path / "m.yaml"
    mapping.write_text("fields:\n  building: building_id\n  community: community_code\n  zone: zone_code\n"
                       "  floor: floor\n  elevator: elevator\n  orientation: orientation\n  area: area\n"
                       "  price: price\n  date: date\n  remarks: remarks\n", encoding="utf-8")
    register_mapping = tmp_path / "r.yaml"
    register_mapping.write_text("fields:\n  building: building_id\n  community: community_code\n  zone: zone_code\n"
                                "  total_floors: total_floors\n  elevator: elevator\n  structure: structure\n"
                                "  year_built: year_built\n", encoding="utf-8")
    env = {**os.environ, "XUNPAI_DATABASE_URL": database_url}
    cli = [sys.executable, "-c", "from xunpai.cli import main; main()"]
    done = subprocess.run([*cli, "calibrate", "--sales", str(csv), "--mapping", str(mapping), "--register",
                           str(register), "--register-mapping", str(register_mapping), "--as-of", "2026-01-31",
                           "--version", "v-reg", "--no-holdouts"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "无成交、由小区 1 幢" in done.stdout and "覆盖率 100.0%" in done.stdout
    all_sales = tmp_path / "all.csv"
    sales.to_csv(all_sales, index=False)
    done = subprocess.run([*cli, "ratio-study", "--sales", str(all_sales), "--mapping", str(mapping), "--version",
                           "v-reg", "--json", "--bootstrap", "0"], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["accounting"]["refused"] == 0 and out["coverage"] == 1.0  # the register's building is priced
    # without the register the building is unknown to the tables: refused, counted, and the verdict fails
    done = subprocess.run([*cli, "calibrate", "--sales", str(csv), "--mapping", str(mapping), "--as-of",
                           "2026-01-31", "--version", "v-noreg", "--no-holdouts"], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    only_lonely = tmp_path / "lonely.csv"
    sales[sales["building_id"].isin([lonely, *sales["building_id"].unique()[1:3]])].to_csv(only_lonely, index=False)
    report = tmp_path / "r.html"
    done = subprocess.run([*cli, "ratio-study", "--sales", str(only_lonely), "--mapping", str(mapping), "--version",
                           "v-noreg", "--bootstrap", "0", "--report", str(report)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "无法估价：楼幢编号不在当前启用的基准表中" in done.stdout and "IAAO 未通过" in done.stdout
    page = report.read_text(encoding="utf-8")
    assert "无法估价的成交：按原因" in page and lonely in page
