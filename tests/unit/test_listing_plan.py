"""Listing plans by the rules (网拍规定 arts. 10, 12, 16, 17, 20, 26; 拍卖变卖规定 art. 32), each at its boundary."""

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auction.listing_plan import (
    AuctionRound,
    CourtPolicy,
    ListingPlan,
    PlanRefused,
    PropertyKind,
    check_plan,
    plan_listing,
)
from auction.rules import online_auction_rules as R

ANNOUNCE = date(2026, 12, 1)


def codes(exc: PlanRefused) -> set[str]:
    return {v.code for v in exc.violations}


def refused(**kwargs) -> PlanRefused:
    with pytest.raises(PlanRefused) as info:
        plan_listing(**kwargs)
    return info.value


def first(reference="1200000", kind="real_estate", **kw):
    return dict(reference_price=reference, kind=kind, round="first_auction", announce_on=ANNOUNCE, **kw)


# --- prices --------------------------------------------------------------------------------------------


def test_first_auction_default_is_70_percent_of_the_reference_price():
    plan = plan_listing(**first())
    assert plan.starting_price_fen == 84_000_000
    assert plan.reference_price_fen == 120_000_000


def test_first_auction_at_exactly_70_percent_is_accepted():
    plan = plan_listing(**first(starting_price="840000.00"))
    assert check_plan(plan) == []


def test_first_auction_at_69_99_percent_is_refused_with_article_10():
    exc = refused(**first(starting_price="839880"))  # 69.99%
    assert codes(exc) == {"starting_price_below_floor"}
    assert exc.violations[0].citation == R.FIRST_AUCTION_MIN_STARTING_RATIO_ART
    assert "网拍规定第十条" in str(exc)
    assert "69.99%" in str(exc)


def test_one_fen_below_70_percent_is_refused_and_not_printed_as_70():
    exc = refused(**first(starting_price="839999.99"))
    assert "69.9999%" in str(exc)


def test_a_policy_below_the_floor_is_refused():
    exc = refused(**first(policy=CourtPolicy(first_auction_ratio=Decimal("0.65"))))
    assert "starting_price_below_floor" in codes(exc)


def second(previous="840000", **kw):
    return dict(reference_price="1200000", kind="real_estate", round="second_auction", announce_on=ANNOUNCE,
                previous_starting_price=previous, **kw)


def test_second_auction_default_cuts_20_percent():
    plan = plan_listing(**second())
    assert plan.starting_price_fen == 67_200_000
    assert plan.previous_starting_price_fen == 84_000_000


def test_second_auction_cut_of_exactly_20_percent_is_accepted():
    assert check_plan(plan_listing(**second(starting_price="672000"))) == []


def test_second_auction_cannot_cut_more_than_20_percent():
    exc = refused(**second(starting_price="671916"))  # a 20.01% cut
    assert codes(exc) == {"price_cut_too_large"}
    assert exc.violations[0].citation == R.MAX_PRICE_CUT_ART
    assert "20.01%" in str(exc)
    assert "网拍规定第二十六条" in str(exc)


def test_second_auction_needs_the_previous_starting_price():
    with pytest.raises(ValueError, match="前次起拍价"):
        plan_listing(reference_price="1200000", kind="real_estate", round="second", announce_on=ANNOUNCE)


def test_fixed_price_sale_is_at_the_second_starting_price_for_60_days_paid_in_full():
    plan = plan_listing(reference_price="1200000", kind="real_estate", round="变卖", announce_on=ANNOUNCE,
                        previous_starting_price="672000")
    assert plan.round is AuctionRound.FIXED_PRICE_SALE
    assert plan.starting_price_fen == 67_200_000
    assert plan.advance_payment_fen == plan.starting_price_fen
    assert plan.bidding_end - plan.bidding_start == timedelta(days=R.FIXED_PRICE_SALE_DAYS)
    assert plan.next_round_deadline is None


def test_fixed_price_sale_below_the_second_starting_price_is_refused():
    kw = dict(reference_price="1000000", kind="movable", round="fixed_price_sale", announce_on=ANNOUNCE,
              previous_starting_price="600000")
    assert check_plan(plan_listing(**kw, starting_price="600000")) == []
    exc = refused(**kw, starting_price="599999.99")
    assert codes(exc) == {"sale_price_below_second_start"}
    assert "拍卖变卖规定第二十五条第二款" in str(exc)
    # half of the reference price is no longer the floor (that is 拍卖变卖规定 art. 32 para. 2, a 变卖 without auctions)
    assert "第三十二条" not in str(exc)


