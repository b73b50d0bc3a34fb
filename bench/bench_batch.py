"""Batch inquiry throughput: 1M and 10M units priced from a table of 100k buildings.

Prints units/s (median of three passes, and the first pass alone), the speed-up over a row-by-row Python
loop over the same rows (the baseline, measured
in the same run on a sample), and the peak memory of each run (each size runs in its own process, so
the peak is that run's own). Targets (issue 2): ≥ 2M units/s, 10M in under 5 s, ≥ 100× the loop,
peak memory ≤ 4 GB.

Run: python bench/bench_batch.py [--sizes 1000000,10000000] [--buildings 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

CHUNK = 1_000_000


def city(buildings: int):
    from tax_baseline.demo_city import generate_city

    per_community = 20
    communities = max(buildings // per_community, 1)
    zones = 20
    return generate_city(seed=1, n_zones=zones, communities_per_zone=max(communities // zones, 1),
                         buildings_per_community=per_community, sales_per_building=0.01, with_units=False)


def units(tables, n: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    b = tables["buildings"]
    pick = rng.integers(0, len(b), size=n)
    total = b["total_floors"].to_numpy()[pick]
    floor = (rng.random(n) * total).astype(np.int64) + 1
    orientations = np.array(["南北", "南", "东南", "东", "西", "北"])
    return pd.DataFrame({
        "building_id": pd.Categorical.from_codes(pick, categories=b["building_id"].astype(str)),
        "floor": floor,
        "orientation": pd.Categorical.from_codes(rng.integers(0, 6, size=n), categories=orientations),
        "area": np.round(rng.uniform(40, 180, size=n), 2),
        "contract_date": np.datetime64("2024-06-01") + rng.integers(0, 365, size=n).astype("timedelta64[D]"),
    })


def run_one(n: int, buildings: int) -> dict:
    from tax_baseline.quote import QuoteEngine

    c = city(buildings)
    engine = QuoteEngine(c.tables)
    frame = units(c.tables, n)
    engine.quote_frame(frame.head(1000))  # compile the lookups (once per table version)
    runs = []
    for _ in range(3):  # the first pass also pays for the process's first large allocations
        start = time.perf_counter()
        ok = 0
        checksum = 0
        for s in range(0, n, CHUNK):
            out = engine.quote_frame(frame.iloc[s:s + CHUNK])
            ok += int((out["status"].to_numpy() == "ok").sum())
            checksum += int(out["total_price_fen"].sum())
        runs.append(time.perf_counter() - start)
    seconds = sorted(runs)[1]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"n": n, "buildings": len(c.tables["buildings"]), "seconds": seconds, "first": runs[0],
            "units_per_s": n / seconds,
            "ok": ok, "peak_mb": peak_mb, "checksum": checksum}


def run_loop(sample: int, buildings: int) -> dict:
    """The baseline: the same engine, one ``quote()`` call per row in a Python loop."""
    from tax_baseline.quote import QuoteEngine, QuoteRequest

    c = city(buildings)
    engine = QuoteEngine(c.tables)
    frame = units(c.tables, sample)
    rows = list(zip(frame["building_id"].astype(str), frame["floor"], frame["orientation"].astype(str),
                    frame["area"], pd.to_datetime(frame["contract_date"]).dt.date, strict=True))
    start = time.perf_counter()
    for building_id, floor, orientation, area, contract in rows:
        engine.quote(QuoteRequest(building_id=building_id, floor=int(floor), orientation=orientation,
                                  area=f"{area:.2f}", contract_date=contract))
    seconds = time.perf_counter() - start
    return {"n": sample, "seconds": seconds, "units_per_s": sample / seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000,10000000")
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--loop-sample", type=int, default=20_000)
    parser.add_argument("--child", choices=["batch", "loop"])
    parser.add_argument("--n", type=int)
    args = parser.parse_args()
    if args.child == "batch":
        print(json.dumps(run_one(args.n, args.buildings)))
        return
    if args.child == "loop":
        print(json.dumps(run_loop(args.n, args.buildings)))
        return

    def child(kind: str, n: int) -> dict:
        out = subprocess.run([sys.executable, __file__, "--child", kind, "--n", str(n), "--buildings",
                              str(args.buildings)], capture_output=True, text=True, check=True)
        return json.loads(out.stdout.strip().splitlines()[-1])

    loop = child("loop", args.loop_sample)
    print(f"baseline: row-by-row Python loop of quote(), {loop['n']:,} rows: {loop['seconds']:.2f} s, "
          f"{loop['units_per_s']:,.0f} units/s")
    for n in (int(s) for s in args.sizes.split(",")):
        r = child("batch", n)
        print(f"batch {r['n']:>12,} units over {r['buildings']:,} buildings: median of 3 {r['seconds']:.2f} s "
              f"(first pass {r['first']:.2f} s), "
              f"{r['units_per_s']:,.0f} units/s, {r['units_per_s'] / loop['units_per_s']:,.0f}x the loop, "
              f"peak memory {r['peak_mb']:,.0f} MB, priced {r['ok']:,}")


if __name__ == "__main__":
    main()
