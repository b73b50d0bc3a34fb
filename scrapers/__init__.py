"""Collectors of public market data: judicial-auction results, second-hand housing transactions and
land-sale result notices, read from JavaScript-rendered pages with Playwright on the system Chromium.

The public surface: :class:`scrapers.collector.Collector` (one per source, registered in
:data:`scrapers.sources.SOURCES`), :func:`scrapers.run.scrape` (collect, validate, write the output and the
rejects, resume after an interruption) and :mod:`scrapers.auction_results` (scraped results joined to our
reference prices). The command line is ``xunpai scrape``.
"""

from __future__ import annotations

__version__ = "0.1.0"
DEFAULT_CONTACT = "mailto:scraper@xunpai.invalid"


def user_agent(contact: str = DEFAULT_CONTACT) -> str:
    """How the collectors identify themselves: ``xunpai-scraper/<version> (+contact)``."""
    return f"xunpai-scraper/{__version__} (+{contact})"
