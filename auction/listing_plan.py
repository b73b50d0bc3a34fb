"""The listing plan (拍卖方案): prices and schedule of one round of an online judicial auction, by the rules.

``plan_listing`` turns a reference price (参考价), the property kind and the round into a starting price
(起拍价 = 保留价), deposit (保证金), bid increment (加价幅度) and the schedule; ``check_plan`` lists every
rule a plan breaks with its article, and ``plan_listing`` refuses such a plan (``PlanRefused``).
The numbers of the rules come from ``auction.rules.online_auction_rules``; the court's own choices
(percentages within the rules, round numbers, times of day) from ``CourtPolicy``.

Days are counted as calendar days between dates: an announcement on 11-01 for bidding that starts on 12-01
is 30 days ahead (网拍规定 art. 12). Pass the dates; nothing here reads the clock.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from auction.amounts import format_percent
from auction.lot_kinds import AuctionRound, PropertyKind, parse_kind
from auction.plain_data import PlainDataError, from_plain, to_plain
from auction.rules import online_auction_rules as R
from tax_baseline.money import InvalidAmount, format_yuan, to_fen

__all__ = [
    "DEFAULT_POLICY",
    "AuctionRound",
    "CourtPolicy",
    "ListingPlan",
    "PlanRefused",
    "PropertyKind",
    "RuleViolation",
    "bidding_closes_at",
    "check_plan",
    "parse_kind",
    "plan_listing",
    "policy_from_dict",
    "reauction_deadline",
    "policy_to_dict",
    "required_announcement_days",
]


@dataclass(frozen=True)
class CourtPolicy:
    """A court's choices inside the rules. Defaults follow observed practice (RULES.md section 6).

    Rounding: the starting price is rounded UP to ``starting_price_digits`` significant digits (so the
    70% floor and the 20% cut cap are never broken by rounding); the deposit to ``deposit_digits`` significant
    digits, half up, with more digits only when the round number would leave 5%-20%; the increment to the nearest
    1-2-5 round number (100, 200, 500, 1,000 ...; geometric nearest), never below ``min_increment_fen``.
    """

    name: str = "默认"
    first_auction_ratio: Decimal = Decimal("0.70")
    second_auction_cut: Decimal = Decimal("0.20")
    deposit_ratio: Decimal = Decimal("0.10")
    increment_ratio: Decimal = Decimal("0.003")
    starting_price_digits: int | None = 4
    deposit_digits: int | None = 2
    min_increment_fen: int = 100_00
    bidding_start_time: time = time(10, 0)
    bidding_hours: int = R.MIN_BIDDING_HOURS
    #: extra days on top of the legal minimum between announcement and bidding.
    announcement_margin_days: int = 0
    #: days between the fixed-price-sale announcement and the start of the sale period (no rule; practice).
    fixed_price_sale_notice_days: int = 7
    fixed_price_sale_days: int = R.FIXED_PRICE_SALE_DAYS
    #: 尾款 due this many days after bidding ends (practice: 10 days, moved past holidays).
    balance_due_days: int = 10


DEFAULT_POLICY = CourtPolicy()


def policy_to_dict(policy: CourtPolicy) -> dict:
    """JSON-safe (ratios as decimal text, times as HH:MM:SS), e.g. for a court's settings."""
    return to_plain(policy)


def policy_from_dict(data: dict) -> CourtPolicy:
    """A court's policy from JSON; missing keys keep the defaults, unknown or malformed ones are refused."""
    try:
        return from_plain(CourtPolicy, data, "法院拍卖政策")
    except PlainDataError as exc:
        raise ValueError(str(exc)) from None


