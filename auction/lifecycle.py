"""The life of one lot in one round (一拍 / 二拍 / 变卖), from the plan to the transfer of title: an explicit state
machine. Each transition names its article; a transition that is not allowed is refused with a Chinese message
that names the article; each open state has its next step and deadline for the agenda (待办期限).

    planned ─announce→ announced ─open_bidding→ bidding ─sold→ sold ─pay_balance→ paid ─rule→ ruled ─deliver→ delivered
                                                   │            └─renege→ reneged (deposit forfeited; re-auction, buyer barred)
                                                   └─unsold→ unsold ─offer_in_payment / accept_in_payment→ taken_in_payment ─rule→ …
    planned / announced / bidding / suspended ─withdraw→ withdrawn;  announced / bidding ─suspend→ suspended ─resume→ (back)

A 变卖 (fixed-price sale, 网拍规定 art. 26 para. 2, art. 37; 拍卖变卖规定 arts. 23-25) has no bidding: its "sale"
is the first buyer paying the full fixed price up front, so ``sold`` leads straight to ``paid``.

The lifecycle is a value rebuilt from the lot (``auction.lot.Lot``, its plan) and the recorded events, in order
(``Lifecycle.replay``); nothing here reads the clock or a database: pass ``today`` and the court's calendar.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from auction import periods
from auction.calendar import WorkingCalendar
from auction.listing_plan import AuctionRound, PropertyKind, required_announcement_days
from auction.lot import Lot
from auction.rules import online_auction_rules as R
from tax_baseline.money import format_yuan


class LotState(enum.StrEnum):
    PLANNED = "planned"
    ANNOUNCED = "announced"
    BIDDING = "bidding"
    SOLD = "sold"
    UNSOLD = "unsold"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    PAID = "paid"
    RENEGED = "reneged"
    RULED = "ruled"
    DELIVERED = "delivered"
    TAKEN_IN_PAYMENT = "taken_in_payment"

    @property
    def label(self) -> str:
        return _STATE_LABELS[self]


_STATE_LABELS = {
    LotState.PLANNED: "待公告", LotState.ANNOUNCED: "已公告", LotState.BIDDING: "竞价中", LotState.SOLD: "已成交",
    LotState.UNSOLD: "流拍", LotState.WITHDRAWN: "已撤回", LotState.SUSPENDED: "暂缓/中止",
    LotState.PAID: "价款已付清", LotState.RENEGED: "悔拍", LotState.RULED: "已作出成交裁定",
    LotState.DELIVERED: "已交付", LotState.TAKEN_IN_PAYMENT: "以物抵债",
}

#: states in which the round's outcome is what the statistics count (auction.outcomes.OUTCOMES keys)
OUTCOME_OF_STATE = {
    LotState.SOLD: "sold", LotState.PAID: "sold", LotState.RULED: "sold", LotState.DELIVERED: "sold",
    LotState.UNSOLD: "unsold", LotState.TAKEN_IN_PAYMENT: "unsold", LotState.RENEGED: "reneged",
    LotState.WITHDRAWN: "withdrawn", LotState.SUSPENDED: "suspended",
}


class EventKind(enum.StrEnum):
    PANEL_DECISION = "panel_decision"
    NO_SURPLUS_NOTICE = "no_surplus_notice"
    ANNOUNCE = "announce"
    OPEN_BIDDING = "open_bidding"
    SOLD = "sold"
    UNSOLD = "unsold"
    WITHDRAW = "withdraw"
    SUSPEND = "suspend"
    RESUME = "resume"
    CORRECT_SALE = "correct_sale"
    REVIEW_QUALIFICATION = "review_qualification"
    PAY_BALANCE = "pay_balance"
    RENEGE = "renege"
    RULE = "rule"
    NOTIFY_REGISTRY = "notify_registry"
    START_EVICTION = "start_eviction"
    DELIVER = "deliver"
    OFFER_IN_PAYMENT = "offer_in_payment"
    ACCEPT_IN_PAYMENT = "accept_in_payment"
    DECLINE_IN_PAYMENT = "decline_in_payment"
    PAY_DIFFERENCE = "pay_difference"
    DEFAULT_DIFFERENCE = "default_difference"

    @property
    def label(self) -> str:
        return TRANSITIONS[self].label


@dataclass(frozen=True)
class Transition:
    """From which states an event may come, where it leads (None: back to the state before a suspension, or the
    same state), the article that governs it and the step's Chinese name."""

    sources: frozenset[LotState]
    target: LotState | None
    citation: R.Citation
    label: str


def _t(sources, target, citation, label) -> Transition:
    return Transition(frozenset(sources), target, citation, label)


