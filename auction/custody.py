"""Custody (保管/仓储) of seized vehicles and movables: the rules, as plain functions.

Haidian hands seized vehicles and goods to a warehouse that stores, shows and delivers them; Wuxi's platform
keeps seized cars, inspects, cleans, receives viewers and helps with the transfer (case collection, cases 1
and 6). The necessary costs of storage, custody and transport are borne by the debtor (被执行人)
(网拍规定 art. 7 para. 2); every move of an item is a custody event (RULES.md section 7).

Storage fee rule: **days are counted inclusively** — the intake day and the last day (delivery day, or the day
the fee is computed for) both count, so an item taken in and delivered on the same day is charged one day.
The daily tariff is integer fen; a tariff may change on a date (``TariffStep``); each day is charged at the
tariff in force that day. No rounding is needed: fen per day times whole days.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from auction.rules.online_auction_rules import SERVICE_COSTS_BORNE_BY_DEBTOR_ART

CUSTODY_KINDS = {"vehicle": "车辆", "movable": "动产"}

#: 入库检查清单 (what is checked and written down at intake). Vehicles add the 2024 checks (法〔2024〕238号):
#: registration, emission standard, mileage, traffic violations (RULES.md section 6).
INSPECTION_CHECKLISTS: dict[str, tuple[tuple[str, str], ...]] = {
    "vehicle": (
        ("exterior", "外观"), ("interior", "内饰"), ("engine", "发动机"), ("tyres", "轮胎"),
        ("keys", "钥匙数量"), ("documents", "随车证件"), ("mileage", "里程表读数"),
        ("registration", "登记信息核对"), ("emission_standard", "排放标准"), ("violations", "交通违法记录"),
    ),
    "movable": (
        ("exterior", "外观"), ("quantity", "数量清点"), ("function", "功能状况"), ("packaging", "包装"),
        ("documents", "随附单证"),
    ),
}

TASK_KINDS = {"cleaning": "清洗", "inspection": "检测", "transport": "运输", "maintenance": "保养", "other": "其他"}
COST_KINDS = {"cleaning": "清洗费", "inspection": "检测费", "transport": "运输费", "towing": "拖车费",
              "other": "其他费用"}
#: How an item leaves custody: to the buyer after the sale, to the creditor in lieu of payment (以物抵债,
#: 拍卖变卖规定 art. 16), back to the debtor when the seizure is lifted (拍卖变卖规定 art. 24).
RELEASE_KINDS = {"delivered": "交付买受人", "transferred": "移交抵债", "returned": "退还被执行人"}
ITEM_STATUSES = {"in_custody": "在库", **RELEASE_KINDS}

DEBTOR_BEARS_COSTS_ART = SERVICE_COSTS_BORNE_BY_DEBTOR_ART


class CustodyError(ValueError):
    """A custody step that cannot be taken as asked (message in Chinese: what was wrong, what is expected)."""


@dataclass(frozen=True)
class TariffStep:
    """From ``effective_from`` (inclusive) on, ``daily_fen`` per day."""

    effective_from: date
    daily_fen: int


def storage_days(intake_on: date, until: date) -> int:
    """Days in custody, both ends counted: intake 1 March, until 1 March → 1; until 3 March → 3."""
    if until < intake_on:
        raise CustodyError(f"计费截止日 {until:%Y-%m-%d} 早于入库日 {intake_on:%Y-%m-%d}，应不早于入库日。")
    return (until - intake_on).days + 1


def storage_fee_fen(tariff: int | Sequence[TariffStep], intake_on: date, until: date) -> int:
    """The storage fee in fen from ``intake_on`` to ``until``, both days included, at the tariff of each day."""
    days = storage_days(intake_on, until)
    if isinstance(tariff, int):
        if tariff < 0:
            raise CustodyError("日保管费不能为负数。")
        return tariff * days
    steps = sorted(tariff, key=lambda s: s.effective_from)
    if not steps or steps[0].effective_from > intake_on:
        raise CustodyError(f"入库日 {intake_on:%Y-%m-%d} 没有适用的保管费标准，应有自该日或更早起算的标准。")
    if any(s.daily_fen < 0 for s in steps):
        raise CustodyError("日保管费不能为负数。")
    total = 0
    for index, step in enumerate(steps):
        begin = max(step.effective_from, intake_on)
        end = until if index + 1 == len(steps) else min(until, steps[index + 1].effective_from - timedelta(days=1))
        if end >= begin:
            total += step.daily_fen * ((end - begin).days + 1)
    return total


def missing_checklist(kind: str, checklist: Mapping[str, str]) -> list[tuple[str, str]]:
    """The intake checks not filled in, as (key, Chinese name) in checklist order (blank counts as missing)."""
    if kind not in INSPECTION_CHECKLISTS:
        raise CustodyError(f"保管物类型“{kind}”无效，应为：" + "、".join(f"{k}（{v}）" for k, v in CUSTODY_KINDS.items()))
    return [(key, name) for key, name in INSPECTION_CHECKLISTS[kind] if not str(checklist.get(key, "")).strip()]


def missing_checklist_items(kind: str, checklist: Mapping[str, str]) -> list[str]:
    """The Chinese names of intake checks not filled in (blank counts as missing)."""
    return [name for _key, name in missing_checklist(kind, checklist)]


def check_release(kind: str, outcome: str | None) -> None:
    """An item leaves custody only as the procedure allows: delivery to the buyer after a sale (成交),
    transfer in lieu of payment after a failed auction, return to the debtor when nothing else is possible."""
    if kind not in RELEASE_KINDS:
        raise CustodyError(f"出库方式“{kind}”无效，应为：" + "、".join(f"{k}（{v}）" for k, v in RELEASE_KINDS.items()))
    if kind == "delivered" and outcome != "sold":
        raise CustodyError("只有拍卖成交后才能交付买受人；该标的尚未登记成交结果。")
    if kind == "transferred" and outcome not in ("unsold", "sold"):
        raise CustodyError("移交抵债应在流拍之后（拍卖变卖规定第十六条）；该标的尚未流拍。")


_PHONE_OR_ID = re.compile(r"[\s\-]")


def visitor_key(identity: str) -> str:
    """The same person booking twice is recognised by ID number or phone, stored only as a SHA-256."""
    normalized = _PHONE_OR_ID.sub("", identity or "").upper()
    if len(normalized) < 6:
        raise CustodyError("预约看样需要身份证号或手机号，以识别同一人不重复预约。")
    return hashlib.sha256(f"xunpai-viewer\x00{normalized}".encode()).hexdigest()


def sha256_file(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class DebtorCosts:
    """What the debtor bears for one item (网拍规定 art. 7 para. 2): storage days × tariff, plus other costs."""

    storage_days: int
    storage_fee_fen: int
    other_costs_fen: int

    @property
    def total_fen(self) -> int:
        return self.storage_fee_fen + self.other_costs_fen


def debtor_costs(tariff: int | Sequence[TariffStep], intake_on: date, until: date,
                 other_costs_fen: Sequence[int] = ()) -> DebtorCosts:
    return DebtorCosts(storage_days(intake_on, until), storage_fee_fen(tariff, intake_on, until),
                       sum(other_costs_fen))