@dataclass
class ListingPlan:
    """One round's prices (integer fen) and schedule."""

    kind: PropertyKind
    round: AuctionRound
    reference_price_fen: int
    starting_price_fen: int
    deposit_fen: int
    bid_increment_fen: int
    announce_on: date
    notify_parties_by: date
    post_unreachable_by: date
    bidding_start: datetime
    bidding_end: datetime
    extension_minutes: int
    balance_due_on: date
    previous_starting_price_fen: int | None = None
    failed_on: date | None = None
    #: the latest start of this round's bidding (网拍规定 art. 26: within 30 days of the previous failure; a last
    #: day on a rest day rolled to the next working day, 民诉法 art. 85).
    latest_bidding_start: date | None = None
    #: if a first auction fails, the second must start by this date (网拍规定 art. 26, rolled by 民诉法 art. 85).
    #: None for a second auction (after it the law sets no period for the 变卖 or an offer in payment, art. 26
    #: para. 2) and for a 变卖.
    next_round_deadline: date | None = None
    #: 变卖: the amount paid up front by a buyer (the full price, in practice).
    advance_payment_fen: int | None = None
    policy_name: str = DEFAULT_POLICY.name
    notes: list[str] = field(default_factory=list)

    @property
    def announcement_days(self) -> int:
        return (self.bidding_start.date() - self.announce_on).days

    @property
    def bidding_hours(self) -> Decimal:
        return Decimal((self.bidding_end - self.bidding_start).total_seconds()) / 3600

    @property
    def is_fixed_price_sale(self) -> bool:
        return self.round is AuctionRound.FIXED_PRICE_SALE

    def extension_rule(self) -> str:
        """The anti-sniping rule as announced (网拍规定 art. 20); a 变卖 has no bidding and no extension."""
        if self.is_fixed_price_sale:
            return "变卖不设竞价程序，不设加价幅度，不适用延时规则；以变卖价先行全额交付价款者为买受人。"
        return (
            f"竞价程序结束前{self.extension_minutes}分钟内无人出价的，最后出价即为成交价；有出价的，"
            f"竞价时间自该出价时点顺延{self.extension_minutes}分钟，循环往复直至无人出价。"
        )

    def to_dict(self) -> dict:
        """JSON-safe and stable: enums as values, dates ISO, money as integer fen."""
        data = asdict(self)
        for key, value in data.items():
            if isinstance(value, enum.Enum):
                data[key] = value.value
            elif isinstance(value, datetime | date):
                data[key] = value.isoformat()
        data["announcement_days"] = self.announcement_days
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ListingPlan:
        values = {k: v for k, v in data.items() if k != "announcement_days"}
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"拍卖方案含未知字段：{'、'.join(sorted(unknown))}。")
        values["kind"] = PropertyKind(values["kind"])
        values["round"] = AuctionRound(values["round"])
        for key in ("bidding_start", "bidding_end"):
            values[key] = datetime.fromisoformat(values[key])
        for key in ("announce_on", "notify_parties_by", "post_unreachable_by", "balance_due_on", "failed_on",
                    "latest_bidding_start", "next_round_deadline"):
            if values.get(key) is not None:
                values[key] = date.fromisoformat(values[key])
        return cls(**values)


@dataclass(frozen=True)
class RuleViolation:
    """One rule a plan breaks: what, the article, and the Chinese message for the clerk."""

    code: str
    citation: R.Citation
    message: str

    def __str__(self) -> str:
        return f"{self.message}（{self.citation}）"


class PlanRefused(ValueError):
    """A plan breaks at least one rule. ``violations`` names each with its article."""

    def __init__(self, violations: list[RuleViolation]):
        self.violations = violations
        super().__init__("拍卖方案不符合规定：" + "；".join(str(v) for v in violations) + "。")


# --- rounding ----------------------------------------------------------------------------------------


def _round_significant(fen: int, digits: int | None, rounding: str) -> int:
    """Round to ``digits`` significant digits of the yuan amount (at least to the yuan)."""
    if digits is None:
        unit = 100
    else:
        unit = max(100, 10 ** max(0, len(str(abs(fen))) - digits))
    return int((Decimal(fen) / unit).quantize(Decimal(1), rounding=rounding)) * unit


def _round_125(fen: int, minimum: int) -> int:
    """Nearest value of 1, 2, 5 × 10^n yuan (geometric nearest), at least ``minimum``."""
    if fen <= minimum:
        return minimum
    candidates = []
    unit = 100
    while unit <= fen * 10:
        candidates += [unit, unit * 2, unit * 5]
        unit *= 10
    target = Decimal(fen)
    best = min(candidates, key=lambda c: abs((Decimal(c) / target).ln()))
    return max(best, minimum)


