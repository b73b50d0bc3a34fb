"""Property kinds (标的物类型) and auction rounds (一拍 / 二拍 / 变卖), with their Chinese names and the
spellings clerks type."""

from __future__ import annotations

import enum


class PropertyKind(enum.StrEnum):
    """标的物类型."""

    REAL_ESTATE = "real_estate"
    VEHICLE = "vehicle"
    MOVABLE = "movable"
    EQUITY = "equity"
    OTHER_RIGHT = "other_right"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def is_movable(self) -> bool:
        """动产 (vehicles and other movables) versus 不动产或者其他财产权 (网拍规定 arts. 12, 26)."""
        return self in (PropertyKind.VEHICLE, PropertyKind.MOVABLE)


_KIND_LABELS = {
    PropertyKind.REAL_ESTATE: "不动产",
    PropertyKind.VEHICLE: "机动车",
    PropertyKind.MOVABLE: "动产",
    PropertyKind.EQUITY: "股权",
    PropertyKind.OTHER_RIGHT: "其他财产权",
}


class AuctionRound(enum.StrEnum):
    """一拍 / 二拍 / 变卖."""

    FIRST_AUCTION = "first_auction"
    SECOND_AUCTION = "second_auction"
    FIXED_PRICE_SALE = "fixed_price_sale"

    @property
    def label(self) -> str:
        return {"first_auction": "第一次拍卖", "second_auction": "第二次拍卖", "fixed_price_sale": "变卖"}[self]

    @classmethod
    def parse(cls, text: str | AuctionRound) -> AuctionRound:
        """Accepts the value, a short form (first, second, sale) or the Chinese (一拍, 二拍, 变卖)."""
        if isinstance(text, AuctionRound):
            return text
        key = str(text).strip().lower()
        found = _ROUND_ALIASES.get(key)
        if found is None:
            raise ValueError(
                f"拍卖轮次“{text}”无法识别，应为 first_auction（一拍）、second_auction（二拍）或 fixed_price_sale（变卖）。"
            )
        return found


_ROUND_ALIASES = {
    **{r.value: r for r in AuctionRound},
    "first": AuctionRound.FIRST_AUCTION, "1": AuctionRound.FIRST_AUCTION, "一拍": AuctionRound.FIRST_AUCTION,
    "second": AuctionRound.SECOND_AUCTION, "2": AuctionRound.SECOND_AUCTION, "二拍": AuctionRound.SECOND_AUCTION,
    "sale": AuctionRound.FIXED_PRICE_SALE, "fixed_price": AuctionRound.FIXED_PRICE_SALE,
    "变卖": AuctionRound.FIXED_PRICE_SALE,
}


def parse_kind(text: str | PropertyKind) -> PropertyKind:
    if isinstance(text, PropertyKind):
        return text
    key = str(text).strip().lower()
    for kind in PropertyKind:
        if key in (kind.value, kind.label):
            return kind
    aliases = {"房产": PropertyKind.REAL_ESTATE, "车辆": PropertyKind.VEHICLE, "其他": PropertyKind.OTHER_RIGHT}
    if key in aliases:
        return aliases[key]
    raise ValueError(
        f"标的物类型“{text}”无法识别，应为 real_estate（不动产）、vehicle（机动车）、movable（动产）、"
        "equity（股权）或 other_right（其他财产权）。"
    )
