"""Scraper page loads: how fast the collectors read JavaScript-rendered pages, against a naive Playwright loop.

Both read the same lot detail pages of the local fixture site (content fetched by script) in the system
Chromium, with no rate limit, and extract the same fields:

- xunpai: ``PageFetcher`` (one reused tab, readiness by the content selector plus request tracking);
- baseline: a new tab per page, ``goto(wait_until="networkidle")`` (Playwright's usual "wait until the scripts
  are done": 500 ms without network traffic), read, close.

Also prints a complete ``auction`` scrape (listing pages + every lot + validation + output) and a lazy-loading
``housing`` scrape of a generated market. Figures only; the politeness rate of a real run (``--rate``, default
1 page/s) dominates any real scrape by far, the point is that our overhead per page stays small.

Run: python bench/bench_scrapers.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from scrapers.browser import PageFetcher, launch_browser  # noqa: E402
from scrapers.fixture_site import data  # noqa: E402
from scrapers.fixture_site.app import FixtureSite  # noqa: E402
from scrapers.politeness import Politeness  # noqa: E402
from scrapers.run import scrape  # noqa: E402
from scrapers.sources.judicial_auctions import _DETAIL_JS, JudicialAuctions  # noqa: E402
from scrapers.sources.second_hand_housing import SecondHandHousing  # noqa: E402

UNLIMITED = Politeness(rate=1000, timeout=15, backoff=0.05)


def ours(browser, urls: list[str]) -> list[float]:
    times = []
    with PageFetcher(browser, UNLIMITED) as fetcher:
        fetcher.robots(urls[0])
        for url in urls:
            start = time.perf_counter()
            fields = fetcher.fetch(url, JudicialAuctions._read_lot)
            times.append(time.perf_counter() - start)
            assert fields["案号"]
    return times


def naive(browser, urls: list[str]) -> list[float]:
    times = []
    context = browser.new_context()
    for url in urls:
        start = time.perf_counter()
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        fields = page.evaluate(_DETAIL_JS)
        page.close()
        times.append(time.perf_counter() - start)
        assert fields["detail"]
    context.close()
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with FixtureSite() as site, launch_browser() as browser:
        urls = [f"{site.url}/auction/lot/{lot['id']}" for lot in data.AUCTION_LOTS] * args.rounds
        ours(browser, urls[:2])  # warm up the browser and the server
        mine, theirs = ours(browser, urls), naive(browser, urls)
        for name, times in (("xunpai PageFetcher", mine), ("baseline new tab + networkidle", theirs)):
            print(f"{name:32s} {len(times)} pages: {len(times) / sum(times):6.1f} pages/s, "
                  f"median {statistics.median(times) * 1000:6.0f} ms, max {max(times) * 1000:6.0f} ms")
        print(f"speed-up over the baseline: {sum(theirs) / sum(mine):.1f}x")

        with tempfile.TemporaryDirectory() as tmp:
            with PageFetcher(browser, UNLIMITED) as fetcher:
                start = time.perf_counter()
                result = scrape(JudicialAuctions(fetcher, site.url), date(2020, 1, 1), Path(tmp) / "a.csv")
                spent = time.perf_counter() - start
            print(f"auction scrape: {fetcher.loads} page loads, {result.accepted} lots + {result.rejected} rejected "
                  f"in {spent:.2f} s ({fetcher.loads / spent:.1f} loads/s)")
            site.state.housing, site.state.housing_page_size, site.state.housing_chunk = (
                data.synthetic_housing_deals(300), 50, 10)
            with PageFetcher(browser, UNLIMITED) as fetcher:
                start = time.perf_counter()
                result = scrape(SecondHandHousing(fetcher, site.url), date(2020, 1, 1), Path(tmp) / "h.csv")
                spent = time.perf_counter() - start
            print(f"housing scrape (lazy loading, 10 rows per scroll): {result.accepted} deals on "
                  f"{fetcher.loads} pages in {spent:.2f} s ({result.accepted / spent:.0f} deals/s)")


if __name__ == "__main__":
    main()