S = LotState
TRANSITIONS: dict[EventKind, Transition] = {
    EventKind.PANEL_DECISION: _t({S.PLANNED}, None, R.COLLEGIAL_PANEL_ART, "登记合议庭评议"),
    EventKind.NO_SURPLUS_NOTICE: _t({S.PLANNED}, None, R.NO_SURPLUS_NOTICE_ART, "通知申请执行人无剩余可能"),
    EventKind.ANNOUNCE: _t({S.PLANNED}, S.ANNOUNCED, R.FIRST_AUCTION_ANNOUNCEMENT_ART, "发布公告"),
    EventKind.OPEN_BIDDING: _t({S.ANNOUNCED}, S.BIDDING, R.MIN_BIDDING_ART, "开始竞价"),
    EventKind.SOLD: _t({S.BIDDING}, S.SOLD, R.SALE_CONFIRMATION_ART, "登记成交"),
    EventKind.UNSOLD: _t({S.BIDDING}, S.UNSOLD, R.UNSOLD_ART, "登记流拍"),
    EventKind.WITHDRAW: _t({S.PLANNED, S.ANNOUNCED, S.BIDDING, S.SUSPENDED}, S.WITHDRAWN, R.WITHDRAWAL_ART,
                           "撤回拍卖"),
    EventKind.SUSPEND: _t({S.ANNOUNCED, S.BIDDING}, S.SUSPENDED, R.SUSPENSION_ART, "暂缓或中止拍卖"),
    EventKind.RESUME: _t({S.SUSPENDED}, None, R.RESUME_ART, "恢复拍卖"),
    EventKind.CORRECT_SALE: _t({S.SOLD}, None, R.SALE_CONFIRMATION_ART, "更正成交信息"),
    EventKind.REVIEW_QUALIFICATION: _t({S.SOLD, S.PAID}, None, R.HOUSING_QUALIFICATION_REVIEW_ART,
                                       "审核购房资格"),
    EventKind.PAY_BALANCE: _t({S.SOLD}, S.PAID, R.BALANCE_DUE_ART, "登记余款付清"),
    EventKind.RENEGE: _t({S.SOLD}, S.RENEGED, R.RENEGED_DEPOSIT_FORFEITED_ART, "登记悔拍"),
    EventKind.RULE: _t({S.PAID, S.TAKEN_IN_PAYMENT}, S.RULED, R.SALE_RULING_SERVICE_ART, "作出成交（抵债）裁定"),
    EventKind.NOTIFY_REGISTRY: _t({S.RULED, S.DELIVERED}, None, R.OFFLINE_OWNERSHIP_TRANSFER_ART,
                                  "发出协助执行通知书"),
    EventKind.START_EVICTION: _t({S.RULED}, None, R.HANDOVER_ART, "启动强制腾退"),
    EventKind.DELIVER: _t({S.RULED}, S.DELIVERED, R.HANDOVER_ART, "移交财产"),
    EventKind.OFFER_IN_PAYMENT: _t({S.UNSOLD}, None, R.TAKE_IN_PAYMENT_ART, "询问以物抵债"),
    EventKind.ACCEPT_IN_PAYMENT: _t({S.UNSOLD}, S.TAKEN_IN_PAYMENT, R.TAKE_IN_PAYMENT_ART, "登记接受抵债"),
    EventKind.DECLINE_IN_PAYMENT: _t({S.UNSOLD}, None, R.TAKE_IN_PAYMENT_ART, "登记拒绝抵债"),
    # 拍卖变卖规定 art. 16 para. 2: a claim below the price → the 承受人 pays the difference within the set period;
    # art. 20: the ruling within 10 days of that payment; art. 22: not paid in time → re-auction, 承受人 barred
    EventKind.PAY_DIFFERENCE: _t({S.TAKEN_IN_PAYMENT}, None, R.TAKE_IN_PAYMENT_ART, "登记承受人补交差价"),
    EventKind.DEFAULT_DIFFERENCE: _t({S.TAKEN_IN_PAYMENT}, S.RENEGED, R.REAUCTION_AFTER_RENEGING_ART,
                                     "登记承受人逾期未补交差价"),
}

#: the registry that transfers title, by property kind (协助执行通知书, 拍卖变卖规定 art. 26)
REGISTRY_BY_KIND = {
    PropertyKind.REAL_ESTATE: "不动产登记中心",
    PropertyKind.VEHICLE: "公安机关交通管理部门车辆管理所",
    PropertyKind.EQUITY: "市场监督管理局",
    PropertyKind.MOVABLE: "",
    PropertyKind.OTHER_RIGHT: "",
}


class TransitionRefused(ValueError):
    """An event that may not be recorded now; the message (Chinese) names the article."""

    def __init__(self, message: str, citation: R.Citation | None = None):
        self.citation = citation
        super().__init__(f"{message}（{citation}）" if citation else message)


@dataclass(frozen=True)
class Event:
    """One recorded event: its kind, the day it happened (``on``), the moment when it matters (``at``: the sale,
    the start of bidding) and its details (plain JSON values)."""

    kind: EventKind
    on: date
    at: datetime | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "on": self.on.isoformat(),
                "at": self.at.isoformat(timespec="seconds") if self.at else None, "data": dict(self.data)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Event:
        return cls(EventKind(d["kind"]), date.fromisoformat(d["on"]),
                   datetime.fromisoformat(d["at"]) if d.get("at") else None, dict(d.get("data") or {}))


@dataclass(frozen=True)
class Sale:
    """成交: buyer (买受人), price, moment, the balance deadline; ``buyer_id_number`` compact (stdnum.cn.ric)."""

    buyer_name: str
    buyer_id_number: str
    bidder_code: str
    price_fen: int
    sold_at: datetime
    balance_due_on: date | None
    by_priority_purchaser: str = ""  # the priority purchaser's name when one took the lot (网拍规定 art. 21)

    @property
    def balance_fen(self) -> int:
        return self.price_fen


@dataclass(frozen=True)
class Review:
    """购房资格审核 (竞买人资格规定 art. 3): who reviewed, what evidence, when, the finding."""

    on: date
    reviewer: str
    evidence: str
    qualified: bool


