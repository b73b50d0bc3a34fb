"""Values read from pages (money, areas, dates), politeness rules and the resume state: pure, no browser."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime

import pytest

from scrapers import user_agent
from scrapers.errors import MarkupChanged, ScrapeError
from scrapers.page_values import area_m2, count, money_fen, page_date, page_datetime
from scrapers.politeness import Politeness, RateLimiter, RobotsPolicy, parse_retry_after
from scrapers.state import ResumeState


@pytest.mark.parametrize("text, fen", [
    ("¥1,234,567.00", 123_456_700), ("￥0.01", 1), ("1234567元", 123_456_700), ("171万元", 171_000_000),
    ("235万", 235_000_000), ("1.25亿元", 12_500_000_000), ("12,345.6元", 1_234_560),
    ("1.23456万元", 1_234_560), ("１２３万元", 123_000_000), (" ¥ 86.50 ", 8650), ("RMB 100", 10_000),
])
def test_money_is_read_to_the_exact_fen(text, fen):
    assert money_fen(text) == fen


@pytest.mark.parametrize("text, message", [
    ("0.001元", "不是整分数"), ("1.2345678万元", "不是整分数"), ("—", "无法识别金额"), ("约200万", "无法识别金额"),
    ("", "无法识别金额"), ("-5元", "无法识别金额"),
])
def test_money_finer_than_a_fen_or_unreadable_is_refused(text, message):
    with pytest.raises(ValueError, match=message):
        money_fen(text)


def test_areas_keep_their_decimals_and_convert_hectares_exactly():
    assert area_m2("118.56㎡") == Decimal("118.56")
    assert area_m2("35120.40平方米") == Decimal("35120.40")
    assert area_m2("3.5公顷") == Decimal("35000")
    assert area_m2("0.01 m²") == Decimal("0.01")
    with pytest.raises(ValueError, match="无法识别面积"):
        area_m2("118.56亩")


def test_dates_in_the_forms_the_sites_write():
    assert page_date("2026-03-15") == page_date("2026.03.15") == page_date("2026/3/15") == date(2026, 3, 15)
    assert page_date("2026年3月15日") == date(2026, 3, 15)
    assert page_datetime("2026-03-12 10:00:00") == datetime(2026, 3, 12, 10, 0)
    assert page_datetime("2026/3/5 08:30") == datetime(2026, 3, 5, 8, 30)
    assert page_date("2024年2月29日") == date(2024, 2, 29)
    with pytest.raises(ValueError, match="不存在"):
        page_date("2026-02-29")
    with pytest.raises(ValueError, match="无法识别日期"):
        page_date("3月15日")


def test_counts():
    assert count("37次") == 37
    assert count("0") == 0
    with pytest.raises(ValueError, match="无法识别次数"):
        count("多次")


def test_user_agent_names_the_scraper_its_version_and_a_contact():
    assert user_agent("https://court.example.cn/contact") == \
        "xunpai-scraper/0.1.0 (+https://court.example.cn/contact)"
    assert Politeness(contact="mailto:a@b.cn").user_agent == "xunpai-scraper/0.1.0 (+mailto:a@b.cn)"


def test_backoff_doubles_is_capped_and_yields_to_a_longer_retry_after():
    polite = Politeness(backoff=0.5, max_backoff=3)
    assert [polite.backoff_delay(n) for n in (1, 2, 3, 4, 5)] == [0.5, 1, 2, 3, 3]
    assert polite.backoff_delay(1, retry_after=10) == 10
    assert polite.backoff_delay(4, retry_after=1) == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"rate": 0}, "采集频率必须大于 0"), ({"max_attempts": 0}, "最多尝试次数至少为 1"), ({"timeout": 0}, "超时"),
])
def test_impossible_politeness_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Politeness(**kwargs)


def test_retry_after_in_seconds_or_as_an_http_date():
    now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after(format_datetime(now + timedelta(seconds=90), usegmt=True), now=now) == 90
    assert parse_retry_after(format_datetime(now - timedelta(seconds=90), usegmt=True), now=now) == 0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None


def test_rate_limiter_spaces_calls_by_the_interval():
    clock = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock[0] += seconds

    limiter = RateLimiter(0.5, clock=lambda: clock[0], sleep=sleep)
    limiter.wait()  # the first call does not wait
    clock[0] += 0.2
    limiter.wait()
    clock[0] += 0.7
    limiter.wait()  # already later than the interval
    assert slept == [pytest.approx(0.3)]


def test_rate_limiter_spaces_from_when_the_call_really_took_effect():
    clock = [0.0]
    slept = []
    limiter = RateLimiter(1.0, clock=lambda: clock[0], sleep=lambda s: (slept.append(s), clock.__setitem__(0, clock[0] + s)))
    limiter.wait()
    limiter.mark(0.3)  # the browser sent the request 0.3 s after the limiter let it go
    limiter.mark(0.1)  # an earlier moment never shortens the spacing
    clock[0] = 0.5
    limiter.wait()
    assert slept == [pytest.approx(0.8)]


def test_robots_txt_rules_for_our_agent():
    agent = user_agent()
    policy = RobotsPolicy(200, "User-agent: xunpai-scraper\nDisallow: /land/\nCrawl-delay: 2\n\n"
                               "User-agent: *\nDisallow: /\n", agent)
    assert policy.allowed("http://site/auction/list") and not policy.allowed("http://site/land/notices")
    assert policy.crawl_delay == 2
    assert RobotsPolicy(404, "", agent).allowed("http://site/anything")  # RFC 9309: unavailable → allowed
    assert not RobotsPolicy(503, "", agent).allowed("http://site/anything")  # unreachable → disallowed


def test_resume_state_round_trips_and_refuses_another_scrape(tmp_path):
    path = tmp_path / "out.csv.state.json"
    state = ResumeState.load_or_new(path, source="housing", since=date(2026, 1, 1), base_url="http://a/")
    state.seen |= {"deal-1", "deal-2"}
    state.page_done(2)
    again = ResumeState.load_or_new(path, source="housing", since=date(2026, 1, 1), base_url="http://a")
    assert (again.next_page, again.seen, again.finished) == (3, {"deal-1", "deal-2"}, False)
    with pytest.raises(ScrapeError, match="属于另一次采集"):
        ResumeState.load_or_new(path, source="land", since=date(2026, 1, 1), base_url="http://a")
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ScrapeError, match="无法读取"):
        ResumeState.load_or_new(path, source="housing", since=date(2026, 1, 1), base_url="http://a")
    assert json.loads(json.dumps(state.to_json()))["seen"] == ["deal-1", "deal-2"]


def test_markup_changed_message_is_chinese_and_names_the_page():
    error = MarkupChanged("http://site/x", "未找到标的列表")
    assert str(error).startswith("页面结构已变化，无法可靠读取：http://site/x。未找到标的列表")
