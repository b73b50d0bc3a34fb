"""Issue 15: a zone without a single sale takes the level of its city's thinnest market, not of its average one
(valuation.calibration.thin_market_level): on a mixed market the outlying zones sell little and cheaply."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from tax_baseline.quote import QuoteEngine, QuoteRequest
from valuation.calibration import THIN_MARKET_MIN_ZONES, calibrate, thin_market_level
from valuation.registry import register_from_tables
from valuation.transactions import normalize_sales

AS_OF = date(2026, 1, 31)


def test_the_level_is_read_off_the_count_line_at_one_sale():
    counts = pd.Series([1, 2, 4, 8, 16, 32], index=list("abcdef"), dtype=float)
    levels = pd.Series(0.1 + 0.05 * np.log(counts.to_numpy()) + np.array([-0.01, 0.01, 0, -0.01, 0.01, 0]),
                       index=counts.index)
    slope, intercept = np.polyfit(np.log(counts), levels, 1)
    assert thin_market_level(levels, counts) == pytest.approx(intercept)
    assert thin_market_level(levels, counts) < np.average(levels, weights=counts)  # below the average market


def test_the_level_stays_within_the_levels_seen():
    counts = pd.Series([10, 20, 40, 80, 160], dtype=float)
    levels = pd.Series([0.0, 0.5, 1.0, 1.5, 2.0])  # a steep line would read far below the cheapest zone at 1 sale
    assert thin_market_level(levels, counts) == pytest.approx(0.0)


def test_with_few_zones_or_equal_counts_it_is_the_sales_weighted_mean():
    counts = pd.Series([1.0, 3.0] + [5.0] * (THIN_MARKET_MIN_ZONES - 3))
    levels = pd.Series(np.arange(len(counts), dtype=float))
    assert thin_market_level(levels, counts) == pytest.approx(np.average(levels, weights=counts))
    same = pd.Series([7.0] * THIN_MARKET_MIN_ZONES)
    levels = pd.Series(np.arange(THIN_MARKET_MIN_ZONES, dtype=float))
    assert thin_market_level(levels, same) == pytest.approx(levels.mean())


def test_a_register_building_in_a_zone_without_sales_is_priced_as_a_thin_market():
    city = generate_city(seed=3, n_zones=6, communities_per_zone=2, buildings_per_community=4,
                         sales_per_building=12)
    sales = normalize_sales(city.sales.drop(columns=["true_value"]))
    sales = sales[sales["arms_length"]].reset_index(drop=True)
    true_level = np.log(city.sales["true_value"] / city.sales["area"]).groupby(city.sales["zone_code"]).mean()
    order = true_level.sort_values().index.tolist()  # cheapest first
    rng = np.random.default_rng(0)
    share = {z: (rank + 1) / len(order) for rank, z in enumerate(order)}  # cheap zones sell little
    keep = rng.random(len(sales)) < sales["zone_code"].map(share).to_numpy()
    unsold = order[0]
    train = sales[keep & (sales["zone_code"] != unsold)].reset_index(drop=True)
    register = register_from_tables(city.tables)

    cal = calibrate(train, AS_OF, register=register)
    b = cal.buildings.set_index("building_id")
    assert set(b.loc[b["zone_code"] == unsold, "source"]) == {"全市"}  # flagged: valued without its zone's sales
    price = b["as_of_price"]
    unsold_price = price[b["zone_code"] == unsold].median()
    sold_zones = b[b["zone_code"] != unsold].groupby("zone_code")["as_of_price"].median()
    # the cheapest zone, unsold, is valued with the cheap thin markets, not at the sales-weighted average
    assert unsold_price < sold_zones.median()
    truth = np.exp(true_level)
    # and nearer its true level than the sold zones' middle is
    assert abs(np.log(unsold_price / truth[unsold])) < abs(np.log(sold_zones.median() / truth[unsold]))

    # every quote that uses such a building says so, and what to do about it
    lonely = b.index[b["zone_code"] == unsold][0]
    result = QuoteEngine(cal.tables).quote(QuoteRequest(building_id=lonely, floor="2", area="90", contract_date=AS_OF))
    assert result.unit_price > 0
    (warning,) = [w for w in result.warnings if lonely in w]
    assert "所在估价分区没有成交样本" in warning and "本市成交最少的分区" in warning and "委托评估" in warning
