"""The rules behind the case-centred procedure, at their boundaries: art. 4 negotiation, whether a lot may be
sold on a price (arts. 22-23, 27), the grounds a result admits, the 10-day review of a ruling (day 10 / day 11,
postmark), the review extension (执行程序解释 art. 8) and the statutory holidays a year notice must keep."""

from __future__ import annotations

from datetime import date

import chinese_calendar
import pytest

from auction import objections as o
from auction import reference_price as rp
from auction.calendar import (
    WorkingCalendar,
    YearNotice,
    missing_statutory_holidays_problem,
    statutory_holidays,
)

CAL = WorkingCalendar()


def test_negotiation_needs_every_party_and_identical_results():
    assert rp.negotiated_price({"甲": 100_00, "乙": 100_00}, ["甲", "乙"]).value_fen == 100_00
    assert not rp.negotiated_price({"甲": 100_00, "乙": 100_01}, ["甲", "乙"]).agreed
    missing = rp.negotiated_price({"甲": 100_00}, ["甲", "乙"])
    assert not missing.agreed and "乙未在指定期限内提交" in missing.reason
    with pytest.raises(rp.ReferencePriceError):
        rp.negotiated_price({"甲": 0, "乙": 0}, ["甲", "乙"])


def _state(**kw):
    base = dict(value_fen=1_000_000_00, method=rp.Method.NETWORK_INQUIRY, fixed_on=date(2025, 3, 20),
                valid_until=date(2026, 3, 5))
    return rp.PriceState(**{**base, **kw})


def test_a_price_is_not_usable_while_objections_may_come_or_are_pending_or_once_replaced():
    kw = dict(announce_on=date(2025, 4, 1), bidding_end=date(2025, 5, 10), calendar=CAL)
    assert rp.usable_for_sale(_state(), today=date(2025, 3, 25), **kw).ok
    window = rp.usable_for_sale(_state(objection_window_due=date(2025, 3, 25)), today=date(2025, 3, 25), **kw)
    assert not window.ok and "2025-03-25 24:00" in window.reason
    assert rp.usable_for_sale(_state(objection_window_due=date(2025, 3, 25)), today=date(2025, 3, 26), **kw).ok
    assert not rp.usable_for_sale(_state(open_objections=1), today=date(2025, 3, 26), **kw).ok
    replaced = rp.usable_for_sale(_state(replaced_by="补正为 1,280,000.00 元。"), today=date(2025, 3, 26), **kw)
    assert not replaced.ok and "已被取代" in replaced.reason


def test_validity_announcement_within_it_and_six_months_grace():
    kw = dict(today=date(2026, 3, 1), calendar=CAL)
    late = rp.usable_for_sale(_state(), announce_on=date(2026, 3, 6), bidding_end=date(2026, 4, 10), **kw)
    assert not late.ok and "十一条第四款" in late.reason  # network inquiry re-issued within 3 days
    grace = rp.usable_for_sale(_state(), announce_on=date(2026, 3, 5), bidding_end=date(2026, 9, 5), **kw)
    assert grace.ok  # announced on the last valid day, sold within six months of expiry (art. 27(3))
    over = rp.usable_for_sale(_state(method=rp.Method.APPRAISAL), announce_on=date(2026, 3, 5),
                              bidding_end=date(2026, 9, 6), **kw)
    assert not over.ok and "十九条第四款" in over.reason


def test_the_grounds_a_result_admits_are_known_before_filing():
    network = {g: ok for g, ok, _why in o.admitted_grounds(o.ReportKind.NETWORK_INQUIRY)}
    assert network[o.Ground.BASIC_FACTS] and not network[o.Ground.METHOD]
    directed = {g: (ok, why) for g, ok, why in o.admitted_grounds(o.ReportKind.DIRECTED_INQUIRY)}
    assert not directed[o.Ground.RESULT][0] and "第二十四条第二款" in directed[o.Ground.RESULT][1]
    assert directed[o.Ground.FALSE_INQUIRY][0]
    wenling = {g: ok for g, ok, _ in o.admitted_grounds(o.ReportKind.DIRECTED_INQUIRY, policy=o.Policy.WENLING)}
    assert wenling[o.Ground.RESULT]
    announced = {g: ok for g, ok, _ in o.admitted_grounds(o.ReportKind.APPRAISAL, first_auction_announced=True)}
    assert announced[o.Ground.METHOD] and not announced[o.Ground.COLLUSION]


