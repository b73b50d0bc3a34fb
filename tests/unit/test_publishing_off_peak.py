from datetime import datetime

import pytest

from auction.off_peak import InvalidWindow, in_window, next_window_start, parse_windows


def test_window_past_midnight_includes_start_excludes_end():
    windows = parse_windows("22:00-06:00")
    assert in_window(datetime(2026, 12, 1, 22, 0), windows)
    assert in_window(datetime(2026, 12, 2, 5, 59, 59), windows)
    assert not in_window(datetime(2026, 12, 2, 6, 0), windows)
    assert not in_window(datetime(2026, 12, 1, 21, 59, 59), windows)


def test_next_window_start():
    windows = parse_windows("22:00-06:00，12:00-13:00")
    assert next_window_start(datetime(2026, 12, 1, 9, 0), windows) == datetime(2026, 12, 1, 12, 0)
    assert next_window_start(datetime(2026, 12, 1, 14, 0), windows) == datetime(2026, 12, 1, 22, 0)
    assert next_window_start(datetime(2026, 12, 1, 23, 0), windows) == datetime(2026, 12, 1, 23, 0)


@pytest.mark.parametrize("text", ["", "22-06", "25:00-06:00", "22:00-06:60"])
def test_bad_windows_are_refused(text):
    with pytest.raises(InvalidWindow):
        parse_windows(text)
