"""The sources ``xunpai scrape`` knows, by name."""

from __future__ import annotations

from scrapers.collector import Collector
from scrapers.sources.judicial_auctions import JudicialAuctions
from scrapers.sources.land_sales import LandSales
from scrapers.sources.second_hand_housing import SecondHandHousing

SOURCES: dict[str, type[Collector]] = {c.source: c for c in (JudicialAuctions, SecondHandHousing, LandSales)}
