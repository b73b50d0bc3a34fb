"""User text written into a spreadsheet never becomes a formula (OWASP, "CSV Injection"): the one function every
XLSX and CSV export passes its text cells through.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what Excel, WPS and
LibreOffice may evaluate as a formula (``=HYPERLINK(...)``, DDE payloads such as ``=cmd|' /C calc'!A0``, ``@SUM``)
when the file is opened. OWASP's remedy: prefix such a cell with a single quote, so it is shown as the text it is.
openpyxl would store ``=...`` as a live formula in an .xlsx, and any of the characters is a formula once a CSV is
opened. A plain number typed as text (``-1`` for a basement floor, ``-3.5``: digits with an optional sign and
decimal point) cannot run anything and is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def neutralize(value: Any) -> Any:
    """``value`` as it may be written to a spreadsheet cell: text that could start a formula gets a leading
    single quote; everything else (numbers, dates, None, harmless text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralize_row(values: Any) -> list[Any]:
    return [neutralize(v) for v in values]


def neutralize_frame(frame: Any) -> Any:
    """A copy of a pandas DataFrame with every text cell neutralized (numeric columns untouched)."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_object_dtype(out[column]) or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralize)
    return out