def _deposit(start_fen: int, policy: CourtPolicy) -> int:
    """``policy.deposit_ratio`` of the start, rounded half up to ``policy.deposit_digits`` significant digits;
    when that round number falls outside 5%-20% (网拍规定 art. 17), one more digit at a time, and at worst
    the exact fen clamped into the range."""
    target = _ratio_of(start_fen, policy.deposit_ratio)
    low = _ratio_of(start_fen, R.DEPOSIT_MIN_RATIO, ROUND_CEILING)
    high = _ratio_of(start_fen, R.DEPOSIT_MAX_RATIO, ROUND_FLOOR)
    if policy.deposit_digits is not None:
        for digits in range(policy.deposit_digits, len(str(target)) + 1):
            candidate = _round_significant(target, digits, ROUND_HALF_UP)
            if low <= candidate <= high:
                return candidate
    return min(max(target, low), high)


def _ratio_of(fen: int, ratio: Decimal, rounding: str = ROUND_HALF_UP) -> int:
    return int((Decimal(fen) * ratio).quantize(Decimal(1), rounding=rounding))


def _money(value: Decimal | int | str | None, what: str) -> int | None:
    if value is None:
        return None
    try:
        fen = to_fen(value)
    except InvalidAmount as exc:
        raise ValueError(f"{what}：{exc}") from None
    if fen <= 0:
        raise ValueError(f"{what}应大于零，收到 {format_yuan(fen)}。")
    return fen


def required_announcement_days(kind: PropertyKind, round_: AuctionRound) -> tuple[int, R.Citation] | None:
    """Minimum days between announcement and bidding (网拍规定 art. 12; re-auction art. 26).
    ``None`` for a fixed-price sale, for which the rules set no period."""
    if round_ is AuctionRound.FIRST_AUCTION:
        days = R.FIRST_AUCTION_ANNOUNCEMENT_DAYS_MOVABLE if kind.is_movable else R.FIRST_AUCTION_ANNOUNCEMENT_DAYS_IMMOVABLE
        return days, R.FIRST_AUCTION_ANNOUNCEMENT_ART
    if round_ is AuctionRound.SECOND_AUCTION:
        days = R.REAUCTION_ANNOUNCEMENT_DAYS_MOVABLE if kind.is_movable else R.REAUCTION_ANNOUNCEMENT_DAYS_IMMOVABLE
        return days, R.REAUCTION_ANNOUNCEMENT_ART
    return None


