"""The ratio study of a vehicle table (车辆表的比率研究): the IAAO statistics of valuation/ratio_study.py on
records the table did not see, plus the figures used-car buyers read (MdAPE, PPE10), and the coverage rule
of the housing study (valuation/pipeline.study_version): records the table cannot price are counted as refused and
left out; ratio outliers beyond 3 × IQR (IAAO Appendix B) are counted and trimmed; coverage = priced / all.
Records are priced as the quote prices them: at the series level, or at the brand level when their series is
unseen and their brand known (the version's brand interval present); an unknown brand is refused. The study
gives the count, MdAPE and PPE10 of each level and how often the sale price falls in the quoted interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from valuation import iaao_standard as std
from valuation import ratio_study as rs
from vehicles.depreciation import BRAND, FEW_SERIES_RECORDS, LEVEL_NAMES, SERIES, VehicleTable, vehicle_class


@dataclass
class VehicleStudy:
    study: rs.RatioStudy
    frame: pd.DataFrame  # the studied records with estimate and sale_price
    strata: dict[str, pd.DataFrame]
    records: int
    refused: int
    trimmed: int
    levels: dict | None = None  # level -> {name, records, mdape, ppe10, in_interval}

    @property
    def in_interval(self) -> float | None:
        """Percent of the studied records whose sale price falls in the quoted interval (None: no intervals)."""
        inside = self.frame["in_interval"].dropna() if "in_interval" in self.frame else pd.Series([], dtype=float)
        return 100.0 * float(inside.mean()) if len(inside) else None

    @property
    def coverage(self) -> float:
        """Percent of the records the table could price."""
        return 100.0 * (self.records - self.refused) / self.records if self.records else 0.0

    def to_dict(self) -> dict:
        d = self.study.to_dict()
        d.update({"records": self.records, "refused": self.refused, "trimmed": self.trimmed,
                  "coverage": self.coverage, "levels": self.levels or {}, "in_interval": self.in_interval,
                  "strata": {k: s.to_dict(orient="records") for k, s in self.strata.items()}})
        return d


def levels(table: VehicleTable, records: pd.DataFrame) -> np.ndarray:
    """The level each record is priced at: series, brand, or "" (refused: brand unknown, or series unknown in a
    version without the brand interval)."""
    series = table.known_series(records["series_key"])
    brand = table.known_brands(records["brand"]) & (table.interval(BRAND) is not None)
    return np.where(series, SERIES, np.where(brand, BRAND, ""))


def estimates(table: VehicleTable, records: pd.DataFrame) -> np.ndarray:
    """The table's value of each record at its own date (NaN where it is refused, see :func:`levels`)."""
    value = records["new_price"].to_numpy(dtype=float) * np.exp(table.log_ratio(records))
    return np.where(levels(table, records) != "", value, np.nan)


def intervals(table: VehicleTable, records: pd.DataFrame, estimate: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The quoted interval of each record (NaN where the version has none for its stratum)."""
    level = levels(table, records)
    counts = table.series_records(records["series_key"])
    low, high = np.full(len(records), np.nan), np.full(len(records), np.nan)
    for stratum, rows in ((SERIES, (level == SERIES) & (counts >= FEW_SERIES_RECORDS)),
                          ("series_few", (level == SERIES) & (counts < FEW_SERIES_RECORDS)), (BRAND, level == BRAND)):
        bounds = table.interval(stratum)
        if bounds is not None:
            low[rows], high[rows] = estimate[rows] * bounds[0], estimate[rows] * bounds[1]
    return low, high


def study_table(table: VehicleTable, records: pd.DataFrame, *, bootstrap: int = 500, seed: int = 0,
                trim: bool = True) -> VehicleStudy:
    if len(records) == 0:
        raise rs.RatioStudyError("没有可用于比率研究的车辆记录")
    est = estimates(table, records)
    ok = np.isfinite(est)
    low, high = intervals(table, records, est)
    price = records["price"].to_numpy(dtype=float)
    inside = np.where(np.isfinite(low), ((price >= low) & (price <= high)).astype(float), np.nan)
    frame = records[ok].assign(estimate=est[ok], sale_price=price[ok], level=levels(table, records)[ok],
                               in_interval=inside[ok])
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise rs.RatioStudyError("车辆表无法为任何一条记录估价（车系均不在表中）")
    trimmed = 0
    if trim:
        ratio = frame["estimate"] / frame["sale_price"]
        lo, hi = rs.outlier_bounds(ratio, std.OUTLIER_IQR_MULTIPLIER)
        inside = (ratio >= lo) & (ratio <= hi)
        trimmed = int((~inside).sum())
        frame = frame[inside].reset_index(drop=True)
    study = rs.ratio_study(frame["estimate"], frame["sale_price"], bootstrap=bootstrap, seed=seed)
    frame["class"] = vehicle_class(frame["new_price"])
    strata = {}
    for column, label in (("city", "城市"), ("class", "车辆类别"), ("brand", "品牌")):
        if column in frame and frame[column].notna().any():
            table_ = rs.stratified(frame.dropna(subset=[column]), column)
            strata[label] = table_.sort_values("n", ascending=False).head(20).reset_index(drop=True)
    by_level = {}
    for level, rows in frame.groupby("level"):
        ape = np.abs(rows["estimate"] / rows["sale_price"] - 1)
        hit = rows["in_interval"].dropna()
        by_level[level] = {"name": LEVEL_NAMES[level], "records": int(len(rows)),
                           "mdape": float(100 * np.median(ape)), "ppe10": float(100 * np.mean(ape <= 0.10)),
                           "in_interval": float(100 * hit.mean()) if len(hit) else None}
    return VehicleStudy(study, frame, strata, len(records), int((~ok).sum()), trimmed, by_level)
