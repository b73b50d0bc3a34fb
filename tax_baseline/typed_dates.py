"""Dates as courts type them (the one parser of every command, view and sheet).

A clerk writes ``2025-06-01``, ``2025-6-1``, ``2025年6月1日``, ``2025.6.1``, ``2025/06/01``, with full-width
digits (２０２５年６月１日) or spaces (``2025 年 6 月 1 日``); a spreadsheet cell read as text may carry a midnight
time (``2025-06-01 00:00:00``). A moment adds a time of day after a space or ``T``: ``10:00``, ``10:00:30``,
``10时00分`` or ``10时``. A date that does not exist (2025-02-30) is refused like text that is no date, with a
Chinese message that names the text and the forms expected; nothing is guessed (no two-digit years, no
day-first orders).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

__all__ = ["DATE_FORMS", "DATETIME_FORMS", "InvalidDate", "date_text", "parse_date", "parse_datetime"]

DATE_FORMS = "YYYY-MM-DD（年-月-日），如 2025-06-01（也可写 2025年6月1日、2025.6.1、2025/6/1）"
DATETIME_FORMS = "YYYY-MM-DD HH:MM（年-月-日 时:分），如 2026-12-01 10:00（也可写 2026-12-01T10:00、2026年12月1日10时00分）"

_DATE = r"(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?"
_DATE_RE = re.compile(rf"^{_DATE}(?:[\sT]+0{{1,2}}:00(?::00)?)?$")
_DATETIME_RE = re.compile(
    rf"^{_DATE}(?:(?:\s+|T|\s*(?<=日))(\d{{1,2}})\s*(?::|时|点)\s*(?:(\d{{1,2}})\s*(?::\s*(\d{{1,2}}))?\s*分?)?)?$")


class InvalidDate(ValueError):
    """Text that is not a date (or a moment) in a form courts type; the message (Chinese) names the forms."""


def _normal(text: object) -> str:
    return unicodedata.normalize("NFKC", str(text)).strip()


def date_text(value: object) -> str:
    """A date as typed, in ISO form (``2025年6月1日`` → ``2025-06-01``), without checking that it exists; other
    text is returned as it was (for a column that pandas reads after, e.g. an Excel date cell)."""
    text = _normal(value)
    match = _DATE_RE.match(text)
    return f"{match[1]}-{int(match[2]):02d}-{int(match[3]):02d}" if match else text


def parse_date(text: object, what: str = "日期") -> date:
    """A date as typed (see the module docstring); a ``date`` (not a ``datetime``) is returned as it is.
    ``what`` names the field in the message of ``InvalidDate``."""
    if isinstance(text, datetime):
        return text.date()
    if isinstance(text, date):
        return text
    match = _DATE_RE.match(_normal(text or ""))
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise InvalidDate(f"{what}“{text or ''}”不是有效日期，应为 {DATE_FORMS}。")


def parse_datetime(text: object, what: str = "时间") -> datetime:
    """A moment as typed: a date and a time of day (midnight when only a date is given)."""
    if isinstance(text, datetime):
        return text
    match = _DATETIME_RE.match(_normal(text or ""))
    if match:
        try:
            return datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4] or 0), int(match[5] or 0),
                            int(match[6] or 0))
        except ValueError:
            pass
    raise InvalidDate(f"{what}“{text or ''}”不是有效时间，应为 {DATETIME_FORMS}。")
