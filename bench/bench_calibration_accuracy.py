"""Calibration accuracy on the Singapore HDB resale data (../shared/data/hdb_resale/), beside LightGBM.

Two splits, each judged by the IAAO ratio study of the calibrated tables priced through the quote engine:
(a) seeded random 80/20 splits (three seeds by default); (b) out of time: calibrate on 2015-01..2016-06 (as of 2016-06-30), test
on 2016-07..2016-12, the index rolled forward by its own last-6-month trend (``roll_forward``).
Peer in the same run: LightGBM on the same features (zone, community and building as categories, floor
band, total floors, area, age, month), predicting log price per m²; out of time it sees the month number
(trees carry the last month forward). Test sales are those passing the rule screening (no model-based
trimming). Targets: random COD ≤ 4.8, OOT COD ≤ 5.0, median ratio 0.98-1.02, PRD 0.98-1.03, |PRB| ≤ 0.05,
and the table model's COD below LightGBM's on both splits.

Run: python bench/bench_calibration_accuracy.py [--shared DIR] [--seeds 42,7,2026]
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

from valuation import ratio_study as rs  # noqa: E402
from valuation.calibration import calibrate, roll_forward, value_sales  # noqa: E402
from valuation.mapping import bundled_mapping, load_mapping  # noqa: E402
from valuation.registry import buildings_from_sales  # noqa: E402
from valuation.screening import screen  # noqa: E402
from valuation.transactions import import_transactions  # noqa: E402

TARGETS = {"random": 4.8, "out_of_time": 5.0}


def features(sales: pd.DataFrame, register: pd.DataFrame) -> pd.DataFrame:
    reg = register.set_index("building_id")
    b = reg.loc[sales["building_id"]]
    year = pd.to_datetime(sales["date"]).dt.year.to_numpy()
    month_no = pd.PeriodIndex(sales["month"], freq="M").asi8
    out = pd.DataFrame({
        "zone": sales["zone_code"].astype("category"), "community": sales["community_code"].astype("category"),
        "building": sales["building_id"].astype("category"),
        "floor_low": sales["floor_low"].astype(int).to_numpy(), "floor_high": sales["floor_high"].astype(int).to_numpy(),
        "total_floors": b["total_floors"].astype(int).to_numpy(), "area": sales["area"].astype(float).to_numpy(),
        "age": year - b["year_built"].astype(int).to_numpy(), "month": month_no - month_no.min() * 0,
    })
    return out


def lightgbm_values(train: pd.DataFrame, test: pd.DataFrame, register: pd.DataFrame, seed: int,
                    building_fields: tuple[str, ...] = ()) -> np.ndarray:
    """The peer's values; ``building_fields`` (e.g. house_type) are register columns it also sees as categories,
    when the table model may use them too."""
    import lightgbm as lgb

    both = pd.concat([train, test], ignore_index=True)
    X = features(both, register)
    reg = register.set_index("building_id")
    for c in building_fields:
        X[c] = reg.loc[both["building_id"], c].astype(str).to_numpy()
    categories = ["zone", "community", "building", *building_fields]
    for c in categories:
        X[c] = pd.Categorical(X[c].astype(str))
    Xtr, Xte = X.iloc[: len(train)], X.iloc[len(train):]
    y = np.log(train["price"].to_numpy(dtype=float) / train["area"].to_numpy(dtype=float))
    rng = np.random.default_rng(seed)
    val = rng.random(len(train)) < 0.1
    params = {"objective": "regression_l1", "learning_rate": 0.05, "num_leaves": 127, "min_data_in_leaf": 10,
              "feature_fraction": 0.9, "cat_smooth": 10, "max_cat_to_onehot": 4, "verbose": -1, "seed": seed,
              "num_threads": 2, "deterministic": True, "force_row_wise": True}
    dtrain = lgb.Dataset(Xtr[~val], y[~val], categorical_feature=categories)
    dval = lgb.Dataset(Xtr[val], y[val], reference=dtrain)
    model = lgb.train(params, dtrain, num_boost_round=5000, valid_sets=[dval],
                      callbacks=[lgb.early_stopping(100, verbose=False)])
    return np.exp(model.predict(Xte, num_iteration=model.best_iteration)) * test["area"].to_numpy(dtype=float)


def report(label: str, estimate: np.ndarray, price: np.ndarray, seconds: float) -> rs.RatioStudy:
    ok = np.isfinite(estimate)
    study = rs.ratio_study(estimate[ok], price[ok], bootstrap=300, seed=0)
    ci = study.ci
    print(f"  {label:<14} n {study.n:>5}  median {study.median_ratio:.4f} [{ci['median_ratio'][0]:.4f}, "
          f"{ci['median_ratio'][1]:.4f}]  COD {study.cod:5.2f} [{ci['cod'][0]:.2f}, {ci['cod'][1]:.2f}]  "
          f"PRD {study.prd:.4f}  PRB {study.prb:+.4f}  PPE5 {study.ppe5:5.1f}%  PPE10 {study.ppe10:5.1f}%  "
          f"PPE20 {study.ppe20:5.1f}%  MdAPE {study.mdape:.2f}%  unpriced {int((~ok).sum())}  time {seconds:.1f}s")
    return study


def check(name: str, table: rs.RatioStudy, peer: rs.RatioStudy, cod_target: float) -> list[str]:
    results = {
        f"COD ≤ {cod_target}": table.cod <= cod_target,
        "median ratio 0.98-1.02": 0.98 <= table.median_ratio <= 1.02,
        "PRD 0.98-1.03": 0.98 <= table.prd <= 1.03,
        "|PRB| ≤ 0.05": abs(table.prb) <= 0.05,
        "COD below LightGBM's": table.cod < peer.cod,
    }
    for text, ok in results.items():
        print(f"    [{'PASS' if ok else 'FAIL'}] {name}: {text}")
    return [f"{name}: {t}" for t, ok in results.items() if not ok]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.environ.get("XUNPAI_SHARED_DIR",
                                                           str(Path(__file__).resolve().parents[2] / "shared")))
    parser.add_argument("--seeds", default="42,7,2026", help="random-split seeds, one run each")
    args = parser.parse_args()
    path = Path(args.shared) / "data" / "hdb_resale" / "resale_2015_2016.csv"
    t = time.perf_counter()
    imported = import_transactions(path, load_mapping(bundled_mapping("hdb_resale")))
    sales = imported.sales
    print(f"HDB resale: {imported.rows_read} rows read, {len(imported.errors)} refused, import {time.perf_counter() - t:.1f}s")
    register, _ = buildings_from_sales(sales)  # the building register: every block of the file
    rule_screen = screen(sales, outliers=False)
    testable = ~rule_screen.sales["excluded"].to_numpy()
    failures: list[str] = []

    seeds = [int(v) for v in args.seeds.split(",")]
    for seed in seeds:
        print("\n(a) random 80/20 split, seed", seed)
        rng = np.random.default_rng(seed)
        is_test = rng.random(len(sales)) < 0.2
        train, test = sales[~is_test].reset_index(drop=True), sales[is_test & testable].reset_index(drop=True)
        t = time.perf_counter()
        kept = screen(train, register=register).kept
        cal = calibrate(kept, date(2016, 12, 31), register=register)
        est = value_sales(cal.tables, test)["estimate"].to_numpy()
        table_time = time.perf_counter() - t
        print(f"  train {len(train)} (kept after screening {len(kept)}), test {len(test)}")
        table = report("table model", est, test["price"].to_numpy(dtype=float), table_time)
        t = time.perf_counter()
        peer_est = lightgbm_values(kept, test, register, seed)
        peer = report("LightGBM", peer_est, test["price"].to_numpy(dtype=float), time.perf_counter() - t)
        in_sample = rs.ratio_study(*_in_sample(cal.tables, kept), bootstrap=0)
        print(f"  table model in sample: COD {in_sample.cod:.2f}; "
              + (rs.sales_chasing_warning(in_sample.cod, table.cod) or "no sales-chasing warning"))
        failures += check(f"random seed {seed}", table, peer, TARGETS["random"])

    print("\n(b) out of time: calibrate 2015-01..2016-06, test 2016-07..2016-12 rolled forward by the index")
    months = sales["month"]
    train = sales[months <= "2016-06"].reset_index(drop=True)
    test = sales[(months >= "2016-07") & testable].reset_index(drop=True)
    t = time.perf_counter()
    kept = screen(train, as_of=date(2016, 6, 30), register=register).kept
    cal = calibrate(kept, date(2016, 6, 30), register=register)
    rolled = roll_forward(cal.tables, "2016-12")
    est = value_sales(rolled, test)["estimate"].to_numpy()
    table_time = time.perf_counter() - t
    flat = value_sales(roll_forward(cal.tables, "2016-12", method="flat"), test)["estimate"].to_numpy()
    print(f"  train {len(train)} (kept after screening {len(kept)}), test {len(test)}")
    table = report("table model", est, test["price"].to_numpy(dtype=float), table_time)
    report("table, flat idx", flat, test["price"].to_numpy(dtype=float), 0.0)
    t = time.perf_counter()
    peer_est = lightgbm_values(kept, test, register, seeds[0])
    peer = report("LightGBM", peer_est, test["price"].to_numpy(dtype=float), time.perf_counter() - t)
    failures += check("out of time", table, peer, TARGETS["out_of_time"])
    print("\nall targets met" if not failures else "\nmissed: " + "; ".join(failures))


def _in_sample(tables, kept):
    est = value_sales(tables, kept)["estimate"].to_numpy()
    ok = np.isfinite(est)
    return est[ok], kept["price"].to_numpy(dtype=float)[ok]


if __name__ == "__main__":
    main()
