"""Our reference prices (参考价) in force, read from the price procedure's records, for joining scraped
auction results (``scrapers.auction_results``).

The newest ``ReferencePriceRecord`` of a lot is the one in force (``procedure_service.current_reference_price``).
A case with one priced lot gives an empty lot text, so it joins the platform's lot by case number alone; a
case with several gives each lot's name, to be matched to the platform's title or address.
"""

from __future__ import annotations

from collections import defaultdict

from xunpai.storage.repositories import scraping as scraping_repo
from xunpai.storage.unit_of_work import UnitOfWork


def reference_prices_in_force(uow: UnitOfWork, *, court_code: str | None = None) -> list[dict]:
    """Rows ``case_number``, ``lot``, ``reference_price_fen`` (one per priced lot), oldest case first."""
    with uow:
        rows = scraping_repo.reference_prices_in_force(uow.session, court_code)
        lots_per_case: dict[str, int] = defaultdict(int)
        for case_number, _name, _value in rows:
            lots_per_case[case_number] += 1
        return [{"case_number": case_number, "lot": name if lots_per_case[case_number] > 1 else "",
                 "reference_price_fen": value} for case_number, name, value in rows]