def plan_listing(
    reference_price: Decimal | int | str,
    kind: PropertyKind | str,
    round: AuctionRound | str,  # noqa: A002 - the domain word
    announce_on: date,
    policy: CourtPolicy = DEFAULT_POLICY,
    previous_starting_price: Decimal | int | str | None = None,
    failed_on: date | None = None,
    *,
    starting_price: Decimal | int | str | None = None,
    deposit: Decimal | int | str | None = None,
    bid_increment: Decimal | int | str | None = None,
    bidding_start: datetime | None = None,
    bidding_end: datetime | None = None,
    is_working_day: Callable[[date], bool] | None = None,
) -> ListingPlan:
    """Plan one round from the reference price (yuan). Refuses (``PlanRefused``) a plan that breaks a rule.

    - first auction: start = reference × ``policy.first_auction_ratio`` (≥ 70%, 网拍规定 art. 10);
    - second auction: start = previous start × (1 − ``policy.second_auction_cut``) (cut ≤ 20%, art. 26);
      bidding must begin within 30 days of ``failed_on`` (art. 26);
    - fixed-price sale (变卖): price = the second auction's start (``previous_starting_price``) by default and
      never below it (拍卖变卖规定 art. 25 para. 2), paid in full up front; no deposit, no increment, no bidding,
      no extension (网拍规定 arts. 26 para. 2, 37); the sale runs ``policy.fixed_price_sale_days`` (60) days
      (practice; 拍卖变卖规定 art. 25 para. 2).

    Explicit ``starting_price``/``deposit``/``bid_increment``/``bidding_start``/``bidding_end`` replace the
    computed values (a clerk's own numbers) and are checked the same way. ``is_working_day`` (e.g.
    ``chinese_calendar.is_workday``) moves the balance due date past holidays and, unless the times are
    given, the bidding to start and end on working days (never earlier than the rules allow).
    """
    kind = parse_kind(kind)
    round_ = AuctionRound.parse(round)
    reference_fen = _money(reference_price, "参考价")
    previous_fen = _money(previous_starting_price, "前次起拍价")
    if round_ is not AuctionRound.FIRST_AUCTION and previous_fen is None:
        raise ValueError(f"{round_.label}需要前次起拍价（--previous-starting-price），以核对降价幅度。")

    if starting_price is not None:
        start_fen = _money(starting_price, "起拍价")
    elif round_ is AuctionRound.FIRST_AUCTION:
        start_fen = _round_significant(
            _ratio_of(reference_fen, policy.first_auction_ratio, ROUND_CEILING), policy.starting_price_digits, ROUND_CEILING
        )
    elif round_ is AuctionRound.SECOND_AUCTION:
        start_fen = _round_significant(
            _ratio_of(previous_fen, 1 - policy.second_auction_cut, ROUND_CEILING),
            policy.starting_price_digits,
            ROUND_CEILING,
        )
    else:
        start_fen = previous_fen

    if round_ is AuctionRound.FIXED_PRICE_SALE:
        # 变卖: a fixed price paid in full up front; no deposit, no bidding, no increment (网拍规定 art. 26 para. 2,
        # art. 37; 拍卖变卖规定 art. 25 para. 2). A clerk's deposit or increment is refused, not ignored.
        if deposit is not None or bid_increment is not None:
            raise PlanRefused([RuleViolation(
                "fixed_price_sale_no_bidding", R.FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART,
                "变卖以固定价格一次性全额交付价款，不设保证金和加价幅度")])
        deposit_fen = 0
        increment_fen = 0
    else:
        if deposit is not None:
            deposit_fen = _money(deposit, "保证金")
        else:
            deposit_fen = _deposit(start_fen, policy)
        if bid_increment is not None:
            increment_fen = _money(bid_increment, "加价幅度")
        else:
            increment_fen = _round_125(_ratio_of(start_fen, policy.increment_ratio), policy.min_increment_fen)

    needed = required_announcement_days(kind, round_)
    lead_days = (needed[0] if needed else policy.fixed_price_sale_notice_days) + policy.announcement_margin_days
    chosen_start = bidding_start
    if bidding_start is None:
        bidding_start = datetime.combine(announce_on + timedelta(days=lead_days), policy.bidding_start_time)

    def end_of(start: datetime) -> datetime:
        if round_ is AuctionRound.FIXED_PRICE_SALE:
            return start + timedelta(days=policy.fixed_price_sale_days)
        return start + timedelta(hours=policy.bidding_hours)

    if chosen_start is None and bidding_end is None and is_working_day is not None:
        # bidding starts and ends on working days, when the clerks and the buyers' banks are there; only
        # ever later than the legal minimum, so the announcement period still holds
        for _ in range(30):
            if is_working_day(bidding_start.date()) and is_working_day(end_of(bidding_start).date()):
                break
            bidding_start += timedelta(days=1)
    if bidding_end is None:
        bidding_end = end_of(bidding_start)

    balance_due = bidding_end.date() + timedelta(days=policy.balance_due_days)
    if is_working_day is not None:
        while not is_working_day(balance_due):
            balance_due += timedelta(days=1)

    latest_start = None
    if round_ is AuctionRound.SECOND_AUCTION and failed_on is not None:
        latest_start = reauction_deadline(failed_on, is_working_day)
    next_deadline = None
    if round_ is AuctionRound.FIRST_AUCTION:
        next_deadline = reauction_deadline(bidding_end.date(), is_working_day)

    notify_by = announce_on - timedelta(days=R.NOTIFICATION_DAYS_BEFORE_ANNOUNCEMENT)
    plan = ListingPlan(
        kind=kind,
        round=round_,
        reference_price_fen=reference_fen,
        starting_price_fen=start_fen,
        deposit_fen=deposit_fen,
        bid_increment_fen=increment_fen,
        announce_on=announce_on,
        notify_parties_by=notify_by,
        post_unreachable_by=notify_by - timedelta(days=R.POSTED_NOTICE_DEEMED_SERVED_DAYS),
        bidding_start=bidding_start,
        bidding_end=bidding_end,
        extension_minutes=0 if round_ is AuctionRound.FIXED_PRICE_SALE else R.EXTENSION_MINUTES,
        balance_due_on=balance_due,
        previous_starting_price_fen=previous_fen,
        failed_on=failed_on,
        latest_bidding_start=latest_start,
        next_round_deadline=next_deadline,
        advance_payment_fen=start_fen if round_ is AuctionRound.FIXED_PRICE_SALE else None,
        policy_name=policy.name,
    )
    violations = check_plan(plan)
    if violations:
        raise PlanRefused(violations)
    return plan