def mask_id_number(number: str) -> str:
    """An ID number as public documents print it: the first 6 and last 4 characters (330100********0015)."""
    number = (number or "").strip()
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """A natural person's name in public: the surname and 某 (周某某); an organisation's name stays whole."""
    name = (name or "").strip()
    if not name or len(name) > 4 or any(w in name for w in ("公司", "银行", "中心", "合作社", "厂", "所")):
        return name
    return name[0] + "某" * (len(name) - 1)


@dataclass(frozen=True)
class NextStep:
    """An open step of the lot with its deadline (None: no statutory period)."""

    step: str
    deadline: periods.Deadline | None
    citation: R.Citation | None = None
    note: str = ""


@dataclass(frozen=True)
class Lifecycle:
    """The lot's state after its events, with what they established."""

    lot: Lot
    state: LotState = LotState.PLANNED
    events: tuple[Event, ...] = ()
    barred: tuple[str, ...] = ()  # ID numbers or names barred from this round (悔拍 of an earlier round)
    panel_on: date | None = None
    panel_members: tuple[str, ...] = ()
    no_surplus_notice: dict | None = None
    announced_on: date | None = None
    bidding_opened_at: datetime | None = None
    sale: Sale | None = None
    reviews: tuple[Review, ...] = ()
    paid_on: date | None = None
    reneged_on: date | None = None
    forfeited_deposit_fen: int | None = None
    unsold_on: date | None = None
    offer: dict | None = None
    taken_in_payment_on: date | None = None
    difference_paid_on: date | None = None  # 补交差价 paid (拍卖变卖规定 art. 16 para. 2)
    ruled_on: date | None = None
    registry_notices: tuple[dict, ...] = ()
    eviction_started_on: date | None = None
    delivered_on: date | None = None
    suspended: dict | None = None
    resumed_to: LotState | None = None
    withdrawn: dict | None = None

    # --- reading ------------------------------------------------------------------------------------------

    @property
    def plan(self):
        return self.lot.plan

    @property
    def round(self) -> AuctionRound:
        return self.plan.round

    @property
    def is_fixed_price_sale(self) -> bool:
        return self.plan.round is AuctionRound.FIXED_PRICE_SALE

    @property
    def last_on(self) -> date | None:
        return self.events[-1].on if self.events else None

    @property
    def review(self) -> Review | None:
        return self.reviews[-1] if self.reviews else None

    @property
    def difference_fen(self) -> int:
        """The difference the 承受人 must pay (抵债价 less the claim, 拍卖变卖规定 art. 16 para. 2); 0 when none."""
        return int((self.offer or {}).get("difference_fen") or 0) if self.taken_in_payment_on else 0

    @property
    def difference_pending(self) -> bool:
        return self.difference_fen > 0 and self.difference_paid_on is None

    @property
    def outcome(self) -> str | None:
        return OUTCOME_OF_STATE.get(self.state)

    def allowed(self) -> list[EventKind]:
        """The events that may come next (their detailed checks aside)."""
        out = [k for k, t in TRANSITIONS.items() if self.state in t.sources]
        if self.lot.kind is not PropertyKind.REAL_ESTATE:
            out = [k for k in out if k is not EventKind.REVIEW_QUALIFICATION]
        if self.offer is None or self.offer.get("answer"):
            out = [k for k in out if k not in (EventKind.ACCEPT_IN_PAYMENT, EventKind.DECLINE_IN_PAYMENT)]
        if self.is_fixed_price_sale:
            out = [k for k in out if k not in (EventKind.PAY_BALANCE, EventKind.RENEGE)]
        if self.state is LotState.TAKEN_IN_PAYMENT:
            if self.difference_pending:
                out = [k for k in out if k is not EventKind.RULE]
            else:
                out = [k for k in out if k not in (EventKind.PAY_DIFFERENCE, EventKind.DEFAULT_DIFFERENCE)]
        return out

    # --- recording ----------------------------------------------------------------------------------------

    @classmethod
    def replay(cls, lot: Lot, events: list[Event] | tuple[Event, ...], *, barred: tuple[str, ...] = (),
               today: date | None = None) -> Lifecycle:
        """The lifecycle after ``events`` (each checked as when it was recorded)."""
        life = cls(lot, barred=tuple(barred))
        for event in events:
            life = life.apply(event, today=today or event.on)
        return life

    def apply(self, event: Event, *, today: date) -> Lifecycle:
        """The lifecycle after ``event``; ``TransitionRefused`` (naming the article) when it is not allowed now."""
        transition = TRANSITIONS[event.kind]
        if self.state not in transition.sources:
            raise TransitionRefused(
                f"标的当前状态为“{self.state.label}”，不能{transition.label}"
                f"（只能在{'、'.join('“' + s.label + '”' for s in sorted(transition.sources))}时进行）",
                transition.citation)
        if event.on > today:
            raise TransitionRefused(f"{transition.label}的日期 {event.on.isoformat()} 晚于今天 {today.isoformat()}，"
                                    "不能登记尚未发生的事项")
        if event.at is not None and event.at.date() != event.on:
            raise TransitionRefused(f"时刻 {event.at:%Y-%m-%d %H:%M} 与日期 {event.on.isoformat()} 不是同一天")
        if self.last_on is not None and event.on < self.last_on:
            raise TransitionRefused(f"{transition.label}的日期 {event.on.isoformat()} 早于上一事项的日期 "
                                    f"{self.last_on.isoformat()}，事项应按发生顺序登记")
        handler = getattr(self, f"_on_{event.kind.value}")
        changes = handler(event, transition)
        target = changes.pop("state", transition.target or self.state)
        return replace(self, state=target, events=self.events + (event,), **changes)

    # --- the checks of each transition ---------------------------------------------------------------------

    def _on_panel_decision(self, event: Event, t: Transition) -> dict:
        members = tuple(m for m in (event.data.get("members") or []) if str(m).strip())
        if len(members) < 3:
            raise TransitionRefused("合议庭评议应记载至少三名合议庭成员（起拍价、降价幅度、增价幅度、保证金和优先购买权人"
                                    "资格及顺序由合议庭评议确定）", t.citation)
        return {"panel_on": event.on, "panel_members": members}

    def _on_no_surplus_notice(self, event: Event, t: Transition) -> dict:
        applicant = str(event.data.get("applicant") or "").strip()
        if not applicant:
            raise TransitionRefused("应写明受通知的申请执行人", t.citation)
        continued = event.data.get("continue_requested_on")
        if continued and date.fromisoformat(continued) < event.on:
            raise TransitionRefused("申请继续拍卖的日期早于通知日期", t.citation)
        return {"no_surplus_notice": {"on": event.on.isoformat(), "applicant": applicant,
                                      "continue_requested_on": continued}}

    def _on_announce(self, event: Event, t: Transition) -> dict:
        plan, lot = self.plan, self.lot
        prior = prior_claims_fen(lot)
        if prior is not None and plan.starting_price_fen <= prior:
            notice = self.no_surplus_notice
            if notice is None:
                raise TransitionRefused(
                    f"起拍价 {format_yuan(plan.starting_price_fen)} 不超过登记的优先债权 {format_yuan(prior)}，拍卖所得清偿"
                    "优先债权后无剩余可能，应在拍卖前通知申请执行人", R.NO_SURPLUS_NOTICE_ART)
            if not notice.get("continue_requested_on"):
                raise TransitionRefused("申请执行人收到无剩余可能的通知后五日内申请继续拍卖的，才能继续拍卖；"
                                        "尚未登记其申请", R.NO_SURPLUS_NOTICE_ART)
        if self.panel_on is None:
            raise TransitionRefused("尚未登记合议庭评议，起拍价、保证金等事项未经合议庭确定，不能发布公告",
                                    R.COLLEGIAL_PANEL_ART)
        if not lot.platform.strip():
            raise TransitionRefused("标的未载明网络司法拍卖平台，拍卖公告应当载明网络平台", R.PLATFORM_ART)
        needed = required_announcement_days(lot.kind, plan.round)
        if needed is not None:
            days, citation = needed
            ahead = (plan.bidding_start.date() - event.on).days
            if ahead < days:
                raise TransitionRefused(
                    f"{lot.kind.label}{plan.round.label}应在竞价开始 {days} 日前公告；{event.on.isoformat()} 公告距竞价开始 "
                    f"{plan.bidding_start.date().isoformat()} 仅 {ahead} 日", citation)
        latest_notice = event.on - timedelta(days=R.NOTIFICATION_DAYS_BEFORE_ANNOUNCEMENT)
        people = [(p.role.label, p.name, p.notified_on, p.unreachable_reason, p.waived, p.posted_on)
                  for p in lot.parties]
        people += [("优先购买权人", p.name, p.notified_on, p.unreachable_reason, p.waived, p.posted_on)
                   for p in (lot.priority_purchasers or [])]
        for role, name, notified_on, unreachable, waived, posted_on in people:
            if waived:
                continue
            if notified_on is None and unreachable:
                # 网拍规定 art. 16 para. 1: posted on the platform with the reason, deemed notified after 5 days,
                # and that deemed notice, like any other, three days before the announcement
                if posted_on is None:
                    raise TransitionRefused(f"{role}{name}无法通知（{unreachable}），尚未登记在网络司法拍卖平台公示的日期；"
                                            "无法通知的应在平台公示并说明理由，公示满五日视为已经通知", R.NOTIFICATION_ART)
                deemed = posted_on + timedelta(days=R.POSTED_NOTICE_DEEMED_SERVED_DAYS)
                if deemed > latest_notice:
                    raise TransitionRefused(
                        f"{role}{name}于 {posted_on.isoformat()} 才在平台公示，公示满五日为 {deemed.isoformat()}，"
                        f"应不迟于公告日 {event.on.isoformat()} 三日前（{latest_notice.isoformat()}）视为已经通知，"
                        f"即最迟于 {(latest_notice - timedelta(days=R.POSTED_NOTICE_DEEMED_SERVED_DAYS)).isoformat()} 公示",
                        R.NOTIFICATION_ART)
                continue
            if notified_on is None:
                raise TransitionRefused(f"{role}{name}尚未通知，应在拍卖公告发布三日前通知", R.NOTIFICATION_ART)
            if notified_on > latest_notice:
                raise TransitionRefused(
                    f"{role}{name}于 {notified_on.isoformat()} 才通知，应不迟于公告日 {event.on.isoformat()} 三日前"
                    f"（{latest_notice.isoformat()}）", R.NOTIFICATION_ART)
        return {"announced_on": event.on}

    def _on_open_bidding(self, event: Event, t: Transition) -> dict:
        start = self.plan.bidding_start
        at = event.at or datetime.combine(event.on, start.time())
        if at < start:
            word = "变卖期间" if self.is_fixed_price_sale else "竞价"
            raise TransitionRefused(f"公告的{word}开始时间为 {start:%Y-%m-%d %H:%M}，不能提前开始", t.citation)
        return {"bidding_opened_at": at}

    def _checked_sale(self, event: Event, t: Transition) -> Sale:
        plan, data = self.plan, event.data
        if event.at is None:
            raise TransitionRefused("成交须登记成交时刻（年月日时分）")
        name = str(data.get("buyer_name") or "").strip()
        if not name:
            raise TransitionRefused("成交须登记买受人姓名或名称", R.SALE_CONFIRMATION_ART)
        id_number = str(data.get("buyer_id_number") or "").strip()
        if id_number and len(id_number) == 18 and not id_number[:17].isdigit():
            # an organisation's 统一社会信用代码 (GB 32100-2015) is 18 characters too, with letters in its body
            try:
                id_number = uscc.validate(id_number)
            except ValidationError:
                raise TransitionRefused(f"买受人统一社会信用代码“{id_number}”无效，应为 18 位且校验位正确") from None
        elif id_number and len(id_number) == 18:
            try:
                id_number = ric.validate(id_number)
            except ValidationError:
                raise TransitionRefused(f"买受人身份证号“{id_number}”无效，应为 18 位且校验位正确") from None
        elif not id_number:
            raise TransitionRefused("成交须登记买受人身份证号码或统一社会信用代码", R.SALE_CONFIRMATION_ART)
        for barred in self.barred:
            if barred and barred in (id_number, name):
                raise TransitionRefused(f"买受人{name}曾在本标的悔拍，不得参加重新拍卖的竞买",
                                        R.REAUCTION_AFTER_RENEGING_ART)
        price = data.get("price_fen")
        if not isinstance(price, int) or price <= 0:
            raise TransitionRefused("成交须登记成交价（元，精确到分）")
        if self.is_fixed_price_sale:
            if price != plan.starting_price_fen:
                raise TransitionRefused(f"变卖以固定价格 {format_yuan(plan.starting_price_fen)} 成交，不竞价；登记的"
                                        f"成交价为 {format_yuan(price)}", R.FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART)
            if not plan.bidding_start <= event.at <= plan.bidding_end:
                raise TransitionRefused(f"变卖期间为 {plan.bidding_start:%Y-%m-%d %H:%M} 至 "
                                        f"{plan.bidding_end:%Y-%m-%d %H:%M}，成交时刻不在其中",
                                        R.FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART)
        else:
            if price < plan.starting_price_fen:
                raise TransitionRefused(f"成交价 {format_yuan(price)} 低于起拍价 {format_yuan(plan.starting_price_fen)}，"
                                        "低于起拍价的出价无效", R.BID_INCREMENT_ART)
            if event.at < plan.bidding_end:
                raise TransitionRefused(f"竞价至 {plan.bidding_end:%Y-%m-%d %H:%M} 结束（有出价的顺延），成交时刻 "
                                        f"{event.at:%Y-%m-%d %H:%M} 早于竞价结束", R.MIN_BIDDING_ART)
        priority = str(data.get("by_priority_purchaser") or "").strip()
        if priority:
            known = {p.name: p for p in (self.lot.priority_purchasers or [])}
            if priority not in known:
                raise TransitionRefused(f"“{priority}”不是本标的登记的优先购买权人", R.PRIORITY_PURCHASE_ART)
            if known[priority].waived:
                raise TransitionRefused(f"优先购买权人{priority}已书面放弃优先购买权", R.PRIORITY_PURCHASER_WAIVER_ART)
            if priority != name:
                raise TransitionRefused(f"以优先购买权竞得的，买受人应为优先购买权人{priority}本人",
                                        R.PRIORITY_PURCHASE_ART)
        due = None if self.is_fixed_price_sale else max(plan.balance_due_on, event.on)
        return Sale(name, id_number, str(data.get("bidder_code") or "").strip(), price, event.at, due, priority)

    def _on_sold(self, event: Event, t: Transition) -> dict:
        sale = self._checked_sale(event, t)
        if self.is_fixed_price_sale:
            # the full price is paid up front when the buyer takes the fixed-price offer
            return {"sale": sale, "paid_on": event.on, "state": LotState.PAID}
        return {"sale": sale}

    def _on_correct_sale(self, event: Event, t: Transition) -> dict:
        reason = str(event.data.get("reason") or "").strip()
        if not reason:
            raise TransitionRefused("更正已登记的成交须写明更正理由（更正本身记入台账）")
        merged = {**{"buyer_name": self.sale.buyer_name, "buyer_id_number": self.sale.buyer_id_number,
                     "bidder_code": self.sale.bidder_code, "price_fen": self.sale.price_fen}, **event.data}
        at = event.at or self.sale.sold_at
        return {"sale": self._checked_sale(Event(EventKind.SOLD, at.date(), at, merged), t)}

    def _on_unsold(self, event: Event, t: Transition) -> dict:
        end = self.plan.bidding_end.date()
        if event.on < end:
            raise TransitionRefused(f"竞价期间至 {end.isoformat()} 结束，不能在此之前登记流拍", t.citation)
        return {"unsold_on": event.on}

    def _reason(self, event: Event, t: Transition, what: str) -> str:
        reason = str(event.data.get("reason") or "").strip()
        if not reason:
            raise TransitionRefused(f"{what}须写明原因或理由", t.citation)
        return reason

    def _on_withdraw(self, event: Event, t: Transition) -> dict:
        return {"withdrawn": {"on": event.on.isoformat(), "reason": self._reason(event, t, "撤回拍卖")}}

    def _on_suspend(self, event: Event, t: Transition) -> dict:
        reason = self._reason(event, t, "暂缓或中止拍卖")
        mode = event.data.get("mode") or "暂缓"
        if mode not in ("暂缓", "中止"):
            raise TransitionRefused(f"“{mode}”无效，应为暂缓或中止", t.citation)
        until = event.data.get("until")
        if until and date.fromisoformat(until) < event.on:
            raise TransitionRefused(f"暂缓期限 {until} 早于决定日 {event.on.isoformat()}", t.citation)
        return {"suspended": {"on": event.on.isoformat(), "reason": reason, "mode": mode, "until": until,
                              "from": self.state.value}}

    def _on_resume(self, event: Event, t: Transition) -> dict:
        until = self.suspended.get("until")
        if until and event.on < date.fromisoformat(until) and not event.data.get("cause_removed"):
            raise TransitionRefused(f"暂缓期限至 {until} 届满，届满前恢复应写明暂缓事由已消失", t.citation)
        previous = LotState(self.suspended["from"])
        return {"state": previous, "resumed_to": previous}

    def _on_review_qualification(self, event: Event, t: Transition) -> dict:
        if self.lot.kind is not PropertyKind.REAL_ESTATE:
            raise TransitionRefused("购房资格审核只适用于司法拍卖房产", t.citation)
        reviewer = str(event.data.get("reviewer") or "").strip()
        evidence = str(event.data.get("evidence") or "").strip()
        if not reviewer or not evidence:
            raise TransitionRefused("购房资格审核应记载审核人和审核的证明材料", t.citation)
        if event.on < self.sale.sold_at.date():
            raise TransitionRefused("购房资格审核应在成交之后", t.citation)
        review = Review(event.on, reviewer, evidence, bool(event.data.get("qualified")))
        return {"reviews": self.reviews + (review,)}

    def _on_pay_balance(self, event: Event, t: Transition) -> dict:
        sale = self.sale
        if event.on < sale.sold_at.date():
            raise TransitionRefused("余款付清日期早于成交日期", t.citation)
        if sale.balance_due_on is not None and event.on > sale.balance_due_on:
            raise TransitionRefused(f"余款交付期限 {sale.balance_due_on.isoformat()} 已过，{event.on.isoformat()} "
                                    "付款不能登记为按期付清；买受人逾期未付的，按悔拍处理", t.citation)
        return {"paid_on": event.on}

    def _on_renege(self, event: Event, t: Transition) -> dict:
        due = self.sale.balance_due_on
        declared = bool(event.data.get("written_refusal"))
        if not declared and due is not None and event.on <= due:
            raise TransitionRefused(f"余款交付期限至 {due.isoformat()} 24:00 届满，届满前只有买受人书面表示不再付款的"
                                    "才能登记悔拍", R.BALANCE_DUE_ART)
        return {"reneged_on": event.on, "forfeited_deposit_fen": self.plan.deposit_fen}

    def _on_rule(self, event: Event, t: Transition) -> dict:
        if self.difference_pending:
            raise TransitionRefused(f"承受人应补交差价 {format_yuan(self.difference_fen)}，尚未登记补交；抵债裁定应在"
                                    "需要补交的差价全额交付后作出", t.citation)
        since = self.paid_on or self.difference_paid_on or self.taken_in_payment_on
        if event.on < since:
            raise TransitionRefused(f"成交裁定应在价款全额交付（{since.isoformat()}）之后作出", t.citation)
        if self.lot.kind is PropertyKind.REAL_ESTATE and self.state is LotState.PAID:
            review = self.review
            if review is None:
                raise TransitionRefused("尚未审核买受人的购房资格，不能出具成交裁定书",
                                        R.HOUSING_QUALIFICATION_REVIEW_ART)
            if not review.qualified:
                raise TransitionRefused("经审核买受人不具备购房资格，不予出具成交裁定书", R.HOUSING_QUALIFICATION_REVIEW_ART)
            if review.on > event.on:
                raise TransitionRefused("购房资格审核晚于裁定日期", R.HOUSING_QUALIFICATION_REVIEW_ART)
        return {"ruled_on": event.on}

    def _on_notify_registry(self, event: Event, t: Transition) -> dict:
        registry = str(event.data.get("registry") or REGISTRY_BY_KIND.get(self.lot.kind) or "").strip()
        if not registry:
            raise TransitionRefused(f"{self.lot.kind.label}须写明协助执行的登记机关")
        return {"registry_notices": self.registry_notices + ({"on": event.on.isoformat(), "registry": registry},)}

    def _on_start_eviction(self, event: Event, t: Transition) -> dict:
        return {"eviction_started_on": event.on}

    def _on_deliver(self, event: Event, t: Transition) -> dict:
        if not str(event.data.get("receiver") or "").strip():
            raise TransitionRefused("移交笔录应记载接收人", t.citation)
        return {"delivered_on": event.on}

    def _offer_citation(self) -> R.Citation:
        if self.round is AuctionRound.FIRST_AUCTION:
            return R.TAKE_IN_PAYMENT_ART
        if self.is_fixed_price_sale:
            return R.FIXED_PRICE_SALE_FAILED_ART
        return R.TAKE_IN_PAYMENT_MOVABLE_ART if self.lot.kind.is_movable else R.TAKE_IN_PAYMENT_IMMOVABLE_ART

    def _on_offer_in_payment(self, event: Event, t: Transition) -> dict:
        to = str(event.data.get("to") or "").strip()
        if not to:
            raise TransitionRefused("以物抵债应写明受询问的申请执行人或其他执行债权人", t.citation)
        if self.offer and not self.offer.get("answer"):
            raise TransitionRefused("已有尚未答复的抵债询问", t.citation)
        return {"offer": {"on": event.on.isoformat(), "to": to, "price_fen": self.plan.starting_price_fen,
                          "article": str(self._offer_citation())}}

    def _on_accept_in_payment(self, event: Event, t: Transition) -> dict:
        offer = {**self.offer, "answer": "accepted", "answered_on": event.on.isoformat()}
        claim = event.data.get("claim_fen")
        if claim is not None:
            if not isinstance(claim, int) or isinstance(claim, bool) or claim <= 0:
                raise TransitionRefused("承受人应受清偿的债权额应为正数（元，精确到分）", t.citation)
            offer["claim_fen"] = claim
            difference = max(0, offer["price_fen"] - claim)
            offer["difference_fen"] = difference
            if difference:  # 拍卖变卖规定 art. 16 para. 2: the court sets the period for the difference
                due = event.data.get("difference_due_on")
                if not due:
                    raise TransitionRefused(
                        f"承受人应受清偿的债权额 {format_yuan(claim)} 低于抵债价 {format_yuan(offer['price_fen'])}，应责令其在"
                        f"指定期间内补交差价 {format_yuan(difference)}：请填写补交期限", t.citation)
                try:
                    due_on = date.fromisoformat(str(due))
                except ValueError:
                    raise TransitionRefused(f"补交期限“{due}”无效，应为 YYYY-MM-DD", t.citation) from None
                if due_on < event.on:
                    raise TransitionRefused(f"补交期限 {due_on.isoformat()} 早于接受抵债之日 {event.on.isoformat()}",
                                            t.citation)
                offer["difference_due_on"] = due_on.isoformat()
        return {"offer": offer, "taken_in_payment_on": event.on}

    def _on_pay_difference(self, event: Event, t: Transition) -> dict:
        if not self.difference_pending:
            raise TransitionRefused("本次抵债没有需要补交的差价，或差价已登记补交", t.citation)
        amount = event.data.get("amount_fen")
        if amount != self.difference_fen:
            shown = format_yuan(amount) if isinstance(amount, int) and not isinstance(amount, bool) else "未填写"
            raise TransitionRefused(f"应补交差价 {format_yuan(self.difference_fen)}，登记的金额为 {shown}；"
                                    "差价应全额交付", t.citation)
        due = date.fromisoformat(self.offer["difference_due_on"])
        if event.on > due:
            raise TransitionRefused(f"补交期限 {due.isoformat()} 已过，{event.on.isoformat()} 交付不能登记为按期补交；"
                                    "承受人逾期未补交差价的，可以裁定重新拍卖", R.REAUCTION_AFTER_RENEGING_ART)
        return {"difference_paid_on": event.on}

    def _on_default_difference(self, event: Event, t: Transition) -> dict:
        if not self.difference_pending:
            raise TransitionRefused("本次抵债没有尚未补交的差价", t.citation)
        due = date.fromisoformat(self.offer["difference_due_on"])
        if event.on <= due:
            raise TransitionRefused(f"补交期限至 {due.isoformat()} 届满，届满后才能登记逾期未补交", t.citation)
        return {"reneged_on": event.on, "forfeited_deposit_fen": 0}

    def _on_decline_in_payment(self, event: Event, t: Transition) -> dict:
        return {"offer": {**self.offer, "answer": "declined", "answered_on": event.on.isoformat()}}

    # --- the agenda ------------------------------------------------------------------------------------------

    def next_steps(self, calendar: WorkingCalendar) -> list[NextStep]:
        """What the court must do next, with the deadline and its article (期间: 民诉法 art. 85)."""
        plan, s = self.plan, self.state
        days = periods.calendar_days
        if s is LotState.PLANNED:
            out = []
            prior = prior_claims_fen(self.lot)
            if prior is not None and plan.starting_price_fen <= prior and self.no_surplus_notice is None:
                out.append(NextStep("通知申请执行人：拍卖所得清偿优先债权后无剩余可能", None, R.NO_SURPLUS_NOTICE_ART,
                                    "申请执行人收到通知后五日内可申请继续拍卖。"))
            if self.panel_on is None:
                out.append(NextStep("合议庭评议起拍价、保证金等事项", None, R.COLLEGIAL_PANEL_ART))
            out.append(NextStep("通知当事人和已知优先购买权人（公告发布三日前）",
                                _fixed(plan.notify_parties_by, str(R.NOTIFICATION_ART)), R.NOTIFICATION_ART))
            out.append(NextStep("发布公告", _fixed(plan.announce_on, "拍卖方案"), R.FIRST_AUCTION_ANNOUNCEMENT_ART))
            return out
        if s is LotState.ANNOUNCED:
            return [NextStep("开始竞价" if not self.is_fixed_price_sale else "开始变卖",
                             _fixed(plan.bidding_start.date(), "拍卖公告"), R.MIN_BIDDING_ART)]
        if s is LotState.BIDDING:
            return [NextStep("登记竞价结果（成交或流拍）" if not self.is_fixed_price_sale else "登记变卖结果",
                             _fixed(plan.bidding_end.date(), "拍卖公告"), R.UNSOLD_ART)]
        if s is LotState.SOLD:
            out = [NextStep("买受人交付余款", _fixed(self.sale.balance_due_on, str(R.BALANCE_DUE_ART)), R.BALANCE_DUE_ART,
                            "逾期未付的登记悔拍，保证金不予退还。")]
            if self.lot.kind is PropertyKind.REAL_ESTATE and self.review is None:
                out.append(NextStep("审核买受人购房资格（出具成交裁定书前）", None, R.HOUSING_QUALIFICATION_REVIEW_ART))
            return out
        if s is LotState.TAKEN_IN_PAYMENT and self.difference_pending:
            return [NextStep(f"承受人补交差价 {format_yuan(self.difference_fen)}",
                             _fixed(date.fromisoformat(self.offer["difference_due_on"]), str(R.TAKE_IN_PAYMENT_ART)),
                             R.TAKE_IN_PAYMENT_ART, "逾期未补交的，可以裁定重新拍卖（拍卖变卖规定第二十二条）。")]
        if s in (LotState.PAID, LotState.TAKEN_IN_PAYMENT):
            since = self.paid_on or self.difference_paid_on or self.taken_in_payment_on
            out = []
            if s is LotState.PAID and self.lot.kind is PropertyKind.REAL_ESTATE and self.review is None:
                out.append(NextStep("审核买受人购房资格", None, R.HOUSING_QUALIFICATION_REVIEW_ART))
            out.append(NextStep("作出并送达成交（抵债）裁定", days(since, R.SALE_RULING_SERVICE_DAYS, calendar,
                                                          article=str(R.SALE_RULING_SERVICE_ART)),
                                R.SALE_RULING_SERVICE_ART))
            return out
        if s is LotState.RULED:
            out = []
            if not self.registry_notices and REGISTRY_BY_KIND.get(self.lot.kind):
                out.append(NextStep(f"向{REGISTRY_BY_KIND[self.lot.kind]}发出协助执行通知书", None,
                                    R.OFFLINE_OWNERSHIP_TRANSFER_ART))
            note = f"已于 {self.eviction_started_on.isoformat()} 启动强制腾退。" if self.eviction_started_on else ""
            out.append(NextStep("移交财产（交付笔录）", days(self.ruled_on, R.HANDOVER_DAYS, calendar,
                                                      article=str(R.HANDOVER_ART)), R.HANDOVER_ART, note))
            return out
        if s is LotState.UNSOLD:
            if self.round is AuctionRound.FIRST_AUCTION:
                return [NextStep("第二次拍卖（开始竞价）", days(self.unsold_on, R.REAUCTION_WITHIN_DAYS, calendar,
                                                         article=str(R.REAUCTION_WITHIN_ART)), R.REAUCTION_WITHIN_ART,
                                 "也可询问申请执行人是否以本次保留价抵债（拍卖变卖规定第十六条）。")]
            if self.round is AuctionRound.SECOND_AUCTION:
                return [NextStep("变卖或以物抵债", None, R.FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART,
                                 "法律未规定二拍流拍后变卖的期限。")]
            return [NextStep("以物抵债，或解除查封退还被执行人", None, R.FIXED_PRICE_SALE_FAILED_ART)]
        if s is LotState.SUSPENDED:
            until = self.suspended.get("until")
            if until:
                return [NextStep("恢复拍卖（暂缓期限届满后五日内）",
                                 days(date.fromisoformat(until), R.RESUME_WITHIN_DAYS, calendar,
                                      article=str(R.RESUME_ART)), R.RESUME_ART)]
            return [NextStep("中止事由消失后五日内恢复拍卖", None, R.RESUME_ART)]
        if s is LotState.RENEGED:
            return [NextStep("裁定重新拍卖（原买受人不得参加）", None, R.REAUCTION_AFTER_RENEGING_ART)]
        return []


