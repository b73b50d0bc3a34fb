"""The depreciation model (折旧模型): a used car's value relative to its new-car price, fitted on records.

log(price / new-car price) = intercept
    + age curve (piecewise linear in years, a hinge at every year)        车龄
    + mileage (log and linear in 10,000 km, a hinge at 100,000 km)          里程
    + log new-car price, model-year gap (上牌年 − 年款), import, gearbox, fuel, inspection findings
    + class (新车价档) + brand + series + model (年款 + 款型)                 level of each, shrunk
    + age slope of class, brand and series; mileage slope of series        depreciation speed, shrunk
    + city level + city                                                     城市等级 / 城市
    + month (价格指数, 月度)

Every categorical effect is a ridge-penalised deviation (the mixed-model reading: a random effect with the
prior scale of :class:`DepreciationConfig`), so a series with few records is pulled toward its brand and
class, a model toward its series, a city toward its level. The penalised normal equations are sparse (one
column per series, model and city) and are solved by SciPy's sparse direct solver. The prior scales were
chosen by 5-fold cross-validation inside the training part of a random split of the shared listings
(bench/bench_vehicles.py), never on its test part.

Levels and intervals. A vehicle whose series the table has is priced at the series level; one whose series
it lacks but whose brand it has is priced at the brand level (the series, model and series-slope effects are
then 0: the brand, class and the rest carry it), flagged, with a wider interval; one whose brand it lacks is
refused (brands differ too much — the brand effect's prior scale is the largest of the model — for the class
alone to price it). The interval of each level is the 10th to 90th percentile of price / estimate of
out-of-fold estimates: a K-fold by record for the series level (split by the series' record count, under 10
and from 10), and a K-fold by series for the brand level, where every record is priced as if its series were
unseen, counting the records of rare series (:func:`interval_ratios`).

The fitted model is a :class:`VehicleTable`: plain tables (terms, models, series, index, records) that
storage keeps as a version and the quote, the batch and the curve read.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from vehicles.names import PETROL

CLASS_EDGES_WAN = (10, 20, 35, 60)  # new-car price bands (万元) that make a vehicle's class
CLASS_LABELS = ("10万以下", "10-20万", "20-35万", "35-60万", "60万以上")
AGE_KNOTS = tuple(range(0, 15))  # years
KM_KNOT = 10.0  # 10,000 km
CATEGORICAL = ("gearbox", "fuel", "class", "brand", "series", "model", "class_age", "brand_age", "series_age",
               "series_km", "city_level", "city", "month")
NUMERIC = ("intercept", "age", "km_log", "km", "km_over_10", "log_new_price", "model_year_gap", "imported",
           "inspection_areas", "inspection_findings")
GROUP_NAMES = {
    "intercept": "常数项", "age": "车龄折旧曲线", "km_log": "里程（对数）", "km": "里程", "km_over_10": "里程（10万公里以上）",
    "log_new_price": "新车价档次", "model_year_gap": "上牌晚于年款", "imported": "进口", "inspection_areas": "检测异常部位",
    "inspection_findings": "检测异常处数", "gearbox": "变速箱", "fuel": "燃料", "class": "车辆类别（新车价档）",
    "brand": "品牌", "series": "车系", "model": "年款款型", "class_age": "类别折旧速度", "brand_age": "品牌折旧速度",
    "series_age": "车系折旧速度", "series_km": "车系里程敏感度", "city_level": "城市等级", "city": "城市",
    "month": "价格指数（月）",
}


SERIES, BRAND = "series", "brand"
LEVEL_NAMES = {SERIES: "车系", BRAND: "品牌"}
FEW_SERIES_RECORDS = 10  # below this a series' interval is that of the few-record series
INTERVAL = (0.10, 0.90)  # the interval's percentiles of price / estimate (an 80% interval)
INTERVAL_FOLDS = 5


class ModelError(ValueError):
    """The records cannot make a table (too few, or without the columns the model needs)."""


@dataclass(frozen=True)
class DepreciationConfig:
    """Prior scales (variance of each random effect, in log points squared; ridge penalty = 1 / scale)."""

    scale: dict[str, float] = field(default_factory=lambda: {
        "class": 0.25, "brand": 1.6, "series": 1.28, "model": 0.32, "class_age": 0.01, "brand_age": 0.004,
        "series_age": 0.016, "series_km": 0.00025, "city_level": 0.01, "city": 0.01, "month": 0.05,
        "gearbox": 0.1, "fuel": 0.1})
    numeric_penalty: float = 10.0  # on the few numeric slopes: a light ridge that keeps the solve stable
    age_penalty: float = 1.0  # on each age hinge
    min_records: int = 30

    def with_scales(self, **scales: float) -> DepreciationConfig:
        return DepreciationConfig({**self.scale, **scales}, self.numeric_penalty, self.age_penalty, self.min_records)


def class_codes(new_price_yuan) -> np.ndarray:
    wan = np.asarray(new_price_yuan, dtype=float) / 10000.0
    return np.searchsorted(CLASS_EDGES_WAN, wan, side="right")


def vehicle_class(new_price_yuan) -> np.ndarray:
    """The class (车辆类别) of a vehicle: its new-car price band, 10万以下 … 60万以上."""
    return np.asarray(CLASS_LABELS, dtype=object)[class_codes(new_price_yuan)]


def _labels(column: pd.Series, default: str) -> pd.Categorical:
    """A label column as a Categorical (kept if it is one already: the batch builds them from its codes)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.array
    return pd.Categorical(column.astype(object).where(column.notna(), default).astype(str))


