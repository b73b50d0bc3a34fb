"""Page loads through Playwright (sync API) on the system Chromium, with the politeness rules applied.

:func:`launch_browser` starts Chromium from ``/usr/bin/chromium`` (Playwright's own browser download is
not used). :class:`PageFetcher` loads pages in one reused tab (a fresh one after a failed attempt) of a
browser context that carries our user agent; it checks robots.txt for the pages and for the requests their
scripts make, spaces the page requests by the rate limit, and retries the whole load-and-read when the site
answers 429 or 5xx (to the document or to any script request), drops the connection or does not finish in
time. A page is ready when the collector's content appears; one that stops loading without it has changed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from scrapers.errors import GaveUp, MarkupChanged, RetryableFailure, RobotsDisallowed, ScrapeError
from scrapers.politeness import Politeness, RateLimiter, RobotsPolicy, parse_retry_after

CHROMIUM = os.environ.get("XUNPAI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
_WATCHED = {"document", "xhr", "fetch"}
_POLL_MS = 30
QUIET_SECONDS = 1.0  # no request in flight for this long: the page's scripts have finished loading

T = TypeVar("T")


@contextmanager
def launch_browser() -> Iterator[Browser]:
    """The system Chromium, headless, closed on exit."""
    if not os.path.exists(CHROMIUM):
        raise ScrapeError(f"未找到 Chromium（{CHROMIUM}）。请安装系统的 chromium 软件包，"
                          f"或用环境变量 XUNPAI_CHROMIUM 指明其路径。")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class _Watch:
    """Requests in flight and failed answers of one attempt, fed by Playwright's events. Only requests
    started during the attempt count, so a late answer to an earlier page cannot fail this one."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.started: set = set()
        self.inflight: set = set()
        self.failure: RetryableFailure | None = None
        self.last_activity = time.monotonic()
        self.document_sent: float | None = None  # when the browser reported the page request as sent
        self._handlers = {"request": self._started, "requestfinished": self._ended,
                          "requestfailed": self._ended, "response": self._answered}
        for event, handler in self._handlers.items():
            page.on(event, handler)

    def detach(self) -> None:
        for event, handler in self._handlers.items():
            self.page.remove_listener(event, handler)

    def _started(self, request) -> None:
        if request.resource_type == "document" and self.document_sent is None:
            self.document_sent = time.monotonic()
        if request.resource_type in _WATCHED:
            self.started.add(request)
            self.inflight.add(request)
            self.last_activity = time.monotonic()

    def _ended(self, request) -> None:
        if request in self.inflight:
            self.inflight.discard(request)
            self.last_activity = time.monotonic()

    def _answered(self, response) -> None:
        status = response.status
        if response.request in self.started and (status == 429 or status >= 500) and not self.failure:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            self.failure = RetryableFailure(f"HTTP {status}（{urlsplit(response.url).path}）", retry_after)


class PageSession:
    """One loaded page, handed to a collector's reader."""

    def __init__(self, page: Page, watch: _Watch, url: str, timeout: float) -> None:
        self.page = page
        self.url = url
        self._watch = watch
        self._timeout = timeout

    def wait_until(self, ready: Callable[[], bool], what: str, *, quiet: float = QUIET_SECONDS) -> None:
        """Wait until ``ready()`` holds. A failed answer or the timeout is retryable; a page that has stopped
        loading without becoming ready (no request in flight for ``quiet`` seconds) has changed its markup
        (:class:`MarkupChanged` names ``what``). The quiet period only delays that verdict, never success."""
        started = time.monotonic()
        deadline = started + self._timeout
        while True:
            if self._watch.failure:
                raise self._watch.failure
            if ready():
                return
            now = time.monotonic()
            if now > deadline:
                raise RetryableFailure(f"页面在 {self._timeout:g} 秒内未加载完成")
            # quiet counts from the start of this wait too: a scroll's request may not have started yet
            if not self._watch.inflight and now - max(self._watch.last_activity, started) > quiet:
                if self._watch.failure:
                    raise self._watch.failure
                if ready():
                    return
                raise MarkupChanged(self.url, f"未找到{what}")
            self.page.wait_for_timeout(_POLL_MS)

    def settle(self, quiet: float = 0.2, limit: float = 3.0) -> RetryableFailure | None:
        """Let the page's requests finish (at most ``limit`` seconds); the failed answer seen, if any."""
        end = time.monotonic() + limit
        while time.monotonic() < end and not self._watch.failure and (
                self._watch.inflight or time.monotonic() - self._watch.last_activity < quiet):
            self.page.wait_for_timeout(_POLL_MS)
        return self._watch.failure

    def wait_for(self, selector: str, what: str) -> None:
        self.wait_until(lambda: self.page.query_selector(selector) is not None, what)

    def evaluate(self, script: str, arg=None):
        return self.page.evaluate(script, arg)


