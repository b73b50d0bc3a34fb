"""The price-history curve (历史价格曲线) a judge reads beside a vehicle's value (Helan court, 案例 15).

Two curves from the same table: (1) history: the value of this vehicle at its present age (and mileage) in
each month of the table's price index, i.e. what the same series at the same age was worth in past months;
(2) depreciation by age: the value at the valuation date had the vehicle been 0, 1, 2 … years old, the
mileage scaled to the age at the subject's own kilometres per year (15,000 km a year for a car not yet a
year old). The records of the series (age, price as a share of the new-car price) come with it; for a vehicle
priced at the brand level, those of its brand and class.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from vehicles.comparables import peers
from vehicles.depreciation import SERIES, VehicleTable

DEFAULT_KM_PER_YEAR = 15000.0
MAX_AGE_YEARS = 15


@dataclass
class PriceCurve:
    history: list[dict] = field(default_factory=list)  # {month, index, value}
    by_age: list[dict] = field(default_factory=list)  # {age_years, mileage_km, value, retention}
    observed: list[dict] = field(default_factory=list)  # {age_years, retention, price}: the series' records

    def to_dict(self) -> dict:
        return {"history": self.history, "by_age": self.by_age, "observed": self.observed}


def price_curve(table: VehicleTable, subject: pd.DataFrame, *, max_age_years: int = MAX_AGE_YEARS,
                level: str = SERIES) -> PriceCurve:
    row = subject.iloc[0]
    new_price = float(row["new_price"])
    months = list(table.index["month"])
    hist = subject.loc[subject.index.repeat(len(months))].reset_index(drop=True)
    hist["month"] = months
    values = new_price * np.exp(table.log_ratio(hist)) if months else np.array([])
    history = [{"month": m, "index": round(float(i), 6), "value": int(np.floor(val + 0.5))}
               for m, i, val in zip(months, table.index["index"], values, strict=True)]
    age = float(row["age_months"]) / 12.0
    per_year = float(row["mileage_km"]) / age if age >= 1 else DEFAULT_KM_PER_YEAR
    ages = np.arange(0, max_age_years + 1)
    grid = subject.loc[subject.index.repeat(len(ages))].reset_index(drop=True)
    grid["age_months"] = ages * 12
    grid["mileage_km"] = ages * per_year
    retention = np.exp(table.log_ratio(grid))
    by_age = [{"age_years": int(a), "mileage_km": round(float(a * per_year)), "retention": round(float(r), 4),
               "value": int(np.floor(new_price * r + 0.5))} for a, r in zip(ages, retention, strict=True)]
    same = peers(table, subject, level)
    observed = [{"age_years": round(float(a) / 12.0, 2), "retention": round(float(p) / float(n), 4),
                 "price": round(float(p))}
                for a, p, n in zip(same["age_months"], same["price"], same["new_price"], strict=True)]
    return PriceCurve(history, by_age, observed)