def test_fixed_price_sale_has_no_deposit_no_increment_no_extension():
    plan = plan_listing(reference_price="1200000", kind="real_estate", round="变卖", announce_on=ANNOUNCE,
                        previous_starting_price="672000")
    assert (plan.deposit_fen, plan.bid_increment_fen, plan.extension_minutes) == (0, 0, 0)
    assert "不设竞价程序" in plan.extension_rule() and "顺延" not in plan.extension_rule()
    exc = refused(reference_price="1200000", kind="real_estate", round="变卖", announce_on=ANNOUNCE,
                  previous_starting_price="672000", bid_increment="1000")
    assert codes(exc) == {"fixed_price_sale_no_bidding"}


# --- deposit -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("deposit", ["42000", "168000", "84000"])  # 5%, 20%, 10% of 840,000
def test_deposit_inside_5_to_20_percent_is_accepted(deposit):
    assert check_plan(plan_listing(**first(deposit=deposit))) == []


@pytest.mark.parametrize(("deposit", "shown"), [("33600", "4%"), ("41999.99", "4.9999%"), ("176400", "21%"),
                                                ("168000.01", "20.0001%")])
def test_deposit_outside_5_to_20_percent_is_refused_with_article_17(deposit, shown):
    exc = refused(**first(deposit=deposit))
    assert codes(exc) == {"deposit_out_of_range"}
    assert exc.violations[0].citation == R.DEPOSIT_RANGE_ART
    assert shown in str(exc)


@pytest.mark.parametrize(("ratio", "expected"), [("0.20", 16_800_000), ("0.05", 4_321_000), ("0.1", 8_600_000)])
def test_deposit_at_the_edges_keeps_more_digits_instead_of_leaving_the_range(ratio, expected):
    start = {"0.20": "840000", "0.05": "864200", "0.1": "864200"}[ratio]
    plan = plan_listing(**first(starting_price=start, policy=CourtPolicy(deposit_ratio=Decimal(ratio))))
    assert plan.deposit_fen == expected


@settings(max_examples=300, deadline=None)
@given(
    reference=st.integers(min_value=1_000_00, max_value=5_000_000_000_00),
    deposit_ratio=st.decimals(min_value=Decimal("0.05"), max_value=Decimal("0.20"), places=3),
    kind=st.sampled_from(list(PropertyKind)),
)
def test_computed_prices_are_round_and_always_lawful(reference, deposit_ratio, kind):
    policy = CourtPolicy(deposit_ratio=deposit_ratio)
    plan = plan_listing(Decimal(reference) / 100, kind, "first", ANNOUNCE, policy)  # refuses if unlawful
    assert plan.starting_price_fen * 100 >= plan.reference_price_fen * 70
    # rounded up to at most 4 significant digits, never by more than one unit of the 4th digit
    assert plan.starting_price_fen % 100 == 0
    assert plan.starting_price_fen - plan.reference_price_fen * Decimal("0.7") < max(
        100, 10 ** (len(str(plan.starting_price_fen)) - 4)) + 1
    assert plan.deposit_fen * 20 >= plan.starting_price_fen
    assert plan.deposit_fen * 5 <= plan.starting_price_fen
    increment = plan.bid_increment_fen // 100
    assert str(increment).rstrip("0") in ("1", "2", "5")


@given(previous=st.integers(min_value=1_000_00, max_value=1_000_000_000_00))
def test_second_auction_rounding_never_cuts_more_than_20_percent(previous):
    plan = plan_listing("100000000", "movable", "second", ANNOUNCE, previous_starting_price=Decimal(previous) / 100)
    assert plan.starting_price_fen * 100 >= previous * 80


def test_bid_increment_is_a_round_number_near_the_policy_ratio():
    plan = plan_listing(**first())  # start 840,000; 0.3% = 2,520
    assert plan.bid_increment_fen == 200_000
    plan = plan_listing(**first(policy=CourtPolicy(increment_ratio=Decimal("0.006"))))  # 5,040
    assert plan.bid_increment_fen == 500_000
    small = plan_listing("1000", "movable", "first", ANNOUNCE)
    assert small.bid_increment_fen == CourtPolicy().min_increment_fen


