"""Comparable sales (参照样本) for a quote: the most similar recent screened sales, adjusted to the subject.

An inquiry report must state its reference samples and its method (参考价规定 art. 11: 网络询价报告应当载明
财产的基本情况、参照样本、计算方法、询价结果). The samples are taken from the subject's own building first,
then from its community, within a window of months before the valuation date; each is adjusted to the
subject by the table itself: adjusted unit price = sale unit price × (table value of the subject per m²
at the valuation date) / (table value of the sale per m² at its own date), which carries the differences of
building, floor, orientation, area band, age and market movement (price index) at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tax_baseline.quote import QuoteEngine
from tax_baseline.tables import BaselineTables

METHOD = ("比较法：取同楼幢（不足时取同小区）估价时点前 {months} 个月内的正常成交，按基准表的楼幢基准价、楼层、朝向、"
          "面积、成新系数及价格指数逐笔修正到估价对象后取中位数")


@dataclass(frozen=True)
class Subject:
    """The unit being valued (估价对象)."""

    building_id: str
    floor_low: int
    floor_high: int
    area: float
    valuation_date: date
    orientation: str | None = None


@dataclass
class Comparables:
    samples: pd.DataFrame
    subject_unit_value: float  # the table's own value per m² of the subject
    indicated_unit_price: float | None  # median adjusted unit price of the samples
    method: str

    def to_dict(self) -> dict:
        cols = ["sale_id", "building_id", "date", "floor_low", "floor_high", "area", "orientation", "price",
                "unit_price", "adjustment", "adjusted_unit_price", "scope"]
        rows = self.samples[cols].assign(date=self.samples["date"].astype(str)).to_dict(orient="records")
        return {"samples": rows, "subject_unit_value": self.subject_unit_value,
                "indicated_unit_price": self.indicated_unit_price, "method": self.method}


def _unit_values(engine: QuoteEngine, frame: pd.DataFrame) -> np.ndarray:
    units = frame[["building_id", "floor_low", "floor_high", "area", "contract_date", "valuation_date"]].copy()
    orient = frame["orientation"].fillna("").astype(str)
    if (orient != "").any():
        units["orientation"] = orient.to_numpy()
    units["area"] = np.round(units["area"].astype(float), 2)
    priced = engine.quote_frame(units)
    ok = priced["status"].to_numpy() == "ok"
    return np.where(ok, priced["unit_price_fen"].to_numpy() / 100.0, np.nan)


def find_comparables(subject: Subject, sales: pd.DataFrame, tables: BaselineTables, *, k: int = 5,
                     months: int = 24, engine: QuoteEngine | None = None) -> Comparables:
    """Up to ``k`` comparables for ``subject`` from screened canonical ``sales``."""
    engine = engine or QuoteEngine(tables)
    b = tables["buildings"].set_index("building_id")
    if subject.building_id not in b.index:
        raise ValueError(f"楼幢编号“{subject.building_id}”不在基准表中")
    community = b.at[subject.building_id, "community_code"]
    start = (pd.Timestamp(subject.valuation_date) - pd.DateOffset(months=months)).date()
    day = pd.to_datetime(sales["date"]).dt.date
    in_window = (day <= subject.valuation_date) & (day >= start)
    same_building = sales["building_id"] == subject.building_id
    comm_of = sales["building_id"].map(b["community_code"])
    pool = sales[in_window & (same_building | (comm_of == community))].copy()
    method = METHOD.format(months=months)
    subject_frame = pd.DataFrame([{"building_id": subject.building_id, "floor_low": subject.floor_low,
                                   "floor_high": subject.floor_high, "area": subject.area,
                                   "contract_date": subject.valuation_date, "valuation_date": subject.valuation_date,
                                   "orientation": subject.orientation or ""}])
    subject_value = float(_unit_values(engine, subject_frame)[0])
    if pool.empty:
        return Comparables(pool.assign(adjustment=[], adjusted_unit_price=[]), subject_value, None, method)
    pool["scope"] = np.where(pool["building_id"] == subject.building_id, "同楼幢", "同小区")
    mid = (pool["floor_low"].astype(float) + pool["floor_high"].astype(float)) / 2
    subject_mid = (subject.floor_low + subject.floor_high) / 2
    age_months = (pd.Timestamp(subject.valuation_date) - pd.to_datetime(pool["date"])).dt.days / 30.44
    pool["distance"] = (np.abs(np.log(pool["area"].astype(float) / subject.area)) / 0.1
                        + np.abs(mid - subject_mid) / 5 + age_months / 12
                        + np.where(pool["scope"] == "同楼幢", 0.0, 3.0))
    pool = pool.sort_values("distance").head(k).copy()
    pool_dates = pd.to_datetime(pool["date"]).dt.date
    comps = pool.assign(contract_date=pool_dates.to_numpy(), valuation_date=pool_dates.to_numpy())
    comp_value = _unit_values(engine, comps)
    pool["unit_price"] = np.round(pool["price"].astype(float) / pool["area"].astype(float), 2)
    pool["adjustment"] = np.round(subject_value / comp_value, 4)
    pool["adjusted_unit_price"] = np.round(pool["unit_price"] * pool["adjustment"], 2)
    usable = pool["adjusted_unit_price"].notna()
    indicated = float(np.median(pool.loc[usable, "adjusted_unit_price"])) if usable.any() else None
    return Comparables(pool.reset_index(drop=True), subject_value, indicated, method)
