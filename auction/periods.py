"""Counting periods (期间): calendar days, working days, hours, months and years.

民诉法 art. 85 and 民法典 arts. 200-203:
- the day (or hour) on which a period starts is not counted (民诉法 art. 85(2), 民法典 art. 201);
- a month or year period ends on the corresponding day of the last month, or the month's last day when there is
  none (民法典 art. 202);
- when the last day is a rest day (法定休假日: a weekend or holiday rest day by the year's State Council notice,
  not a make-up working day), the period ends on the first working day after it (民诉法 art. 85(3),
  民法典 art. 203(1));
- the period ends at 24:00 of the last day (民法典 art. 203(2)); ``Deadline.expires_at`` is therefore 00:00 of
  the following day, and a step is overdue from that instant.

Every function returns a ``Deadline`` that says whether it is provisional (a day it depends on lies in a year
no holiday notice covers) and why.
"""

from __future__ import annotations

import calendar as _gregorian
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from auction.calendar import WorkingCalendar
from auction.rules.reference_price_rules import Period


@dataclass(frozen=True)
class Deadline:
    """The last day of a period. ``expires_at`` is the first instant after the period (24:00 of ``due``)."""

    start: date | datetime
    due: date
    expires_at: datetime
    provisional: bool
    reason: str
    article: str
    rolled_from: date | None = None  # the nominal last day when it fell on a rest day

    def label(self) -> str:
        """The due time as a court writes it, e.g. ``2025-10-09 24:00`` (暂定 added when provisional)."""
        if self.expires_at.time() == time(0) and self.expires_at.date() == self.due + timedelta(days=1):
            text = f"{self.due.isoformat()} 24:00"
        else:
            text = self.expires_at.strftime("%Y-%m-%d %H:%M")
        return text + ("（暂定）" if self.provisional else "")

    def is_overdue(self, now: date | datetime) -> bool:
        """After the period: a ``date`` is overdue when it is later than ``due``; a ``datetime`` from
        ``expires_at`` on."""
        if isinstance(now, datetime):
            return now >= self.expires_at
        return now > self.due

    def days_left(self, today: date) -> int:
        return (self.due - today).days

    def as_dict(self) -> dict:
        return {"start": self.start.isoformat(), "due": self.due.isoformat(), "label": self.label(),
                "expires_at": self.expires_at.isoformat(), "provisional": self.provisional,
                "reason": self.reason, "article": self.article,
                "rolled_from": self.rolled_from.isoformat() if self.rolled_from else None}


def _day_of(moment: date | datetime) -> date:
    """The day of an event; for a day period the hour does not matter (民诉法 art. 85(2))."""
    return moment.date() if isinstance(moment, datetime) else moment


def _end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0))


def _provisional_notes(calendar: WorkingCalendar, days: list[date]) -> tuple[bool, str]:
    reasons: list[str] = []
    for day in days:
        status = calendar.status(day)
        if status.provisional and status.reason not in reasons:
            reasons.append(status.reason)
    return bool(reasons), " ".join(reasons)


def _roll_over_rest_days(nominal: date, calendar: WorkingCalendar) -> tuple[date, list[date]]:
    """民诉法 art. 85(3), 民法典 art. 203(1): a last day on a rest day moves to the first working day after."""
    checked = [nominal]
    day = nominal
    while calendar.is_rest_day(day):
        day += timedelta(days=1)
        checked.append(day)
    return day, checked


def _finish(start: date | datetime, nominal: date, calendar: WorkingCalendar, article: str, roll: bool,
            extra_days: list[date] | None = None) -> Deadline:
    if roll:
        due, checked = _roll_over_rest_days(nominal, calendar)
    else:
        due, checked = nominal, [nominal]
    provisional, reason = _provisional_notes(calendar, (extra_days or []) + checked)
    rolled_from = nominal if due != nominal else None
    if rolled_from:
        note = f"期间最后一日 {nominal.isoformat()} 为休息日，顺延至其后第一个工作日 {due.isoformat()}。"
        reason = f"{note} {reason}".strip()
    return Deadline(start, due, _end_of(due), provisional, reason, article, rolled_from)