def features(records: pd.DataFrame, fill: dict[str, float] | None = None) -> dict[str, np.ndarray]:
    """The model's inputs of each record (vectorized); ``fill`` replaces a missing inspection by the mean."""
    fill = fill or {}
    n = len(records)
    age = records["age_months"].to_numpy(dtype=float) / 12.0
    km = records["mileage_km"].to_numpy(dtype=float) / 10000.0
    reg_year = pd.to_datetime(records["registration"]).dt.year.to_numpy(dtype=float)
    reg_year = np.where(np.isnan(reg_year), pd.to_datetime(records["date"]).dt.year.to_numpy(dtype=float), reg_year)
    model_year = pd.to_numeric(records["model_year"], errors="coerce").to_numpy(dtype=float)
    gap = np.clip(np.nan_to_num(reg_year - model_year, nan=0.0), -1.0, 3.0)
    out = {
        "age": age, "km": km, "km_log": np.log1p(km), "km_over_10": np.maximum(km - KM_KNOT, 0.0),
        "log_new_price": np.log(records["new_price"].to_numpy(dtype=float)), "model_year_gap": gap,
        "imported": records["imported"].fillna(False).to_numpy(dtype=float),
        "intercept": np.ones(n),
    }
    for name in ("inspection_areas", "inspection_findings"):
        values = pd.to_numeric(records[name], errors="coerce").to_numpy(dtype=float)
        out[name] = np.where(np.isnan(values), fill.get(name, 0.0), values)
    labels = {
        "gearbox": _labels(records["gearbox"], "自动"), "fuel": _labels(records["fuel"], PETROL),
        "class": pd.Categorical.from_codes(class_codes(records["new_price"]), CLASS_LABELS),
        "brand": _labels(records["brand"], ""), "series": _labels(records["series_key"], ""),
        "model": _labels(records["model_key"], ""), "city_level": _labels(records["city_level"], "其他"),
        "city": _labels(records["city"], ""), "month": _labels(records["month"], ""),
    }
    out.update({f"label:{k}": v for k, v in labels.items()})
    return out


_SLOPES = {"class_age": ("class", "age"), "brand_age": ("brand", "age"), "series_age": ("series", "age"),
           "series_km": ("series", "km")}


def age_basis(age_years: np.ndarray) -> np.ndarray:
    """The age curve's columns: max(age − k, 0) for every knot k (years)."""
    a = np.asarray(age_years, dtype=float).reshape(-1, 1)
    return np.maximum(a - np.asarray(AGE_KNOTS, dtype=float), 0.0)


