"""The batch (批量估价): a file of vehicles priced at once, vectorized over the rows.

Each distinct name, registration and mileage text is read once; the model's terms are looked up for all
rows with array operations (no Python loop over the rows). A row that cannot be priced keeps its place
with 状态 = 未估价 and the reason (unknown brand, no new-car price, unreadable value). A row whose series the
table lacks but whose brand it has is priced at the brand level from the new-car price the file gives, as
the single quote (估价层级 = 品牌, with that level's wider interval). Same rounding as the single quote:
new-car price × exp(Σ log factors), half up to the yuan; the interval's bounds the value × the level's
percentiles of price / estimate, half up to the yuan.
"""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from vehicles import values as v
from vehicles.cities import city_level, city_name
from vehicles.depreciation import BRAND, FEW_SERIES_RECORDS, LEVEL_NAMES, SERIES, VehicleTable
from vehicles.names import PETROL, VehicleNameError, parse_vehicle_name

COLUMNS = {"车型名称": "name", "上牌时间": "registration", "表显里程": "mileage", "里程": "mileage",
           "城市": "city", "新车含税价": "new_price", "新车指导价": "new_price", "估价日期": "valuation_date"}
PRICED, REFUSED = "已估价", "未估价"


class _Km:
    """A number read from a cell, as an attribute holder for :func:`_each`."""

    def __init__(self, km: float):
        self.km = km


def _each(values: pd.Series, reader) -> tuple[np.ndarray, list, list[str]]:
    """``reader`` applied once per distinct value: (row codes, results and reasons per distinct value)."""
    codes, distinct = pd.factorize(values)
    results, reasons = [], []
    for text in distinct:
        try:
            results.append(reader(text))
            reasons.append("")
        except (v.ValueReadError, VehicleNameError) as exc:
            results.append(None)
            reasons.append(str(exc))
    return codes, results, reasons


def _categorical(codes: np.ndarray, per_distinct: list) -> pd.Categorical:
    """Row labels as a Categorical over the distinct values (several distinct texts may share a label)."""
    inner, categories = pd.factorize(np.asarray(per_distinct, dtype=object))
    return pd.Categorical.from_codes(inner[codes] if len(inner) else codes, pd.Index(categories, dtype=object))


def _take(codes: np.ndarray, per_distinct: list) -> np.ndarray:
    return np.asarray(per_distinct, dtype=object)[codes] if len(per_distinct) else np.zeros(len(codes), dtype=object)


