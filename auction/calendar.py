"""The working-day calendar (工作日历) with 调休: which days are rest days by the State Council's notice.

A date is a working day by that year's 国务院办公厅关于部分节假日安排的通知, not by weekday alone (RULES.md
section 5): a make-up Saturday (调休上班) is a working day, a weekday inside the Spring Festival span is not.

Sources, in order:
1. an administrator's entry of a year's notice (``YearNotice``, passed in as values: the calendar never reads
   the database itself);
2. the ``chinesecalendar`` package, which carries the notices for 2004-2026 and raises ``NotImplementedError``
   for later years;
3. for a year nobody covers: weekends plus the fixed-date holidays of 全国年节及纪念日放假办法 (2024) art. 2
   (元旦 1 Jan, 劳动节 1-2 May, 国庆节 1-3 Oct). The lunar holidays and the 调休 of such a year are unknown, so
   every answer for it is **provisional**, with the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import chinese_calendar
from chinese_calendar import constants as package_days
from lunar_python import Lunar

from tax_baseline.numerals import chinese_number

# 全国年节及纪念日放假办法 (2024) art. 2: the holidays on fixed Gregorian dates; lunar ones (春节, 清明, 端午,
# 中秋) move and are only known from the year's notice.
FIXED_DATE_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, "元旦"),
    (5, 1, "劳动节"),
    (5, 2, "劳动节"),
    (10, 1, "国庆节"),
    (10, 2, "国庆节"),
    (10, 3, "国庆节"),
)

PACKAGE_SOURCE = "chinesecalendar"
OVERRIDE_SOURCE = "administrator"
GUESS_SOURCE = "provisional"


@dataclass(frozen=True)
class YearNotice:
    """One year's State Council holiday notice as an administrator entered it.

    ``holidays``: every rest day of the notice that is not an ordinary weekend (holidays and their 调休 rest
    days, weekdays included); ``workdays``: the make-up working days (调休上班), usually Saturdays or Sundays.
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = ""

    def __post_init__(self) -> None:
        for day in (*self.holidays, *self.workdays):
            if day.year != self.year:
                raise ValueError(f"{day.isoformat()} 不属于 {self.year} 年，不能录入该年的放假安排。")
        both = self.holidays & self.workdays
        if both:
            listed = "、".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"{listed} 同时被录入为放假日和调休上班日，应只属于其中一种。")


def weekday_workdays_problem(workdays: frozenset[date] | set[date]) -> str | None:
    """Why an entered list of 调休上班 days is wrong, or None.

    A make-up working day moves work onto a Saturday or Sunday; a weekday is a working day already, so
    a weekday in the list is a typing error in the notice's dates (checked when an administrator enters it).
    """
    weekdays = sorted(d for d in workdays if d.weekday() < 5)
    if not weekdays:
        return None
    listed = "、".join(f"{d.isoformat()}（星期{chinese_number(d.weekday() + 1)}）" for d in weekdays)
    return f"调休上班日应为周六或周日；{listed} 本来就是工作日，请核对放假通知中的调休上班日期。"


@dataclass(frozen=True)
class DayStatus:
    day: date
    working: bool
    source: str  # PACKAGE_SOURCE | OVERRIDE_SOURCE | GUESS_SOURCE
    provisional: bool
    reason: str = ""


@cache
def package_covers(year: int) -> bool:
    """Whether the installed ``chinesecalendar`` carries the notice for ``year``."""
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def provisional_reason(year: int) -> str:
    return (f"{year}年的国务院节假日安排尚未录入（chinesecalendar 未收录该年），"
            f"仅按周末和放假办法规定的固定日期节日推算，春节等农历节日及调休未计入，期限为暂定，"
            f"请管理员录入该年放假通知后复核。")