def _level_of(group: str, f: dict[str, np.ndarray]) -> np.ndarray:
    return f[f"label:{_SLOPES[group][0]}" if group in _SLOPES else f"label:{group}"]


def _slope_of(group: str, f: dict[str, np.ndarray]) -> np.ndarray | None:
    return f[_SLOPES[group][1]] if group in _SLOPES else None


@dataclass
class VehicleTable:
    """A fitted depreciation model as plain tables (what a stored version holds)."""

    terms: pd.DataFrame  # group, level, coefficient, records
    models: pd.DataFrame  # model_key, series_key, brand, series_name, model_year, trim, name, new_price, records
    series: pd.DataFrame  # series_key, brand, series_name, class, records
    index: pd.DataFrame  # month, coefficient, index, records
    records: pd.DataFrame  # the calibration records (distinct listings), for comparables
    statistics: dict = field(default_factory=dict)
    name: str = ""

    def __post_init__(self) -> None:
        self._lookup: dict[str, tuple[pd.Index, np.ndarray]] = {}
        for group, rows in self.terms.groupby("group", sort=False):
            self._lookup[group] = (pd.Index(rows["level"].astype(str)), rows["coefficient"].to_numpy(dtype=float))

    @property
    def as_of(self) -> date:
        return date.fromisoformat(self.statistics["as_of"])

    @property
    def fill(self) -> dict[str, float]:
        return self.statistics.get("fill", {})

    def coefficient(self, group: str, level: str = "") -> float:
        levels, coef = self._lookup.get(group, (pd.Index([]), np.array([])))
        i = levels.get_indexer([str(level)])[0]
        return float(coef[i]) if i >= 0 else 0.0

    def group_values(self, group: str, labels: pd.Categorical) -> tuple[np.ndarray, np.ndarray]:
        """Each label's coefficient (0 where the level has no records) and whether it was known."""
        levels, coef = self._lookup.get(group, (pd.Index([]), np.array([])))
        if not isinstance(labels, pd.Categorical):
            labels = pd.Categorical(np.asarray(labels, dtype=object))
        per_category = levels.get_indexer(labels.categories.astype(object)) if len(labels.categories) else np.zeros(
            0, dtype=int)
        codes = np.where(labels.codes >= 0, per_category[np.maximum(labels.codes, 0)] if per_category.size else -1, -1)
        known = codes >= 0
        values = coef[np.maximum(codes, 0)] if coef.size else np.zeros(len(codes))
        return np.where(known, values, 0.0), known

    def contributions(self, records: pd.DataFrame) -> dict[str, np.ndarray]:
        """Each group's contribution to log(value / new-car price) for every record (vectorized).

        A month after the table's last month takes the last month's index (carried flat); a month before
        its first takes the first's."""
        f = features(records, self.fill)
        out: dict[str, np.ndarray] = {}
        out["intercept"] = np.full(len(records), self.coefficient("intercept"))
        out["age"] = age_basis(f["age"]) @ np.array([self.coefficient("age", str(k)) for k in AGE_KNOTS])
        for name in NUMERIC[2:]:
            out[name] = f[name] * self.coefficient(name)
        months = f["label:month"]
        if len(self.index):
            first, last = self.index["month"].min(), self.index["month"].max()
            shown = np.asarray(months.categories, dtype=object)
            clamped = np.where(shown > last, last, np.where(shown < first, first, shown))
            kept = pd.Index(clamped).unique()
            f["label:month"] = pd.Categorical.from_codes(kept.get_indexer(clamped)[months.codes], kept)
        for group in CATEGORICAL:
            values, _ = self.group_values(group, _level_of(group, f))
            slope = _slope_of(group, f)
            out[group] = values if slope is None else values * slope
        return out

    def log_ratio(self, records: pd.DataFrame) -> np.ndarray:
        parts = self.contributions(records)
        return np.sum(np.vstack(list(parts.values())), axis=0)

    def known_series(self, series_keys) -> np.ndarray:
        labels = series_keys if isinstance(series_keys, pd.Categorical) else pd.Categorical(
            np.asarray(series_keys, dtype=object))
        known = pd.Index(self.series["series_key"]).get_indexer(labels.categories.astype(object)) >= 0
        return np.where(labels.codes >= 0, known[np.maximum(labels.codes, 0)] if known.size else False, False)

    def known_brands(self, brands) -> np.ndarray:
        labels = brands if isinstance(brands, pd.Categorical) else pd.Categorical(np.asarray(brands, dtype=object))
        known = pd.Index(self.series["brand"].unique()).get_indexer(labels.categories.astype(object)) >= 0
        return np.where(labels.codes >= 0, known[np.maximum(labels.codes, 0)] if known.size else False, False)

    def series_records(self, series_keys) -> np.ndarray:
        """How many calibration records each series has (0 for a series the table lacks)."""
        counts = self.series.set_index("series_key")["records"]
        return pd.Series(np.asarray(series_keys, dtype=object)).map(counts).fillna(0).to_numpy(dtype=int)

    def interval_stratum(self, level: str, series_records: int) -> str:
        if level == BRAND:
            return BRAND
        return "series_few" if series_records < FEW_SERIES_RECORDS else SERIES

    def interval(self, stratum: str) -> tuple[float, float] | None:
        """The ratios (price / estimate) at the interval's percentiles for a stratum; None when the version
        was calibrated without intervals (before they existed)."""
        found = (self.statistics.get("interval") or {}).get("strata", {}).get(stratum)
        return (float(found["low"]), float(found["high"])) if found else None

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"terms": self.terms, "models": self.models, "series": self.series, "index": self.index,
                "records": self.records}