def price_vehicles(table: VehicleTable, vehicles: pd.DataFrame, valuation_date: date) -> pd.DataFrame:
    """Value every row; returns the input with 估价(元), 区间下限(元), 区间上限(元), 估价层级, 保值率, 新车价来源,
    状态, 原因."""
    frame = vehicles.rename(columns={c: COLUMNS.get(str(c).strip(), str(c).strip()) for c in vehicles.columns})
    for need in ("name", "registration", "mileage"):
        if need not in frame.columns:
            raise ValueError(f"批量估价文件缺少列 {need}：应有 车型名称、上牌时间、表显里程（可选 城市、新车含税价、估价日期）")
    n = len(frame)
    text = {c: frame[c].fillna("").astype(str).str.strip() if c in frame.columns else pd.Series([""] * n)
            for c in ("name", "registration", "mileage", "city", "new_price", "valuation_date")}
    reason = pd.Series([""] * n, dtype=object)

    def refuse(mask: pd.Series, why: pd.Series | str) -> None:
        mask = mask & (reason == "")
        reason[mask] = why if isinstance(why, str) else why[mask]

    def read(column: str, reader, label: str, attrs: dict[str, object], labels: tuple[str, ...] = ()) -> dict:
        codes, results, reasons = _each(text[column], reader)
        why = _take(codes, reasons)
        refuse(pd.Series(why != "", index=frame.index), pd.Series(label + why.astype(str), index=frame.index))
        out = {a: _take(codes, [getattr(r, a) if r is not None else d for r in results]) for a, d in attrs.items()}
        for a in labels:  # labels as Categoricals over the distinct values: the model looks each up once
            out["cat:" + a] = _categorical(codes, [getattr(r, a) if r is not None else "" for r in results])
        return out

    nm = read("name", parse_vehicle_name, "车型名称：", {"series_key": "", "model_key": "", "brand": "",
                                                    "model_year": None, "imported": False, "fuel": None},
              ("series_key", "model_key", "brand"))
    reg = read("registration", v.parse_registration, "上牌时间：", {"month": None})
    km = read("mileage", lambda t: _Km(v.parse_mileage(t)), "里程：", {"km": 0.0})
    price = read("new_price", lambda t: _Km(float(v.parse_amount(t).yuan) if t else np.nan), "新车含税价：",
                 {"km": np.nan})
    on = pd.to_datetime(text["valuation_date"].replace("", valuation_date.isoformat()), errors="coerce")
    refuse(on.isna(), "估价日期应为日期，如 2025-06-01")
    on = on.fillna(pd.Timestamp(valuation_date))

    ok = reason == ""
    series_key = nm["series_key"]
    known = pd.Series(table.known_series(nm["cat:series_key"]), index=frame.index)
    brand_known = pd.Series(table.known_brands(nm["cat:brand"]), index=frame.index)
    refuse(ok & ~known & ~brand_known, "车辆表中没有该品牌的记录（各品牌保值率相差很大，不按新车价档估价）")
    if table.interval(BRAND) is None:
        refuse(ok & ~known, "车辆表中没有该车系的记录（该版本未含品牌水平的区间，不按品牌水平估价）")
    new_price = pd.Series(price["km"].astype(float), index=frame.index)
    refuse(ok & ~known & new_price.isna(), "车辆表中没有该车系的记录：按品牌水平估价须填写新车含税价")
    source = pd.Series(np.where(new_price.notna(), "委托方提供", ""), index=frame.index, dtype=object)
    models = table.models.set_index("model_key")["new_price"]
    from_model = pd.Series(models.reindex(nm["model_key"]).to_numpy(), index=frame.index)
    fill = new_price.isna() & from_model.notna()
    new_price[fill], source[fill] = from_model[fill], "车辆表同年款款型"
    by_year = table.models.groupby(["series_key", "model_year"])["new_price"].median()
    year = pd.to_numeric(pd.Series(nm["model_year"]), errors="coerce").to_numpy()
    keys = pd.MultiIndex.from_arrays([series_key, year])
    from_year = pd.Series(by_year.reindex(keys).to_numpy(), index=frame.index)
    fill = new_price.isna() & from_year.notna()
    new_price[fill], source[fill] = from_year[fill], "车辆表同车系同年款中位数"
    refuse(new_price.isna(), "没有新车含税价：车辆表中没有该年款款型，请填写新车含税价")
    ok = reason == ""

    reg_ts = pd.to_datetime(pd.Series(reg["month"], index=frame.index), errors="coerce")
    age = ((on.dt.year - reg_ts.dt.year) * 12 + on.dt.month - reg_ts.dt.month).fillna(0).clip(lower=0)
    city_codes, city_distinct = pd.factorize(text["city"])
    cities = _categorical(city_codes, [city_name(c) if c else "" for c in city_distinct])
    levels = _categorical(city_codes, [city_level(c) for c in city_distinct])
    fuel = nm["fuel"]
    records = pd.DataFrame({
        "brand": nm["cat:brand"], "series_key": nm["cat:series_key"], "model_key": nm["cat:model_key"],
        "model_year": year, "imported": nm["imported"].astype(bool), "fuel": np.where(fuel == None, PETROL, fuel),  # noqa: E711
        "gearbox": "自动", "registration": reg_ts.to_numpy(), "date": on.to_numpy(), "age_months": age.astype(int).to_numpy(),
        "mileage_km": km["km"].astype(float), "city": cities, "city_level": levels,
        "new_price": new_price.fillna(1.0).to_numpy(), "inspection_areas": np.nan, "inspection_findings": np.nan,
        "month": on.dt.strftime("%Y-%m").to_numpy(),
    })
    retention = np.exp(table.log_ratio(records))
    value = np.floor(records["new_price"].to_numpy() * retention + 0.5)
    level = np.where(known.to_numpy(), SERIES, BRAND)
    keys = nm["cat:series_key"]  # each distinct series' record count looked up once
    per_key = table.series_records(np.asarray(keys.categories, dtype=object))
    counts = np.where(keys.codes >= 0, per_key[np.maximum(keys.codes, 0)] if per_key.size else 0, 0)
    low, high = np.full(n, np.nan), np.full(n, np.nan)
    for stratum, rows in ((SERIES, (level == SERIES) & (counts >= FEW_SERIES_RECORDS)),
                          ("series_few", (level == SERIES) & (counts < FEW_SERIES_RECORDS)), (BRAND, level == BRAND)):
        bounds = table.interval(stratum)
        if bounds is not None:
            low[rows] = np.floor(value[rows] * bounds[0] + 0.5)
            high[rows] = np.floor(value[rows] * bounds[1] + 0.5)
    out = vehicles.copy()
    out["估价(元)"] = pd.array(np.where(ok, value, np.nan), dtype="Int64")
    out["区间下限(元)"] = pd.array(np.where(ok, low, np.nan), dtype="Int64")
    out["区间上限(元)"] = pd.array(np.where(ok, high, np.nan), dtype="Int64")
    out["估价层级"] = np.where(ok, np.where(level == SERIES, LEVEL_NAMES[SERIES], LEVEL_NAMES[BRAND]), "")
    out["保值率"] = np.where(ok, np.round(retention, 4), np.nan)
    out["新车价来源"] = np.where(ok, source, "")
    out["状态"] = np.where(ok, PRICED, REFUSED)
    out["原因"] = reason.to_numpy()
    return out


def read_vehicle_file(path: str | Path) -> pd.DataFrame:
    """A batch file (.xlsx or .csv, UTF-8) as text cells, its columns checked before anything is priced."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"文件“{path.name}”类型不支持，应为 .xlsx 或 .csv")
    try:
        if suffix == ".csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError, OSError, zipfile.BadZipFile,
            KeyError, ValueError):  # a corrupt workbook is a bad zip, lacks its parts or is no workbook at all
        raise ValueError(f"无法读取文件“{path.name}”：应为 UTF-8 编码的 CSV 或 Excel（.xlsx）文件，请检查文件是否损坏或另存为后重传") from None
    names = {COLUMNS.get(str(c).strip(), str(c).strip()) for c in frame.columns}
    missing = [label for label, need in (("车型名称", "name"), ("上牌时间", "registration"), ("表显里程", "mileage"))
               if need not in names]
    if missing:
        raise ValueError(f"文件缺少列：{'、'.join(missing)}。应有列：车型名称、上牌时间、表显里程（可选 城市、新车含税价、估价日期）")
    if frame.empty:
        raise ValueError("文件中没有任何数据行")
    return frame