# --- periods -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "round_", "days"),
    [
        ("real_estate", "first_auction", 30),
        ("equity", "first_auction", 30),
        ("other_right", "first_auction", 30),
        ("movable", "first_auction", 15),
        ("vehicle", "first_auction", 15),
        ("real_estate", "second_auction", 15),
        ("equity", "second_auction", 15),
        ("movable", "second_auction", 7),
        ("vehicle", "second_auction", 7),
    ],
)
def test_announcement_period_boundary(kind, round_, days):
    kw = dict(reference_price="100000", kind=kind, round=round_, announce_on=ANNOUNCE,
              previous_starting_price="70000" if round_ == "second_auction" else None)
    plan = plan_listing(**kw)
    assert plan.announcement_days == days
    at_limit = datetime.combine(ANNOUNCE + timedelta(days=days), datetime.min.time()).replace(hour=10)
    assert check_plan(plan_listing(**kw, bidding_start=at_limit)) == []
    exc = refused(**kw, bidding_start=at_limit - timedelta(days=1), bidding_end=at_limit + timedelta(hours=23))
    assert codes(exc) == {"announcement_too_short"}
    expected = R.FIRST_AUCTION_ANNOUNCEMENT_ART if round_ == "first_auction" else R.REAUCTION_ANNOUNCEMENT_ART
    assert exc.violations[0].citation == expected
    assert f"仅 {days - 1} 日" in str(exc)


def test_real_estate_29_days_refused_30_accepted():
    start = datetime(2026, 12, 31, 10)
    assert plan_listing(**first(bidding_start=start)).announcement_days == 30
    exc = refused(**first(bidding_start=start - timedelta(days=1)))
    assert "网拍规定第十二条" in str(exc)


def test_movables_14_days_refused_15_accepted():
    start = datetime(2026, 12, 16, 10)
    assert plan_listing(**first(kind="movable", bidding_start=start)).announcement_days == 15
    assert codes(refused(**first(kind="movable", bidding_start=start - timedelta(days=1)))) == {
        "announcement_too_short"}


def test_parties_are_notified_3_days_before_and_posting_starts_5_days_earlier():
    plan = plan_listing(**first())
    assert plan.notify_parties_by == ANNOUNCE - timedelta(days=3)
    assert plan.post_unreachable_by == ANNOUNCE - timedelta(days=8)
    late = dataclasses.replace(plan, notify_parties_by=ANNOUNCE - timedelta(days=2))
    assert [v.code for v in check_plan(late)] == ["notification_too_late"]
    assert check_plan(late)[0].citation == R.NOTIFICATION_ART


def test_bidding_of_24_hours_is_accepted_and_one_minute_less_refused():
    start = datetime(2026, 12, 31, 10)
    plan = plan_listing(**first(bidding_start=start, bidding_end=start + timedelta(hours=24)))
    assert plan.bidding_hours == 24
    exc = refused(**first(bidding_start=start, bidding_end=start + timedelta(hours=23, minutes=59)))
    assert codes(exc) == {"bidding_too_short"}
    assert exc.violations[0].citation == R.MIN_BIDDING_ART


def test_extension_rule_is_5_minutes():
    plan = plan_listing(**first())
    assert plan.extension_minutes == 5
    assert "顺延5分钟" in plan.extension_rule()
    bad = dataclasses.replace(plan, extension_minutes=3)
    assert [v.code for v in check_plan(bad)] == ["extension_rule"]


END = datetime(2027, 1, 1, 10, 0)


def test_a_bid_4_59_before_the_end_extends_it_and_5_01_does_not():
    from auction.listing_plan import bidding_closes_at

    late = END - timedelta(minutes=4, seconds=59)
    assert bidding_closes_at(END, [late]) == late + timedelta(minutes=5)
    early = END - timedelta(minutes=5, seconds=1)
    assert bidding_closes_at(END, [early]) == END
    assert bidding_closes_at(END, []) == END


def test_extensions_repeat_and_a_bid_after_the_close_is_not_accepted():
    from auction.listing_plan import bidding_closes_at

    bids = [END - timedelta(minutes=1), END + timedelta(minutes=3), END + timedelta(minutes=7, seconds=59)]
    assert bidding_closes_at(END, bids) == bids[-1] + timedelta(minutes=5)
    too_late = [END - timedelta(minutes=1), END + timedelta(minutes=4, seconds=1)]
    assert bidding_closes_at(END, too_late) == END + timedelta(minutes=4)


def test_reauction_must_start_within_30_days_of_the_failure():
    failed = date(2026, 11, 10)
    announce = date(2026, 11, 20)
    kw = dict(reference_price="1200000", kind="real_estate", round="second", announce_on=announce,
              previous_starting_price="840000", failed_on=failed)
    plan = plan_listing(**kw, bidding_start=datetime(2026, 12, 10, 10))  # day 30, a Thursday
    assert plan.latest_bidding_start == date(2026, 12, 10)
    exc = refused(**kw, bidding_start=datetime(2026, 12, 11, 10))  # day 31
    assert codes(exc) == {"reauction_too_late"}
    assert exc.violations[0].citation == R.REAUCTION_WITHIN_ART


