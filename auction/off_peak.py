"""Off-peak windows (错峰时段) for uploading listings: Wuxi's system "uses the network's busy and idle times"
(case collection, case 6). A window is ``HH:MM-HH:MM`` in the court's local time; a window whose end is not
after its start runs past midnight (``22:00-06:00``). The start is inside the window, the end is not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

DEFAULT_WINDOWS = "22:00-06:00"
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class InvalidWindow(ValueError):
    """A window that is not ``HH:MM-HH:MM``; the message says what is expected."""


@dataclass(frozen=True)
class Window:
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        t = moment.time()
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end  # past midnight (or the whole day when start == end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


def parse_windows(text: str) -> tuple[Window, ...]:
    """``"22:00-06:00, 12:00-13:30"`` → windows."""
    windows = []
    for part in [p for p in re.split(r"[,，;；]", text or "") if p.strip()]:
        match = _WINDOW.match(part)
        if not match:
            raise InvalidWindow(f"错峰时段“{part.strip()}”格式不对，应为 时:分-时:分，如 22:00-06:00。")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise InvalidWindow(f"错峰时段“{part.strip()}”中的时间无效，小时应为 0-23、分钟应为 0-59。")
        windows.append(Window(time(h1, m1), time(h2, m2)))
    if not windows:
        raise InvalidWindow("未配置错峰时段，应至少有一个，如 22:00-06:00。")
    return tuple(windows)


def in_window(moment: datetime, windows: Sequence[Window]) -> bool:
    return any(w.contains(moment) for w in windows)


def next_window_start(moment: datetime, windows: Sequence[Window]) -> datetime:
    """``moment`` itself when it is inside a window, otherwise the next start of any window."""
    if in_window(moment, windows):
        return moment
    candidates = []
    for w in windows:
        start = datetime.combine(moment.date(), w.start)
        if start <= moment:
            start += timedelta(days=1)
        candidates.append(start)
    return min(candidates)


def describe(windows: Sequence[Window]) -> str:
    return "、".join(str(w) for w in windows)
