"""Import transaction records (成交记录) from CSV/XLSX through a column mapping into canonical sales.

Every row either becomes a sale or is reported with its row number and reason (:class:`RowError`);
nothing is filled in by guessing. The canonical sales frame (:data:`SALES_COLUMNS`) is what screening,
calibration, comparables and the ratio study read; the demo city's sales have the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from tax_baseline.parsing import (
    FloorParseError,
    FloorUnknown,
    OrientationParseError,
    parse_floor,
    parse_orientation,
)
from valuation.mapping import FIELDS, FieldSpec, Mapping, MappingError
from valuation.record_values import (
    is_placeholder,
    read_areas,
    read_prices,
    read_roc_dates,
    read_total_floors,
    read_years,
    read_yes_no,
)

SALES_COLUMNS = (
    "sale_id", "row", "building_id", "community_code", "zone_code", "address", "unit_id",
    "floor", "floor_low", "floor_high", "floor_text", "total_floors", "elevator", "orientation",
    "area", "price", "date", "month", "use", "house_type", "structure", "year_built", "remarks", "arms_length",
)


@dataclass(frozen=True)
class RowError:
    """One refused row: spreadsheet row number (header = row 1), the field, the source value and why."""

    row: int
    field: str
    value: object
    reason: str
    label: str | None = None  # the field's Chinese name; by default that of a sale's field

    def __str__(self) -> str:
        label = self.label or FIELDS.get(self.field, (self.field, False))[0]
        shown = "" if self.value in (None, "") else f"（原值“{self.value}”）"
        return f"第 {self.row} 行 {label}：{self.reason}{shown}"


@dataclass
class ImportResult:
    sales: pd.DataFrame
    errors: list[RowError] = field(default_factory=list)
    rows_read: int = 0
    rows_skipped: int = 0  # rows the mapping's keep_rows leaves out (not records of the kind mapped)

    @property
    def rows_refused(self) -> int:
        return len({e.row for e in self.errors})


def read_table(path: str | Path, mapping: Mapping) -> pd.DataFrame:
    """The raw file as text cells (nothing converted yet), in file order.

    ``attrs["file_rows"]`` holds each row's line number in the file (header = ``header_row``), so that
    rows are reported by the number a user sees even when ``skip_rows`` leaves lines out.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    # A Parquet file is never anything else, whatever the mapping's default format says.
    fmt = "parquet" if suffix == ".parquet" else (
        mapping.file_format or ("xlsx" if suffix in (".xlsx", ".xlsm") else "csv"))
    # header_row 0: the file has no header row; its columns are named by position, "1", "2", ...
    skip = list(range(max(mapping.header_row - 1, 0))) + [r - 1 for r in mapping.skip_rows]
    header = 0 if mapping.header_row else None
    if not path.exists():
        raise FileNotFoundError(f"找不到数据文件 {path}")
    if fmt == "xlsx":
        raw = pd.read_excel(path, sheet_name=mapping.sheet or 0, dtype=object, skiprows=skip, header=header)
    elif fmt == "parquet":  # what the scrapers write besides CSV (scrapers/run.py)
        raw = pd.read_parquet(path).astype(object)
    else:
        encoding = "utf-8-sig" if mapping.encoding.lower().replace("_", "-") == "utf-8" else mapping.encoding
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=encoding,
                          sep=mapping.delimiter, skiprows=skip, header=header)
    if header is None:
        raw.columns = [str(i + 1) for i in range(raw.shape[1])]
    raw.columns = [str(c).strip().lstrip("\ufeff") for c in raw.columns]
    lines = [r for r in range(mapping.header_row + 1, mapping.header_row + 1 + len(raw) + len(mapping.skip_rows))
             if r not in set(mapping.skip_rows)] if fmt != "parquet" else list(range(2, 2 + len(raw)))
    raw.attrs["file_rows"] = np.asarray(lines[:len(raw)], dtype=np.int64)
    return raw


