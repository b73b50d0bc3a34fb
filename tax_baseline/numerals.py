"""Chinese numerals (中文数字): the one home for writing and reading them.

``cn2an`` does the job where it can: numbers as documents write them (``chinese_number``: 十, 二十六, for
articles, months, days, ranks, weekdays), the capitals of a 4-digit group (``capital_group``: 壹仟肆佰零玖) and
reading a numeral (``read_numeral``). Kept here is only what it does not do:

- a year written digit by digit with 〇 (二〇二六年, as rulings date their signature; cn2an writes 零);
- the variants court records carry when reading (两/兩 = 二, 〇 = 零, 參/参 = 叁, 貳 = 贰), and the range a
  floor or building number can have (〇 to 九十九: anything larger or a decimal is refused as a typing error).

Amounts in capitals (joining the groups with 万 and 亿, 零 and 整) are ``auction.amounts.capitals``.
"""

from __future__ import annotations

from datetime import date

import cn2an

__all__ = ["NUMERAL_CHARS", "capital_group", "chinese_number", "read_numeral", "year_numerals"]

_YEAR_DIGITS = "〇一二三四五六七八九"
# Forms cn2an does not read, as they appear in registry extracts copied from contracts.
_VARIANTS = str.maketrans({"〇": "零", "两": "二", "兩": "二", "參": "叁", "参": "叁", "貳": "贰"})
#: Every character a numeral from 〇 to 九十九 may be written with (for the patterns that find one in text).
NUMERAL_CHARS = "〇零一壹二贰貳两兩三叁參参四肆五伍六陆陸七柒八捌九玖十拾"


def chinese_number(n: int) -> str:
    """A whole number as documents write it: 10 → 十, 26 → 二十六, 100 → 一百 (``cn2an.an2cn``)."""
    return cn2an.an2cn(int(n))


def capital_group(n: int) -> str:
    """0 < n < 10000 in capitals (大写), without leading zero: 1409 → 壹仟肆佰零玖, 16 → 壹拾陆."""
    if not 0 < n < 10000:
        raise ValueError(f"group out of range: {n}")
    return cn2an.an2cn(n, "up")


def year_numerals(value: date | int) -> str:
    """The year digit by digit with 〇: 2026 → 二〇二六 (the signature date of a ruling)."""
    year = value.year if isinstance(value, date) else int(value)
    return "".join(_YEAR_DIGITS[int(d)] for d in str(year))


def read_numeral(text: str) -> int:
    """Read a Chinese numeral from 〇 to 九十九: 五, 十, 十五, 一十五, 二十三; financial (壹 贰 … 拾) and
    traditional forms read the same. Positional strings such as 二三, decimals and numbers of a hundred or
    more are refused, because no floor or building number in the sources is written that way and guessing
    would hide a typing error. Raises ``ValueError`` with a Chinese message."""
    problem = f'无法识别中文数字"{text}"：应为 〇、一 … 九十九 之间的写法，如 五、十五、二十三'
    s = (text or "").strip().translate(_VARIANTS)
    if not s or any(ch not in NUMERAL_CHARS for ch in s):
        raise ValueError(problem)
    try:
        value = cn2an.cn2an(s, "strict")
    except ValueError:
        raise ValueError(problem) from None
    if value != int(value) or not 0 <= value <= 99:
        raise ValueError(problem)
    return int(value)
