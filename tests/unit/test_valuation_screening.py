"""Sales screening: each excluded sale carries its reason."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from valuation.screening import LIMITS, screen
from valuation.transactions import normalize_sales


def _sales(n=200, seed=0):
    rng = np.random.default_rng(seed)
    b = rng.integers(0, 20, n)
    area = np.round(rng.uniform(60, 140, n), 2)
    floor = rng.integers(1, 7, n)
    level = 10000 * np.exp(rng.normal(0, 0.1, 20))[b]
    price = np.round(level * area * rng.lognormal(0, 0.03, n), -2)
    return pd.DataFrame({"sale_id": [f"S{i}" for i in range(n)], "building_id": [f"B{k:02d}" for k in b],
                         "community_code": [f"C{k // 5}" for k in b], "zone_code": "Z1", "floor": floor,
                         "total_floors": 6, "elevator": "无", "area": area, "price": price,
                         "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700, n), "D"),
                         "remarks": "", "arms_length": True, "year_built": 2000, "structure": "钢混",
                         "house_type": "普通住宅"})


def _reason(result, sale_id):
    row = result.sales.set_index("sale_id").loc[sale_id]
    return row["reason_code"], row["reason"]


def test_each_rule_marks_its_sale_with_a_reason():
    s = _sales()
    s.loc[0, "price"] = 0
    s.loc[1, "area"] = 3.0
    s.loc[2, "price"] = s.loc[2, "price"] * 10
    s.loc[3, "date"] = pd.Timestamp("2026-06-01")
    s.loc[4, "remarks"] = "亲友间转让"
    s.loc[5, "arms_length"] = False
    dup = s.loc[[6]].assign(sale_id="DUP")
    flip = s.loc[[7]].assign(sale_id="FLIP", date=s.loc[7, "date"] + pd.Timedelta(days=LIMITS["back_to_back_days"]),
                             area=s.loc[7, "area"], price=s.loc[7, "price"] * 1.3)
    s = normalize_sales(pd.concat([s, dup, flip], ignore_index=True))
    result = screen(s, as_of=date(2025, 12, 31), outliers=False)
    assert _reason(result, "S0")[0] == "price_not_positive"
    assert _reason(result, "S1")[0] == "area_implausible"
    assert _reason(result, "S2")[0] == "unit_price_implausible"
    assert _reason(result, "S3")[0] == "after_as_of"
    code, text = _reason(result, "S4")
    assert code == "non_arms_length" and "亲友" in text
    assert _reason(result, "S5")[0] == "non_arms_length"
    code, text = _reason(result, "DUP")
    assert code == "duplicate" and "行相同" in text
    assert _reason(result, "FLIP")[0] == "back_to_back"
    assert _reason(result, "S7")[0] == "back_to_back"
    assert result.summary()["kept"] == len(s) - 9
    assert (result.kept["sale_id"].str.startswith("S")).all()


def test_resale_one_day_after_the_limit_is_not_a_flip():
    s = _sales()
    later = s.loc[[7]].assign(sale_id="LATER", date=s.loc[7, "date"] + pd.Timedelta(days=LIMITS["back_to_back_days"] + 1))
    result = screen(normalize_sales(pd.concat([s, later], ignore_index=True)), outliers=False)
    assert _reason(result, "LATER")[0] == ""


def test_floor_bands_are_never_matched_as_the_same_unit():
    s = normalize_sales(_sales())
    s["floor_low"], s["floor_high"] = 4, 6
    twin = s.loc[[7]].assign(sale_id="TWIN", date=s.loc[7, "date"] + pd.Timedelta(days=10))
    result = screen(pd.concat([s, twin], ignore_index=True), outliers=False)
    assert _reason(result, "TWIN")[0] == ""


def test_statistical_outlier_against_the_first_pass_model():
    s = _sales(400)
    s.loc[10, "price"] = s.loc[10, "price"] * 1.9  # within the 4x plausibility limit, far beyond 3 x IQR
    result = screen(normalize_sales(s), outliers=True)
    code, text = _reason(result, "S10")
    assert code == "outlier" and "比率" in text
    lo, hi = result.outlier_fences
    assert lo < 1 < hi
    assert result.summary()["excluded"].get("与首轮模型估价之比超出四分位数 ±3×IQR（IAAO 附录 B）", 0) <= 8
