"""Numbers, yes/no values and placeholders as Chinese transaction records write them, read column-wise.

A column of a transaction file or a building register (楼盘表) is read whole (pandas string operations on its
distinct values), never guessed:

- numbers: full-width digits (NFKC), thousands separators (``1,234,567``, ``1，234``, ``1'234``, spaces),
  the multipliers 万 (×10⁴) and 亿 (×10⁸) (``239万``, ``1.2亿``, ``239万元``), units attached to prices
  (``元``, ``元整``, ``¥``), unit prices (``21036元/平米``, ``2.1万元/㎡``) and areas (``113.62㎡``,
  ``89.5平方米``, ``89.5平米``, ``89.5m²``, ``40.1平方公尺``; ``12.5坪`` converted at 1 坪 = 400/121 ㎡);
- placeholders: ``暂无数据``, ``暂无``, ``不详``, ``未知``, ``--``, ``-``, ``—``, ``NA``, ``N/A``, ``None``, ``null``,
  ``NaN``, ``/`` and the empty cell mean "not given": an optional field is left empty, a required one refused;
- yes/no: 有/是/Y/YES/TRUE/1 and 无/無/否/沒有/没有/N/NO/FALSE/0, also 有电梯/有電梯, 无电梯/無電梯;
- calendars: ROC (民国) dates as Taiwan's records write them (``1081127`` = 2019-11-27, ``108/11/27``,
  ``108年11月27日``; year 108 + 1911).

Every reader returns the values and a mask of the cells it could not read, so the caller reports each
refused row with its reason; a value is never rounded or completed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tax_baseline.parsing import FloorParseError, parse_total_floors

PLACEHOLDERS = frozenset({"", "暂无数据", "暂无", "暫無", "暫無資料", "无数据", "不详", "不詳", "未知", "--", "-", "—",
                          "——", "/", "NA", "N/A", "NAN", "NONE", "NULL", "#N/A"})
TRUE_WORDS = ("有", "是", "Y", "YES", "TRUE", "1", "T", "有电梯", "有電梯")
FALSE_WORDS = ("无", "無", "否", "没有", "沒有", "N", "NO", "FALSE", "0", "F", "无电梯", "無電梯")
PING_M2 = 400 / 121  # 1 坪 = 400/121 ㎡ ≈ 3.3058 ㎡ (Taiwan's area unit)
ROC_OFFSET = 1911  # 民国 year + 1911 = Gregorian year

_SEPARATORS = r"[,，'’\s_]"
_NUMBER = r"([+-]?\d+(?:\.\d+)?)"
_PRICE_RE = rf"^(¥|￥|RMB|NT\$|NTD)?{_NUMBER}(万|亿)?(元整|元|NTD)?$"
_UNIT_PRICE_RE = rf"^{_NUMBER}(万|亿)?元?/(?:平方米|平米|㎡|M2|M²|平方公尺|平|坪)$"
_AREA_RE = rf"^{_NUMBER}(㎡|平方米|平米|平|M2|M²|平方公尺|坪)?$"
_PLAIN_RE = rf"^{_NUMBER}$"
MULTIPLIERS = {"万": 1e4, "亿": 1e8}


def normalize_text(text: pd.Series) -> pd.Series:
    """NFKC (full-width digits and letters to ASCII), stripped, upper-case: the form every reader matches."""
    return text.astype(str).str.normalize("NFKC").str.strip().str.upper()


def is_placeholder(text: pd.Series) -> pd.Series:
    """True where a cell says "not given" (:data:`PLACEHOLDERS`)."""
    return normalize_text(text).isin(PLACEHOLDERS)


def _on_distinct(text: pd.Series, read) -> tuple[pd.Series, pd.Series]:
    """Apply ``read`` (Series of distinct normalized texts → float Series) and map back to every row."""
    norm = normalize_text(text)
    distinct = pd.Series(norm.unique())
    values = pd.Series(read(distinct).to_numpy(dtype=float), index=distinct.to_numpy())
    out = norm.map(values).astype(float)
    return out, out.isna() & ~norm.isin(PLACEHOLDERS)


def _compact(text: pd.Series) -> pd.Series:
    return text.str.replace(_SEPARATORS, "", regex=True)


def read_plain_numbers(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Numbers with separators and full-width digits, no unit: (values, unreadable)."""
    def read(d: pd.Series) -> pd.Series:
        m = _compact(d).str.extract(_PLAIN_RE)
        return pd.to_numeric(m[0], errors="coerce")
    return _on_distinct(text, read)


