"""Periods on the 调休 calendar (民诉法 art. 85, 民法典 arts. 200-203) with real dates of 2025 and 2026.

The 2025 and 2026 dates come from the State Council notices as carried by the installed ``chinesecalendar``
(国办发明电〔2024〕12号 for 2025, 国办发明电〔2025〕7号 for 2026); the statutory days are cross-checked against
全国年节及纪念日放假办法 (2024) art. 2.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest
from chinese_calendar import constants

from auction import periods
from auction.calendar import WorkingCalendar, YearNotice, package_notice
from auction.rules import reference_price_rules as R

CAL = WorkingCalendar()

# 调休上班: the make-up working Saturdays and Sundays of each notice.
MAKE_UP_WORKDAYS = [
    date(2025, 1, 26), date(2025, 2, 8), date(2025, 4, 27), date(2025, 9, 28), date(2025, 10, 11),
    date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10),
]

# 放假办法 (2024) art. 2: the statutory holiday days themselves (除夕 2025-01-28, 2026-02-16; 清明, 端午, 中秋 by
# the lunar calendar of each year).
STATUTORY_DAYS = [
    date(2025, 1, 1), date(2025, 1, 28), date(2025, 1, 29), date(2025, 1, 30), date(2025, 1, 31),
    date(2025, 4, 4), date(2025, 5, 1), date(2025, 5, 2), date(2025, 5, 31), date(2025, 10, 1), date(2025, 10, 2),
    date(2025, 10, 3), date(2025, 10, 6),
    date(2026, 1, 1), date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19),
    date(2026, 4, 5), date(2026, 5, 1), date(2026, 5, 2), date(2026, 6, 19), date(2026, 9, 25), date(2026, 10, 1),
    date(2026, 10, 2), date(2026, 10, 3),
]


@pytest.mark.parametrize("day", MAKE_UP_WORKDAYS, ids=str)
def test_make_up_weekend_is_a_working_day(day):
    assert day.weekday() >= 5
    assert CAL.is_working_day(day)
    assert day in constants.workdays


@pytest.mark.parametrize("day", STATUTORY_DAYS, ids=str)
def test_statutory_holidays_of_the_2024_measures_are_rest_days(day):
    assert CAL.is_rest_day(day)


def test_2025_has_the_13_statutory_days_of_the_2024_measures():
    # 放假办法 art. 2: 1 + 4 + 1 + 2 + 1 + 1 + 3 = 13 days; every one is a rest day in the package data.
    days_2025 = [d for d in STATUTORY_DAYS if d.year == 2025]
    assert len(days_2025) == 13
    assert all(d in package_notice(2025).holidays for d in days_2025)


@pytest.mark.parametrize("first, last, before, after", [
    (date(2025, 1, 28), date(2025, 2, 4), date(2025, 1, 27), date(2025, 2, 5)),  # 春节 2025
    (date(2026, 2, 15), date(2026, 2, 23), date(2026, 2, 14), date(2026, 2, 24)),  # 春节 2026
    (date(2025, 10, 1), date(2025, 10, 8), date(2025, 9, 30), date(2025, 10, 9)),  # 国庆、中秋 2025
    (date(2026, 10, 1), date(2026, 10, 7), date(2026, 9, 30), date(2026, 10, 8)),  # 国庆 2026
], ids=["spring-2025", "spring-2026", "national-2025", "national-2026"])
def test_holiday_spans_are_rest_days_bounded_by_working_days(first, last, before, after):
    day = first
    while day <= last:
        assert CAL.is_rest_day(day), day
        day = date.fromordinal(day.toordinal() + 1)
    assert CAL.is_working_day(before)
    assert CAL.is_working_day(after)


CALENDAR_DAY_CASES = [
    # (start, days, due, rolled)  民诉法 art. 85: start day not counted; last day on a rest day rolls.
    (date(2025, 9, 25), 5, date(2025, 9, 30), False),  # ends the day before National Day
    (date(2025, 9, 26), 5, date(2025, 10, 9), True),  # ends on 1 Oct: rolls past the whole span
    (date(2025, 10, 4), 5, date(2025, 10, 9), False),  # ends the first day after the span
    (date(2025, 9, 23), 5, date(2025, 9, 28), False),  # ends on a make-up Sunday: a working day, no roll
    (date(2025, 10, 6), 5, date(2025, 10, 11), False),  # ends on a make-up Saturday
    (date(2025, 3, 10), 5, date(2025, 3, 17), True),  # ordinary Saturday rolls to Monday
    (date(2025, 1, 21), 5, date(2025, 1, 26), False),  # make-up Sunday before Spring Festival 2025
    (date(2025, 1, 22), 5, date(2025, 1, 27), False),  # the day before the Spring Festival span
    (date(2025, 1, 23), 5, date(2025, 2, 5), True),  # on the first day of the span
    (date(2025, 1, 31), 5, date(2025, 2, 5), False),  # the first working day after the span
    (date(2026, 2, 9), 5, date(2026, 2, 14), False),  # make-up Saturday before Spring Festival 2026
    (date(2026, 2, 10), 5, date(2026, 2, 24), True),  # on the first day of the 2026 span
    (date(2026, 2, 23), 5, date(2026, 2, 28), False),  # make-up Saturday after the span
    (date(2025, 12, 27), 5, date(2026, 1, 4), True),  # New Year 2026 rolls into a make-up Sunday
    (date(2026, 4, 26), 5, date(2026, 5, 6), True),  # Labour Day 2026
    (date(2026, 9, 25), 5, date(2026, 9, 30), False),  # the day before National Day 2026
    (date(2026, 9, 26), 5, date(2026, 10, 8), True),  # on National Day 2026
    (date(2026, 9, 15), 5, date(2026, 9, 20), False),  # make-up Sunday 2026-09-20
    (date(2025, 9, 26), 15, date(2025, 10, 11), False),  # 15 days ending on a make-up Saturday
    (date(2026, 9, 21), 10, date(2026, 10, 8), True),  # review application window over National Day
]


@pytest.mark.parametrize("start, days, due, rolled", CALENDAR_DAY_CASES, ids=lambda v: str(v))
def test_calendar_day_period(start, days, due, rolled):
    deadline = periods.calendar_days(start, days, CAL)
    assert deadline.due == due
    assert (deadline.rolled_from is not None) is rolled
    assert not deadline.provisional
    if rolled:
        assert CAL.is_rest_day(deadline.rolled_from)
        assert "顺延" in deadline.reason


def test_period_expires_at_midnight_after_the_last_day():
    deadline = periods.calendar_days(date(2025, 9, 26), 5, CAL)
    assert deadline.label() == "2025-10-09 24:00"
    assert not deadline.is_overdue(datetime(2025, 10, 9, 23, 59, 59))
    assert deadline.is_overdue(datetime(2025, 10, 10, 0, 0))
    assert not deadline.is_overdue(date(2025, 10, 9))
    assert deadline.is_overdue(date(2025, 10, 10))


WORKING_DAY_CASES = [
    (date(2025, 9, 26), 3, date(2025, 9, 30)),  # Sat rest, make-up Sun counts
    (date(2025, 9, 30), 3, date(2025, 10, 11)),  # across National Day: 9, 10, make-up Sat 11 Oct
    (date(2026, 2, 13), 3, date(2026, 2, 25)),  # make-up Sat 14 Feb, then 24, 25 Feb
    (date(2026, 2, 27), 1, date(2026, 2, 28)),  # make-up Saturday is the next working day
    (date(2025, 3, 14), 3, date(2025, 3, 19)),  # ordinary weekend skipped
]


@pytest.mark.parametrize("start, days, due", WORKING_DAY_CASES, ids=lambda v: str(v))
def test_working_day_period(start, days, due):
    deadline = periods.working_days(start, days, CAL)
    assert deadline.due == due
    assert CAL.is_working_day(deadline.due)


def test_wenling_rule_uses_working_days():
    deadline = periods.period(date(2025, 9, 30), R.WENLING_APPRAISAL_START, CAL)
    assert deadline.due == date(2025, 10, 11)
    assert "温岭" in deadline.article


def test_hour_period_does_not_count_the_starting_hour_and_ignores_holidays():
    deadline = periods.hours(datetime(2025, 10, 1, 10, 25), 24)
    assert deadline.expires_at == datetime(2025, 10, 2, 11, 0)
    on_the_hour = periods.hours(datetime(2025, 10, 1, 10, 0), 24)
    assert on_the_hour.expires_at == datetime(2025, 10, 2, 11, 0)
    assert not deadline.provisional


@pytest.mark.parametrize("start, months, due", [
    (date(2025, 1, 31), 1, date(2025, 2, 28)),  # no 31 Feb: month end (民法典 art. 202)
    (date(2025, 3, 31), 1, date(2025, 4, 30)),
    (date(2025, 8, 31), 1, date(2025, 9, 30)),
])
def test_month_period_uses_corresponding_day_or_month_end(start, months, due):
    assert periods.months(start, months, CAL).due == due


def test_year_period_from_29_february():
    assert periods.years(date(2024, 2, 29), 1, CAL, roll=False).due == date(2025, 2, 28)


def test_month_period_rolls_past_rest_days_unless_told_not_to():
    # 2025-07-01 + 3 months = 2025-10-01 (National Day)
    assert periods.months(date(2025, 7, 1), 3, CAL).due == date(2025, 10, 9)
    assert periods.months(date(2025, 7, 1), 3, CAL, roll=False).due == date(2025, 10, 1)


# --- years nobody covers -----------------------------------------------------------------------------------

def test_2027_without_notice_is_provisional_with_reason():
    deadline = periods.calendar_days(date(2026, 12, 28), 5, CAL)
    assert deadline.provisional
    assert "2027" in deadline.reason and "暂定" in deadline.reason
    assert deadline.label().endswith("（暂定）")
    assert deadline.due == date(2027, 1, 4)  # 1 Jan fixed holiday, 2-3 Jan weekend


def test_period_wholly_in_a_covered_year_is_not_provisional():
    assert not periods.calendar_days(date(2026, 12, 20), 5, CAL).provisional


def test_working_days_reaching_into_2027_are_provisional():
    deadline = periods.working_days(date(2026, 12, 30), 3, CAL)
    assert deadline.provisional


def test_2027_with_administrator_notice_is_not_provisional_and_uses_it():
    notice = YearNotice(2027, frozenset({date(2027, 1, 1), date(2027, 1, 4)}), frozenset({date(2027, 1, 9)}),
                        "测试用通知")
    cal = WorkingCalendar.with_notices([notice])
    deadline = periods.calendar_days(date(2026, 12, 28), 5, cal)
    assert not deadline.provisional
    assert deadline.due == date(2027, 1, 5)  # the entered 4 Jan rest day moves it one day further
    assert cal.is_working_day(date(2027, 1, 9))  # entered make-up Saturday
    assert cal.source_for(2027) == "administrator"


def test_year_notice_rejects_dates_of_another_year_and_double_entries():
    with pytest.raises(ValueError, match="不属于"):
        YearNotice(2027, frozenset({date(2028, 1, 1)}), frozenset())
    with pytest.raises(ValueError, match="同时"):
        YearNotice(2027, frozenset({date(2027, 1, 9)}), frozenset({date(2027, 1, 9)}))


def test_every_rule_period_names_its_article():
    assert R.ALL_PERIODS
    for rule in R.ALL_PERIODS:
        assert rule.amount > 0 and rule.article and rule.name


def test_day_period_from_a_moment_counts_from_its_day():
    deadline = periods.calendar_days(datetime(2025, 9, 26, 23, 50), 5, CAL)
    assert deadline.due == date(2025, 10, 9) and type(deadline.due) is date