class PageFetcher:
    """Loads pages politely; one instance per scrape run."""

    def __init__(self, browser: Browser, politeness: Politeness, *,
                 sleep: Callable[[float], None] = time.sleep,
                 on_retry: Callable[[str, int, str, float], None] | None = None) -> None:
        self.politeness = politeness
        self._context = browser.new_context(user_agent=politeness.user_agent, locale="zh-CN",
                                            viewport={"width": 1280, "height": 800})
        self._context.set_default_timeout(politeness.timeout * 1000)
        self._sleep = sleep
        self._on_retry = on_retry
        self._robots: dict[str, RobotsPolicy] = {}
        self._limiter = RateLimiter(1.0 / politeness.rate, sleep=sleep)
        self._page: Page | None = None  # one tab, reused: opening a tab per load costs more than the load
        self.loads = 0
        # robots.txt covers what the page's scripts request too, not only the pages we open
        self._blocked: list[str] = []
        self._context.route("**/*", self._guard)

    def close(self) -> None:
        self._context.close()

    def _tab(self) -> Page:
        if self._page is None or self._page.is_closed():
            self._page = self._context.new_page()
        return self._page

    def _discard_tab(self) -> None:
        if self._page is not None and not self._page.is_closed():
            self._page.close()
        self._page = None

    def __enter__(self) -> PageFetcher:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _guard(self, route) -> None:
        request = route.request
        policy = self._robots.get(_origin(request.url))
        # pages we open were checked in fetch(); a script's request to a site whose robots.txt we have not
        # read (a CDN) goes through: reading it from inside the browser's request handler could deadlock
        if request.resource_type != "document" and policy is not None and not policy.allowed(request.url):
            self._blocked.append(request.url)
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def robots(self, url: str) -> RobotsPolicy:
        origin = _origin(url)
        if origin not in self._robots:
            try:
                answer = self._context.request.get(origin + "/robots.txt", timeout=self.politeness.timeout * 1000,
                                                   fail_on_status_code=False)
                status, text = answer.status, answer.text()
            except PlaywrightError as exc:
                raise ScrapeError(f"无法读取 {origin}/robots.txt（{exc.message.splitlines()[0]}），"
                                  f"为遵守网站规则已停止采集。") from exc
            policy = RobotsPolicy(status, text, self.politeness.user_agent)
            self._robots[origin] = policy
            if policy.crawl_delay and policy.crawl_delay > self._limiter.interval:
                self._limiter.interval = policy.crawl_delay  # robots.txt asks for more patience than our rate
        return self._robots[origin]

    def fetch(self, url: str, read: Callable[[PageSession], T]) -> T:
        """Load ``url`` and return ``read(session)``, retrying the whole load on retryable failures."""
        if not self.robots(url).allowed(url):
            raise RobotsDisallowed(url, self.politeness.user_agent)
        limits = self.politeness
        for attempt in range(1, limits.max_attempts + 1):
            page = self._tab()  # before the wait: the spacing is between the requests themselves
            self._limiter.wait()
            self.loads += 1
            self._blocked.clear()
            watch = _Watch(page)
            try:
                try:
                    response = page.goto(url, wait_until="domcontentloaded", timeout=limits.timeout * 1000)
                except PlaywrightTimeoutError as exc:
                    raise RetryableFailure(f"页面在 {limits.timeout:g} 秒内未响应") from exc
                except PlaywrightError as exc:  # connection refused or reset, DNS failure: may pass
                    raise RetryableFailure(f"无法连接（{exc.message.splitlines()[0]}）") from exc
                if response is not None and (response.status == 429 or response.status >= 500):
                    raise RetryableFailure(f"HTTP {response.status}",
                                           parse_retry_after(response.headers.get("retry-after")))
                if response is not None and response.status >= 400:
                    raise ScrapeError(f"页面不存在或无权访问（HTTP {response.status}）：{url}")
                session = PageSession(page, watch, url, limits.timeout)
                try:
                    return read(session)
                except MarkupChanged:
                    # a page that failed to load its content can look changed (an error text instead of
                    # the list): when a request failed, it is that failure, and it is retried; when
                    # robots.txt kept the content from loading, that is the reason to stop
                    failure = session.settle()
                    if self._blocked:
                        raise RobotsDisallowed(self._blocked[0], limits.user_agent) from None
                    if failure is None:
                        raise
                    raise failure from None
            except RetryableFailure as failure:
                problem, retry_after = failure.problem, failure.retry_after
            except PlaywrightTimeoutError:
                problem, retry_after = f"页面在 {limits.timeout:g} 秒内未加载完成", None
            finally:
                watch.detach()
                if watch.document_sent is not None:  # a new tab can take a while to send its first request
                    self._limiter.mark(watch.document_sent)
            # a failed attempt may leave a navigation or requests pending in the tab: start the next in a new one
            self._discard_tab()
            if attempt == limits.max_attempts:
                raise GaveUp(url, attempt, problem)
            if retry_after is not None and retry_after > limits.max_retry_after:
                raise GaveUp(url, attempt, f"{problem}，网站要求 {retry_after:g} 秒后再试，超过上限 "
                                           f"{limits.max_retry_after:g} 秒")
            delay = limits.backoff_delay(attempt, retry_after)
            if self._on_retry:
                self._on_retry(url, attempt, problem, delay)
            self._sleep(delay)
        raise AssertionError("unreachable")
