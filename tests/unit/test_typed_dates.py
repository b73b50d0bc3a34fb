"""Dates as courts type them: the one parser of every command, view and sheet (tax_baseline.typed_dates)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tax_baseline.typed_dates import InvalidDate, date_text, parse_date, parse_datetime

JUNE_1 = date(2025, 6, 1)


@pytest.mark.parametrize("text", [
    "2025-06-01", "2025-6-1", "2025年6月1日", "2025年06月01日", "2025.6.1", "2025/06/01", "２０２５年６月１日",
    "２０２５－０６－０１", " 2025 年 6 月 1 日 ", "2025-06-01 00:00:00", "2025-06-01T00:00",
])
def test_every_form_a_court_types_is_the_same_day(text):
    assert parse_date(text) == JUNE_1
    assert date_text(text) == "2025-06-01"


@pytest.mark.parametrize("text", ["2025-02-29", "2025-13-01", "2025-06-31", "昨天", "25-6-1", "6/1/2025", "",
                                  "2025-06-01 10:00", "20250601"])
def test_anything_else_is_refused_with_the_forms_expected(text):
    with pytest.raises(InvalidDate, match=f"立契时间“{text}”不是有效日期，应为 YYYY-MM-DD（年-月-日），如 2025-06-01"):
        parse_date(text, "立契时间")


def test_a_leap_day_exists_in_a_leap_year():
    assert parse_date("2024年2月29日") == date(2024, 2, 29)


def test_dates_pass_through_and_a_datetime_gives_its_day():
    assert parse_date(JUNE_1) is JUNE_1 and parse_date(datetime(2025, 6, 1, 10, 0)) == JUNE_1


def test_date_text_leaves_other_text_for_pandas_without_checking_the_day():
    assert date_text("2025年13月1日") == "2025-13-01" and date_text("不知道") == "不知道"


@pytest.mark.parametrize("text, moment", [
    ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0)),
    ("2026-12-01T23:00", datetime(2026, 12, 1, 23, 0)),
    ("2026-12-01T23:00:30", datetime(2026, 12, 1, 23, 0, 30)),
    ("2026年12月1日10时00分", datetime(2026, 12, 1, 10, 0)),
    ("2026年12月1日 9时", datetime(2026, 12, 1, 9, 0)),
    ("２０２６.１２.１ ９:０５", datetime(2026, 12, 1, 9, 5)),
    ("2026-12-01", datetime(2026, 12, 1)),
])
def test_a_moment_is_a_typed_date_and_a_time_of_day(text, moment):
    assert parse_datetime(text) == moment


@pytest.mark.parametrize("text", ["2026-12-01 24:00", "2026-12-01 10:60", "2026-12-0110:00", "明天上午", ""])
def test_a_moment_that_is_not_one_is_refused(text):
    with pytest.raises(InvalidDate, match="成交时刻“.*”不是有效时间，应为 YYYY-MM-DD HH:MM"):
        parse_datetime(text, "成交时刻")
