"""Calibration at province scale: 1M synthetic sales over 100k buildings in ≤ 60 s, peak memory ≤ 4 GB.

The sales come from the demo city generator (tax_baseline.demo_city; 20 zones × 50 communities × 100
buildings, 10 sales per building on average). They are written to a Parquet file, and a fresh child
process loads them and calibrates (fit + tables), so the child's peak resident memory is the calibration's
own (data included). The rule screening and the first-pass outlier fit are timed separately.
Baseline in the same run: statsmodels OLS with dummy columns (the textbook way) on a subsample of 500
buildings, beside our calibration on the same subsample; its dense design is what makes it impossible
at full size (printed).

Run: python bench/bench_calibration_scale.py [--buildings 100000] [--sales-per-building 10]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

AS_OF = date(2026, 1, 31)
CHILD = r"""
import json, resource, sys, time
from datetime import date
import pandas as pd
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from valuation.calibration import calibrate  # noqa: E402
from valuation.screening import screen  # noqa: E402
sales = pd.read_parquet(sys.argv[1]); register = pd.read_parquet(sys.argv[2])
load_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
t = time.perf_counter()
cal = calibrate(sales, date(2026, 1, 31), register=register)
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
t = time.perf_counter()
sc = screen(sales, as_of=date(2026, 1, 31), register=register)
screen_seconds = time.perf_counter() - t
print(json.dumps({"seconds": seconds, "peak_gb": peak, "load_peak_gb": load_peak, "screen_seconds": screen_seconds,
                  "screen_peak_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6,
                  "n": cal.fit.n, "buildings": int(len(cal.tables["buildings"])),
                  "rows": cal.tables.row_counts(), "fit": cal.fit.summary(), "kept": int((~sc.sales["excluded"]).sum())}))
"""


def statsmodels_baseline(sales: pd.DataFrame) -> tuple[float, float, int]:
    import statsmodels.api as sm

    design = pd.concat([pd.get_dummies(sales["building_id"], dtype=float),
                        pd.get_dummies(sales["floor"].astype(str) + "|" + sales["total_floors"].astype(str),
                                       prefix="f", drop_first=True, dtype=float),
                        pd.get_dummies(sales["orientation"], prefix="o", drop_first=True, dtype=float),
                        pd.get_dummies(sales["month"], prefix="m", drop_first=True, dtype=float)], axis=1)
    y = np.log(sales["price"] / sales["area"]).to_numpy()
    t = time.perf_counter()
    sm.OLS(y, design.to_numpy()).fit()
    return time.perf_counter() - t, design.shape[0] * design.shape[1] * 8 / 1e9, design.shape[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--sales-per-building", type=float, default=10.0)
    args = parser.parse_args()
    from tax_baseline.demo_city import generate_city
    from valuation.calibration import calibrate
    from valuation.registry import register_from_tables
    from valuation.transactions import normalize_sales

    t = time.perf_counter()
    communities = max(args.buildings // (20 * 100), 1)
    city = generate_city(seed=11, n_zones=20, communities_per_zone=communities, buildings_per_community=100,
                         sales_per_building=args.sales_per_building, with_units=False)
    sales = normalize_sales(city.sales.drop(columns=["true_value"]))
    sales = sales[sales["arms_length"]].reset_index(drop=True)
    register = register_from_tables(city.tables)
    print(f"generated {len(register)} buildings, {len(sales)} arm's-length sales in {time.perf_counter() - t:.1f}s")
    with tempfile.TemporaryDirectory() as tmp:
        sales_path, register_path = Path(tmp) / "sales.parquet", Path(tmp) / "register.parquet"
        sales.drop(columns=["unit_id", "remarks", "arms_length"]).to_parquet(sales_path)
        register.to_parquet(register_path)
        done = subprocess.run([sys.executable, "-c", CHILD, str(sales_path), str(register_path)],
                              capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(done.stderr)
    r = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"calibrate: {r['n']} sales, {r['buildings']} buildings: {r['seconds']:.1f}s, peak RSS {r['peak_gb']:.2f} GB "
          f"(of which {r['load_peak_gb']:.2f} GB after loading the sales)")
    print(f"  LSMR iterations {r['fit']['lsmr_iterations']}, sigma {r['fit']['sigma']}, R² {r['fit']['r2']}")
    print(f"  tables: {r['rows']}")
    print(f"screening incl. first-pass outlier fit: {r['screen_seconds']:.1f}s, peak RSS {r['screen_peak_gb']:.2f} GB, "
          f"kept {r['kept']}")
    print(f"[{'PASS' if r['seconds'] <= 60 else 'FAIL'}] ≤ 60 s; [{'PASS' if r['peak_gb'] <= 4 else 'FAIL'}] ≤ 4 GB")

    sub_buildings = register["building_id"].iloc[:500]
    sub = sales[sales["building_id"].isin(sub_buildings)].reset_index(drop=True)
    seconds, gb, columns = statsmodels_baseline(sub)
    t = time.perf_counter()
    calibrate(sub, AS_OF, register=register[register["building_id"].isin(sub_buildings)])
    ours = time.perf_counter() - t
    full_gb = len(sales) * (len(register) + columns - len(sub_buildings)) * 8 / 1e9
    print(f"baseline on {len(sub)} sales / {len(sub_buildings)} buildings: statsmodels OLS with {columns} dummy columns "
          f"{seconds:.1f}s (dense design {gb:.2f} GB); our calibrate on the same {ours:.1f}s")
    print(f"  at full size the dense dummy design alone would need {full_gb:,.0f} GB")
    print(f"(this process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.2f} GB)")


if __name__ == "__main__":
    main()
