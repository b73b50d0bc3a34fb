"""Money (金额): the one home of fen/yuan conversions, each rounding rule named once.

Amounts are integer fen (分) inside the program and ``Decimal`` yuan at the edges; a binary float is refused.
Which rule applies depends on where the amount comes from:

- an amount someone typed or pays (a price, a cost, a fee): exact. More than two decimals is refused, never
  rounded (``to_fen``; ``parse_yuan`` for a form field that may be blank);
- an amount computed from others (a ratio of a price, a statistic, a platform's yuan field): rounded half up
  to the fen, 四舍五入 (``fen_half_up`` from yuan; ``round_fen`` from an exact fraction of fen;
  ``round_yuan`` for a ``Decimal`` yuan amount kept in yuan, as the tax-bureau quote gives it).

Shown as ``to_yuan`` (``Decimal`` with two places), ``yuan_text`` (``"1200000.00"``), ``format_figures``
(``"1,200,000.00"``) and ``format_yuan`` (``"1,200,000.00元"``). The lowest domain package holds it because
the tax-bureau quote already rounds money; ``valuation`` and ``auction`` build on it.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

FEN_PER_YUAN = 100
FEN = Decimal("0.01")  # one fen, in yuan


class InvalidAmount(ValueError):
    """Text or a value that is not an exact amount of money; the message (Chinese) says what is expected."""


def _refuse_float(value: object) -> None:
    if isinstance(value, bool | float):
        raise InvalidAmount(f"金额“{value}”不能用浮点数表示，应为精确到分的十进制数，如 1200000.00。")


def _decimal(value: Decimal | int | str) -> Decimal:
    _refuse_float(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        text = re.sub(r"[\s,，¥￥]", "", value).removesuffix("元")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(f"金额“{value}”不是数字，应为以元为单位、精确到分的数，如 1200000.00。") from None
    elif isinstance(value, Decimal):
        amount = value
    else:
        raise InvalidAmount(f"金额类型 {type(value).__name__} 不受支持，应为 Decimal、整数或文本。")
    if not amount.is_finite():
        raise InvalidAmount(f"金额“{value}”不是有限的数，应为精确到分的十进制数。")
    return amount


def to_fen(value: Decimal | int | str) -> int:
    """Yuan (``Decimal``, ``int`` or text such as ``"1,200,000.00"`` / ``"¥86.5"`` / ``"12元"``) → integer fen.

    The exact rule: more than two decimals is refused, not rounded, for an amount someone pays is never silently
    changed."""
    fen = _decimal(value) * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise InvalidAmount(f"金额“{value}”超过两位小数，应精确到分，如 1200000.05。")
    return int(fen)


def parse_yuan(text: str | None) -> int | None:
    """A form field in yuan as a user types it → integer fen by the exact rule (``to_fen``); blank → ``None``."""
    if text is None or not str(text).strip():
        return None
    return to_fen(str(text))


def fen_half_up(yuan: Decimal | int | str) -> int:
    """A computed yuan amount (a ratio of a price, a platform's yuan field) → fen, rounded half up to the fen."""
    return int((_decimal(yuan) * FEN_PER_YUAN).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def round_fen(value: Fraction) -> int:
    """An exact amount of fen (a mean of prices as a ``Fraction``) → a whole fen, rounded half up (四舍五入)."""
    if value.denominator == 1:
        return value.numerator
    return int((Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(1), ROUND_HALF_UP))


def round_yuan(value: Decimal) -> Decimal:
    """A ``Decimal`` yuan amount rounded half up to the fen, kept in yuan (the tax-bureau quote's prices)."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def to_yuan(fen: int) -> Decimal:
    """Integer fen → ``Decimal`` yuan with two places (exact)."""
    return (Decimal(fen) / FEN_PER_YUAN).quantize(FEN)


def yuan_per_m2(fen: int, area_m2: Decimal) -> Decimal:
    """A total price in fen over an area in square metres → yuan per square metre (成交单价), rounded half up to
    the fen."""
    return round_yuan(to_yuan(fen) / Decimal(area_m2))


def yuan_text(fen: int) -> str:
    """``120000000`` → ``"1200000.00"`` (yuan with two places, no separators: what platforms' packages carry)."""
    return str(to_yuan(fen))


def format_figures(fen: int) -> str:
    """``120000000`` → ``"1,200,000.00"`` (figures with thousands separators and two decimals)."""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{sign}{yuan:,}.{cents:02d}"


def format_yuan(fen: int) -> str:
    """``120000000`` → ``"1,200,000.00元"``."""
    return format_figures(fen) + "元"
