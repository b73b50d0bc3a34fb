"""Inquiry limits (查询限制): Wenling's safeguards for the tax-bureau inquiry line (RULES.md section 1,
case 7: "limits on scope, count and time of queries"): a user may query only the zones of the court's
jurisdiction, at most a set number of times a day, and only within the allowed hours.

Boundaries: the query that brings the day's count to ``daily_count`` is the last one allowed; the hour
window is half-open, ``hour_from`` ≤ hour < ``hour_to``. The count is of units priced: a batch of N rows needs N
of the day's remaining queries (otherwise two uploads of 10,000 rows would pass a limit of 50).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class InquiryPolicy:
    allowed_zones: frozenset[str]  # empty: no zone restriction configured
    daily_count: int
    hour_from: int
    hour_to: int


class LimitRefused(Exception):
    """A query refused by a limit; ``limit`` names which (zone, count, hours)."""

    def __init__(self, limit: str, message: str):
        super().__init__(message)
        self.limit = limit
        self.message = message


def check_hours(policy: InquiryPolicy, now: datetime) -> None:
    if not policy.hour_from <= now.hour < policy.hour_to:
        raise LimitRefused("hours", f"查询时间限制：只允许在每天 {policy.hour_from}:00 至 {policy.hour_to}:00 之间查询，"
                                    f"现在是 {now:%H:%M}。")


def check_count(policy: InquiryPolicy, used_today: int, requested: int = 1) -> None:
    """Refuse when ``requested`` units (1 for a quote, the rows of a batch) would pass the day's count."""
    if used_today + requested > policy.daily_count:
        remaining = max(0, policy.daily_count - used_today)
        asked = f"本批共 {requested} 条，需要 {requested} 次；" if requested > 1 else ""
        raise LimitRefused("count", f"查询次数限制：每天最多 {policy.daily_count} 次（批量询价每条计一次），今天已查询 "
                                    f"{used_today} 次，还可查询 {remaining} 次。{asked}请减少条数或明天再查询。")


def zone_allowed(policy: InquiryPolicy, zone: str) -> bool:
    return not policy.allowed_zones or zone in policy.allowed_zones


def check_zone(policy: InquiryPolicy, zone: str) -> None:
    if not zone_allowed(policy, zone):
        allowed = "、".join(sorted(policy.allowed_zones))
        raise LimitRefused("zone", f"查询范围限制：该房产位于估价分区 {zone}，不在本院辖区（{allowed}）内。")


def check_limits(policy: InquiryPolicy, *, zone: str, now: datetime, used_today: int) -> None:
    """Raise ``LimitRefused`` for the first limit the query breaks: hours, then count, then zone."""
    check_hours(policy, now)
    check_count(policy, used_today)
    check_zone(policy, zone)