def _fixed(day: date | None, article: str) -> periods.Deadline | None:
    """A date fixed by the plan or the announcement (not a counted period)."""
    if day is None:
        return None
    return periods.Deadline(day, day, datetime.combine(day + timedelta(days=1), datetime.min.time()), False, "",
                            article)


def prior_claims_fen(lot: Lot) -> int | None:
    """The claims registered ahead of the applicant on the lot (抵押、质押等优先受偿的债权数额), None when none is
    stated; compared with the reserve price for 拍卖变卖规定 art. 6 (no surplus: notify the applicant first)."""
    amounts = [e.amount_fen for e in (lot.encumbrances or [])
               if e.amount_fen is not None and e.type.value in ("mortgage", "pledge", "other")]
    return sum(amounts) if amounts else None


def shortfall_fen(original_price_fen: int, new_price_fen: int, forfeited_deposit_fen: int) -> dict[str, int]:
    """What the reneging buyer owes after the re-auction (网拍规定 art. 24; 拍卖变卖规定 art. 22 para. 2): the gap
    between the original and the new price, less the forfeited deposit; a deposit beyond the gap stays applied to
    the costs and the debts in the order of art. 24 (online: not refunded)."""
    gap = max(0, original_price_fen - new_price_fen)
    return {"gap_fen": gap, "covered_by_deposit_fen": min(gap, forfeited_deposit_fen),
            "owed_fen": max(0, gap - forfeited_deposit_fen)}
