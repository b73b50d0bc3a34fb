"""Values as Chinese auction, listing and land-bureau pages write them, read exactly.

Money becomes integer fen (分): ``¥1,234,567.00``, ``1,234,567元``, ``171万元``, ``235万``, ``1.25亿元``.
An amount that is not a whole number of fen is refused rather than rounded: a page that says
``1.234567万元`` has a typing error, and guessing would put a wrong price into a calibration.
Areas become ``Decimal`` square metres (``118.56㎡``, ``118.56平方米``, ``3.5公顷``). Dates accept
``2026-03-15``, ``2026.03.15``, ``2026/3/15`` and ``2026年3月15日``, with an optional time.
Every error message is Chinese and names the text and the expected form.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_MONEY_UNITS = {"": 1, "元": 1, "万": 10_000, "万元": 10_000, "亿": 100_000_000, "亿元": 100_000_000}
_MONEY_RE = re.compile(r"^(?:¥|￥|RMB|人民币)?([0-9][0-9,]*(?:\.[0-9]+)?)(万元|亿元|万|亿|元)?$")
_AREA_RE = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)(㎡|平方米|平米|平|M2|M²|公顷)?$")
_DATE_RE = re.compile(
    r"^(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_COUNT_RE = re.compile(r"^(\d+)(?:次|人|个)?$")


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).upper() \
        if text is not None else ""


def _number(digits: str, text: str, what: str) -> Decimal:
    try:
        return Decimal(digits.replace(",", ""))
    except InvalidOperation as exc:  # pragma: no cover - the regular expressions admit only numbers
        raise ValueError(f"{what}“{text}”不是数字") from exc


def money_fen(text: str) -> int:
    """An amount of money in integer fen; ``ValueError`` (Chinese) when unreadable or finer than a fen."""
    s = _clean(text).replace("￥", "¥")
    match = _MONEY_RE.match(s)
    if not match:
        raise ValueError(f"无法识别金额“{text}”：应为 ¥1,234,567.00、1234567元、171万元 等形式")
    fen = _number(match[1], text, "金额") * _MONEY_UNITS[match[2] or ""] * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额“{text}”不是整分数：应精确到分")
    return int(fen)


def area_m2(text: str) -> Decimal:
    """An area in square metres (Decimal, as written); ``ValueError`` (Chinese) when unreadable."""
    match = _AREA_RE.match(_clean(text))
    if not match:
        raise ValueError(f"无法识别面积“{text}”：应为 118.56㎡、118.56平方米 或 3.5公顷 等形式")
    value = _number(match[1], text, "面积")
    return value * 10_000 if match[2] == "公顷" else value


def _date_parts(text: str) -> re.Match:
    match = _DATE_RE.match(unicodedata.normalize("NFKC", (text or "").strip()).replace("  ", " "))
    if not match:
        raise ValueError(f"无法识别日期“{text}”：应为 2026-03-15、2026.03.15 或 2026年3月15日 等形式")
    return match


def page_datetime(text: str) -> datetime:
    """A date with an optional time (midnight when absent)."""
    m = _date_parts(text)
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError as exc:
        raise ValueError(f"日期“{text}”不存在") from exc


def page_date(text: str) -> date:
    return page_datetime(text).date()


def count(text: str) -> int:
    """A count such as ``37次``."""
    match = _COUNT_RE.match(_clean(text))
    if not match:
        raise ValueError(f"无法识别次数“{text}”：应为 37 或 37次 等形式")
    return int(match[1])
