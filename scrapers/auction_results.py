"""Scraped auction results joined to our reference prices (参考价), lot by lot and in aggregate.

The platforms publish their own price basis (评估价 / 市场价 / 参考价); the discount is measured against the
reference price *we* fixed for the lot (参考价规定), so the scraped results are joined to our records by
case number (案号, canonical form) and lot:

- a case with one lot on our side and one lot on the platform's (perhaps in several rounds) joins by the
  case number alone;
- a case with several lots joins a result to the lot whose ``lot`` text equals the platform's lot id,
  title or address (after NFKC and removing spaces); anything else stays unmatched, with the reason —
  a guessed match would put one lot's price against another's reference.

Per lot (RULES.md section 7, definitions of ``auction.outcomes``): discount to the reference price
= (reference − sale) / reference, premium over the start = (sale − start) / start, both ``Decimal`` rounded
half-up to 4 places, given only for sold lots. The aggregate figures are ``auction.outcomes.outcome_statistics``
over the matched lots, so the scraped and our own outcomes are reported by one definition.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from auction.outcomes import OUTCOMES, LotOutcome, OutcomeStatistics, outcome_statistics

RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class ReferencePrice:
    """Our reference price for one lot: case number, the lot's text (id, title or address; may be empty
    when the case has one lot) and the amount in fen."""

    case_number: str
    lot: str
    reference_price_fen: int


@dataclass(frozen=True)
class JoinedLot:
    key: str
    case_number: str
    title: str
    status: str
    starting_price_fen: int | None
    final_price_fen: int | None
    platform_reference_fen: int | None  # the platform's own 评估价/参考价
    reference_price_fen: int | None  # ours; None when unmatched
    discount_to_reference: Decimal | None
    premium_over_start: Decimal | None
    unmatched_reason: str = ""

    @property
    def platform_reference_differs(self) -> bool:
        return (self.reference_price_fen is not None and self.platform_reference_fen is not None
                and self.reference_price_fen != self.platform_reference_fen)


@dataclass(frozen=True)
class JoinResult:
    lots: list[JoinedLot]
    statistics: OutcomeStatistics  # over the matched lots
    problems: list[str] = field(default_factory=list)  # our reference rows that could not be used

    @property
    def matched(self) -> list[JoinedLot]:
        return [lot for lot in self.lots if lot.reference_price_fen is not None]

    @property
    def unmatched(self) -> list[JoinedLot]:
        return [lot for lot in self.lots if lot.reference_price_fen is None]


def _rate(numerator: int, denominator: int) -> Decimal:
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def _norm(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text or "")))


def _int_or_none(value: Any) -> int | None:
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    return int(value)


def read_reference_prices(rows: Iterable[Mapping[str, Any]]) -> tuple[list[ReferencePrice], list[str]]:
    """Our reference prices from rows with ``case_number``, ``lot`` (optional) and ``reference_price_fen``;
    rows with an invalid case number, a missing or non-positive price, or a repeated (case, lot) are
    returned as problems (Chinese, with the row number counted from 1) and left out."""
    prices: list[ReferencePrice] = []
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for number, row in enumerate(rows, 1):
        try:
            case = validate_case_number(str(row.get("case_number", "")))
        except InvalidCaseNumber as exc:
            problems.append(f"参考价第 {number} 行：{exc}")
            continue
        try:
            amount = _int_or_none(row.get("reference_price_fen"))
        except (TypeError, ValueError):
            amount = None
        if amount is None or amount <= 0:
            problems.append(f"参考价第 {number} 行：参考价应为正整数（分），收到“{row.get('reference_price_fen')}”")
            continue
        lot = _norm(row.get("lot"))
        if (case, lot) in seen:
            problems.append(f"参考价第 {number} 行：案号 {case} 的标的“{lot}”重复出现")
            continue
        seen.add((case, lot))
        prices.append(ReferencePrice(case, lot, amount))
    return prices, problems


def join_reference_prices(results: Iterable[Mapping[str, Any]], reference_prices: Iterable[ReferencePrice],
                          problems: list[str] | None = None) -> JoinResult:
    """Join scraped auction results (rows of the ``auction`` scraper's output) to ``reference_prices``."""
    by_case: dict[str, list[ReferencePrice]] = defaultdict(list)
    for price in reference_prices:
        by_case[price.case_number].append(price)
    rows = list(results)
    # A lot auctioned in several rounds (一拍 流拍, then 二拍) appears once per round with the same lot.
    lots_per_case: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        lots_per_case[row["case_number"]].add(_norm(row.get("address")) or _norm(row.get("title")))
    joined: list[JoinedLot] = []
    for row in rows:
        case = row["case_number"]
        candidates = by_case.get(case, [])
        names = {_norm(row.get(k)) for k in ("lot_id", "title", "address")} - {""}
        named = [c for c in candidates if c.lot and c.lot in names]
        reason = ""
        match: ReferencePrice | None = None
        if not candidates:
            reason = f"我方没有案号 {case} 的参考价"
        elif len(named) == 1:
            match = named[0]
        elif len(candidates) == 1 and len(lots_per_case[case]) == 1 and not candidates[0].lot:
            match = candidates[0]
        elif len(candidates) == 1 and len(lots_per_case[case]) == 1:
            reason = f"案号 {case} 的参考价标的“{candidates[0].lot}”与网站标的不符"
        else:
            reason = f"案号 {case} 有多个标的，无法按标的编号、名称或地址唯一对应"
        start, final = _int_or_none(row.get("starting_price_fen")), _int_or_none(row.get("final_price_fen"))
        sold = row["status"] == "sold" and final is not None
        reference = match.reference_price_fen if match else None
        joined.append(JoinedLot(
            key=row["key"], case_number=case, title=row.get("title", ""), status=row["status"],
            starting_price_fen=start, final_price_fen=final,
            platform_reference_fen=_int_or_none(row.get("reference_price_fen")), reference_price_fen=reference,
            discount_to_reference=_rate(reference - final, reference) if sold and reference else None,
            premium_over_start=_rate(final - start, start) if sold and start else None,
            unmatched_reason=reason))
    statistics = outcome_statistics(
        LotOutcome(lot.status, lot.starting_price_fen, lot.reference_price_fen,
                   lot.final_price_fen if lot.status == "sold" else None)
        for lot in joined if lot.reference_price_fen is not None and lot.status in OUTCOMES)
    return JoinResult(joined, statistics, list(problems or []))