def calendar_days(start: date, days: int, calendar: WorkingCalendar, *,
                  article: str = "民诉法第八十五条") -> Deadline:
    """An N-day period (N日): the start day not counted, the last day rolled past rest days, ending at 24:00.

    民诉法 art. 85; 民法典 arts. 201(1), 203. ``start`` is the day of the triggering event (service, receipt,
    filing); with ``days = 5`` and a start on Monday the nominal last day is Saturday.
    """
    if days < 0:
        raise ValueError("期间天数不能为负数。")
    start = _day_of(start)
    return _finish(start, start + timedelta(days=days), calendar, article, roll=True)


def working_days(start: date, days: int, calendar: WorkingCalendar, *,
                 article: str = "民诉法第八十五条（工作日期间）") -> Deadline:
    """An N-working-day period (N个工作日, only where a rule says so, e.g. Wenling's 3 working days).

    The start day is not counted (民诉法 art. 85(2)); the period ends at 24:00 of the N-th working day after it,
    which is a working day by construction, so no roll-over is needed.
    """
    if days < 0:
        raise ValueError("期间天数不能为负数。")
    start = _day_of(start)
    day, seen, counted = start, [], 0
    while counted < days:
        day += timedelta(days=1)
        seen.append(day)
        if calendar.is_working_day(day):
            counted += 1
    provisional, reason = _provisional_notes(calendar, seen or [start])
    return Deadline(start, day, _end_of(day), provisional, reason, article)


def hours(start: datetime, count: int, *, article: str = "民诉法第八十五条、民法典第二百零一条第二款") -> Deadline:
    """An N-hour period: the starting hour is not counted (民诉法 art. 85(2)), so counting begins at the next
    full hour; the period ends ``count`` hours later. Rest days do not move an hour period (art. 85(3) speaks of
    a last *day*); such a deadline is never provisional."""
    if count < 0:
        raise ValueError("期间小时数不能为负数。")
    first = start.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    expires = first + timedelta(hours=count)
    due = (expires - timedelta(microseconds=1)).date()
    return Deadline(start, due, expires, False, "", article)


def _add_months(day: date, months: int) -> date:
    """民法典 art. 202: the corresponding day of the last month, or that month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, _gregorian.monthrange(year, month)[1]))


def months(start: date, count: int, calendar: WorkingCalendar, *, roll: bool = True,
           article: str = "民法典第二百零一条、第二百零二条") -> Deadline:
    """A month period. ``roll=False`` for a validity term that must not outlast its stated end
    (see ``auction.reference_price.validity``)."""
    return _finish(start, _add_months(start, count), calendar, article, roll=roll)


def years(start: date, count: int, calendar: WorkingCalendar, *, roll: bool = True,
          article: str = "民法典第二百零一条、第二百零二条") -> Deadline:
    """A year period: the corresponding day ``count`` years later (29 Feb → 28 Feb, 民法典 art. 202)."""
    return _finish(start, _add_months(start, 12 * count), calendar, article, roll=roll)


def period(start: date, rule: Period, calendar: WorkingCalendar, *, roll: bool = True) -> Deadline:
    """The deadline of a rule from ``auction.rules``: dispatches on its unit and cites its article."""
    if rule.unit == "day":
        return calendar_days(start, rule.amount, calendar, article=rule.article)
    if rule.unit == "working_day":
        return working_days(start, rule.amount, calendar, article=rule.article)
    if rule.unit == "month":
        return months(start, rule.amount, calendar, roll=roll, article=rule.article)
    if rule.unit == "year":
        return years(start, rule.amount, calendar, roll=roll, article=rule.article)
    if rule.unit == "hour":
        moment = start if isinstance(start, datetime) else datetime.combine(start, time(0))
        return hours(moment, rule.amount, article=rule.article)
    raise ValueError(f"unknown period unit {rule.unit!r}")