def test_mixed_grounds_against_a_network_report_are_assessed_not_refused():
    verdict = o.assess(o.ReportKind.NETWORK_INQUIRY, [o.Ground.BASIC_FACTS, o.Ground.METHOD],
                       received_report_on=date(2025, 3, 10), filed_on=date(2025, 3, 11), calendar=CAL)
    assert verdict.accepted and verdict.route is o.Route.ENFORCEMENT_ACT and "仅适用于评估报告" in verdict.reason


@pytest.mark.parametrize("applied, mailed, timely", [
    (date(2025, 4, 3), None, True),  # day 10 after service on Monday 24 March
    (date(2025, 4, 4), None, False),  # day 11
    (date(2025, 4, 7), date(2025, 4, 3), True),  # posted on day 10 (民诉法 art. 85(4))
    (date(2025, 4, 7), date(2025, 4, 4), False),
])
def test_review_of_a_ruling_within_ten_days_of_service(applied, mailed, timely):
    check = o.review_application(o.State.NOT_ACCEPTED, served_on=date(2025, 3, 24), applied_on=applied,
                                 calendar=CAL, mailed_on=mailed)
    assert check.timely is timely and check.article == "异议复议规定第二条第三款"
    decided = o.review_application(o.State.REJECTED, served_on=date(2025, 3, 24), applied_on=applied,
                                   calendar=CAL, mailed_on=mailed)
    assert decided.timely is timely and decided.article == "民诉法第二百三十六条"


def test_review_without_service_and_the_extension_limit():
    with pytest.raises(o.InvalidObjection, match="尚未登记送达"):
        o.review_application(o.State.UPHELD, served_on=None, applied_on=date(2025, 4, 1), calendar=CAL)
    assert o.review_decision_deadline(date(2025, 4, 3), CAL).due == date(2025, 5, 6)  # 3 May (Sat) in the holiday
    assert o.review_decision_deadline(date(2025, 4, 3), CAL, 30).due == date(2025, 6, 3)
    with pytest.raises(o.InvalidObjection, match="不得超过30日"):
        o.review_decision_deadline(date(2025, 4, 3), CAL, 31)


def test_not_accepted_is_reviewable_then_closes():
    assert o.transition(o.State.NOT_ACCEPTED, o.Event.APPLY_FOR_REVIEW, None) is o.State.REVIEW_APPLIED
    assert o.transition(o.State.NOT_ACCEPTED, o.Event.REVIEW_PERIOD_LAPSED, None) is o.State.CLOSED
    assert o.State.NOT_ACCEPTED not in o.FINAL_STATES


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_match_the_published_notices(year):
    days = statutory_holidays(year)
    assert len(days) == 13  # 全国年节及纪念日放假办法 (2024) art. 2: 13 days from 2025
    assert all(not chinese_calendar.is_workday(d) for d in days)


def test_a_notice_that_makes_a_statutory_holiday_a_working_day_is_refused():
    holidays = frozenset(statutory_holidays(2027))
    assert missing_statutory_holidays_problem(YearNotice(2027, holidays, frozenset())) is None
    problem = missing_statutory_holidays_problem(YearNotice(2027, holidays - {date(2027, 10, 1)}, frozenset()))
    assert "2027-10-01（国庆节）" in problem and "第二条" in problem
    on_weekend = date(2027, 5, 1)  # a Saturday: a rest day unless entered as a make-up working day
    assert missing_statutory_holidays_problem(YearNotice(2027, holidays - {on_weekend}, frozenset())) is None
    assert "2027-05-01" in missing_statutory_holidays_problem(
        YearNotice(2027, holidays - {on_weekend}, frozenset({on_weekend})))
