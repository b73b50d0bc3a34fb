"""The collectors against the local fixture site in the real Chromium: every page read exactly, every
failure mode (429 with Retry-After, 500 then recovery, timeouts, changed markup, robots.txt), politeness
(user agent, rate) and resuming after an interruption without duplicates or gaps."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from auction.case_number import validate as validate_case_number
from auction.lot_kinds import AuctionRound
from scrapers import user_agent
from scrapers.browser import PageFetcher, launch_browser
from scrapers.errors import GaveUp, MarkupChanged, RobotsDisallowed, ScrapeError
from scrapers.fixture_site import data
from scrapers.fixture_site.app import FixtureSite
from scrapers.politeness import Politeness
from scrapers.run import companion_paths, scrape
from scrapers.sources import SOURCES
from scrapers.sources.judicial_auctions import REFERENCE_BASES, STATUSES, read_kind
from tax_baseline.parsing import parse_floor, parse_orientation

pytestmark = pytest.mark.browser

FAST = Politeness(rate=100, backoff=0.05, timeout=5, max_attempts=5)
EVERYTHING = date(2020, 1, 1)
JITTER = 0.1  # seconds between a request leaving the browser and reaching the site, on a busy machine


@pytest.fixture(scope="module")
def browser():
    with launch_browser() as browser:
        yield browser


@pytest.fixture(scope="module")
def site_server():
    with FixtureSite() as site:
        yield site


@pytest.fixture
def site(site_server):
    site_server.state.reset()
    yield site_server
    site_server.state.reset()


def run(browser, site, source, out: Path, since=EVERYTHING, politeness=FAST, **kwargs):
    with PageFetcher(browser, politeness) as fetcher:
        return scrape(SOURCES[source](fetcher, site.url), since, out, **kwargs)


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


# --- the ground truth, from the data the site publishes ---------------------------------------------------

AUCTION_REJECTS = {"lot-1008": "格式不正确", "lot-1006": "低于起拍价"}
HOUSING_REJECTS = {"deal-5016": "没有第 0 层", "deal-5013": "无法识别朝向", "deal-5010": "不符"}
LAND_REJECTS = {"notice-299/温自然资规（2026）05-2号": "不是正数"}


def expected_auction(site) -> list[dict]:
    rows = []
    for lot in data.AUCTION_LOTS:
        if f"lot-{lot['id']}" in AUCTION_REJECTS:
            continue
        rows.append({
            "key": f"lot-{lot['id']}", "lot_id": str(lot["id"]), "title": lot["title"], "court": lot["court"],
            "case_number": validate_case_number(lot["case_number"]), "kind": read_kind(lot["kind"], None),
            "address": lot["address"], "area_m2": text(lot["area"]),
            "reference_price_basis": REFERENCE_BASES[lot["reference_label"]],
            "reference_price_fen": text(lot["reference_fen"]), "starting_price_fen": text(lot["starting_fen"]),
            "deposit_fen": text(lot["deposit_fen"]), "bid_increment_fen": text(lot["increment_fen"]),
            "round": AuctionRound.parse(lot["round"]).value, "status": STATUSES[lot["status"]],
            "final_price_fen": text(lot["final_fen"]), "bid_count": text(lot["bid_count"]),
            "announcement_date": lot["announced"].isoformat(), "start_time": text(lot["start"]),
            "end_time": text(lot["end"]), "url": f"{site.url}/auction/lot/{lot['id']}"})
    return rows


def expected_housing(site) -> list[dict]:
    rows = []
    for i, deal in enumerate(data.HOUSING_DEALS):
        if f"deal-{deal['id']}" in HOUSING_REJECTS:
            continue
        floor = parse_floor(deal["floor"])
        rows.append({
            "key": f"deal-{deal['id']}", "community": deal["community"], "floor_text": deal["floor"],
            "floor_low": text(floor.low), "floor_high": text(floor.high), "total_floors": text(floor.total_floors),
            "orientation_text": deal["orientation"], "orientation": parse_orientation(deal["orientation"]),
            "area_m2": text(deal["area"]), "price_fen": text(deal["total_fen"]),
            "price_yuan": text((Decimal(deal["total_fen"]) / 100).quantize(Decimal("0.01"))), "unit_price_yuan": text(deal["unit_yuan"]),
            "contract_date": deal["date"].isoformat(),
            "url": f"{site.url}/housing/deals?page={i // data.HOUSING_PAGE_SIZE + 1}"})
    return rows


def expected_land(site) -> list[dict]:
    rows = []
    for notice in data.LAND_NOTICES:
        for parcel in notice["parcels"]:
            key = f"notice-{notice['id']}/{parcel['parcel']}"
            if key in LAND_REJECTS:
                continue
            unit = (Decimal(parcel["price_fen"]) / 100 / parcel["area"]).quantize(Decimal("0.01"), ROUND_HALF_UP)
            rows.append({
                "key": key, "notice_id": str(notice["id"]), "notice_title": notice["title"],
                "parcel": parcel["parcel"], "use": parcel["use"], "area_m2": text(parcel["area"]),
                "price_fen": text(parcel["price_fen"]), "unit_price_yuan": text(unit), "buyer": parcel["buyer"],
                "deal_date": notice["date"].isoformat(), "url": f"{site.url}/land/notice/{notice['id']}"})
    return rows


EXPECTED = {"auction": (expected_auction, AUCTION_REJECTS), "housing": (expected_housing, HOUSING_REJECTS),
            "land": (expected_land, LAND_REJECTS)}


def documents(site) -> list[str]:
    """Page loads (not script requests, not robots.txt) in the order the site saw them."""
    return [r.path for r in site.state.log if not r.path.startswith(("/api/", "/robots.txt", "/favicon"))]


# --- complete and exact extraction ---------------------------------------------------------------------------

@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_every_record_of_every_fixture_page_is_read_exactly(browser, site, tmp_path, source):
    expected_rows, expected_rejects = EXPECTED[source]
    result = run(browser, site, source, tmp_path / f"{source}.csv")
    assert read_csv(result.output) == expected_rows(site)
    rejects = {row["key"]: row for row in read_csv(result.rejects)}
    assert set(rejects) == set(expected_rejects)
    for key, phrase in expected_rejects.items():
        assert phrase in rejects[key]["reasons"]
        assert json.loads(rejects[key]["fields"])  # the text as read, for a person to check
    assert (result.accepted, result.rejected) == (len(expected_rows(site)), len(expected_rejects))
    if source == "auction":  # written with half-width brackets on the site, canonical in the output
        assert "（2024）浙10执恢88号" in {r["case_number"] for r in read_csv(result.output)}


def test_parquet_output_keeps_exact_types(browser, site, tmp_path):
    result = run(browser, site, "housing", tmp_path / "h.parquet")
    table = pq.read_table(result.output)
    assert str(table.schema.field("price_fen").type) == "int64"
    assert str(table.schema.field("area_m2").type).startswith("decimal128")
    assert str(table.schema.field("contract_date").type) == "date32[day]"
    rows = table.to_pylist()
    first = data.HOUSING_DEALS[0]
    assert (rows[0]["price_fen"], rows[0]["area_m2"], rows[0]["contract_date"]) == (
        first["total_fen"], first["area"], first["date"])
    assert [r["key"] for r in rows] == [r["key"] for r in expected_housing(site)]


def test_since_keeps_newer_records_and_stops_paginating(browser, site, tmp_path):
    since = date(2026, 3, 1)
    rows = read_csv(run(browser, site, "housing", tmp_path / "h.csv", since=since).output)
    assert rows == [r for r in expected_housing(site) if date.fromisoformat(r["contract_date"]) >= since]
    assert "/housing/deals?page=3" not in documents(site)  # page 2 already held older deals


# --- politeness ------------------------------------------------------------------------------------------------

def test_identifies_itself_and_keeps_to_the_rate(browser, site, tmp_path):
    polite = Politeness(rate=4, backoff=0.05, timeout=5, contact="mailto:court@example.cn")
    run(browser, site, "housing", tmp_path / "h.csv", politeness=polite)
    assert {r.user_agent for r in site.state.log} == {"xunpai-scraper/0.1.0 (+mailto:court@example.cn)"}
    assert user_agent("mailto:court@example.cn") == "xunpai-scraper/0.1.0 (+mailto:court@example.cn)"
    loads = [r.at for r in site.state.log if not r.path.startswith(("/api/", "/robots.txt", "/favicon"))]
    assert len(loads) == 3
    # spaced by the limiter when sent; seen by the server give or take the jitter of a loaded machine
    assert min(b - a for a, b in zip(loads, loads[1:], strict=False)) >= 1 / 4 - JITTER


def test_robots_txt_disallow_stops_before_any_page_is_loaded(browser, site, tmp_path):
    site.state.robots = "User-agent: xunpai-scraper\nDisallow: /land/\n\nUser-agent: *\nDisallow:\n"
    with pytest.raises(RobotsDisallowed, match="robots.txt 不允许"):
        run(browser, site, "land", tmp_path / "l.csv")
    assert [r.path for r in site.state.log] == ["/robots.txt"]
    assert not (tmp_path / "l.csv").exists()


def test_robots_txt_crawl_delay_slows_a_faster_rate(browser, site, tmp_path):
    site.state.robots = "User-agent: *\nCrawl-delay: 1\n"
    run(browser, site, "housing", tmp_path / "h.csv", since=date(2026, 2, 25))
    loads = [r.at for r in site.state.log if r.path.startswith("/housing/")]
    assert len(loads) == 2
    assert loads[1] - loads[0] >= 1 - JITTER


# --- failures the site produces ---------------------------------------------------------------------------

def test_rate_limited_script_request_waits_retry_after_then_completes(browser, site, tmp_path):
    chunk = "/api/housing/deals?page=2&offset=3&limit=3"  # loaded on scroll
    site.state.add_fault(chunk, ("status", 429, 1))
    result = run(browser, site, "housing", tmp_path / "h.csv")
    assert read_csv(result.output) == expected_housing(site)
    hits = [r for r in site.state.log if r.path == chunk]
    assert [r.status for r in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= 1.0  # Retry-After: 1 honoured


def test_rate_limited_page_with_http_date_retry_after(browser, site, tmp_path):
    from datetime import UTC, timedelta
    from email.utils import format_datetime
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    site.state.add_fault("/land/notices?page=1", ("status", 429, when))
    result = run(browser, site, "land", tmp_path / "l.csv")
    assert read_csv(result.output) == expected_land(site)
    hits = [r for r in site.state.log if r.path == "/land/notices?page=1"]
    assert [r.status for r in hits] == [429, 200]
    assert hits[1].at - hits[0].at >= 1.0  # 3 s ahead, less the truncated fraction and the time to get there


def test_server_errors_are_retried_until_the_site_recovers(browser, site, tmp_path):
    site.state.add_fault("/api/land/notice/300", ("status", 500, None), ("status", 503, None))
    site.state.add_fault("/land/notice/301", ("status", 502, None))
    since = date(2026, 3, 1)
    result = run(browser, site, "land", tmp_path / "l.csv", since=since)
    assert read_csv(result.output) == [r for r in expected_land(site) if r["deal_date"] >= since.isoformat()]
    assert [r.status for r in site.state.log if r.path == "/api/land/notice/300"] == [500, 503, 200]
    assert [r.status for r in site.state.log if r.path == "/land/notice/301"] == [502, 200]


def test_a_script_request_that_times_out_is_retried(browser, site, tmp_path):
    site.state.add_fault("/api/housing/deals?page=2&offset=3&limit=3", ("delay", 3))
    quick = Politeness(rate=100, backoff=0.05, timeout=1, max_attempts=4)
    result = run(browser, site, "housing", tmp_path / "h.csv", politeness=quick)
    assert read_csv(result.output) == expected_housing(site)
    # Retried at least once (a busy machine may retry a slow load more); the output is still exact.
    assert documents(site).count("/housing/deals?page=2") >= 2


def test_a_page_that_does_not_answer_in_time_is_retried(browser, site, tmp_path):
    site.state.add_fault("/land/notices?page=2", ("delay", 3))
    retries = []
    quick = Politeness(rate=100, backoff=0.05, timeout=1, max_attempts=4)
    with PageFetcher(browser, quick, on_retry=lambda url, n, problem, delay: retries.append(problem)) as fetcher:
        result = scrape(SOURCES["land"](fetcher, site.url), EVERYTHING, tmp_path / "l.csv")
    assert read_csv(result.output) == expected_land(site)
    assert retries and set(retries) == {"页面在 1 秒内未响应"}  # a busy machine may time out once more


def test_a_site_that_keeps_failing_stops_with_a_chinese_error_and_keeps_progress(browser, site, tmp_path):
    site.state.add_fault("/api/auction/list?page=2", *[("status", 500, None)] * 3)
    out = tmp_path / "a.csv"
    with pytest.raises(GaveUp, match="连续 3 次失败.*HTTP 500.*从中断处继续"):
        run(browser, site, "auction", out, politeness=Politeness(rate=100, backoff=0.05, timeout=5,
                                                                  max_attempts=3))
    assert not out.exists()
    state = json.loads(companion_paths(out)["state"].read_text(encoding="utf-8"))
    assert state["next_page"] == 2 and len(state["seen"]) == data.AUCTION_PAGE_SIZE


def test_a_retry_after_beyond_the_limit_is_not_waited_out(browser, site, tmp_path):
    site.state.add_fault("/auction/list?page=1", ("status", 429, 3600))
    with pytest.raises(GaveUp, match="3600 秒后再试"):
        run(browser, site, "auction", tmp_path / "a.csv")
    assert [r.path for r in site.state.log if r.path.startswith("/auction")] == ["/auction/list?page=1"]


@pytest.mark.parametrize("source, changed, detail", [
    ("housing", "housing/deals?page=2", "#deals"),
    ("auction", "auction/list?page=2", "#lots"),
    ("land", "land/notice/300", "表头应为"),
])
def test_changed_markup_stops_without_garbage_and_resumes_once_fixed(browser, site, tmp_path, source, changed,
                                                                      detail):
    site.state.changed_markup.add(changed)
    out = tmp_path / f"{source}.csv"
    with pytest.raises(MarkupChanged, match="页面结构已变化") as stopped:
        run(browser, site, source, out)
    assert detail in str(stopped.value)
    assert not out.exists()  # nothing half-read is emitted
    journal = companion_paths(out)["journal"].read_text(encoding="utf-8").splitlines()
    expected_rows, expected_rejects = EXPECTED[source]
    page_one = {json.loads(line)["key"] for line in journal}
    assert page_one and page_one <= {r["key"] for r in expected_rows(site)} | set(expected_rejects)

    site.state.changed_markup.clear()  # the collector is "updated": here, the site went back
    result = run(browser, site, source, out)
    assert result.resumed
    assert read_csv(out) == expected_rows(site)  # no duplicates, no gaps


# --- resuming --------------------------------------------------------------------------------------------------

class Interrupted(Exception):
    pass


def test_an_interrupted_run_resumes_without_duplicates_or_gaps(browser, site, tmp_path):
    out = tmp_path / "a.csv"
    handed = []

    def stop_in_page_three(raw):
        handed.append(raw.key)
        if raw.page == 3:
            raise Interrupted  # as if the process had been killed after writing this record

    with pytest.raises(Interrupted):
        run(browser, site, "auction", out, on_record=stop_in_page_three)
    state = json.loads(companion_paths(out)["state"].read_text(encoding="utf-8"))
    assert state["next_page"] == 3  # pages 1 and 2 completed
    first_run_documents = documents(site)
    site.state.log.clear()

    result = run(browser, site, "auction", out)
    assert result.resumed
    assert read_csv(out) == expected_auction(site)
    assert len(handed) == 2 * data.AUCTION_PAGE_SIZE + 1
    assert result.new_accepted + result.new_rejected == len(data.AUCTION_LOTS) - len(handed)
    # the second run started at page 3 and did not reload the lot already written
    again = documents(site)
    assert again[0] == "/auction/list?page=3"
    assert f"/auction/lot/{handed[-1].removeprefix('lot-')}" in first_run_documents
    assert f"/auction/lot/{handed[-1].removeprefix('lot-')}" not in again


def test_a_rerun_after_completion_adds_nothing_twice(browser, site, tmp_path):
    out = tmp_path / "h.csv"
    first = run(browser, site, "housing", out)
    again = run(browser, site, "housing", out)
    assert (again.new_accepted, again.new_rejected) == (0, 0)
    assert read_csv(out) == read_csv(first.output) == expected_housing(site)


def test_a_state_file_of_another_scrape_is_refused(browser, site, tmp_path):
    out = tmp_path / "h.csv"
    run(browser, site, "housing", out, since=date(2026, 3, 1))
    with pytest.raises(ScrapeError, match="属于另一次采集"):
        run(browser, site, "housing", out, since=date(2026, 1, 1))


def test_an_unreachable_site_stops_with_a_chinese_error(browser, tmp_path):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PageFetcher(browser, FAST) as fetcher, pytest.raises(ScrapeError, match="无法读取 http://127.0.0.1"):
        scrape(SOURCES["land"](fetcher, f"http://127.0.0.1:{port}"), EVERYTHING, tmp_path / "l.csv")


def test_a_dropped_connection_is_retried(browser, site, tmp_path):
    # Chromium itself retries a GET once on a reused connection that closes; the second drop reaches us
    site.state.add_fault("/land/notice/301", ("drop",), ("drop",))
    retries = []
    with PageFetcher(browser, FAST, on_retry=lambda url, n, problem, delay: retries.append(problem)) as fetcher:
        result = scrape(SOURCES["land"](fetcher, site.url), date(2026, 3, 1), tmp_path / "l.csv")
    assert read_csv(result.output) == [r for r in expected_land(site) if r["deal_date"] >= "2026-03-01"]
    assert len(retries) == 1 and retries[0].startswith("无法连接") and "ERR_EMPTY_RESPONSE" in retries[0]


def test_robots_txt_also_covers_what_the_page_scripts_request(browser, site, tmp_path):
    site.state.robots = "User-agent: *\nDisallow: /api/land/notice/\n"
    with pytest.raises(RobotsDisallowed, match="/api/land/notice/301"):
        run(browser, site, "land", tmp_path / "l.csv")
    assert not any(r.path.startswith("/api/land/notice/") for r in site.state.log)
