"""Comparable records (可比实例) of a vehicle: the same series, nearest in age and mileage, each adjusted (a
vehicle priced at the brand level, its series unseen: the same brand and class).

Distance = |age difference| in years + |mileage difference| / 20,000 km (one year of age weighs as much as
20,000 km, about two years of ordinary driving). Each comparable's price is adjusted to the subject by the
model: adjusted = price × (subject's modelled value / comparable's modelled value), which carries the
differences of model, age, mileage, city, month and inspection.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from vehicles.depreciation import SERIES, VehicleTable, vehicle_class

KM_PER_YEAR_OF_AGE = 20000.0
YUAN = Decimal(1)


@dataclass(frozen=True)
class Comparable:
    record_id: str
    name: str
    city: str
    month: str
    age_months: int
    mileage_km: float
    price: Decimal  # yuan, as recorded
    adjustment: Decimal  # multiplier to the subject, 4 decimals
    adjusted_price: Decimal  # yuan, rounded half up
    distance: float


def peers(table: VehicleTable, subject: pd.DataFrame, level: str = SERIES) -> pd.DataFrame:
    """The records a subject is compared with: its series; at the brand level (series unseen), its brand's
    records of its class (new-car price band), or all its brand's records when the class has none."""
    row = subject.iloc[0]
    records = table.records
    if level == SERIES:
        return records[records["series_key"] == row["series_key"]]
    brand = records[records["brand"] == row["brand"]]
    same_class = brand[vehicle_class(brand["new_price"]) == vehicle_class([row["new_price"]])[0]]
    return same_class if len(same_class) else brand


def find_comparables(table: VehicleTable, subject: pd.DataFrame, k: int = 5, level: str = SERIES) -> list[Comparable]:
    """The ``k`` records of the subject's series (at the brand level: of its brand and class, see :func:`peers`)
    nearest in age and mileage, adjusted to the subject."""
    row = subject.iloc[0]
    same = peers(table, subject, level)
    if same.empty:
        return []
    distance = (np.abs(same["age_months"].to_numpy(dtype=float) - float(row["age_months"])) / 12.0
                + np.abs(same["mileage_km"].to_numpy(dtype=float) - float(row["mileage_km"])) / KM_PER_YEAR_OF_AGE)
    order = np.lexsort((same["record_id"].astype(str).to_numpy(), distance))[:k]
    chosen = same.iloc[order]
    value_subject = float(row["new_price"]) * np.exp(table.log_ratio(subject))[0]
    value_chosen = chosen["new_price"].to_numpy(dtype=float) * np.exp(table.log_ratio(chosen))
    out = []
    for (_, rec), dist, model_value in zip(chosen.iterrows(), distance[order], value_chosen, strict=True):
        adj = Decimal(f"{value_subject / model_value:.4f}")
        price = Decimal(f"{float(rec['price']):.2f}")
        out.append(Comparable(str(rec["record_id"]), str(rec["name"]), str(rec["city"]), str(rec["month"]),
                              int(rec["age_months"]), float(rec["mileage_km"]), price, adj,
                              (price * adj).quantize(YUAN, rounding=ROUND_HALF_UP), float(dist)))
    return out
