"""Vehicle valuation on the shared used-car listings (../shared/data/vehicles_guazi/), beside LightGBM.

The platform shows one car in several cities' pages (19,169 readable rows are 2,748 distinct cars), so the
splits are by car, never by row: (a) seeded random 80/20 splits of the distinct cars (three seeds);
(b) city holdout: for each of the ten cities, test on the cars shown in that city and calibrate on the cars
shown only in the other nine. Both are judged by the vehicle ratio study (vehicles/study.py: a record whose
series the table lacks is valued at the brand level, one whose brand it lacks is refused and counted in the
coverage; ratio outliers beyond 3 × IQR trimmed). Printed per level (series, brand) with the share of test
prices inside the quoted 80% interval (its bounds from the calibration's own out-of-fold estimates).
Peer in the same run: LightGBM (L1 loss, early stopping on 10% of the training cars) on the same features:
age, mileage, log new-car price, model-year gap, import, gearbox, fuel, inspection findings, and brand,
series, model, city, city level and class as categories; it is shown on the records the table priced
(same rows) and on all test records. The model's prior scales are the package defaults (chosen by 5-fold
cross-validation inside the training part of the seed-42 random split; never on a test part).
Also: a quote with its curve (latency), and the batch against a row-by-row loop of single quotes.
Target: MdAPE ≤ 8% on the random split and below LightGBM's on both splits.

Run: python bench/bench_vehicles.py [--shared DIR] [--seeds 42,7,2026] [--interval-folds 3] [--cities N]
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

from valuation import iaao_standard as std  # noqa: E402
from valuation import ratio_study as rs  # noqa: E402
from vehicles.batch import price_vehicles  # noqa: E402
from vehicles.depreciation import features, fit_depreciation, vehicle_class  # noqa: E402
from vehicles.quote import VehicleQuoteEngine  # noqa: E402
from vehicles.records import (  # noqa: E402
    bundled_vehicle_mapping,
    distinct_listings,
    import_vehicle_records,
    load_vehicle_mapping,
)
from vehicles.study import estimates, study_table  # noqa: E402
from vehicles.subject import VehicleQuery  # noqa: E402

AS_OF = date(2021, 3, 31)
TARGET_MDAPE = 8.0
CATS = ("brand", "series_key", "model_key", "city", "city_level", "class", "gearbox", "fuel")


def peer_frame(records: pd.DataFrame) -> pd.DataFrame:
    f = features(records)
    out = pd.DataFrame({k: f[k] for k in ("age", "km", "log_new_price", "model_year_gap", "imported",
                                          "inspection_areas", "inspection_findings")})
    for c in CATS:
        out[c] = (vehicle_class(records["new_price"]) if c == "class" else records[c].fillna("").astype(str)).astype(
            object)
    return out


def lightgbm_values(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> np.ndarray:
    import lightgbm as lgb  # heavy optional dependency: the benchmark's peer only

    both = peer_frame(pd.concat([train, test], ignore_index=True))
    for c in CATS:
        both[c] = pd.Categorical(both[c])
    Xtr, Xte = both.iloc[: len(train)], both.iloc[len(train):]
    y = np.log(train["price"].to_numpy(dtype=float) / train["new_price"].to_numpy(dtype=float))
    val = np.random.default_rng(seed).random(len(train)) < 0.1
    params = {"objective": "regression_l1", "learning_rate": 0.03, "num_leaves": 31, "min_data_in_leaf": 10,
              "cat_smooth": 10, "feature_fraction": 0.9, "verbose": -1, "seed": seed, "num_threads": 2,
              "deterministic": True, "force_row_wise": True}
    dtrain = lgb.Dataset(Xtr[~val], y[~val], categorical_feature=list(CATS))
    dval = lgb.Dataset(Xtr[val], y[val], reference=dtrain)
    model = lgb.train(params, dtrain, num_boost_round=5000, valid_sets=[dval],
                      callbacks=[lgb.early_stopping(100, verbose=False)])
    return np.exp(model.predict(Xte, num_iteration=model.best_iteration)) * test["new_price"].to_numpy(dtype=float)


def peer_study(estimate: np.ndarray, price: np.ndarray) -> rs.RatioStudy:
    ratio = estimate / price
    lo, hi = rs.outlier_bounds(ratio, std.OUTLIER_IQR_MULTIPLIER)
    inside = (ratio >= lo) & (ratio <= hi)
    return rs.ratio_study(estimate[inside], price[inside], bootstrap=0)


def line(label: str, s: rs.RatioStudy, coverage: float, seconds: float) -> str:
    return (f"  {label:<22} n {s.n:>5}  coverage {coverage:5.1f}%  MdAPE {s.mdape:5.2f}%  COD {s.cod:5.2f}  "
            f"PRD {s.prd:.4f}  PPE10 {s.ppe10:5.1f}%  median ratio {s.median_ratio:.4f}  time {seconds:.1f}s")


def levels_line(study) -> str:
    parts = []
    for code, level in sorted(study.levels.items(), reverse=True):
        hit = "" if level["in_interval"] is None else f", in 80% interval {level['in_interval']:.1f}%"
        parts.append(f"{code} level {level['records']} (MdAPE {level['mdape']:.2f}%{hit})")
    inside = "" if study.in_interval is None else f"; all priced in 80% interval {study.in_interval:.1f}%"
    return f"  {'':<22} refused {study.refused} (brand unknown); " + "; ".join(parts) + inside


def compare(label: str, train: pd.DataFrame, test: pd.DataFrame, seed: int, folds: int) -> tuple[dict, dict]:
    t = time.perf_counter()
    table = fit_depreciation(train, AS_OF, interval_folds=folds)
    study = study_table(table, test, bootstrap=0)
    model_time = time.perf_counter() - t
    t = time.perf_counter()
    peer = lightgbm_values(train, test, seed)
    peer_time = time.perf_counter() - t
    priced = np.isfinite(estimates(table, test))
    price = test["price"].to_numpy(dtype=float)
    same = peer_study(peer[priced], price[priced])
    every = peer_study(peer, price)
    print(f" {label}: train {len(train)} cars, test {len(test)} cars")
    print(line("depreciation table", study.study, study.coverage, model_time))
    print(levels_line(study))
    print(line("LightGBM, same rows", same, study.coverage, peer_time))
    print(line("LightGBM, all rows", every, 100.0, 0.0))
    return ({"est": study.frame["estimate"].to_numpy(), "price": study.frame["sale_price"].to_numpy(),
             "n": len(test), "refused": study.refused, "level": study.frame["level"].to_numpy(),
             "inside": study.frame["in_interval"].to_numpy()},
            {"est": peer[priced], "price": price[priced]})


def pooled_levels(parts: list[dict]) -> str:
    n = sum(p["n"] for p in parts)
    refused = sum(p["refused"] for p in parts)
    level = np.concatenate([p["level"] for p in parts])
    est, price = np.concatenate([p["est"] for p in parts]), np.concatenate([p["price"] for p in parts])
    inside = np.concatenate([p["inside"] for p in parts])
    out = [f"coverage {100 * (n - refused) / n:.1f}% ({refused} of {n} refused)"]
    for code, name in (("series", "series"), ("brand", "brand")):
        rows = level == code
        if rows.any():
            ape = np.abs(est[rows] / price[rows] - 1)
            out.append(f"{name} level {rows.sum()} records MdAPE {100 * np.median(ape):.2f}% "
                       f"in 80% interval {100 * np.nanmean(inside[rows]):.1f}%")
    return "; ".join(out)


def pooled(parts: list[dict]) -> rs.RatioStudy:
    return rs.ratio_study(np.concatenate([p["est"] for p in parts]), np.concatenate([p["price"] for p in parts]),
                          bootstrap=0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=os.environ.get("XUNPAI_SHARED_DIR",
                                                           str(Path(__file__).resolve().parents[2] / "shared")))
    parser.add_argument("--seeds", default="42,7,2026")
    parser.add_argument("--interval-folds", type=int, default=3,
                        help="folds of the calibration's out-of-fold interval (2 × folds extra fits per table)")
    parser.add_argument("--cities", type=int, default=0, help="hold out only the first N cities (0: all ten)")
    parser.add_argument("--parts", default="abc", help="a: random split, b: city holdout, c: latency and batch")
    args = parser.parse_args()
    path = Path(args.shared) / "data" / "vehicles_guazi" / "guazi.csv"
    t = time.perf_counter()
    imported = import_vehicle_records(path, load_vehicle_mapping(bundled_vehicle_mapping("guazi")))
    records = imported.records
    cars = distinct_listings(records)
    print(f"listings: {imported.rows_read} rows read, {imported.rows_refused} refused, {len(records)} records, "
          f"{len(cars)} distinct cars, {cars['series_key'].nunique()} series; import {time.perf_counter() - t:.1f}s")
    failures = []
    checks = {}
    if "a" in args.parts:
        checks.update(random_split(cars, args))
    if "b" in args.parts:
        checks.update(city_holdout(records, args))
    if "c" in args.parts:
        checks.update(speed(cars, path, args))
    print()
    for text, ok in checks.items():
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}")
        if not ok:
            failures.append(text)
    print("\nall targets met" if not failures else "\nmissed: " + "; ".join(failures))


def random_split(cars: pd.DataFrame, args) -> dict[str, bool]:
    print("\n(a) random 80/20 split of the distinct cars")
    model_parts, peer_parts = [], []
    for seed in (int(s) for s in args.seeds.split(",")):
        test = np.random.default_rng(seed).random(len(cars)) < 0.2
        m, p = compare(f"seed {seed}", cars[~test].reset_index(drop=True), cars[test].reset_index(drop=True), seed,
                       args.interval_folds)
        model_parts.append(m)
        peer_parts.append(p)
    random_model, random_peer = pooled(model_parts), pooled(peer_parts)
    print(f" pooled over seeds: table MdAPE {random_model.mdape:.2f}%  LightGBM (same rows) {random_peer.mdape:.2f}%")
    print(f"   {pooled_levels(model_parts)}")
    return {f"random split MdAPE ≤ {TARGET_MDAPE}%": random_model.mdape <= TARGET_MDAPE,
            "random split MdAPE below LightGBM's": random_model.mdape < random_peer.mdape}


def city_holdout(records: pd.DataFrame, args) -> dict[str, bool]:
    print("\n(b) city holdout: calibrate on the cars of nine cities, test on the cars shown in the tenth")
    records = records.assign(listing_key=records[["name", "price", "registration", "mileage_km",
                                                  "inspection_findings", "inspection_areas"]].astype(str)
                             .agg("|".join, axis=1))
    city_model, city_peer = [], []
    cities = sorted(records["city"].unique())
    for city in cities[:args.cities] if args.cities else cities:
        shown = records[records["city"] == city]
        test = shown.drop_duplicates("listing_key").reset_index(drop=True)
        train = distinct_listings(records[(records["city"] != city)
                                          & ~records["listing_key"].isin(set(test["listing_key"]))])
        m, p = compare(city, train, test, 42, args.interval_folds)
        city_model.append(m)
        city_peer.append(p)
    city_m, city_p = pooled(city_model), pooled(city_peer)
    print(f" pooled over cities: table MdAPE {city_m.mdape:.2f}%  COD {city_m.cod:.2f}  PRD {city_m.prd:.4f}  "
          f"PPE10 {city_m.ppe10:.1f}%;  LightGBM (same rows) MdAPE {city_p.mdape:.2f}%  COD {city_p.cod:.2f}  "
          f"PPE10 {city_p.ppe10:.1f}%")
    print(f"   {pooled_levels(city_model)}")
    return {"city holdout MdAPE below LightGBM's": city_m.mdape < city_p.mdape}


def speed(cars: pd.DataFrame, path: Path, args) -> dict[str, bool]:
    print("\n(c) quote with its curve, and the batch")
    table = fit_depreciation(cars, AS_OF, name="guazi", interval_folds=args.interval_folds)
    engine = VehicleQuoteEngine(table)
    raw = pd.read_csv(path, header=None, dtype=str, keep_default_na=False)
    sample = raw.iloc[cars.sample(200, random_state=1)["row"].to_numpy() - 1]  # the cells as listed
    queries = [VehicleQuery(r[0], r[3], r[4], date(2021, 3, 20), city=r[8]) for _, r in sample.iterrows()]
    times = []
    for q in queries:
        t = time.perf_counter()
        quote = engine.quote(q)
        times.append(time.perf_counter() - t)
    times = np.array(times) * 1000
    print(f"  quote + comparables + curve: median {np.median(times):.1f} ms, p95 {np.percentile(times, 95):.1f} ms, "
          f"max {times.max():.1f} ms (200 quotes; last curve {len(quote.curve.history)} months, "
          f"{len(quote.curve.by_age)} ages)")
    rows = pd.DataFrame({"车型名称": raw[0], "上牌时间": raw[3], "表显里程": raw[4], "城市": raw[8]})
    big = pd.concat([rows] * 6, ignore_index=True)
    price_vehicles(table, big.head(1000), date(2021, 3, 20))  # warm-up
    rates = []
    for _ in range(3):  # best of three: the machine is shared, the best run is the one least disturbed
        t = time.perf_counter()
        out = price_vehicles(table, big, date(2021, 3, 20))
        rates.append(len(big) / (time.perf_counter() - t))
    batch_rate = max(rates)
    loop = rows.head(500)
    t = time.perf_counter()
    for _, r in loop.iterrows():
        try:
            engine.quote(VehicleQuery(r["车型名称"], r["上牌时间"], r["表显里程"], date(2021, 3, 20), city=r["城市"]),
                         comparables=0, curve=False)  # the value and its factors only
        except ValueError:
            pass
    loop_rate = len(loop) / (time.perf_counter() - t)
    print(f"  batch: {len(big)} rows ({rows['车型名称'].nunique()} distinct names), {batch_rate:,.0f} vehicles/s (best of 3; runs {', '.join(f'{r:,.0f}' for r in rates)}), "
          f"{(out['状态'] == '已估价').mean():.1%} priced;  row-by-row single quotes (value and factors): {loop_rate:,.0f} vehicles/s "
          f"({batch_rate / loop_rate:,.0f}× faster)")

    return {"quote with curve under 1 s": times.max() < 1000, "batch ≥ 100,000 vehicles/s": batch_rate >= 100_000}


if __name__ == "__main__":
    main()
