"""Outcomes of lots (成交 / 流拍 / 悔拍 / 撤回 / 暂缓) and the figures courts report (RULES.md section 7).

- 成交率 (success rate) = sold / lots that reached the end of bidding. Sold, unsold and reneged lots reached
  the end; withdrawn (撤回) and suspended (暂缓) lots did not and are left out of the denominator. A reneged
  lot (悔拍, 网拍规定 art. 24) had a winning bid but no sale, so it counts as not sold.
- 溢价率 (premium rate over the start) = (Σ sale price − Σ starting price) / Σ starting price over sold lots
  (money-weighted); the mean of the per-lot rates is given beside it.
- Discount to the reference price (参考价) = 1 − Σ sale price / Σ reference price over sold lots with a
  reference price (a negative discount is a sale above the reference price).
- Commission saved: online judicial auctions charge the buyer no commission; the offline auction house could
  have charged up to the 拍卖变卖规定 art. 29 schedule (``auction.rules.online_auction_rules``), summed over sold
  lots, per lot rounded down to the fen as that function states.

Rates are ``Decimal`` rounded half-up to 4 places (0.1234 = 12.34%); amounts are integer fen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from auction.rules.online_auction_rules import OFFLINE_COMMISSION_ART, max_offline_commission
from tax_baseline.money import to_fen, to_yuan

OUTCOMES = {"sold": "成交", "unsold": "流拍", "reneged": "悔拍", "withdrawn": "撤回", "suspended": "暂缓"}
REACHED_END = frozenset({"sold", "unsold", "reneged"})
RATE_PLACES = Decimal("0.0001")


class InvalidOutcome(ValueError):
    """An outcome that cannot be recorded as given (message in Chinese)."""


@dataclass(frozen=True)
class LotOutcome:
    outcome: str
    starting_price_fen: int | None
    reference_price_fen: int | None = None
    sale_price_fen: int | None = None


def check_outcome(outcome: str, sale_price_fen: int | None, starting_price_fen: int | None) -> None:
    """Refuse an outcome that contradicts itself: a sale needs a price not below the starting price
    (网拍规定 art. 20: a bid below the starting price is invalid); other outcomes carry no sale price."""
    if outcome not in OUTCOMES:
        raise InvalidOutcome(f"拍卖结果“{outcome}”无效，应为：" +
                             "、".join(f"{k}（{v}）" for k, v in OUTCOMES.items()) + "。")
    if outcome == "sold":
        if sale_price_fen is None or sale_price_fen <= 0:
            raise InvalidOutcome("成交必须填写成交价（元，精确到分）。")
        if starting_price_fen is not None and sale_price_fen < starting_price_fen:
            raise InvalidOutcome(f"成交价 {to_yuan(sale_price_fen)} 元低于起拍价 {to_yuan(starting_price_fen)} 元："
                                 "低于起拍价的出价无效（网拍规定第二十条）。")
    elif sale_price_fen is not None:
        raise InvalidOutcome(f"结果为“{OUTCOMES[outcome]}”时不应填写成交价。")


def check_outcome_date(outcome: str, on: date, bidding_start: datetime | None, *,
                       sold_at: datetime | None = None, lot_code: str = "") -> None:
    """成交、流拍、悔拍 are outcomes of the bidding (网拍规定 art. 20: the bidding runs at least 24 hours from its
    announced start), so none can be dated before the bidding began: neither the outcome date ``on`` nor the
    moment of the sale ``sold_at``. A withdrawal (撤回) or a suspension (暂缓) may come at any time, and without
    a known start nothing is refused. The day the bidding starts is the first day a result can carry.
    ``lot_code`` names the lot in the message."""
    if outcome not in REACHED_END or bidding_start is None:
        return
    if on < bidding_start.date() or (sold_at is not None and sold_at < bidding_start):
        lot = f"标的 {lot_code} 的" if lot_code else ""
        raise InvalidOutcome(f"{lot}竞价 {bidding_start:%Y-%m-%d %H:%M} 才开始，{OUTCOMES[outcome]}不能登记在此之前"
                             f"（登记的是 {on.isoformat()}）。")


def check_sale_details(outcome: str, on: date, *, buyer_name: str = "", buyer_id_number: str = "",
                       bidder_code: str = "", paid_in_full_on: date | None = None,
                       sold_at: datetime | None = None) -> str:
    """The buyer (买受人) of a sale, as the 成交确认书 and the 成交裁定书 name it (网拍规定 art. 22): only a sale
    has one; the moment of the sale falls on the outcome date; the price cannot be paid in full before the
    sale. Returns the buyer's ID number in its compact form (validated with ``stdnum.cn.ric``: 18 characters,
    the check digit of GB 11643), or the text as given when no buyer is named."""
    if outcome != "sold" and (buyer_name or buyer_id_number or bidder_code or paid_in_full_on or sold_at):
        raise InvalidOutcome("只有成交的标的才登记买受人。")
    if sold_at is not None and sold_at.date() != on:
        raise InvalidOutcome(f"成交时刻 {sold_at:%Y-%m-%d %H:%M} 与结果日期 {on.isoformat()} 不是同一天。")
    if paid_in_full_on is not None and paid_in_full_on < on:
        raise InvalidOutcome(f"价款付清日期 {paid_in_full_on.isoformat()} 早于成交日期 {on.isoformat()}。")
    if not (buyer_name and buyer_id_number):
        return buyer_id_number
    try:
        return ric.validate(buyer_id_number)
    except ValidationError:
        raise InvalidOutcome(f"买受人身份证号“{buyer_id_number}”无效，应为 18 位且校验位正确。") from None


def offline_commission_fen(sale_price_fen: int) -> int:
    """The most an offline auction house could have charged for this sale (拍卖变卖规定 art. 29), in fen."""
    return to_fen(max_offline_commission(to_yuan(sale_price_fen)))


def _rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class OutcomeStatistics:
    lots: int
    counts: dict[str, int]
    reached_end: int
    sold: int
    success_rate: Decimal | None
    starting_total_fen: int
    sale_total_fen: int
    premium_rate: Decimal | None
    mean_premium_rate: Decimal | None
    reference_total_fen: int
    discount_to_reference: Decimal | None
    commission_saved_fen: int
    commission_article: str = str(OFFLINE_COMMISSION_ART)

    def as_dict(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.__dict__.items()}


def outcome_statistics(outcomes: Iterable[LotOutcome]) -> OutcomeStatistics:
    rows = [o for o in outcomes if o.outcome is not None]
    counts = {key: 0 for key in OUTCOMES}
    for row in rows:
        counts[row.outcome] += 1
    sold = [r for r in rows if r.outcome == "sold"]
    reached = sum(counts[k] for k in REACHED_END)
    priced = [r for r in sold if r.starting_price_fen]
    start_total = sum(r.starting_price_fen for r in priced)
    sale_total_priced = sum(r.sale_price_fen for r in priced)
    per_lot = [Decimal(r.sale_price_fen - r.starting_price_fen) / Decimal(r.starting_price_fen) for r in priced]
    with_reference = [r for r in sold if r.reference_price_fen]
    reference_total = sum(r.reference_price_fen for r in with_reference)
    sale_vs_reference = sum(r.sale_price_fen for r in with_reference)
    return OutcomeStatistics(
        lots=len(rows),
        counts=counts,
        reached_end=reached,
        sold=len(sold),
        success_rate=_rate(len(sold), reached),
        starting_total_fen=start_total,
        sale_total_fen=sum(r.sale_price_fen for r in sold),
        premium_rate=_rate(sale_total_priced - start_total, start_total),
        mean_premium_rate=(sum(per_lot) / len(per_lot)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)
        if per_lot else None,
        reference_total_fen=reference_total,
        discount_to_reference=_rate(reference_total - sale_vs_reference, reference_total),
        commission_saved_fen=sum(offline_commission_fen(r.sale_price_fen) for r in sold),
    )
