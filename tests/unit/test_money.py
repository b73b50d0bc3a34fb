"""Money: the exact rule for typed amounts, half-up rounding for computed ones, and how amounts are shown."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from auction.platforms.fields import field_fen
from tax_baseline.money import (
    InvalidAmount,
    fen_half_up,
    format_figures,
    format_yuan,
    parse_yuan,
    round_fen,
    round_yuan,
    to_fen,
    to_yuan,
    yuan_per_m2,
    yuan_text,
)


def test_to_fen_is_exact_and_refuses_floats_and_sub_fen():
    assert to_fen("1,200,000.00") == 120_000_000
    assert to_fen("¥86.5") == 8650
    assert to_fen("12元") == 1200
    assert to_fen(Decimal("0.01")) == 1
    assert to_fen(7) == 700
    with pytest.raises(InvalidAmount, match="浮点"):
        to_fen(0.1)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount, match="两位小数"):
        to_fen("1.005")
    with pytest.raises(InvalidAmount, match="不是数字"):
        to_fen("一百元")


def test_a_form_field_is_exact_and_blank_is_none():
    assert parse_yuan("") is None and parse_yuan("  ") is None and parse_yuan(None) is None
    assert parse_yuan("1,250,000.50") == 125_000_050
    with pytest.raises(InvalidAmount, match="两位小数"):
        parse_yuan("1250000.505")
    with pytest.raises(InvalidAmount, match="不是数字"):
        parse_yuan("abc")


@pytest.mark.parametrize("yuan, fen", [("1.005", 101), ("1.0049", 100), ("-1.005", -101), ("0.015", 2)])
def test_a_computed_amount_is_rounded_half_up_to_the_fen(yuan, fen):
    assert fen_half_up(Decimal(yuan)) == fen
    with pytest.raises(InvalidAmount, match="浮点"):
        fen_half_up(1.005)  # type: ignore[arg-type]


def test_a_listing_field_in_yuan_rounds_half_up_by_the_same_rule():
    assert field_fen(Decimal("1.005"), key="starting_price") == fen_half_up(Decimal("1.005")) == 101
    assert field_fen(123, key="deposit_fen") == 123  # fen already
    assert field_fen(123, key="deposit") == 12_300  # yuan


def test_an_exact_fraction_of_fen_rounds_half_up():
    assert round_fen(Fraction(5, 2)) == 3 and round_fen(Fraction(7, 3)) == 2 and round_fen(Fraction(4)) == 4


def test_a_yuan_amount_rounds_half_up_to_the_fen_in_yuan():
    assert round_yuan(Decimal("12345.675")) == Decimal("12345.68")
    assert round_yuan(Decimal("12345.674999")) == Decimal("12345.67")


def test_figures_and_yuan():
    assert format_figures(120_000_000) == "1,200,000.00"
    assert format_figures(5) == "0.05"
    assert format_figures(-100_010) == "-1,000.10"
    assert format_yuan(10_001_000) == "100,010.00元"
    assert to_yuan(123) == Decimal("1.23")
    assert yuan_text(120_000_000) == "1200000.00"


def test_yuan_per_m2_divides_exactly_and_rounds_half_up_to_the_fen():
    assert yuan_per_m2(235_000_000, Decimal("89.50")) == Decimal("26256.98")  # 26256.983…
    assert yuan_per_m2(1_000_005, Decimal("100")) == Decimal("100.00")  # 100.0005 → 100.00
    assert yuan_per_m2(1_000_050, Decimal("100")) == Decimal("100.01")  # 100.005 → half up
    assert yuan_per_m2(100, Decimal("3")) == Decimal("0.33")
