"""How the collectors treat a site: a rate limit, polite retries, robots.txt.

- Rate: at most ``rate`` page loads per second (``1 / rate`` seconds between two navigations), never
  faster than the ``Crawl-delay`` of robots.txt when the site sets one.
- Retries: HTTP 429 and 5xx answers and timeouts are retried up to ``max_attempts`` times, waiting
  ``backoff * 2 ** (attempt - 1)`` seconds (capped at ``max_backoff``), or the ``Retry-After`` the site
  asked for when that is longer (RFC 9110 section 10.2.3: seconds or an HTTP date). A ``Retry-After``
  longer than ``max_retry_after`` is not waited out: the scrape stops and can be resumed later.
- robots.txt (RFC 9309) is read with :mod:`urllib.robotparser`; a missing file (4xx) allows everything,
  a server error disallows everything, as the RFC says.
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapers import DEFAULT_CONTACT, user_agent


@dataclass(frozen=True)
class Politeness:
    rate: float = 1.0  # page loads per second
    max_attempts: int = 5
    backoff: float = 0.5  # seconds before the second attempt; doubles each time
    max_backoff: float = 30.0
    max_retry_after: float = 300.0
    timeout: float = 15.0  # seconds for one page to load and render
    contact: str = DEFAULT_CONTACT

    def __post_init__(self) -> None:
        if not self.rate > 0:
            raise ValueError(f"采集频率必须大于 0（每秒页数），收到 {self.rate}")
        if self.max_attempts < 1:
            raise ValueError(f"最多尝试次数至少为 1，收到 {self.max_attempts}")
        if not self.timeout > 0:
            raise ValueError(f"页面超时必须大于 0 秒，收到 {self.timeout}")

    @property
    def user_agent(self) -> str:
        return user_agent(self.contact)

    def backoff_delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        if retry_after is not None:
            delay = max(delay, retry_after)
        return delay


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header: delay-seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = now or datetime.now(UTC)
    return max(0.0, (when - now).total_seconds())


class RateLimiter:
    """Spaces calls at least ``interval`` seconds apart (monotonic clock)."""

    def __init__(self, interval: float, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None:
            remaining = self._last + self.interval - self._clock()
            if remaining > 0:
                self._sleep(remaining)
        self._last = self._clock()

    def mark(self, moment: float) -> None:
        """The call actually took effect at ``moment`` (later than ``wait`` returned): space from there."""
        if self._last is None or moment > self._last:
            self._last = moment


class RobotsPolicy:
    """robots.txt of one site, read once."""

    def __init__(self, status: int, text: str, agent: str) -> None:
        self.agent = agent
        self._parser = urllib.robotparser.RobotFileParser()
        if status >= 500:
            self._parser.disallow_all = True
        elif status >= 400:
            self._parser.allow_all = True
        else:
            self._parser.parse(text.splitlines())

    def allowed(self, url: str) -> bool:
        return self._parser.can_fetch(self.agent, url)

    @property
    def crawl_delay(self) -> float | None:
        delay = self._parser.crawl_delay(self.agent)
        return float(delay) if delay is not None else None