def _weekday(day: date) -> bool:
    return day.weekday() < 5


def reauction_deadline(failed_on: date, is_working_day: Callable[[date], bool] | None = None) -> date:
    """The last day to start the re-auction after a failure on ``failed_on``: 30 days (网拍规定 art. 26 para. 1),
    the failure day not counted, a last day on a rest day moved to the next working day (民诉法 art. 85). Without
    the court's calendar (``is_working_day``, e.g. ``WorkingCalendar.is_working_day``) only weekends are rest
    days; pass the calendar for holidays and make-up working days (调休)."""
    working = is_working_day or _weekday
    day = failed_on + timedelta(days=R.REAUCTION_WITHIN_DAYS)
    while not working(day):
        day += timedelta(days=1)
    return day


def bidding_closes_at(scheduled_end: datetime, bid_times: Iterable[datetime],
                      extension_minutes: int = R.EXTENSION_MINUTES) -> datetime:
    """When bidding actually closes (网拍规定 art. 20 para. 2): a bid within the last five minutes moves the
    end to that bid + 5 minutes, again and again; a bid after the (moved) end is not accepted.
    Bid times are the platform's receipt times."""
    step = timedelta(minutes=extension_minutes)
    end = scheduled_end
    for moment in sorted(bid_times):
        if moment > end:
            break
        end = max(end, moment + step)
    return end


