"""Recovery of known coefficients from the demo city's sales (tax_baseline.demo_city, seeded).

The city's sales are priced by its true tables, moved by the true index and noise (4%), with 2%
non-arm's-length sales mixed in. The calibration (screening + fit, the true version as the prior for the
register and the band edges) must give back:
- orientation coefficients within ±0.01 of the truth;
- floor coefficients within ±0.01 of the truth;
- building values with a median absolute error ≤ 2% for buildings with 5 or more sales.

Only ratios are identified from sales: a constant can move between a factor and the base prices, and the
floor level of a (elevator class, total floors) group is a building-level constant. So orientation is
compared after aligning the sales-weighted mean log coefficient, floors after aligning each group's mean,
and a building's value as the table value of one reference unit (middle floor, 南, 90 ㎡, as-of date)
under the estimated and the true tables.
Baseline in the same run: statsmodels OLS with dummy columns (building, floor cell, orientation, area
band, month) on the same screened sales, without shrinkage or screening by a model.

Run: python bench/bench_calibration_recovery.py [--seed N] [--sales-per-building 40,100]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from tax_baseline.demo_city import generate_city  # noqa: E402
from tax_baseline.quote import QuoteEngine  # noqa: E402
from tax_baseline.tables import elevator_class  # noqa: E402
from valuation.pipeline import run_calibration  # noqa: E402
from valuation.transactions import normalize_sales  # noqa: E402

AS_OF = date(2026, 1, 31)


def aligned_orientation(est: pd.Series, truth: pd.Series, weights: pd.Series) -> pd.Series:
    est = est.reindex(truth.index) / 100
    t = truth / 100
    shift = np.average(np.log(est / t), weights=weights.reindex(truth.index).fillna(0) + 1e-9)
    return est * np.exp(-shift) - t


def aligned_floors(est: pd.Series, truth: pd.Series, counts: pd.Series) -> pd.DataFrame:
    j = pd.concat([truth.rename("t") / 100, est.rename("e") / 100], axis=1, join="inner")
    j["n"] = counts.reindex(j.index).fillna(0).to_numpy()
    out = []
    for _, g in j.groupby(level=[0, 1]):
        shift = np.average(np.log(g["e"] / g["t"]), weights=g["n"] + 1e-9)
        out.append(g.assign(dev=g["e"] * np.exp(-shift) - g["t"]))
    return pd.concat(out)


def floor_summary(label: str, dev: pd.DataFrame) -> None:
    weighted = np.average(np.abs(dev["dev"]) <= 0.01, weights=dev["n"])
    busy = dev[dev["n"] >= 30]
    print(f"  {label:<12} floor cells {len(dev)}: within ±0.01 {100 * (dev['dev'].abs() <= 0.01).mean():.1f}% "
          f"of cells, {100 * weighted:.1f}% of sales; cells with ≥30 sales: {len(busy)}, within ±0.01 "
          f"{100 * (busy['dev'].abs() <= 0.01).mean():.1f}%, max |error| {busy['dev'].abs().max():.4f}; "
          f"max |error| over all cells {dev['dev'].abs().max():.4f}")


def ols_baseline(sales: pd.DataFrame, city) -> dict:
    import statsmodels.api as sm

    reg = city.tables["buildings"].set_index("building_id")
    b = reg.loc[sales["building_id"]]
    klass = [elevator_class(int(t), e == "有") for t, e in zip(b["total_floors"], b["elevator"], strict=True)]
    cell = pd.Series([f"{k}|{t}|{f}" for k, t, f in zip(klass, b["total_floors"], sales["floor"], strict=True)])
    bands = pd.cut(sales["area"], [0, 60, 90, 144, 200, 100000]).astype(str)
    design = pd.concat([pd.get_dummies(sales["building_id"], prefix="b", dtype=float),
                        pd.get_dummies(cell, prefix="f", drop_first=True, dtype=float).set_index(sales.index),
                        pd.get_dummies(sales["orientation"], prefix="o", drop_first=True, dtype=float),
                        pd.get_dummies(bands, prefix="a", drop_first=True, dtype=float),
                        pd.get_dummies(sales["month"], prefix="m", drop_first=True, dtype=float)], axis=1)
    y = np.log(sales["price"] / sales["area"]).to_numpy()
    t = time.perf_counter()
    fit = sm.OLS(y, design.to_numpy()).fit()
    seconds = time.perf_counter() - t
    params = pd.Series(fit.params, index=design.columns)
    orient = pd.Series({lvl: 100 * np.exp(params.get(f"o_{lvl}", 0.0)) for lvl in sales["orientation"].unique()})
    floors = {}
    for name in set(cell):
        k, total, floor = name.split("|")
        floors[(k, int(total), int(floor))] = 100 * np.exp(params.get(f"f_{name}", 0.0))
    return {"orientation": orient, "floors": pd.Series(floors), "params": params, "seconds": seconds,
            "columns": design.shape[1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=20261127)
    parser.add_argument("--sales-per-building", default="40,100", help="one run per value, e.g. 40,100")
    args = parser.parse_args()
    for per_building in (float(v) for v in args.sales_per_building.split(",")):
        recover(args.seed, per_building)
        print()


def recover(seed: int, per_building: float) -> None:
    city = generate_city(seed=seed, n_zones=6, communities_per_zone=8, buildings_per_community=10,
                         sales_per_building=per_building)
    sales = normalize_sales(city.sales)
    print(f"demo city: {len(city.tables['buildings'])} buildings, {len(sales)} sales "
          f"({per_building:g} per building on average), seed {seed}")
    t = time.perf_counter()
    run = run_calibration(sales, AS_OF, prior=city.tables, holdouts=False, bootstrap=0)
    seconds = time.perf_counter() - t
    kept = run.screening.kept
    est = run.calibration.tables
    print(f"calibration: {seconds:.1f}s, kept {len(kept)} of {len(sales)} sales "
          f"({run.screening.summary()['excluded']})")
    truth_or = city.tables["other_factors"].query("factor == '朝向'").set_index("level")["percent"]
    weights = kept["orientation"].value_counts()
    reg = city.tables["buildings"].set_index("building_id")
    kb = reg.loc[kept["building_id"]]
    klass = [elevator_class(int(t), e == "有") for t, e in zip(kb["total_floors"], kb["elevator"], strict=True)]
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays([klass, kb["total_floors"].to_numpy(),
                                                           kept["floor"].astype(int).to_numpy()])).groupby(
        level=[0, 1, 2]).sum()
    truth_fl = city.tables["floor_coefficients"].query("floor > 0").set_index(
        ["elevator_class", "total_floors", "floor"])["percent"]

    ours_or = aligned_orientation(est["other_factors"].set_index("level")["percent"], truth_or, weights)
    ours_fl = aligned_floors(est["floor_coefficients"].set_index(["elevator_class", "total_floors", "floor"])["percent"],
                             truth_fl, counts)
    base = ols_baseline(kept, city)
    print(f"baseline: statsmodels OLS with {base['columns']} dummy columns, {base['seconds']:.1f}s")
    base_or = aligned_orientation(base["orientation"], truth_or, weights)
    base_fl = aligned_floors(base["floors"], truth_fl, counts)

    print("\norientation (aligned), error by level:")
    print("  " + "  ".join(f"{lvl} {ours_or[lvl]:+.4f}/{base_or[lvl]:+.4f}" for lvl in truth_or.index)
          + "   (table model / OLS)")
    print(f"  table model max |error| {ours_or.abs().max():.4f}; OLS max |error| {base_or.abs().max():.4f}")
    print("\nfloor coefficients (aligned per elevator class and total floors):")
    floor_summary("table model", ours_fl)
    floor_summary("OLS", base_fl)
    worst = ours_fl.assign(a=ours_fl["dev"].abs()).sort_values("a", ascending=False).head(5)
    print("  table model, worst cells (class, total floors, floor: sales, error): "
          + "; ".join(f"{k} {t}F/{f}: {int(r.n)}, {r.dev:+.4f}" for (k, t, f), r in worst.iterrows()))
    misses = ours_fl[ours_fl["dev"].abs() > 0.01]
    if len(misses):
        print(f"  table model, cells beyond ±0.01: {len(misses)}, their sales {int(misses['n'].min())}-"
              f"{int(misses['n'].max())}")
    ratios = {k: v for k, v in run.calibration.fit.ratios.items() if k.startswith("floor")}
    print("  floor variance ratios λ = σ²/τ² (empirical Bayes): "
          + ", ".join(f"{k} {v:.3g}" for k, v in ratios.items()))
    walk = ours_fl.loc[("8层以内无电梯", 6)]
    print("  6-storey walk-up, table model (aligned, truth in brackets): "
          + " ".join(f"{f}F {(r.t + r.dev) * 100:.2f}({r.t * 100:.0f})" for f, r in walk.iterrows()))

    b = city.tables["buildings"]
    units = pd.DataFrame({"building_id": b["building_id"], "floor": (b["total_floors"] + 1) // 2, "area": 90.0,
                          "orientation": "南", "contract_date": AS_OF, "valuation_date": AS_OF})
    truth_units = units.assign(contract_date=city.tables["base_prices"]["effective_date"].min())
    truth_v = QuoteEngine(city.tables).quote_frame(truth_units)["unit_price_fen"].to_numpy() / 100
    ours_v = QuoteEngine(est).quote_frame(units)["unit_price_fen"].to_numpy() / 100
    n = kept.groupby("building_id").size().reindex(b["building_id"]).fillna(0).to_numpy()
    ours_err = np.abs(ours_v / truth_v - 1)
    p = base["params"]
    last = kept["month"].max()
    ols_v = []
    for bid, total, elev, floor in zip(b["building_id"], b["total_floors"], b["elevator"], units["floor"], strict=True):
        k = elevator_class(int(total), elev == "有")
        log_v = (p.get(f"b_{bid}", np.nan) + p.get(f"f_{k}|{total}|{floor}", 0.0) + p.get("o_南", 0.0)
                 + p.get("a_(60, 90]", 0.0) * 0 + p.get("a_(90, 144]", 0.0) * 0 + p.get(f"m_{last}", 0.0))
        ols_v.append(np.exp(log_v) if np.isfinite(log_v) else np.nan)
    # OLS's area reference band is its first ((0, 60]); move 90 ㎡ into its own band
    ols_v = np.array(ols_v) * np.exp(p.get("a_(60, 90]", 0.0))
    ols_err = np.abs(ols_v / truth_v - 1)
    for label, err in (("table model", ours_err), ("OLS", ols_err)):
        for threshold in (5,):
            sel = (n >= threshold) & np.isfinite(err)
            print(f"  building values, {label:<11} buildings with ≥{threshold} sales: {sel.sum():>4}, "
                  f"MdAE {100 * np.median(err[sel]):.2f}%, P90 {100 * np.quantile(err[sel], 0.9):.2f}%")
    ok_or = ours_or.abs().max() <= 0.01
    ok_fl = ours_fl["dev"].abs().max() <= 0.01
    ok_b = np.median(ours_err[n >= 5]) <= 0.02
    print(f"\n[{'PASS' if ok_or else 'FAIL'}] orientation within ±0.01; [{'PASS' if ok_fl else 'FAIL'}] every floor "
          f"coefficient within ±0.01; [{'PASS' if ok_b else 'FAIL'}] building values MdAE ≤ 2% (≥5 sales)")


if __name__ == "__main__":
    main()