def _text(series: pd.Series) -> pd.Series:
    if pd.api.types.is_string_dtype(series) and series.map(type).eq(str).all():
        return series.astype(str).str.strip()  # CSV cells: already text

    def one(v):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))  # spreadsheets turn codes such as 101 into 101.0
        if isinstance(v, datetime | pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        return str(v).strip()
    return series.map(one)


def field_text(raw: pd.DataFrame, spec: FieldSpec) -> pd.Series:
    """The text of one field for every row: a column, columns joined, or the constant; blanks stay ``""``, and a
    placeholder (暂无数据, 不详, --, …) in any part gives the empty text."""
    if spec.is_constant:
        return pd.Series([str(spec.value)] * len(raw), index=raw.index)
    parts = [_text(raw[c]) for c in spec.columns]
    parts = [p.where(~is_placeholder(p), "") for p in parts]
    out = parts[0]
    blank_any = parts[0] == ""
    for part in parts[1:]:  # joined column by column (vectorized); a blank part blanks the key
        out = out + spec.separator + part
        blank_any = blank_any | (part == "")
    out = out.where(~blank_any, "")
    if spec.extract:
        found = out.str.extract(spec.extract, expand=True)
        out = found.iloc[:, 0].fillna("").astype(str).str.strip() if found.shape[1] else out
    if spec.value_map:
        out = out.map(lambda v: str(spec.value_map.get(v, v)))
    return out


def parse_dates(text: pd.Series, date_format: str | None, calendar: str = "gregorian") -> pd.Series:
    """Dates as courts' and bureaus' files write them (NaT where unreadable); ``date_format`` forces one format,
    ``calendar`` roc reads ROC (民国) dates."""
    text = text.str.normalize("NFKC").str.strip()
    if calendar == "roc":
        return read_roc_dates(text)
    if date_format:
        return pd.to_datetime(text, format=date_format, errors="coerce")
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d", "%Y-%m", "%Y/%m", "%Y年%m月"):
        todo = out.isna() & (text != "")
        if not todo.any():
            break
        out[todo] = pd.to_datetime(text[todo], format=fmt, errors="coerce")
    return out


def _subtracted(raw: pd.DataFrame, columns: tuple[str, ...], read) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Σ of the ``subtract`` columns (blank = 0), the rows where one is unreadable, and that column's text."""
    total = pd.Series(0.0, index=raw.index)
    bad = pd.Series(False, index=raw.index)
    shown = pd.Series("", index=raw.index)
    for column in columns:
        text = _text(raw[column])
        value, unreadable = read(text)
        total = total + value.fillna(0.0)
        shown = shown.where(~(unreadable & ~bad), text)
        bad = bad | unreadable
    return total, bad, shown


def _kept_rows(raw: pd.DataFrame, mapping: Mapping) -> pd.Series:
    keep = pd.Series(True, index=raw.index)
    for rule in mapping.keep_rows:
        text = _text(raw[rule.column])
        if rule.values:
            keep &= text.isin(rule.values)
        if rule.pattern:
            keep &= text.str.contains(rule.pattern, regex=True, na=False)
        if rule.exclude:
            keep &= ~text.isin(rule.exclude)
    return keep


def apply_mapping(raw: pd.DataFrame, mapping: Mapping, *, first_row: int | None = None) -> ImportResult:
    """Turn raw text cells into canonical sales; refuse (and report) every row that cannot be read.

    With a register mapping (``mapping.purpose == "register"``) only the building fields are read and the
    floor serves only to infer total floors: an unreadable floor leaves it unknown rather than refusing.
    """
    missing = sorted(mapping.source_columns() - set(raw.columns))
    if missing:
        raise MappingError([f"数据文件中没有列 {', '.join(missing)}；文件的列为：{', '.join(raw.columns)}"])
    register = mapping.purpose == "register"
    file_rows = raw.attrs.get("file_rows")
    if first_row is None and file_rows is not None and len(file_rows) == len(raw):
        numbers = np.asarray(file_rows)
    else:
        numbers = np.arange(len(raw)) + (mapping.header_row + 1 if first_row is None else first_row)
    rows_read = len(raw)
    kept = _kept_rows(raw, mapping) if mapping.keep_rows else None
    if kept is not None:
        numbers = numbers[kept.to_numpy()]
        raw = raw[kept].reset_index(drop=True)
    rows = pd.Series(numbers, index=raw.index)
    errors: list[RowError] = []
    bad = pd.Series(False, index=raw.index)
    text = {name: field_text(raw, spec) for name, spec in mapping.fields.items()}
    shown = {name: (_text(raw[spec.columns[0]]) if len(spec.columns) == 1 and not spec.extract else text[name])
             for name, spec in mapping.fields.items()}

    def refuse(mask: pd.Series, name: str, reason: str, values: pd.Series | None = None) -> None:
        nonlocal bad
        source = shown[name] if values is None else values
        for i in np.flatnonzero(mask.to_numpy()):
            errors.append(RowError(int(rows.iat[i]), name, source.iat[i], reason))
        bad = bad | mask

    out = pd.DataFrame(index=raw.index)
    out["row"] = rows
    for name in (("building",) if register else ("building", "floor", "area", "price", "date")):
        refuse(text[name] == "", name, "不能为空" if not mapping.fields[name].extract else "不能为空（extract 规则未取到值）")
    out["building_id"] = text["building"]
    for name, column in (("community", "community_code"), ("zone", "zone_code"), ("address", "address"),
                         ("unit", "unit_id"), ("use", "use"), ("house_type", "house_type"),
                         ("structure", "structure"), ("remarks", "remarks")):
        out[column] = text[name].replace("", None) if name in text else None
    out["sale_id"] = text["sale_id"] if "sale_id" in text else rows.astype(str)
    if "sale_id" in text:
        refuse((text["sale_id"] != "") & text["sale_id"].duplicated(keep="first"), "sale_id", "成交编号重复")

    out["area"] = np.nan
    if "area" in text:
        area, unreadable = read_areas(text["area"])
        refuse(unreadable, "area", "应为数字（平方米），如 89.5、89.5㎡、89.5平方米")
        spec = mapping.fields["area"]
        if spec.subtract:
            less, sub_bad, sub_text = _subtracted(raw, spec.subtract, read_areas)
            refuse(sub_bad & ~unreadable, "area", f"扣减列 {'、'.join(spec.subtract)} 应为数字（平方米）", sub_text)
            area = area - less
        out["area"] = area
    out["price"] = np.nan
    if "price" in text:
        per_m2 = mapping.price_basis == "per_m2"
        price, unreadable, own_unit = read_prices(text["price"], per_m2=per_m2)
        hint = ("应为单价（元/㎡），如 21036、21036元/平米、2.1万" if per_m2
                else "应为总价，如 2390000、239万、239万元、1.2亿（单价请在映射中写 price_basis: per_m2）")
        refuse(unreadable, "price", hint)
        price = price.where(own_unit, price * mapping.price_multiplier)
        price = price * out["area"] if per_m2 else price
        spec = mapping.fields["price"]
        if spec.subtract:
            less, sub_bad, sub_text = _subtracted(
                raw, spec.subtract, lambda t: (lambda v: (v[0], v[1]))(read_prices(t, per_m2=False)))
            refuse(sub_bad & ~unreadable, "price", f"扣减列 {'、'.join(spec.subtract)} 应为金额", sub_text)
            price = price - less
        out["price"] = price

    dates = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns]")
    if "date" in text:
        calendar = mapping.fields["date"].calendar
        dates = parse_dates(text["date"], mapping.date_format, calendar)
        hint = ("应为民国纪年日期，如 1081127、108/11/27" if calendar == "roc" else
                f"应为日期，格式 {mapping.date_format}" if mapping.date_format else "应为日期，如 2016-03-15 或 2016-03")
        refuse((text["date"] != "") & dates.isna(), "date", hint)
    out["date"] = dates
    out["month"] = dates.dt.strftime("%Y-%m")

    total = pd.Series(np.nan, index=raw.index)
    if "total_floors" in text:
        total, unreadable = read_total_floors(text["total_floors"])
        bad_total = unreadable | (total < 1)
        refuse(bad_total, "total_floors", "应为不小于 1 的层数，如 18、18层、十八層、共18层")
        total = total.where(~bad_total)
    out["total_floors"] = total.astype("Int64")

    low = np.full(len(raw), np.nan)
    high = np.full(len(raw), np.nan)
    floor_bad = np.zeros(len(raw), dtype=bool)
    reasons: dict[int, str] = {}
    cache: dict[tuple[str, int | None], object] = {}
    floor_text = text["floor"].to_numpy() if "floor" in text else np.full(len(raw), "", dtype=object)
    totals = out["total_floors"].to_numpy()
    for i, (ftext, tot) in enumerate(zip(floor_text, totals, strict=True)):
        if ftext == "":
            continue
        key = (ftext, None if pd.isna(tot) else int(tot))
        if key not in cache:
            try:
                cache[key] = parse_floor(ftext, key[1])
            except FloorUnknown as exc:
                cache[key] = (str(exc), exc.total_floors)
            except FloorParseError as exc:
                cache[key] = (str(exc), None)
        reading = cache[key]
        if isinstance(reading, tuple):
            floor_bad[i] = True
            reasons[i] = reading[0]
            if pd.isna(tot) and reading[1] is not None:  # 未知楼层(共33层): the total is still known
                totals[i] = reading[1]
        else:
            low[i], high[i] = reading.low, reading.high
            if pd.isna(tot) and reading.total_floors is not None:
                totals[i] = reading.total_floors
    if not register:  # a register reads floors only to infer total floors
        for i in np.flatnonzero(floor_bad):
            errors.append(RowError(int(rows.iat[i]), "floor", shown["floor"].iat[i], reasons[i]))
        bad = bad | pd.Series(floor_bad, index=raw.index)
    out["total_floors"] = pd.array(totals, dtype="Int64")
    out["floor_low"] = pd.array(np.where(np.isnan(low), None, low), dtype="Int64")
    out["floor_high"] = pd.array(np.where(np.isnan(high), None, high), dtype="Int64")
    # A band (07 TO 09) is valued at its middle floor; the band itself is kept.
    mid = np.floor((low + high) / 2)
    out["floor"] = pd.array(np.where(np.isnan(mid), None, mid), dtype="Int64")
    out["floor_text"] = text["floor"] if "floor" in text else ""

    out["orientation"] = None
    if "orientation" in text:
        values = {}
        for v in text["orientation"].unique():
            if v == "":
                values[v] = None
                continue
            try:
                values[v] = parse_orientation(v)
            except OrientationParseError as exc:
                values[v] = exc
        parsed = text["orientation"].map(values)
        failed = parsed.map(lambda v: isinstance(v, Exception))
        for i in np.flatnonzero(failed.to_numpy()):
            errors.append(RowError(int(rows.iat[i]), "orientation", shown["orientation"].iat[i], str(parsed.iat[i])))
        bad = bad | failed
        out["orientation"] = parsed.where(~failed, None)

    out["year_built"] = pd.array([None] * len(raw), dtype="Int64")
    if "year_built" in text:
        calendar = mapping.fields["year_built"].calendar
        year, unreadable = read_years(text["year_built"], calendar=calendar)
        bad_year = unreadable | (year.notna() & ((year < 1800) | (year > 2100) | (year % 1 != 0)))
        refuse(bad_year, "year_built", "应为民国纪年的年份或日期，如 83、0830617" if calendar == "roc"
               else "应为四位年份，如 1998、1998年、1998-06")
        out["year_built"] = year.where(~bad_year).astype("Int64")

    for name in ("elevator", "arms_length"):
        out[name] = None
        if name in text:
            spec = mapping.fields[name]
            value, unknown = read_yes_no(text[name], spec.true_values, spec.false_values)
            refuse(unknown, name, f"应为 {'/'.join(spec.true_values[:2])} 或 {'/'.join(spec.false_values[:3])}")
            out[name] = value
    out["elevator"] = out["elevator"].map({True: "有", False: "无"}).where(out["elevator"].notna(), None)

    sales = out.loc[~bad, list(SALES_COLUMNS)].reset_index(drop=True)
    errors.sort(key=lambda e: (e.row, e.field))
    return ImportResult(sales=sales, errors=errors, rows_read=rows_read,
                        rows_skipped=0 if kept is None else int((~kept).sum()))


