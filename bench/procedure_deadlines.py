"""Benchmark: legal deadlines on the 调休 calendar (``auction.periods``) against a naive baseline.

Prints, for 20,000 five-day and 3-working-day periods starting on every day of 2025-2026:
- ``auction.periods.calendar_days`` / ``working_days`` (with the provisional bookkeeping and reasons);
- a naive baseline that asks ``chinese_calendar.is_workday`` directly in a loop (no provisional handling);
and checks that both give the same due dates. Run: ``python bench/procedure_deadlines.py``.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from auction import periods  # noqa: E402
from auction.calendar import WorkingCalendar  # noqa: E402


def naive_calendar_days(start: date, days: int) -> date:
    day = start + timedelta(days=days)
    while not chinese_calendar.is_workday(day):
        day += timedelta(days=1)
    return day


def naive_working_days(start: date, days: int) -> date:
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    return day


def timed(fn, starts):
    t0 = time.perf_counter()
    out = [fn(s) for s in starts]
    return out, time.perf_counter() - t0


def main() -> None:
    first = date(2025, 1, 1)
    span = (date(2026, 12, 20) - first).days
    starts = [first + timedelta(days=i % span) for i in range(20_000)]
    calendar = WorkingCalendar()
    ours, t_ours = timed(lambda s: periods.calendar_days(s, 5, calendar).due, starts)
    base, t_base = timed(lambda s: naive_calendar_days(s, 5), starts)
    assert ours == base, "calendar-day deadlines differ from the baseline"
    ours_w, t_ours_w = timed(lambda s: periods.working_days(s, 3, calendar).due, starts)
    base_w, t_base_w = timed(lambda s: naive_working_days(s, 3), starts)
    assert ours_w == base_w, "working-day deadlines differ from the baseline"
    rolled = sum(1 for s, d in zip(starts, ours, strict=True) if d != s + timedelta(days=5))
    print(f"periods: {len(starts):,} starts in 2025-2026, identical due dates to the baseline")
    print(f"  5 calendar days : xunpai {t_ours * 1e6 / len(starts):7.1f} µs/period   "
          f"naive chinese_calendar loop {t_base * 1e6 / len(starts):7.1f} µs/period   "
          f"(ratio {t_ours / t_base:.2f}x; {rolled:,} rolled past rest days)")
    print(f"  3 working days  : xunpai {t_ours_w * 1e6 / len(starts):7.1f} µs/period   "
          f"naive chinese_calendar loop {t_base_w * 1e6 / len(starts):7.1f} µs/period   "
          f"(ratio {t_ours_w / t_base_w:.2f}x)")


if __name__ == "__main__":
    main()