def read_prices(text: pd.Series, *, per_m2: bool) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Prices: (values in yuan, unreadable, written with its own unit).

    A total (``per_m2`` False) reads ``239万``, ``1.2亿``, ``2,390,000元``; a unit price (``per_m2`` True) also
    reads ``21036元/平米``, ``2.1万/㎡`` (per 坪 converted to per ㎡). A unit price where a total is expected (or
    the other way round) is unreadable. ``own_unit`` marks the values that carried 万/亿/元 themselves, to
    which a mapping's ``price_multiplier`` does not apply again.
    """
    def parts(d: pd.Series) -> pd.DataFrame:
        c = _compact(d)
        total = c.str.extract(_PRICE_RE)
        out = pd.DataFrame({"value": pd.to_numeric(total[1], errors="coerce"),
                            "mult": total[2].map(MULTIPLIERS).fillna(1.0).astype(float),
                            "own": total[0].notna() | total[2].notna() | total[3].notna()})
        if per_m2:
            unit = c.str.extract(_UNIT_PRICE_RE)
            unit_value = pd.to_numeric(unit[0], errors="coerce")
            per_ping = c.str.endswith("坪")
            unit_value = unit_value.where(~per_ping, unit_value / PING_M2)
            use = out["value"].isna() & unit_value.notna()
            if use.any():
                out.loc[use, "value"] = unit_value[use]
                out.loc[use, "mult"] = unit[1][use].map(MULTIPLIERS).fillna(1.0).to_numpy(dtype=float)
                out.loc[use, "own"] = True
        return out

    norm = normalize_text(text)
    distinct = pd.Series(norm.unique())
    p = parts(distinct)
    p.index = distinct.to_numpy()
    value = norm.map(p["value"] * p["mult"]).astype(float)
    own = norm.map(p["own"]).fillna(False).astype(bool)
    return value, value.isna() & ~norm.isin(PLACEHOLDERS), own


def read_areas(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Areas in ㎡: ``113.62㎡``, ``89.5平方米``, ``89.5平米``, ``40.1平方公尺``, ``12.5坪`` (→ ㎡)."""
    def read(d: pd.Series) -> pd.Series:
        m = _compact(d).str.extract(_AREA_RE)
        value = pd.to_numeric(m[0], errors="coerce")
        return value.where(m[1] != "坪", value * PING_M2)
    return _on_distinct(text, read)


def read_yes_no(text: pd.Series, true_words=TRUE_WORDS, false_words=FALSE_WORDS) -> tuple[pd.Series, pd.Series]:
    """(True/False/None per cell, unreadable): placeholders are None, anything else unknown is unreadable."""
    norm = normalize_text(text)
    value = pd.Series(None, index=text.index, dtype=object)
    value[norm.isin([w.upper() for w in true_words])] = True
    value[norm.isin([w.upper() for w in false_words])] = False
    return value, value.isna() & ~norm.isin(PLACEHOLDERS)


def read_roc_dates(text: pd.Series) -> pd.Series:
    """ROC (民国) dates: ``1081127``, ``0830617``, ``108/11/27``, ``108-11-27``, ``108.11.27``, ``108年11月27日``,
    and months ``10811``, ``108/11``, ``108年11月`` (day 1). NaT where unreadable."""
    compact = normalize_text(text).str.replace(r"\s", "", regex=True)
    forms = (r"^(\d{2,3})(\d{2})(\d{2})$", r"^(\d{2,3})(\d{2})()$",
             r"^(\d{2,3})[-/.年](\d{1,2})(?:[-/.月](\d{1,2})日?|月)?()$")
    parts = pd.DataFrame(index=text.index, columns=[0, 1, 2], dtype=object)
    for form in forms:
        m = compact.str.extract(form).iloc[:, :3]
        m.columns = [0, 1, 2]
        todo = parts[0].isna() & m[0].notna()
        parts[todo] = m[todo]
    year = pd.to_numeric(parts[0], errors="coerce") + ROC_OFFSET
    month = pd.to_numeric(parts[1], errors="coerce")
    day = pd.to_numeric(parts[2].replace("", np.nan), errors="coerce").fillna(1)
    frame = pd.DataFrame({"year": year, "month": month, "day": day.where(year.notna())})
    ok = frame.notna().all(axis=1)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
    if ok.any():
        out[ok] = pd.to_datetime(frame[ok].astype(int), errors="coerce")
    return out


def read_years(text: pd.Series, *, calendar: str = "gregorian") -> tuple[pd.Series, pd.Series]:
    """Years (建成年份): ``1998``, ``1998年``, ``1998-06``, ``1998-06-17``, ``1998年6月``; with ``calendar`` roc,
    ``83``, ``083``, ``0830617``, ``83年`` (+1911). (years as float, unreadable)."""
    norm = normalize_text(text)
    if calendar == "roc":
        dates = read_roc_dates(text)
        plain = norm.str.extract(r"^(\d{1,3})年?$")[0]
        year = dates.dt.year.astype(float).fillna(pd.to_numeric(plain, errors="coerce") + ROC_OFFSET)
    else:
        m = norm.str.extract(r"^(\d{4})(?:年|[-/.]\d{1,2}(?:[-/.]\d{1,2})?|年\d{1,2}月(?:\d{1,2}日)?)?$")
        year = pd.to_numeric(m[0], errors="coerce").astype(float)
    return year, year.isna() & ~norm.isin(PLACEHOLDERS)


def read_total_floors(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Total floors (总层数) in every form :func:`tax_baseline.parsing.parse_total_floors` reads."""
    norm = text.astype(str).str.strip()
    values = {}
    for v in norm.unique():
        if normalize_text(pd.Series([v])).iat[0] in PLACEHOLDERS:
            values[v] = np.nan
            continue
        try:
            values[v] = float(parse_total_floors(v))
        except FloorParseError:
            values[v] = np.nan
    out = norm.map(values).astype(float)
    return out, out.isna() & ~is_placeholder(norm)
