"""From the site to the calibration, through the command line: ``xunpai scrape housing`` in the real Chromium,
then ``xunpai calibrate`` with the mapping shipped beside the scraper, with no edit in between (on SQLite and
PostgreSQL); ``xunpai scrape auction`` then ``xunpai auction-results`` against our reference prices."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scrapers.fixture_site import data
from scrapers.fixture_site.app import FixtureSite
from xunpai.cli import main

MAPPING = Path(__file__).resolve().parents[2] / "scrapers" / "mappings" / "second_hand_housing.yaml"
MARKET = data.synthetic_housing_deals(60)


def xunpai(*args: str, env: dict | None = None, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from xunpai.cli import main; main()", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


@pytest.fixture(scope="module")
def site():
    with FixtureSite() as site:
        site.state.housing, site.state.housing_page_size, site.state.housing_chunk = MARKET, 20, 10
        yield site


@pytest.fixture(scope="module")
def scraped_housing(site, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("scrape") / "housing.csv"
    done = xunpai("scrape", "housing", "--since", "2026-01-01", "-o", str(out), "--base-url", site.url,
                  "--rate", "20")
    return out, done


@pytest.mark.browser
def test_scrape_command_reports_each_page_and_writes_every_deal(scraped_housing):
    out, done = scraped_housing
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("开始采集二手房成交") and "xunpai-scraper/0.1.0" in lines[0]
    assert [line.split("：")[0] for line in lines[1:4]] == ["第 1 页", "第 2 页", "第 3 页"]
    assert lines[-2].startswith("完成：") and f"共 {len(MARKET)} 条记录" in lines[-2]
    assert lines[-1] == f"校准：xunpai calibrate --sales {out} --mapping {MAPPING} --as-of YYYY-MM-DD"
    with open(out, encoding="utf-8") as handle:
        assert [row["key"] for row in csv.DictReader(handle)] == [f"deal-{d['id']}" for d in MARKET]


@pytest.mark.browser
def test_scraped_deals_calibrate_through_the_shipped_mapping(scraped_housing, database_url):
    out, done = scraped_housing
    assert done.returncode == 0, done.stderr
    calibrated = xunpai("calibrate", "--sales", str(out), "--mapping", str(MAPPING), "--as-of", "2026-03-31",
                        "--version", "scraped-2026-03", "--no-holdouts", "--json",
                        env={"XUNPAI_DATABASE_URL": database_url})
    assert calibrated.returncode == 0, calibrated.stderr
    result = json.loads(calibrated.stdout)
    assert (result["version"], result["status"]) == ("scraped-2026-03", "draft")
    assert result["import"] == {"rows_read": len(MARKET), "rows_refused": 0, "rows_skipped": 0}
    assert calibrated.stderr == ""  # no row of the scraper's output needed a word of explanation


@pytest.mark.browser
def test_parquet_output_calibrates_through_the_same_mapping(site, tmp_path, database_url):
    out = tmp_path / "housing.parquet"
    done = xunpai("scrape", "housing", "--since", "2026-01-01", "-o", str(out), "--base-url", site.url,
                  "--rate", "20")
    assert done.returncode == 0, done.stderr
    calibrated = xunpai("calibrate", "--sales", str(out), "--mapping", str(MAPPING), "--as-of", "2026-03-31",
                        "--version", "scraped-parquet", "--no-holdouts", "--json",
                        env={"XUNPAI_DATABASE_URL": database_url})
    assert calibrated.returncode == 0, calibrated.stderr
    assert json.loads(calibrated.stdout)["import"] == {"rows_read": len(MARKET), "rows_refused": 0, "rows_skipped": 0}


@pytest.mark.browser
def test_auction_results_against_our_reference_prices(site, tmp_path):
    out = tmp_path / "auction.csv"
    done = xunpai("scrape", "auction", "--since", "2026-02-01", "-o", str(out), "--base-url", site.url,
                  "--rate", "20")
    assert done.returncode == 0, done.stderr
    references = tmp_path / "refs.csv"
    # ours for two sold lots (one of them sold in its second round) and an unsold one
    references.write_text("case_number,lot,reference_price_fen\n"
                          "(2025)浙1081执1502号,,210000000\n"
                          "（2024）浙10执恢88号,,132000000\n"
                          "（2025）浙1081执1477号,,8650000\n", encoding="utf-8")
    per_lot = tmp_path / "joined.csv"
    summary = xunpai("auction-results", str(out), "--reference-prices", str(references), "--json", "-o",
                     str(per_lot))
    assert summary.returncode == 0, summary.stderr
    figures = json.loads(summary.stdout)
    assert (figures["matched"], figures["sold"], figures["reached_end"]) == (3, 2, 3)
    # discount = 1 − (1,710,000 + 741,200) / (2,100,000 + 1,320,000) = 0.28328…
    # premium = (205,000 + 2,000) / (1,505,000 + 739,200) = 0.09224…
    assert figures["discount_to_reference"] == "0.2833"
    assert figures["premium_rate"] == "0.0922"
    assert figures["platform_reference_differs"] == ["lot-1012"]
    with open(per_lot, encoding="utf-8-sig") as handle:
        lots = {row["key"]: row for row in csv.DictReader(handle)}
    assert lots["lot-1012"]["discount_to_reference"] == "0.1857"  # (2,100,000 − 1,710,000) / 2,100,000
    assert lots["lot-1012"]["premium_over_start"] == "0.1362"
    assert lots["lot-1009"]["unmatched_reason"] == "我方没有案号 （2025）浙1081执1399号 的参考价"


@pytest.mark.browser
def test_a_killed_scrape_resumes_without_duplicates_or_gaps(site, tmp_path):
    """SIGKILL mid-run (no clean-up at all), then the same command again."""
    out = tmp_path / "auction.csv"
    state = out.with_name(out.name + ".state.json")
    args = ["scrape", "auction", "--since", "2020-01-01", "-o", str(out), "--base-url", site.url, "--rate", "3"]
    process = subprocess.Popen([sys.executable, "-c", "from xunpai.cli import main; main()", *args],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if state.exists() and json.loads(state.read_text(encoding="utf-8") or "{}").get("next_page", 1) >= 3:
                break  # pages 1 and 2 are done; page 3 may be half way
            time.sleep(0.05)
        assert process.poll() is None, "the scrape finished before it could be interrupted"
        os.killpg(process.pid, signal.SIGKILL)  # the process group this test started, and nothing else
    finally:
        process.wait(timeout=30)
    assert not out.exists()
    done = xunpai(*args)
    assert done.returncode == 0, done.stderr
    assert "（续采）" in done.stdout
    with open(out, encoding="utf-8") as handle:
        keys = [row["key"] for row in csv.DictReader(handle)]
    with open(out.with_name(out.name + ".rejects.csv"), encoding="utf-8-sig") as handle:
        keys += [row["key"] for row in csv.DictReader(handle)]
    assert sorted(keys) == sorted(f"lot-{lot['id']}" for lot in data.AUCTION_LOTS)


def test_scrape_refuses_bad_input_in_chinese_before_opening_a_browser(tmp_path):
    runner = CliRunner()
    bad_date = runner.invoke(main, ["scrape", "housing", "--since", "2026-13-01", "-o", str(tmp_path / "h.csv"),
                                    "--base-url", "http://127.0.0.1:9"])
    assert bad_date.exit_code == 2 and "应为 YYYY-MM-DD" in bad_date.output
    no_site = runner.invoke(main, ["scrape", "land", "--since", "2026-01-01", "-o", str(tmp_path / "l.csv")],
                            env={"XUNPAI_SCRAPER_LAND_URL": ""})
    assert no_site.exit_code == 2 and "XUNPAI_SCRAPER_LAND_URL" in no_site.output
    bad_suffix = runner.invoke(main, ["scrape", "land", "--since", "2026-01-01", "-o", str(tmp_path / "l.xlsx"),
                                      "--base-url", "http://127.0.0.1:9"])
    assert bad_suffix.exit_code == 2 and ".csv 或 .parquet" in bad_suffix.output
    bad_rate = runner.invoke(main, ["scrape", "land", "--since", "2026-01-01", "-o", str(tmp_path / "l.csv"),
                                    "--base-url", "http://127.0.0.1:9", "--rate", "0"])
    assert bad_rate.exit_code == 2 and "采集频率必须大于 0" in bad_rate.output
    assert list(tmp_path.iterdir()) == []
