"""Why a scrape stops. Every message is Chinese and says what happened and what to do next."""

from __future__ import annotations


class ScrapeError(RuntimeError):
    """A scrape cannot go on; the progress made so far is kept in the state file."""


class MarkupChanged(ScrapeError):
    """The page no longer has the structure the collector reads: stop rather than emit garbage."""

    def __init__(self, url: str, detail: str) -> None:
        super().__init__(
            f"页面结构已变化，无法可靠读取：{url}。{detail}。已停止采集，未输出该页的任何记录；"
            f"请更新采集器以适配新页面后再运行（已完成的页面不会重复采集）。"
        )
        self.url = url
        self.detail = detail


class RobotsDisallowed(ScrapeError):
    """robots.txt forbids the page for our user agent."""

    def __init__(self, url: str, user_agent: str) -> None:
        super().__init__(f"网站的 robots.txt 不允许 {user_agent} 访问 {url}，已停止采集。"
                         f"如确需采集，请先取得网站同意。")
        self.url = url


class GaveUp(ScrapeError):
    """The site kept failing (rate limiting, server errors, timeouts) after every polite retry."""

    def __init__(self, url: str, attempts: int, last_problem: str) -> None:
        super().__init__(f"访问 {url} 连续 {attempts} 次失败（最后一次：{last_problem}），已停止采集。"
                         f"请稍后重新运行，将从中断处继续。")
        self.url = url
        self.attempts = attempts


class RetryableFailure(Exception):
    """One attempt failed in a way that a later attempt may not (HTTP 429/5xx, a timeout)."""

    def __init__(self, problem: str, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.retry_after = retry_after
