"""The ratio study of a vehicle table (车辆表的比率研究): the IAAO statistics of valuation/ratio_study.py on
records the table did not see, plus the figures used-car buyers read (MdAPE, PPE10), and the coverage rule
of the housing study (valuation/pipeline.study_version): records the table cannot price (unknown series) are
counted as refused and left out; ratio outliers beyond 3 × IQR (IAAO Appendix B) are counted and trimmed;
coverage = priced / all.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from valuation import iaao_standard as std
from valuation import ratio_study as rs
from vehicles.depreciation import VehicleTable, vehicle_class


@dataclass
class VehicleStudy:
    study: rs.RatioStudy
    frame: pd.DataFrame  # the studied records with estimate and sale_price
    strata: dict[str, pd.DataFrame]
    records: int
    refused: int
    trimmed: int

    @property
    def coverage(self) -> float:
        """Percent of the records the table could price."""
        return 100.0 * (self.records - self.refused) / self.records if self.records else 0.0

    def to_dict(self) -> dict:
        d = self.study.to_dict()
        d.update({"records": self.records, "refused": self.refused, "trimmed": self.trimmed,
                  "coverage": self.coverage,
                  "strata": {k: s.to_dict(orient="records") for k, s in self.strata.items()}})
        return d


def estimates(table: VehicleTable, records: pd.DataFrame) -> np.ndarray:
    """The table's value of each record at its own date (NaN where its series is unknown)."""
    value = records["new_price"].to_numpy(dtype=float) * np.exp(table.log_ratio(records))
    return np.where(table.known_series(records["series_key"]), value, np.nan)


def study_table(table: VehicleTable, records: pd.DataFrame, *, bootstrap: int = 500, seed: int = 0,
                trim: bool = True) -> VehicleStudy:
    if len(records) == 0:
        raise rs.RatioStudyError("没有可用于比率研究的车辆记录")
    est = estimates(table, records)
    ok = np.isfinite(est)
    frame = records[ok].assign(estimate=est[ok], sale_price=records["price"].to_numpy(dtype=float)[ok])
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
    return VehicleStudy(study, frame, strata, len(records), int((~ok).sum()), trimmed)
