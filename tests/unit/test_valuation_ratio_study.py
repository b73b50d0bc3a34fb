"""Ratio-study statistics: the IAAO worked examples, and the acceptance rules at their boundaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from valuation import iaao_standard as std
from valuation import ratio_study as rs

TABLES = ("iaao_table_1_1.csv", "iaao_table_1_4.csv", "iaao_table_d_1.csv", "iaao_table_d_2.csv")


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("table", TABLES)
def test_iaao_worked_examples_reproduce_published_statistics(shared_dir, table):
    expected = pd.read_csv(shared_dir / "data" / "iaao" / "expected.csv", dtype=str).set_index("table").loc[table]
    data = pd.read_csv(shared_dir / "data" / "iaao" / table)
    e, s = data["estimate"], data["sale_price"]
    study = rs.ratio_study(e, s, bootstrap=0)
    assert study.n == int(expected["n"])
    for name, value in (("median_ratio", rs.median_ratio(e, s)), ("cod", rs.cod(e, s)), ("prd", rs.prd(e, s)),
                        ("prb", rs.prb(e, s)[0])):
        digits = _decimals(expected[name])
        assert round(value, digits) == pytest.approx(float(expected[name]), abs=10 ** -(digits + 3)), name
        assert round(getattr(study, name), digits) == pytest.approx(float(expected[name]), abs=10 ** -(digits + 3))


def test_ppe_counts_the_boundary_as_within():
    s = np.array([100.0, 100.0, 100.0, 100.0])
    e = np.array([110.0, 110.01, 90.0, 105.0])
    assert rs.ppe(e, s, 0.10) == 75.0
    assert rs.ppe(e, s, 0.05) == 25.0


def test_mdape_is_the_median_absolute_percentage_error():
    assert rs.mdape([90, 100, 130], [100, 100, 100]) == pytest.approx(10.0)


def test_inputs_are_checked_up_front():
    with pytest.raises(rs.RatioStudyError):
        rs.cod([], [])
    with pytest.raises(rs.RatioStudyError):
        rs.cod([1, 2], [1])
    with pytest.raises(rs.RatioStudyError):
        rs.cod([1, 2], [1, 0])


def _judge(**kw):
    args = {"median": 1.0, "cod_value": 8.0, "prd_value": 1.0, "prb_value": 0.0, "prb_interval": (-0.01, 0.01),
            "n": 30}
    args.update(kw)
    return rs.judge(args.pop("median"), args.pop("cod_value"), args.pop("prd_value"), args.pop("prb_value"),
                    args.pop("prb_interval"), args.pop("n"))


def test_stratum_of_29_sales_is_not_judged_but_30_is():
    assert _judge(n=std.MIN_STRATUM_SALES - 1).passed is None
    assert _judge(n=std.MIN_STRATUM_SALES).passed is True


def test_level_limits_are_inclusive():
    assert _judge(median=0.90).checks["median_ratio"] == "合格"
    assert _judge(median=0.8999).checks["median_ratio"] == "不合格"
    assert _judge(median=1.10).checks["median_ratio"] == "合格"
    assert _judge(median=1.1001).passed is False


def test_prd_limits():
    assert _judge(prd_value=0.98).passed is True
    assert _judge(prd_value=0.9799).passed is False
    assert _judge(prd_value=1.03).passed is True
    assert _judge(prd_value=1.0301).passed is False


def test_cod_limit_for_homogeneous_residential():
    assert _judge(cod_value=10.0).checks["cod"] == "合格"
    assert _judge(cod_value=10.01).checks["cod"] == "不合格"


def test_prb_fails_only_when_its_interval_lies_outside_a_tenth():
    assert _judge(prb_value=0.05).checks["prb"] == "合格"
    assert _judge(prb_value=0.08, prb_interval=(0.02, 0.14)).checks["prb"] == "警告"
    assert _judge(prb_value=0.15, prb_interval=(0.11, 0.19)).checks["prb"] == "不合格"


def test_low_cod_warns_of_sales_chasing():
    assert any("sales chasing" in w for w in _judge(cod_value=4.9).warnings)
    assert not any("sales chasing" in w for w in _judge(cod_value=5.0).warnings)
    assert rs.sales_chasing_warning(3.0, 5.0) is not None
    assert rs.sales_chasing_warning(4.0, 5.0) is None


def test_bootstrap_interval_contains_the_estimate():
    rng = np.random.default_rng(1)
    s = rng.uniform(1e5, 1e6, 400)
    e = s * rng.lognormal(0, 0.08, 400)
    study = rs.ratio_study(e, s, bootstrap=200, seed=3)
    lo, hi = study.ci["cod"]
    assert lo <= study.cod <= hi
    assert study.ci["median_ratio"][0] <= study.median_ratio <= study.ci["median_ratio"][1]


def test_strata_under_thirty_are_marked_not_judged():
    rng = np.random.default_rng(2)
    frame = pd.DataFrame({"zone": ["A"] * 40 + ["B"] * 10, "sale_price": rng.uniform(1e5, 2e5, 50)})
    frame["estimate"] = frame["sale_price"] * rng.lognormal(0, 0.05, 50)
    table = rs.stratified(frame, "zone").set_index("zone")
    assert table.loc["A", "judged"] and table.loc["A", "verdict"] == "合格"
    assert not table.loc["B", "judged"] and table.loc["B", "verdict"] == "样本不足"


def test_outlier_fences_are_three_iqr_from_the_quartiles():
    lo, hi = rs.outlier_bounds([1, 2, 3, 4, 5])
    assert (lo, hi) == (2 - 3 * 2, 4 + 3 * 2)