@dataclass(frozen=True)
class WorkingCalendar:
    """调休-aware working days. ``overrides`` maps a year to the administrator's ``YearNotice``; an entered
    year takes precedence over the package."""

    overrides: Mapping[int, YearNotice] = field(default_factory=dict)
    # day -> DayStatus, filled on first use (the notices are fixed for the calendar's lifetime)
    _statuses: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def with_notices(cls, notices: Iterable[YearNotice]) -> WorkingCalendar:
        return cls({notice.year: notice for notice in notices})

    def source_for(self, year: int) -> str:
        if year in self.overrides:
            return OVERRIDE_SOURCE
        if package_covers(year):
            return PACKAGE_SOURCE
        return GUESS_SOURCE

    def status(self, day: date) -> DayStatus:
        cached = self._statuses.get(day)
        if cached is None:
            cached = self._statuses[day] = self._status(day)
        return cached

    def _status(self, day: date) -> DayStatus:
        source = self.source_for(day.year)
        if source == OVERRIDE_SOURCE:
            notice = self.overrides[day.year]
            working = day in notice.workdays or (day.weekday() < 5 and day not in notice.holidays)
            return DayStatus(day, working, source, False)
        if source == PACKAGE_SOURCE:
            return DayStatus(day, chinese_calendar.is_workday(day), source, False)
        fixed = {(m, d) for m, d, _name in FIXED_DATE_HOLIDAYS}
        working = day.weekday() < 5 and (day.month, day.day) not in fixed
        return DayStatus(day, working, source, True, provisional_reason(day.year))

    def is_working_day(self, day: date) -> bool:
        return self.status(day).working

    def is_rest_day(self, day: date) -> bool:
        """A 法定休假日 in the sense of 民诉法 art. 85: a weekend or holiday rest day by the year's notice."""
        return not self.status(day).working

    def is_provisional(self, day: date) -> bool:
        return self.status(day).provisional

    def next_working_day(self, day: date) -> date:
        """``day`` itself when it is a working day, otherwise the first working day after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def rest_days(self, year: int) -> list[date]:
        day, out = date(year, 1, 1), []
        while day.year == year:
            if not self.is_working_day(day):
                out.append(day)
            day += timedelta(days=1)
        return out


def package_notice(year: int) -> YearNotice:
    """The ``chinesecalendar`` data of a covered year as a ``YearNotice`` (for display and cross-checks)."""
    if not package_covers(year):
        raise ValueError(f"chinesecalendar 未收录 {year} 年的节假日安排。")
    return YearNotice(year, frozenset(d for d in package_days.holidays if d.year == year),
                      frozenset(d for d in package_days.workdays if d.year == year), PACKAGE_SOURCE)


def statutory_holidays(year: int) -> dict[date, str]:
    """The days off for everyone of 全国年节及纪念日放假办法 (2024 revision, from 2025) art. 2, for ``year``:
    元旦 1 Jan; 春节 农历除夕 and 正月初一至初三; 清明 (the solar term's day); 劳动节 1-2 May; 端午 (农历五月初五);
    中秋 (农历八月十五); 国庆节 1-3 Oct. Lunar dates are converted with ``lunar_python`` (MIT)."""
    days: dict[date, str] = {date(year, m, d): name for m, d, name in FIXED_DATE_HOLIDAYS}

    def solar(lunar: Lunar) -> date:
        s = lunar.getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    new_year = Lunar.fromYmd(year, 1, 1)
    days[solar(new_year.next(-1))] = "春节（除夕）"
    for offset in range(3):
        days[solar(new_year.next(offset))] = "春节"
    qingming = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    days[date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days[solar(Lunar.fromYmd(year, 5, 5))] = "端午节"
    days.setdefault(solar(Lunar.fromYmd(year, 8, 15)), "中秋节")
    return {d: name for d, name in days.items() if d.year == year}


def missing_statutory_holidays_problem(notice: YearNotice) -> str | None:
    """Why an entered notice is wrong because a statutory holiday (全国年节及纪念日放假办法 art. 2) would be a
    working day under it: listed as a make-up working day, or a weekday left out of the holidays. None if right."""
    wrong = []
    for day, name in sorted(statutory_holidays(notice.year).items()):
        if day in notice.workdays or (day.weekday() < 5 and day not in notice.holidays):
            wrong.append(f"{day.isoformat()}（{name}）")
    if not wrong:
        return None
    return (f"录入的{notice.year}年放假安排使法定节假日成为工作日：{'、'.join(wrong)}。"
            "全国年节及纪念日放假办法第二条规定这些日期全体公民放假，请核对放假通知后重新录入。")
