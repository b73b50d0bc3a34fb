"""Outcome statistics against figures worked by hand."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from auction.outcomes import (
    InvalidOutcome,
    LotOutcome,
    check_outcome,
    check_outcome_date,
    check_sale_details,
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


START = datetime(2026, 12, 1, 10, 0)


@pytest.mark.parametrize("outcome", ["sold", "unsold", "reneged"])
def test_an_outcome_of_the_bidding_cannot_be_dated_before_it_began(outcome):
    with pytest.raises(InvalidOutcome, match="标的 L1 的竞价 2026-12-01 10:00 才开始.*不能登记在此之前"):
        check_outcome_date(outcome, date(2026, 11, 30), START, lot_code="L1")
    check_outcome_date(outcome, date(2026, 12, 1), START)  # the first day of the bidding is the first day allowed


def test_a_sale_moment_before_the_start_is_refused_even_on_the_first_day():
    with pytest.raises(InvalidOutcome, match="不能登记在此之前"):
        check_outcome_date("sold", date(2026, 12, 1), START, sold_at=datetime(2026, 12, 1, 9, 59))
    check_outcome_date("sold", date(2026, 12, 1), START, sold_at=START)


@pytest.mark.parametrize("outcome", ["withdrawn", "suspended"])
def test_a_withdrawal_or_suspension_may_come_before_the_bidding(outcome):
    check_outcome_date(outcome, date(2026, 11, 1), START)


def test_without_a_known_start_no_date_is_refused():
    check_outcome_date("sold", date(2000, 1, 1), None)


def test_only_a_sale_has_a_buyer():
    for field in ({"buyer_name": "张三"}, {"bidder_code": "A1"}, {"paid_in_full_on": date(2026, 12, 5)}):
        with pytest.raises(InvalidOutcome, match="只有成交的标的才登记买受人"):
            check_sale_details("unsold", date(2026, 12, 2), **field)


def test_the_sale_moment_falls_on_the_outcome_date_and_payment_not_before_it():
    on = date(2026, 12, 2)
    with pytest.raises(InvalidOutcome, match="不是同一天"):
        check_sale_details("sold", on, sold_at=datetime(2026, 12, 3, 0, 0))
    with pytest.raises(InvalidOutcome, match="早于成交日期"):
        check_sale_details("sold", on, paid_in_full_on=date(2026, 12, 1))
    assert check_sale_details("sold", on, paid_in_full_on=on, sold_at=datetime(2026, 12, 2, 23, 59)) == ""


def test_the_buyer_id_number_is_validated_and_compacted():
    assert check_sale_details("sold", date(2026, 12, 2), buyer_name="张三",
                              buyer_id_number="11010519491231002X") == "11010519491231002X"
    with pytest.raises(InvalidOutcome, match="身份证号“110105194912310021”无效"):
        check_sale_details("sold", date(2026, 12, 2), buyer_name="张三", buyer_id_number="110105194912310021")
