"""Outcome statistics against figures worked by hand."""

from decimal import Decimal

import pytest

from auction.outcomes import (
    InvalidOutcome,
    LotOutcome,
    check_outcome,
    offline_commission_fen,
    outcome_statistics,
)


def test_statistics_hand_worked():
    # starting 1,000,000.00 sold 1,100,000.00 (ref 1,400,000.00); starting 500,000.00 sold 500,000.00
    # (ref 700,000.00); one unsold, one reneged, one withdrawn (not at the end of bidding).
    lots = [
        LotOutcome("sold", 100_000_000, 140_000_000, 110_000_000),
        LotOutcome("sold", 50_000_000, 70_000_000, 50_000_000),
        LotOutcome("unsold", 30_000_000, 40_000_000),
        LotOutcome("reneged", 20_000_000, 30_000_000),
        LotOutcome("withdrawn", 10_000_000, 15_000_000),
    ]
    s = outcome_statistics(lots)
    assert s.reached_end == 4 and s.sold == 2
    assert s.success_rate == Decimal("0.5000")                     # 2 / 4
    assert s.premium_rate == Decimal("0.0667")                     # (1,600,000 - 1,500,000) / 1,500,000
    assert s.mean_premium_rate == Decimal("0.0500")                # (10% + 0%) / 2
    assert s.discount_to_reference == Decimal("0.2381")            # 1 - 1,600,000 / 2,100,000
    # art. 29: 1,100,000 × 5% = 55,000.00; 500,000 × 5% = 25,000.00
    assert s.commission_saved_fen == 8_000_000


def test_commission_bands_at_their_boundaries():
    assert offline_commission_fen(200_000_000) == 10_000_000             # 2,000,000 × 5%
    assert offline_commission_fen(200_000_100) == 10_000_003             # + 1.00 × 3% = 0.03
    assert offline_commission_fen(1_000_000_000) == 10_000_000 + 24_000_000  # + 8,000,000 × 3%
    # 150,000,000: 100,000 + 240,000 + 800,000 + 500,000 + 50,000,000 × 0.5% = 1,890,000.00
    assert offline_commission_fen(15_000_000_000) == 189_000_000


def test_no_lots_gives_no_rates():
    s = outcome_statistics([])
    assert s.success_rate is None and s.premium_rate is None and s.commission_saved_fen == 0


def test_outcome_checks():
    check_outcome("sold", 100, 100)
    with pytest.raises(InvalidOutcome, match="低于起拍价"):
        check_outcome("sold", 99, 100)
    with pytest.raises(InvalidOutcome, match="必须填写成交价"):
        check_outcome("sold", None, 100)
    with pytest.raises(InvalidOutcome, match="不应填写成交价"):
        check_outcome("unsold", 100, 100)
    with pytest.raises(InvalidOutcome, match="无效"):
        check_outcome("lost", None, 100)
