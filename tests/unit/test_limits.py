"""Wenling's inquiry limits at their boundaries."""

from datetime import datetime

import pytest

from tax_baseline.limits import InquiryPolicy, LimitRefused, check_limits

POLICY = InquiryPolicy(frozenset({"Z01", "Z02"}), daily_count=3, hour_from=8, hour_to=18)


def test_the_last_allowed_query_of_the_day_passes_and_the_next_is_refused():
    check_limits(POLICY, zone="Z01", now=datetime(2026, 3, 2, 10), used_today=2)
    with pytest.raises(LimitRefused) as info:
        check_limits(POLICY, zone="Z01", now=datetime(2026, 3, 2, 10), used_today=3)
    assert info.value.limit == "count" and "每天最多 3 次" in info.value.message


@pytest.mark.parametrize("hour, minute, allowed", [(7, 59, False), (8, 0, True), (17, 59, True), (18, 0, False)])
def test_hours_window_is_half_open(hour, minute, allowed):
    now = datetime(2026, 3, 2, hour, minute)
    if allowed:
        check_limits(POLICY, zone="Z01", now=now, used_today=0)
    else:
        with pytest.raises(LimitRefused) as info:
            check_limits(POLICY, zone="Z01", now=now, used_today=0)
        assert info.value.limit == "hours" and "8:00 至 18:00" in info.value.message


def test_zone_outside_the_jurisdiction_is_refused_and_named():
    with pytest.raises(LimitRefused) as info:
        check_limits(POLICY, zone="Z03", now=datetime(2026, 3, 2, 10), used_today=0)
    assert info.value.limit == "zone" and "Z03" in info.value.message and "Z01、Z02" in info.value.message


def test_no_configured_zones_means_no_zone_restriction():
    check_limits(InquiryPolicy(frozenset(), 3, 8, 18), zone="Z99", now=datetime(2026, 3, 2, 10), used_today=0)