def import_transactions(path: str | Path, mapping: Mapping) -> ImportResult:
    """Read ``path`` (CSV, XLSX or Parquet) through ``mapping``."""
    return apply_mapping(read_table(path, mapping), mapping)


def normalize_sales(sales: pd.DataFrame) -> pd.DataFrame:
    """Give a sales frame from elsewhere (the demo city, a scraper) every canonical column.

    Missing optional columns are added empty; an exact ``floor`` gives ``floor_low = floor_high = floor``;
    ``month`` is derived from ``date``.
    """
    out = sales.copy()
    for column in ("building_id", "floor", "area", "price", "date"):
        if column not in out.columns:
            raise ValueError(f"sales need the column {column!r}")
    out["date"] = pd.to_datetime(out["date"])
    if "sale_id" not in out.columns:
        out["sale_id"] = np.arange(len(out)).astype(str)
    if "row" not in out.columns:
        out["row"] = np.arange(len(out)) + 2
    for column in ("floor_low", "floor_high"):
        if column not in out.columns:
            out[column] = out["floor"]
    if "floor_text" not in out.columns:
        out["floor_text"] = out["floor"].astype(str)
    if "month" not in out.columns:
        out["month"] = out["date"].dt.strftime("%Y-%m")
    if "elevator" in out.columns and out["elevator"].map(lambda v: isinstance(v, bool | np.bool_)).any():
        out["elevator"] = out["elevator"].map({True: "有", False: "无"})
    for column in SALES_COLUMNS:
        if column not in out.columns:
            out[column] = None
    return out[list(SALES_COLUMNS) + [c for c in out.columns if c not in SALES_COLUMNS]]