RECORD_KEEP = ("record_id", "name", "brand", "series_name", "series_key", "model_year", "trim", "model_key",
               "imported", "fuel", "registration", "age_months", "mileage_km", "gearbox", "city", "city_level",
               "new_price", "inspection_areas", "inspection_findings", "price", "date", "month")


def interval_ratios(records: pd.DataFrame, as_of: date, config: DepreciationConfig, folds: int = INTERVAL_FOLDS,
                    seed: int = 0) -> dict:
    """The interval of each level from out-of-fold estimates (2 × ``folds`` fits on part of the records).

    Series level: a random K-fold by record; a held-out record whose series is in its fold's training part is
    priced at the series level and counted in the stratum of its series' record count. Brand level: a K-fold by
    series, so every held-out record's series is unseen; those whose brand is in the training part and whose
    series has fewer than ``FEW_SERIES_RECORDS`` records count (a series a quote meets unseen is a rare one:
    the popular series' records would make the interval too narrow), or all of them when fewer than 20 do; when
    no brand has two series, the series-level ratios combined with the spread of the fitted brand + series
    effects."""
    records = records.reset_index(drop=True)
    n = len(records)
    price = records["price"].to_numpy(dtype=float)
    counts = records.groupby("series_key")["series_key"].transform("size").to_numpy()
    rng = np.random.default_rng(seed)
    by_record = rng.integers(0, folds, n)
    series = records["series_key"].astype(str).to_numpy()
    distinct = np.unique(series)
    by_series = pd.Series(rng.integers(0, folds, len(distinct)), index=distinct).reindex(series).to_numpy()
    ratios: dict[str, list[np.ndarray]] = {SERIES: [], "series_few": [], BRAND: [], "brand_all": []}
    for assignment, level in ((by_record, SERIES), (by_series, BRAND)):
        for k in range(folds):
            test = assignment == k
            if test.sum() == 0 or (~test).sum() < config.min_records:
                continue
            train = records[~test]
            table = fit_depreciation(train, as_of, config=config, interval_folds=0)
            held = records[test]
            estimate = held["new_price"].to_numpy(dtype=float) * np.exp(table.log_ratio(held))
            ratio = price[test] / estimate
            if level == SERIES:
                seen = table.known_series(held["series_key"])
                few = counts[test] < FEW_SERIES_RECORDS
                ratios[SERIES].append(ratio[seen & ~few])
                ratios["series_few"].append(ratio[seen & few])
            else:  # the series a quote meets unseen are rare ones: the rare series' records make the interval
                known = table.known_brands(held["brand"])
                rare = counts[test] < FEW_SERIES_RECORDS
                ratios[BRAND].append(ratio[known & rare])
                ratios["brand_all"].append(ratio[known])
    strata = {}
    for stratum, parts in ratios.items():
        values = np.concatenate(parts) if parts else np.array([])
        values = values[np.isfinite(values)]
        if len(values) >= 20:
            low, high = np.quantile(values, INTERVAL)
            strata[stratum] = {"low": round(float(low), 4), "high": round(float(high), 4), "n": int(len(values)),
                               "mdape": round(float(100 * np.median(np.abs(1 / values - 1))), 2)}
    if SERIES in strata and "series_few" not in strata:
        strata["series_few"] = strata[SERIES]
    every = strata.pop("brand_all", None)
    if BRAND not in strata and every is not None:  # too few rare series: every series held out
        strata[BRAND] = every
    if BRAND not in strata and ratios[SERIES]:
        # no brand with two series to hold one out: the series-level ratios times the spread of the fitted brand +
        # series effects (an unseen series' effect taken as a draw from those of the table's series)
        table = fit_depreciation(records, as_of, config=config, interval_folds=0)
        many = table.series[table.series["records"] >= FEW_SERIES_RECORDS]
        brand = pd.Categorical(many["brand"].astype(str))
        effects = (table.group_values("series", pd.Categorical(many["series_key"].astype(str)))[0]
                   + table.group_values("brand", brand)[0])  # brand and series together: with one series a
        # brand, the two are one effect split between them; conservative where brands have several
        base = np.concatenate(ratios[SERIES] + ratios["series_few"])
        base = base[np.isfinite(base)]
        if len(effects) >= 3 and len(base) >= 20:
            base = base[np.linspace(0, len(base) - 1, min(len(base), 2000)).astype(int)]
            values = (base[:, None] * np.exp(effects - effects.mean())[None, :]).ravel()
            low, high = np.quantile(values, INTERVAL)
            strata[BRAND] = {"low": round(float(low), 4), "high": round(float(high), 4), "n": int(len(base)),
                             "mdape": round(float(100 * np.median(np.abs(1 / values - 1))), 2),
                             "from_series_effects": int(len(effects))}
    return {"percentiles": list(INTERVAL), "folds": folds, "strata": strata,
            "method": f"{folds} 折交叉验证的样本外估价：车系水平按记录分折，品牌水平按车系分折（车系视为未见）；"
                      f"区间为 成交价/估价 的第 {INTERVAL[0] * 100:.0f} 至第 {INTERVAL[1] * 100:.0f} 百分位"}