def test_a_reauction_limit_ending_on_a_sunday_rolls_to_monday():
    # 2026-11-20 + 30 days = 2026-12-20, a Sunday: the period ends on Monday 12-21 (民诉法 art. 85)
    kw = dict(reference_price="1200000", kind="real_estate", round="second", announce_on=date(2026, 12, 5),
              previous_starting_price="840000", failed_on=date(2026, 11, 20))
    plan = plan_listing(**kw, bidding_start=datetime(2026, 12, 21, 10))
    assert plan.latest_bidding_start == date(2026, 12, 21)
    assert codes(refused(**kw, bidding_start=datetime(2026, 12, 22, 10))) == {"reauction_too_late"}


def test_a_first_auction_plan_states_the_reauction_deadline_rolled_past_rest_days():
    plan = plan_listing(**first())
    nominal = plan.bidding_end.date() + timedelta(days=30)
    assert plan.next_round_deadline >= nominal and plan.next_round_deadline.weekday() < 5
    assert (plan.next_round_deadline - nominal).days <= 2


def test_a_second_auction_plan_prints_no_limit_for_a_next_round():
    # after the second failure the law sets no period for the 变卖 or an offer in payment (网拍规定 art. 26 para. 2)
    plan = plan_listing(reference_price="1200000", kind="real_estate", round="second", announce_on=ANNOUNCE,
                        previous_starting_price="840000")
    assert plan.next_round_deadline is None


def test_balance_due_moves_past_non_working_days():
    def weekdays_only(day: date) -> bool:
        return day.weekday() < 5

    plan = plan_listing(**first(is_working_day=weekdays_only))
    assert plan.balance_due_on.weekday() < 5
    assert plan.balance_due_on >= plan.bidding_end.date() + timedelta(days=10)


def test_with_a_calendar_bidding_starts_and_ends_on_working_days():
    holidays = {date(2026, 12, 31), date(2027, 1, 1)}

    def is_working_day(day: date) -> bool:
        return day.weekday() < 5 and day not in holidays

    plain = plan_listing(**first())
    assert plain.bidding_end.date() == date(2027, 1, 1)  # the legal minimum lands on New Year's Day
    plan = plan_listing(**first(is_working_day=is_working_day))
    assert is_working_day(plan.bidding_start.date()) and is_working_day(plan.bidding_end.date())
    assert plan.announcement_days > 30 and plan.bidding_start.date() == date(2027, 1, 4)


def test_several_violations_are_all_named():
    exc = refused(**first(starting_price="800000", deposit="20000", bidding_start=datetime(2026, 12, 20, 10)))
    assert codes(exc) == {"starting_price_below_floor", "deposit_out_of_range", "announcement_too_short"}


def test_plan_round_trips_through_its_dict():
    plan = plan_listing(**second(failed_on=date(2026, 11, 25)))
    data = plan.to_dict()
    assert data["kind"] == "real_estate" and data["announcement_days"] == 15
    assert ListingPlan.from_dict(data) == plan


@pytest.mark.parametrize("text", ["一拍", "first", "first_auction", "1"])
def test_round_aliases(text):
    assert AuctionRound.parse(text) is AuctionRound.FIRST_AUCTION


def test_unknown_kind_and_round_say_what_is_expected():
    with pytest.raises(ValueError, match="real_estate"):
        plan_listing("1000", "house", "first", ANNOUNCE)
    with pytest.raises(ValueError, match="fixed_price_sale"):
        plan_listing("1000", "movable", "third", ANNOUNCE)
    with pytest.raises(ValueError, match="参考价"):
        plan_listing("0", "movable", "first", ANNOUNCE)


def test_court_policy_round_trips_through_json_and_refuses_unknown_keys():
    import json

    from auction.listing_plan import policy_from_dict, policy_to_dict

    policy = CourtPolicy(name="温岭", deposit_ratio=Decimal("0.15"), bidding_start_time=datetime(2026, 1, 1, 9).time())
    data = json.loads(json.dumps(policy_to_dict(policy)))
    assert data["deposit_ratio"] == "0.15" and data["bidding_start_time"] == "09:00:00"
    assert policy_from_dict(data) == policy
    assert policy_from_dict({"deposit_ratio": "0.2"}).first_auction_ratio == Decimal("0.70")
    with pytest.raises(ValueError, match="未知字段"):
        policy_from_dict({"deposit_percent": 10})
