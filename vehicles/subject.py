"""The vehicle to be valued (估价对象) as a clerk has it, read into the record shape the model prices.

A clerk has the name from the registration certificate (机动车登记证书) or the listing, the registration
date, the mileage, the city and the valuation date; the new-car price, gearbox, fuel and inspection result
when known. Unreadable input is refused with a Chinese message saying what is expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pandas as pd

from vehicles import values as v
from vehicles.cities import city_level, city_name
from vehicles.names import PETROL, VehicleName, VehicleNameError, parse_vehicle_name


class VehicleQuoteError(ValueError):
    """A quote that cannot be given; the message says what is wrong and what is expected."""

    code = "invalid_input"

    def __init__(self, message: str, candidates: list[str] | None = None):
        super().__init__(message)
        self.candidates = candidates or []


class UnknownSeries(VehicleQuoteError):
    code = "unknown_series"


class NewPriceUnknown(VehicleQuoteError):
    code = "new_price_unknown"


class UnknownBrand(VehicleQuoteError):
    """The table has no record of the brand: refused (a brand is not priced from its price class alone)."""

    code = "unknown_brand"


@dataclass(frozen=True)
class VehicleQuery:
    name: str
    registration: str | date
    mileage: str | float | int
    valuation_date: date
    city: str = ""
    new_price: str | Decimal | None = None  # yuan, or as written ("34.17万")
    gearbox: str | None = None
    fuel: str | None = None
    inspection: str | None = None


@dataclass(frozen=True)
class Subject:
    query: VehicleQuery
    vehicle: VehicleName
    registration: v.Registration
    mileage_km: float
    city: str
    gearbox: str
    fuel: str
    inspection: v.Inspection | None

    @property
    def age_months(self) -> int:
        return v.age_months(self.registration, self.query.valuation_date)


def read_subject(query: VehicleQuery) -> Subject:
    try:
        vehicle = parse_vehicle_name(query.name)
    except VehicleNameError as exc:
        raise VehicleQuoteError(str(exc)) from None
    try:
        reg = (v.Registration(date(query.registration.year, query.registration.month, 1), "month")
               if isinstance(query.registration, date) else v.parse_registration(query.registration))
    except v.ValueReadError as exc:
        raise VehicleQuoteError(f"上牌时间“{query.registration}”无法识别：{exc}") from None
    if reg.month is not None and (reg.month.year, reg.month.month) > (query.valuation_date.year,
                                                                     query.valuation_date.month):
        if reg.precision == "month" or reg.month.year > query.valuation_date.year:
            raise VehicleQuoteError(f"上牌时间 {reg.month:%Y-%m} 晚于估价日 {query.valuation_date.isoformat()}："
                                    "应为已经上牌的月份，未上牌的写“未上牌”")
    try:
        km = (float(query.mileage) if isinstance(query.mileage, int | float) else v.parse_mileage(query.mileage))
    except v.ValueReadError as exc:
        raise VehicleQuoteError(f"里程“{query.mileage}”无法识别：{exc}") from None
    if km < 0:
        raise VehicleQuoteError("里程不能为负数，应为表显里程，如“7.02万公里”")
    try:
        gearbox = v.parse_gearbox(query.gearbox) if query.gearbox else v.AUTOMATIC
        inspection = v.parse_inspection(query.inspection) if query.inspection else None
    except v.ValueReadError as exc:
        raise VehicleQuoteError(str(exc)) from None
    return Subject(query, vehicle, reg, km, city_name(query.city), gearbox,
                   query.fuel or vehicle.fuel or PETROL, inspection)


def subject_frame(subject: Subject, new_price: Decimal, *, month: str | None = None,
                  age_months: int | None = None, mileage_km: float | None = None) -> pd.DataFrame:
    """The subject as a one-row record (optionally at another month, age or mileage: the curve's points)."""
    q, nm = subject.query, subject.vehicle
    return pd.DataFrame([{
        "name": nm.text, "brand": nm.brand, "series_key": nm.series_key, "model_key": nm.model_key,
        "model_year": nm.model_year, "imported": nm.imported, "fuel": subject.fuel, "gearbox": subject.gearbox,
        "registration": subject.registration.month, "date": q.valuation_date,
        "age_months": subject.age_months if age_months is None else age_months,
        "mileage_km": subject.mileage_km if mileage_km is None else mileage_km,
        "city": subject.city, "city_level": city_level(subject.city), "new_price": float(new_price),
        "inspection_areas": subject.inspection.areas if subject.inspection else None,
        "inspection_findings": subject.inspection.findings if subject.inspection else None,
        "month": month or q.valuation_date.strftime("%Y-%m"),
    }])