def fit_depreciation(records: pd.DataFrame, as_of: date, *, config: DepreciationConfig | None = None,
                     name: str = "", interval_folds: int = INTERVAL_FOLDS) -> VehicleTable:
    """Fit the model on ``records`` (distinct listings; see :func:`vehicles.records.distinct_listings`);
    with ``interval_folds`` > 0 the levels' intervals from that many folds (:func:`interval_ratios`)."""
    config = config or DepreciationConfig()
    if len(records) < config.min_records:
        raise ModelError(f"可用的车辆记录仅 {len(records)} 条，少于 {config.min_records} 条，无法校准")
    started = time.perf_counter()
    records = records.reset_index(drop=True)
    fill = {k: float(pd.to_numeric(records[k], errors="coerce").mean()) if records[k].notna().any() else 0.0
            for k in ("inspection_areas", "inspection_findings")}
    f = features(records, fill)
    y = np.log(records["price"].to_numpy(dtype=float) / records["new_price"].to_numpy(dtype=float))
    n = len(records)
    blocks, penalties, names = [], [], []
    basis = age_basis(f["age"])
    blocks.append(sp.csc_matrix(np.column_stack([f["intercept"], basis] + [f[k] for k in NUMERIC[2:]])))
    penalties += [0.0] + [config.age_penalty] * len(AGE_KNOTS) + [config.numeric_penalty] * (len(NUMERIC) - 2)
    names += [("intercept", "")] + [("age", str(k)) for k in AGE_KNOTS] + [(k, "") for k in NUMERIC[2:]]
    counts: dict[tuple[str, str], int] = {}
    for group in CATEGORICAL:
        labels = _level_of(group, f).remove_unused_categories()
        levels, codes = np.asarray(labels.categories, dtype=object), labels.codes
        slope = _slope_of(group, f)
        values = np.ones(n) if slope is None else slope
        blocks.append(sp.csc_matrix((values, (np.arange(n), codes)), shape=(n, len(levels))))
        penalties += [1.0 / config.scale[group]] * len(levels)
        per_level = np.bincount(codes, minlength=len(levels))
        for level, c in zip(levels, per_level, strict=True):
            names.append((group, str(level)))
            counts[(group, str(level))] = int(c)
    X = sp.hstack(blocks, format="csc")
    A = (X.T @ X + sp.diags(np.asarray(penalties))).tocsc()
    beta = spsolve(A, X.T @ y)
    resid = y - X @ beta
    terms = pd.DataFrame({"group": [g for g, _ in names], "level": [lv for _, lv in names], "coefficient": beta})
    terms["records"] = [counts.get(k, n) for k in names]
    month_rows = terms[terms["group"] == "month"].sort_values("level")
    ref = month_rows["coefficient"].iloc[-1] if len(month_rows) else 0.0
    index = pd.DataFrame({"month": month_rows["level"].to_numpy(), "coefficient": month_rows["coefficient"].to_numpy(),
                          "index": np.exp(month_rows["coefficient"].to_numpy() - ref),
                          "records": month_rows["records"].to_numpy()})
    frame = records.assign(**{"class": f["label:class"]})
    models = (frame.groupby("model_key", sort=True)
              .agg(series_key=("series_key", "first"), brand=("brand", "first"), series_name=("series_name", "first"),
                   model_year=("model_year", "first"), trim=("trim", "first"),
                   name=("name", lambda s: s.value_counts().index[0]), new_price=("new_price", "median"),
                   records=("price", "size")).reset_index())
    series = (frame.groupby("series_key", sort=True)
              .agg(brand=("brand", "first"), series_name=("series_name", "first"),
                   **{"class": ("class", lambda s: s.value_counts().index[0])}, records=("price", "size"))
              .reset_index())
    keep = records[list(RECORD_KEEP)].copy()
    keep["log_ratio_fit"] = X @ beta
    statistics = {
        "as_of": as_of.isoformat(), "records": n, "series": int(len(series)), "models": int(len(models)),
        "brands": int(records["brand"].nunique()), "cities": int(records["city"].nunique()),
        "months": [str(m) for m in index["month"]], "residual_sd": float(np.std(resid)),
        "in_sample_mdape": float(100 * np.median(np.abs(np.exp(-resid) - 1))), "fill": fill,
        "config": asdict(config), "columns": int(X.shape[1]), "fit_seconds": round(time.perf_counter() - started, 3),
        "solver": "scipy.sparse.linalg.spsolve (penalised normal equations)",
    }
    if interval_folds:
        statistics["interval"] = interval_ratios(records, as_of, config, interval_folds)
        statistics["fit_seconds"] = round(time.perf_counter() - started, 3)
    return VehicleTable(terms=terms, models=models, series=series, index=index, records=keep, statistics=statistics,
                        name=name)


def from_tables(tables: dict[str, pd.DataFrame], statistics: dict, name: str = "") -> VehicleTable:
    """A table version read back from storage."""
    return VehicleTable(terms=tables["terms"], models=tables["models"], series=tables["series"],
                        index=tables["index"], records=tables["records"], statistics=statistics, name=name)
