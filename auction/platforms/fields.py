"""The platform-neutral listing fields of a lot: what every platform shows, in exact units.

``listing_fields(lot, plan)`` reads the lot content (``auction.lot``) and its listing plan
(``auction.listing_plan``) and returns one flat dict with canonical keys; each platform's field map
(``catalog.json``) then renames and formats those keys. Money is integer fen here (never floats).

Sources (RULES.md section 6): 起拍价 = 保留价 (网拍规定 art. 10), 保证金 (art. 17), 加价幅度 (art. 20),
竞价周期 ≥ 24 h and the 5-minute extension (art. 20), 优先购买权人 and their ranks (art. 21),
变卖: the price paid in full up front over a 60-day period (art. 26 and practice).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from auction.case_number import InvalidCaseNumber, parse
from tax_baseline.money import fen_half_up

CANONICAL_KEYS = (
    "lot_code", "title", "kind", "round", "court_code", "court_name", "case_number",
    "reference_price_fen", "starting_price_fen", "deposit_fen", "bid_increment_fen",
    "announcement_on", "bidding_starts_at", "bidding_ends_at", "bidding_hours", "extension_minutes",
    "fixed_price_sale_days", "fixed_price_sale_prepayment_fen", "priority_purchasers",
    "viewing", "contacts", "video_url",
)

# Where each canonical key may be found, in order: names used by the lot model, the plan, or a plain dict.
_ALIASES: dict[str, tuple[str, ...]] = {
    "lot_code": ("lot_code", "code", "lot_id", "external_id", "标的编号"),
    "title": ("title", "name", "lot_title", "标的名称"),
    "kind": ("kind", "property_kind"),
    "round": ("round", "auction_round"),
    "court_code": ("court_code", "court.code"),
    "court_name": ("court_name", "court.name"),
    "case_number": ("case_number",),
    "reference_price_fen": ("reference_price_fen", "reference_price", "appraised_value_fen", "appraised_value"),
    "starting_price_fen": ("starting_price_fen", "starting_price"),
    "deposit_fen": ("deposit_fen", "deposit"),
    "bid_increment_fen": ("bid_increment_fen", "bid_increment"),
    "announcement_on": ("announcement_on", "announce_on", "schedule.announcement_on", "schedule.announce_on"),
    "bidding_starts_at": ("bidding_starts_at", "bidding_start", "schedule.bidding_starts_at",
                          "schedule.bidding_start"),
    "bidding_ends_at": ("bidding_ends_at", "bidding_end", "schedule.bidding_ends_at", "schedule.bidding_end"),
    "bidding_hours": ("bidding_hours", "schedule.bidding_hours"),
    "extension_minutes": ("extension_minutes", "schedule.extension_minutes"),
    "fixed_price_sale_days": ("fixed_price_sale_days", "schedule.fixed_price_sale_days"),
    "fixed_price_sale_prepayment_fen": ("fixed_price_sale_prepayment_fen", "advance_payment_fen",
                                        "fixed_price_sale_price_fen", "fixed_price_sale_price"),
    "priority_purchasers": ("priority_purchasers",),
    "viewing": ("viewing", "viewing_arrangements", "viewing_arrangement"),
    "contacts": ("contacts", "court_contacts", "court_contact"),
    "video_url": ("video_url",),
}

# 网拍规定 art. 20: bidding at least 24 hours; a bid in the last 5 minutes extends the end by 5 minutes.
DEFAULT_EXTENSION_MINUTES = 5


def _lookup(source: Any, dotted: str) -> Any:
    value = source
    for part in dotted.split("."):
        if value is None:
            return None
        if isinstance(value, Mapping):
            value = value.get(part)
        else:
            value = getattr(value, part, None)
    return value


def field_fen(value: Any, *, key: str = "") -> int | None:
    """A listing field's amount in fen: ints named ``*_fen`` are fen already; Decimal/str/int otherwise are yuan,
    rounded half up to the fen (``tax_baseline.money.fen_half_up``). Objects with a ``fen`` attribute (an amount
    type) give that."""
    if value is None or value == "":
        return None
    if hasattr(value, "fen"):
        return int(value.fen)
    if isinstance(value, bool):
        raise TypeError(f"{key}: a yes/no value is not an amount")
    if isinstance(value, float):
        raise TypeError(f"{key}: binary floats are not accepted for money; pass Decimal or fen")
    if isinstance(value, int) and key.endswith("_fen"):
        return value
    return fen_half_up(Decimal(str(value)))


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and type(value).__module__ != "builtins" and hasattr(type(value), "__members__"):
        return value.value  # an Enum
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def listing_fields(lot: Any, plan: Any = None) -> dict[str, Any]:
    """The canonical listing fields of ``lot`` (and its ``plan``, which wins for prices and dates)."""
    sources = [s for s in (plan, _lookup(plan, "prices") if plan is not None else None, lot,
                           _lookup(lot, "plan")) if s is not None]
    out: dict[str, Any] = {}
    for key in CANONICAL_KEYS:
        value = None
        for source in sources:
            for name in _ALIASES[key]:
                value = _lookup(source, name)
                if value is not None:
                    break
            if value is not None:
                if key.endswith("_fen"):
                    value = field_fen(value, key=name)
                break
        out[key] = _plain(value)
    if out["extension_minutes"] is None:
        out["extension_minutes"] = DEFAULT_EXTENSION_MINUTES
    span = None
    if out["bidding_starts_at"] and out["bidding_ends_at"]:
        span = datetime.fromisoformat(str(out["bidding_ends_at"])) - datetime.fromisoformat(str(out["bidding_starts_at"]))
    if out["bidding_hours"] is None and span is not None:
        out["bidding_hours"] = int(span.total_seconds() // 3600)
    if out["court_code"] is None and out["case_number"]:
        try:
            out["court_code"] = parse(out["case_number"]).court_code
        except InvalidCaseNumber:
            pass
    if out["bidding_hours"] is not None:
        out["bidding_hours"] = int(Decimal(str(out["bidding_hours"])))
    if out["round"] == "fixed_price_sale" and out["fixed_price_sale_days"] is None and span is not None:
        out["fixed_price_sale_days"] = span.days
    if out["round"] == "fixed_price_sale" and out["fixed_price_sale_prepayment_fen"] is None:
        # Practice (RULES.md section 6): the 变卖 price is paid in full up front.
        out["fixed_price_sale_prepayment_fen"] = out["starting_price_fen"]
    out["priority_purchasers"] = out["priority_purchasers"] or []
    return out