def check_plan(plan: ListingPlan) -> list[RuleViolation]:
    """Every rule the plan breaks, each with its article; empty when the plan is lawful."""
    out: list[RuleViolation] = []
    start, ref = plan.starting_price_fen, plan.reference_price_fen

    def pct(numerator: int, denominator: int, rounding: str = ROUND_FLOOR) -> str:
        # four places, rounded away from the limit, so that 69.9999% never prints as 70%
        return format_percent(Decimal(numerator) / Decimal(denominator), 4, rounding)

    if plan.round is AuctionRound.FIRST_AUCTION:
        if start < ref * R.FIRST_AUCTION_MIN_STARTING_RATIO:
            out.append(RuleViolation(
                "starting_price_below_floor", R.FIRST_AUCTION_MIN_STARTING_RATIO_ART,
                f"第一次拍卖起拍价 {format_yuan(start)} 为参考价 {format_yuan(ref)} 的 {pct(start, ref)}，"
                f"不得低于 {format_percent(R.FIRST_AUCTION_MIN_STARTING_RATIO)}",
            ))
    elif plan.previous_starting_price_fen is not None:
        previous = plan.previous_starting_price_fen
        if plan.round is AuctionRound.SECOND_AUCTION and start < previous * (1 - R.MAX_PRICE_CUT_RATIO):
            out.append(RuleViolation(
                "price_cut_too_large", R.MAX_PRICE_CUT_ART,
                f"再次拍卖起拍价 {format_yuan(start)} 比前次起拍价 {format_yuan(previous)} 降低了 "
                f"{pct(previous - start, previous, ROUND_CEILING)}，降价幅度不得超过前次起拍价的 {format_percent(R.MAX_PRICE_CUT_RATIO)}",
            ))
    if plan.round is AuctionRound.FIXED_PRICE_SALE:
        previous = plan.previous_starting_price_fen
        if previous is not None and start < previous:
            out.append(RuleViolation(
                "sale_price_below_second_start", R.FIXED_PRICE_SALE_PRICE_FLOOR_ART,
                f"变卖价 {format_yuan(start)} 低于第二次拍卖的起拍价（保留价）{format_yuan(previous)}，"
                f"流拍后的变卖不得低于前次拍卖的保留价",
            ))
        if plan.deposit_fen or plan.bid_increment_fen or plan.extension_minutes:
            out.append(RuleViolation(
                "fixed_price_sale_no_bidding", R.FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART,
                "变卖以固定价格一次性全额交付价款，不设保证金、加价幅度和延时",
            ))
        if plan.advance_payment_fen != start:
            out.append(RuleViolation(
                "fixed_price_sale_full_payment", R.FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART,
                "变卖的预缴款应为全部变卖价款",
            ))

    deposit = plan.deposit_fen
    if plan.round is AuctionRound.FIXED_PRICE_SALE:
        pass
    elif not start * R.DEPOSIT_MIN_RATIO <= deposit <= start * R.DEPOSIT_MAX_RATIO:
        out.append(RuleViolation(
            "deposit_out_of_range", R.DEPOSIT_RANGE_ART,
            f"保证金 {format_yuan(deposit)} 为起拍价的 {pct(deposit, start, ROUND_FLOOR if deposit < start * R.DEPOSIT_MIN_RATIO else ROUND_CEILING)}，应在起拍价的 "
            f"{format_percent(R.DEPOSIT_MIN_RATIO)} 至 {format_percent(R.DEPOSIT_MAX_RATIO)} 之间",
        ))
    if plan.bid_increment_fen <= 0 and plan.round is not AuctionRound.FIXED_PRICE_SALE:
        out.append(RuleViolation("bid_increment_not_positive", R.BID_INCREMENT_ART,
                                 "加价幅度应大于零（递增出价）"))

    needed = required_announcement_days(plan.kind, plan.round)
    if needed is not None and plan.announcement_days < needed[0]:
        days, citation = needed
        out.append(RuleViolation(
            "announcement_too_short", citation,
            f"{plan.kind.label}{plan.round.label}应在竞价开始 {days} 日前公告，公告日 {plan.announce_on.isoformat()} "
            f"距竞价开始 {plan.bidding_start.date().isoformat()} 仅 {plan.announcement_days} 日",
        ))
    if plan.notify_parties_by > plan.announce_on - timedelta(days=R.NOTIFICATION_DAYS_BEFORE_ANNOUNCEMENT):
        out.append(RuleViolation(
            "notification_too_late", R.NOTIFICATION_ART,
            f"通知当事人、已知优先购买权人的期限 {plan.notify_parties_by.isoformat()} 晚于公告发布三日前",
        ))
    if plan.round is not AuctionRound.FIXED_PRICE_SALE:
        hours = plan.bidding_hours
        if hours < R.MIN_BIDDING_HOURS:
            out.append(RuleViolation(
                "bidding_too_short", R.MIN_BIDDING_ART,
                f"竞价时间 {hours.normalize():f} 小时，不得少于 {R.MIN_BIDDING_HOURS} 小时",
            ))
    elif plan.bidding_end <= plan.bidding_start:
        out.append(RuleViolation("sale_period_empty", R.FIXED_PRICE_SALE_DAYS_ART, "变卖期间的结束时间应晚于开始时间"))
    if plan.extension_minutes != R.EXTENSION_MINUTES and plan.round is not AuctionRound.FIXED_PRICE_SALE:
        out.append(RuleViolation(
            "extension_rule", R.EXTENSION_ART,
            f"延时周期为 {plan.extension_minutes} 分钟，应为出价后顺延 {R.EXTENSION_MINUTES} 分钟",
        ))
    if plan.round is AuctionRound.SECOND_AUCTION and plan.failed_on is not None:
        deadline = plan.latest_bidding_start or reauction_deadline(plan.failed_on)
        if plan.bidding_start.date() > deadline:
            out.append(RuleViolation(
                "reauction_too_late", R.REAUCTION_WITHIN_ART,
                f"流拍日 {plan.failed_on.isoformat()} 后应在 {R.REAUCTION_WITHIN_DAYS} 日内（至 {deadline.isoformat()}，"
                f"末日为休息日的顺延）"
                f"再次拍卖，计划 {plan.bidding_start.date().isoformat()} 开始竞价",
            ))
        if plan.announce_on < plan.failed_on:
            out.append(RuleViolation(
                "reauction_before_failure", R.REAUCTION_WITHIN_ART,
                f"再次拍卖公告日 {plan.announce_on.isoformat()} 早于前次流拍日 {plan.failed_on.isoformat()}",
            ))
    return out
