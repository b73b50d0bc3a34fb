"""Vehicle records (车辆成交/挂牌记录) in through a declarative column mapping, as listings write them.

The mapping format is the one of :mod:`valuation.mapping` (documented in ``valuation/MAPPING.md``) with the
vehicle field set :data:`VEHICLE_FIELDS`; the mapping of the used-car listings of ten cities ships as
``vehicles/mappings/guazi.yaml``. Every row becomes a record or is reported with its row number, field and
reason; nothing is guessed. :func:`distinct_listings` keeps one copy of a car a platform shows in several
cities' pages (the same name, price, registration, mileage and inspection result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd

from valuation.mapping import FieldSet, Mapping, MappingError, load_mapping
from valuation.transactions import RowError, field_text, parse_dates, read_table
from vehicles import values as v
from vehicles.cities import city_level, city_name
from vehicles.names import PETROL, VehicleNameError, model_key, parse_vehicle_name, series_key

VEHICLE_FIELDS = FieldSet(
    fields={
        "name": ("车型名称", True),
        "brand": ("品牌", False),
        "series": ("车系", False),
        "model_year": ("年款", False),
        "trim": ("款型", False),
        "registration": ("上牌时间", True),
        "mileage": ("表显里程", True),
        "displacement": ("排量/续航", False),
        "gearbox": ("变速箱", False),
        "fuel": ("燃料", False),
        "emission": ("排放标准", False),
        "city": ("城市", False),
        "new_price": ("新车指导价（含税）", True),
        "transfers": ("过户次数", False),
        "inspection": ("检测结果", False),
        "price": ("成交价/挂牌价", True),
        "date": ("成交/挂牌日期", True),
        "note": ("备注", False),
        "record_id": ("记录编号", False),
    },
    from_columns=("name", "registration", "mileage", "new_price", "price"),
    price_bases=("total",),
)

EXPECTED = {  # what a blank required cell should have held
    "name": "应写车型名称，如“宝马5系 2021款 530Li 尊享型”", "registration": "应写上牌时间，如“2019年”“2019-10”或“未上牌”",
    "mileage": "应写表显里程，如“1.39万公里”", "new_price": "保值率以新车价为基准，应写新车含税价，如“34.17万”",
    "price": "应写成交价或挂牌价，如“28.18万”", "date": "应写成交或挂牌日期，如“2021-03”",
}

RECORD_COLUMNS = (
    "record_id", "row", "name", "brand", "series", "series_name", "series_key", "model_year", "trim", "model_key",
    "imported", "facelift", "new_energy", "fuel", "emission_standard", "registration", "registration_precision",
    "age_months", "mileage_km", "displacement_l", "turbo", "electric_range_km", "gearbox", "city", "city_level",
    "new_price", "transfers", "inspection_areas", "inspection_findings", "price", "price_note", "date", "month",
)
DUPLICATE_KEY = ("name", "price", "registration", "mileage_km", "inspection_findings", "inspection_areas")


@dataclass
class VehicleImport:
    records: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0

    @property
    def rows_refused(self) -> int:
        return len({e.row for e in self.errors})


def load_vehicle_mapping(path: str | Path) -> Mapping:
    return load_mapping(path, VEHICLE_FIELDS)


def bundled_vehicle_mapping(name: str) -> Path:
    """A mapping shipped in ``vehicles/mappings`` (e.g. ``guazi``)."""
    return Path(__file__).resolve().parent / "mappings" / f"{name}.yaml"


def _read_each(text: pd.Series, reader) -> tuple[list, dict[int, str]]:
    """Read every distinct text once; the values in row order and the reasons of the refused rows."""
    cache: dict[str, object] = {}
    for t in text.unique():
        if t == "":
            continue
        try:
            cache[t] = reader(t)
        except (v.ValueReadError, VehicleNameError) as exc:
            cache[t] = exc
    out, refused = [], {}
    for i, t in enumerate(text.to_numpy()):
        value = cache.get(t)
        if isinstance(value, Exception):
            refused[i] = str(value)
            value = None
        out.append(value)
    return out, refused


def apply_vehicle_mapping(raw: pd.DataFrame, mapping: Mapping) -> VehicleImport:
    """Turn raw text cells into vehicle records; refuse (and report) every row that cannot be read."""
    if mapping.field_set is not VEHICLE_FIELDS:
        raise MappingError(["这份列映射不是车辆记录的列映射（应含 name、registration、mileage 等车辆字段）"])
    missing = sorted(mapping.source_columns() - set(raw.columns))
    if missing:
        raise MappingError([f"数据文件中没有列 {', '.join(missing)}；文件的列为：{', '.join(map(str, raw.columns))}"])
    n = len(raw)
    rows = np.arange(n) + mapping.header_row + 1
    text = {name: field_text(raw, spec).reset_index(drop=True) for name, spec in mapping.fields.items()}
    errors: list[RowError] = []
    bad = np.zeros(n, dtype=bool)
    label = VEHICLE_FIELDS.label

    def refuse_at(index, name: str, reason: str) -> None:
        errors.append(RowError(int(rows[index]), name, text[name].iat[index], reason, label(name)))
        bad[index] = True

    def read(name: str, reader, *, required: bool = False) -> list:
        if name not in text:
            return [None] * n
        if required:
            for i in np.flatnonzero((text[name] == "").to_numpy()):
                refuse_at(i, name, f"不能为空：{EXPECTED[name]}")
        got, refused = _read_each(text[name], reader)
        for i, reason in refused.items():
            refuse_at(i, name, reason)
        return got

    multiplier = Decimal(str(mapping.price_multiplier)).normalize()
    names = read("name", parse_vehicle_name, required=True)
    registrations = read("registration", v.parse_registration, required=True)
    mileages = read("mileage", v.parse_mileage, required=True)
    new_prices = read("new_price", lambda t: v.parse_amount(t, multiplier), required=True)
    prices = read("price", lambda t: v.parse_amount(t, multiplier), required=True)
    displacements = read("displacement", v.parse_displacement)
    gearboxes = read("gearbox", v.parse_gearbox)
    inspections = read("inspection", v.parse_inspection)
    transfers = read("transfers", v.parse_transfers)
    for i in np.flatnonzero((text["date"] == "").to_numpy()):
        refuse_at(i, "date", f"不能为空：{EXPECTED['date']}")
    dates = parse_dates(text["date"], mapping.date_format)
    hint = f"应为日期，格式 {mapping.date_format}" if mapping.date_format else "应为日期，如 2021-03-15 或 2021-03"
    for i in np.flatnonzero(((text["date"] != "") & dates.isna()).to_numpy()):
        refuse_at(i, "date", hint)
    for i, (reg, when) in enumerate(zip(registrations, dates, strict=True)):
        if reg is None or reg.month is None or pd.isna(when):
            continue
        later = reg.month.year > when.year if reg.precision == "year" else reg.month > when.date()
        if later:  # a bare year is its July, but a car listed in March of that year was registered by then
            refuse_at(i, "registration", f"上牌时间晚于成交/挂牌日期 {when.date().isoformat()}")

    def override(name: str) -> list[str]:
        return list(text[name]) if name in text else [""] * n

    brand_o, series_o, year_o, trim_o = (override(k) for k in ("brand", "series", "model_year", "trim"))
    out = []
    for i in range(n):
        if bad[i]:
            continue
        nm, reg, when = names[i], registrations[i], dates.iat[i].date()
        brand, series = brand_o[i] or nm.brand, series_o[i] or nm.series
        trim = trim_o[i] or nm.trim
        year = int(year_o[i].rstrip("款")) if year_o[i].rstrip("款").isdigit() else nm.model_year
        disp = displacements[i]
        fuel = (text["fuel"].iat[i] if "fuel" in text and text["fuel"].iat[i] else None) or nm.fuel or (
            "纯电动" if disp is not None and disp.electric_range_km is not None and disp.litres is None else PETROL)
        insp = inspections[i]
        city = city_name(text["city"].iat[i]) if "city" in text else ""
        notes = [prices[i].note, text["note"].iat[i] if "note" in text else ""]
        out.append({
            "record_id": text["record_id"].iat[i] if "record_id" in text else str(rows[i]), "row": int(rows[i]),
            "name": nm.text, "brand": brand, "series": series,
            "series_name": nm.series_name if not series_o[i] else f"{brand} {series}",
            "series_key": series_key(brand, series), "model_year": year, "trim": trim,
            "model_key": model_key(brand, series, year, trim), "imported": nm.imported, "facelift": nm.facelift,
            "new_energy": nm.new_energy or fuel not in (PETROL, "柴油"), "fuel": fuel,
            "emission_standard": (text["emission"].iat[i] if "emission" in text else "") or nm.emission_standard,
            "registration": reg.month, "registration_precision": reg.precision,
            "age_months": v.age_months(reg, when), "mileage_km": mileages[i],
            "displacement_l": disp.litres if disp else None, "turbo": bool(disp.turbo) if disp else None,
            "electric_range_km": disp.electric_range_km if disp else None, "gearbox": gearboxes[i],
            "city": city, "city_level": city_level(city), "new_price": float(new_prices[i].yuan),
            "transfers": transfers[i], "inspection_areas": insp.areas if insp else None,
            "inspection_findings": insp.findings if insp else None, "price": float(prices[i].yuan),
            "price_note": "；".join(x for x in notes if x), "date": when, "month": when.strftime("%Y-%m"),
        })
    records = pd.DataFrame(out, columns=list(RECORD_COLUMNS))
    errors.sort(key=lambda e: (e.row, e.field))
    return VehicleImport(records=records, errors=errors, rows_read=n)


def import_vehicle_records(path: str | Path, mapping: Mapping) -> VehicleImport:
    """Read ``path`` (CSV, XLSX or Parquet) through a vehicle ``mapping``."""
    return apply_vehicle_mapping(read_table(path, mapping), mapping)


def distinct_listings(records: pd.DataFrame) -> pd.DataFrame:
    """One row per car: a platform shows one car in several cities' pages (same name, price, registration,
    mileage and inspection result); the first copy is kept, and ``copies`` says how many there were."""
    key = records[list(DUPLICATE_KEY)].astype(str).agg("|".join, axis=1)
    copies = key.map(key.value_counts())
    out = records.assign(listing_key=key, copies=copies.to_numpy())
    return out[~key.duplicated(keep="first")].reset_index(drop=True)


def parse_valuation_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
