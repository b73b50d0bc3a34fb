"""Amounts and dates as a court writes them in documents.

Money itself (fen/yuan conversions and their rounding rules) is ``tax_baseline.money``. Chinese capitals
(大写金额) follow 中国人民银行《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》:

- 人民币 + digits 零壹贰叁肆伍陆柒捌玖 with units 拾佰仟万亿, then 元, 角, 分;
- 到元为止的写"整"; 到角为止的也写"整" (the rule allows it and it blocks additions); 有分的不写"整";
- zeros between digits, however many, are written as one 零 (1,409.50 → 壹仟肆佰零玖元伍角整;
  10,010 → 壹万零壹拾元整); a zero 角 before a non-zero 分 is written (325.04 → 叁佰贰拾伍元零肆分);
- a leading 拾 is written 壹拾 (16 → 壹拾陆元整);
- an amount below one yuan has no 元 (0.05 → 人民币伍分).

Dates: ``2026年11月27日`` in notices and announcements; rulings (裁定书) date their signature in Chinese
numerals, ``二〇二六年十一月二十七日``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from tax_baseline.money import FEN_PER_YUAN, InvalidAmount, format_yuan
from tax_baseline.numerals import capital_group, chinese_number, year_numerals

#: The largest amount written in capitals: below 1 万亿 yuan (no court sale comes near it).
MAX_CAPITALS_FEN = 10**12 * FEN_PER_YUAN - 1

_CAPITAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_GROUP_UNITS = ("", "万", "亿")


def _integer_capitals(yuan: int) -> str:
    groups: list[int] = []
    while yuan:
        yuan, group = divmod(yuan, 10000)
        groups.append(group)
    out = ""
    gap = False  # a zero group or a leading zero inside a group lies between the last output and here
    for index in reversed(range(len(groups))):
        group = groups[index]
        if group == 0:
            gap = bool(out)
            continue
        if out and (gap or group < 1000):
            out += "零"
        out += capital_group(group) + _GROUP_UNITS[index]
        gap = False
    return out


def capitals(fen: int, *, prefix: str = "人民币") -> str:
    """Integer fen → Chinese capitals, e.g. ``120000000`` → ``"人民币壹佰贰拾万元整"``.

    See the module docstring for the rules; raises ``InvalidAmount`` for negative or absurdly large amounts.
    """
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise InvalidAmount(f"大写金额需要以分为单位的整数，收到 {fen!r}。")
    if fen < 0:
        raise InvalidAmount(f"金额不能为负数，收到 {format_yuan(fen)}。")
    if fen > MAX_CAPITALS_FEN:
        raise InvalidAmount(f"金额 {format_yuan(fen)} 超出大写金额的范围（应小于一万亿元）。")
    yuan, cents = divmod(fen, FEN_PER_YUAN)
    jiao, fen_digit = divmod(cents, 10)
    if yuan == 0 and cents == 0:
        return f"{prefix}零元整"
    text = ""
    if yuan:
        text = _integer_capitals(yuan) + "元"
    if jiao:
        text += _CAPITAL_DIGITS[jiao] + "角"
    elif fen_digit and yuan:
        text += "零"
    if fen_digit:
        text += _CAPITAL_DIGITS[fen_digit] + "分"
    else:
        text += "整"
    return prefix + text


def amount_text(fen: int) -> str:
    """Figures and capitals together, as documents state amounts: ``840,000.00元（人民币捌拾肆万元整）``."""
    return f"{format_yuan(fen)}（{capitals(fen)}）"


def format_percent(ratio: Decimal, places: int = 2, rounding: str = ROUND_HALF_UP) -> str:
    """``Decimal("0.1")`` → ``"10%"``; ``Decimal("0.0575")`` → ``"5.75%"`` (trailing zeros dropped)."""
    value = (Decimal(ratio) * 100).quantize(Decimal(1).scaleb(-places), rounding=rounding)
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


# --- dates ---------------------------------------------------------------------------------------------


def date_cn(value: date) -> str:
    """``date(2026, 11, 27)`` → ``"2026年11月27日"``."""
    return f"{value.year}年{value.month}月{value.day}日"


def datetime_cn(value: datetime) -> str:
    """``datetime(2026, 11, 27, 10, 0)`` → ``"2026年11月27日10时00分"`` (24-hour clock, as platforms print)."""
    return f"{date_cn(value)}{value.hour}时{value.minute:02d}分"


def date_capitals(value: date) -> str:
    """The court's date under a ruling: ``date(2026, 11, 27)`` → ``"二〇二六年十一月二十七日"``
    (year digit by digit with 〇; month and day as numbers: 十月, 十一月, 二十日, 三十一日)."""
    return f"{year_numerals(value)}年{chinese_number(value.month)}月{chinese_number(value.day)}日"
