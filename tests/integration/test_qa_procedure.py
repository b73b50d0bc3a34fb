"""Product QA of the procedure on SQLite and PostgreSQL: what an administrator met entering a holiday notice."""

from datetime import date, datetime

import pytest

from auction.calendar import weekday_workdays_problem
from xunpai.services import procedure as service

NOW = datetime(2026, 11, 27, 9, 0)
HOLIDAYS_2027 = [date(2027, 1, 1), *(date(2027, 2, d) for d in range(5, 12)), date(2027, 4, 5),
                 *(date(2027, 5, d) for d in range(1, 6)), date(2027, 6, 9), date(2027, 9, 15),
                 *(date(2027, 10, d) for d in range(1, 8))]


def test_a_weekday_entered_as_a_make_up_working_day_is_refused(uow):
    # Typed by mistake (2027-01-05 is a Tuesday): before, it was accepted and reported as “调休上班 1 天”.
    with pytest.raises(service.InvalidCalendarYear, match="2027-01-05（星期二）"):
        service.set_calendar_year(uow, 2027, [date(2027, 1, 1)], [date(2027, 1, 5)], source="通知",
                                  actor="管理员", now=NOW)
    assert service.load_calendar(uow).is_provisional(date(2027, 1, 1))  # nothing entered
    service.set_calendar_year(uow, 2027, HOLIDAYS_2027, [date(2027, 1, 9), date(2027, 1, 10)],
                              source="通知", actor="管理员", now=NOW)
    assert service.load_calendar(uow).is_working_day(date(2027, 1, 10))


def test_weekend_make_up_days_are_fine():
    assert weekday_workdays_problem({date(2026, 2, 14), date(2026, 2, 28)}) is None  # the 2026 Saturdays
    assert "星期五" in weekday_workdays_problem({date(2026, 2, 13)})
