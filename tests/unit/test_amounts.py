"""Money in fen and Chinese capitals (支付结算办法 附件一), figures, dates in the court's form."""

from datetime import date, datetime
from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auction.amounts import (
    amount_text,
    capitals,
    date_capitals,
    date_cn,
    datetime_cn,
    format_percent,
)
from tax_baseline.money import InvalidAmount, to_fen


@pytest.mark.parametrize(
    ("yuan", "expected"),
    [
        ("100000001.05", "人民币壹亿零壹元零伍分"),
        ("1000000", "人民币壹佰万元整"),
        ("1200000", "人民币壹佰贰拾万元整"),
        ("10010", "人民币壹万零壹拾元整"),
        ("0.05", "人民币伍分"),
        ("0.50", "人民币伍角整"),
        ("0.55", "人民币伍角伍分"),
        ("0", "人民币零元整"),
        ("16", "人民币壹拾陆元整"),
        ("10", "人民币壹拾元整"),
        ("100000", "人民币壹拾万元整"),
        ("1409.50", "人民币壹仟肆佰零玖元伍角整"),
        ("325.04", "人民币叁佰贰拾伍元零肆分"),
        ("16409.02", "人民币壹万陆仟肆佰零玖元零贰分"),
        ("1680.32", "人民币壹仟陆佰捌拾元叁角贰分"),
        ("107000.53", "人民币壹拾万柒仟元伍角叁分"),
        ("1001", "人民币壹仟零壹元整"),
        ("100010000", "人民币壹亿零壹万元整"),
        ("100001000", "人民币壹亿零壹仟元整"),
        ("110000000", "人民币壹亿壹仟万元整"),
        ("1010101010.10", "人民币壹拾亿壹仟零壹拾万壹仟零壹拾元壹角整"),
        ("864200", "人民币捌拾陆万肆仟贰佰元整"),
        ("999999999999.99", "人民币玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ],
)
def test_capitals_follow_the_banking_rules(yuan, expected):
    assert capitals(to_fen(yuan)) == expected


def test_capitals_refuse_negative_float_and_too_large():
    with pytest.raises(InvalidAmount, match="负数"):
        capitals(-1)
    with pytest.raises(InvalidAmount):
        capitals(1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="一万亿"):
        capitals(10**12 * 100)


_DIGIT = dict(zip("零壹贰叁肆伍陆柒捌玖", range(10), strict=True))
_SMALL = {"拾": 10, "佰": 100, "仟": 1000}


def _parse_capitals(text: str) -> int:
    """An independent reader of capitals back to fen (for the round-trip property)."""
    text = text.removeprefix("人民币").removesuffix("整")
    fen = 0
    if "元" in text:
        integer, text = text.split("元")
        total = section = digit = 0
        for char in integer:
            if char in _DIGIT:
                digit = _DIGIT[char]
            elif char in _SMALL:
                section += digit * _SMALL[char]
                digit = 0
            elif char == "万":
                total += (section + digit) * 10_000
                section = digit = 0
            elif char == "亿":
                total = (total + section + digit) * 100_000_000
                section = digit = 0
        fen = (total + section + digit) * 100
    if "角" in text:
        fen += _DIGIT[text[text.index("角") - 1]] * 10
    if "分" in text:
        fen += _DIGIT[text[text.index("分") - 1]]
    return fen


@given(st.integers(min_value=1, max_value=10**12 * 100 - 1))
def test_capitals_read_back_to_the_same_amount(fen):
    text = capitals(fen)
    assert _parse_capitals(text) == fen
    assert "零零" not in text
    assert not text.removeprefix("人民币").startswith("零")
    assert text.endswith(("整", "分"))


def test_amount_text_gives_figures_and_capitals():
    assert amount_text(84_000_000) == "840,000.00元（人民币捌拾肆万元整）"


def test_percent_drops_trailing_zeros():
    assert format_percent(Decimal("0.1")) == "10%"
    assert format_percent(Decimal("0.0575")) == "5.75%"
    assert format_percent(Decimal("0.69999999"), 4) == "70%"
    assert format_percent(Decimal("0.69999999"), 4, ROUND_FLOOR) == "69.9999%"


@pytest.mark.parametrize(
    ("day", "figures", "numerals"),
    [
        (date(2026, 11, 27), "2026年11月27日", "二〇二六年十一月二十七日"),
        (date(2020, 10, 10), "2020年10月10日", "二〇二〇年十月十日"),
        (date(2027, 1, 31), "2027年1月31日", "二〇二七年一月三十一日"),
        (date(2030, 12, 20), "2030年12月20日", "二〇三〇年十二月二十日"),
        (date(2001, 2, 1), "2001年2月1日", "二〇〇一年二月一日"),
    ],
)
def test_dates_in_the_courts_forms(day, figures, numerals):
    assert date_cn(day) == figures
    assert date_capitals(day) == numerals


def test_datetime_uses_24_hour_clock():
    assert datetime_cn(datetime(2026, 12, 31, 10, 0)) == "2026年12月31日10时00分"
    assert datetime_cn(datetime(2026, 12, 31, 15, 5)) == "2026年12月31日15时05分"


def test_numerals_come_from_cn2an_except_the_year_with_its_ling():
    from tax_baseline.numerals import capital_group, chinese_number, year_numerals

    assert [chinese_number(n) for n in (1, 10, 11, 20, 26, 31)] == ["一", "十", "十一", "二十", "二十六", "三十一"]
    assert capital_group(1409) == "壹仟肆佰零玖" and capital_group(16) == "壹拾陆" and capital_group(1000) == "壹仟"
    assert year_numerals(2026) == "二〇二六" and year_numerals(date(2000, 1, 1)) == "二〇〇〇"
    with pytest.raises(ValueError):
        capital_group(10000)


def test_an_empty_wan_group_still_writes_its_ling():
    # cn2an would write 壹亿壹仟元整; the rule kept here writes the zeros between digits as one 零
    assert capitals(10_000_100_000) == "人民币壹亿零壹仟元整"
