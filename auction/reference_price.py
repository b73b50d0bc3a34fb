"""The reference price (参考价): which method applies, the network-inquiry mean, validity and the deadlines
around it (参考价规定, RULES.md section 3).

Money is integer fen (分). The network-inquiry mean is computed exactly (a ``Fraction`` of fen) and rounded to
the fen half-up (四舍五入到分) only for the signed figure; the exact mean is kept beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from fractions import Fraction

from auction import periods
from auction.calendar import WorkingCalendar
from auction.rules import reference_price_rules as R
from tax_baseline.money import format_figures as yuan
from tax_baseline.money import round_fen


class Method(StrEnum):
    """参考价规定 art. 2: the four methods, declared in their legal order (arts. 4, 5, 7, 14)."""

    NEGOTIATED = "negotiated"  # 当事人议价
    DIRECTED_INQUIRY = "directed_inquiry"  # 定向询价
    NETWORK_INQUIRY = "network_inquiry"  # 网络询价
    APPRAISAL = "appraisal"  # 委托评估


METHOD_NAMES = {Method.NEGOTIATED: "当事人议价", Method.DIRECTED_INQUIRY: "定向询价",
                Method.NETWORK_INQUIRY: "网络询价", Method.APPRAISAL: "委托评估"}
LEGAL_ORDER: tuple[Method, ...] = tuple(Method)


class ReferencePriceError(ValueError):
    """A reference-price step asked for against the rules (the message says which rule, in Chinese)."""


@dataclass(frozen=True)
class PropertyFacts:
    """What decides which methods are open for a lot."""

    party_refuses_or_missing: bool = False  # art. 4: 一方当事人拒绝议价或者下落不明
    has_tax_or_government_price: bool = False  # art. 5: 计税基准价、政府定价或者政府指导价
    needs_site_inspection: bool = False  # art. 7: 需由专业人员现场勘验或者鉴定
    network_inquiry_possible: bool = True  # art. 7: 具备网络询价条件
    appraisal_required_by_law: bool = False  # art. 14
    parties_request: Method | None = None  # arts. 5(2), 7(2), 14: both parties ask for a method directly


@dataclass(frozen=True)
class MethodChoice:
    method: Method | None
    article: str
    reason: str


def method_open(method: Method, facts: PropertyFacts) -> tuple[bool, str]:
    """Whether a method's preconditions hold, with the reason (Chinese) and article."""
    if method is Method.NEGOTIATED:
        if facts.party_refuses_or_missing:
            return False, "一方当事人拒绝议价或者下落不明，不能议价（参考价规定第四条）。"
        return True, "可组织当事人议价（参考价规定第四条）。"
    if method is Method.DIRECTED_INQUIRY:
        if not facts.has_tax_or_government_price:
            return False, "财产无计税基准价、政府定价或者政府指导价，不能定向询价（参考价规定第五条）。"
        return True, "财产有计税基准价或政府（指导）价，可定向询价（参考价规定第五条）。"
    if method is Method.NETWORK_INQUIRY:
        if facts.needs_site_inspection:
            return False, "财产需由专业人员现场勘验或者鉴定，不能网络询价（参考价规定第七条）。"
        if not facts.network_inquiry_possible:
            return False, "不具备网络询价条件（参考价规定第七条）。"
        return True, "具备网络询价条件（参考价规定第七条）。"
    return True, "委托评估始终可用（参考价规定第十四条）。"


def next_method(facts: PropertyFacts, failed: Sequence[Method] = ()) -> MethodChoice:
    """The method to use now, given the methods already tried without result (不能或者不成).

    参考价规定 art. 14 first: appraisal when required by law or asked by both parties. A direct request of
    both parties for 定向询价 (art. 5(2)) or 网络询价 (art. 7(2)) skips the earlier methods when its
    preconditions hold. Otherwise the legal order, skipping methods whose preconditions fail.
    """
    if facts.appraisal_required_by_law:
        return MethodChoice(Method.APPRAISAL, "参考价规定第十四条", "法律、行政法规规定必须委托评估。")
    if facts.parties_request is Method.APPRAISAL:
        return MethodChoice(Method.APPRAISAL, "参考价规定第十四条", "双方当事人要求委托评估。")
    start = 0
    if facts.parties_request in (Method.DIRECTED_INQUIRY, Method.NETWORK_INQUIRY):
        ok, _ = method_open(facts.parties_request, facts)
        if ok:
            start = LEGAL_ORDER.index(facts.parties_request)
    reasons: list[str] = []
    for method in LEGAL_ORDER[start:]:
        if method in failed:
            reasons.append(f"{METHOD_NAMES[method]}不能或者不成。")
            continue
        ok, why = method_open(method, facts)
        if ok:
            article = {Method.NEGOTIATED: "参考价规定第四条", Method.DIRECTED_INQUIRY: "参考价规定第五条",
                       Method.NETWORK_INQUIRY: "参考价规定第七条", Method.APPRAISAL: "参考价规定第十四条"}[method]
            return MethodChoice(method, article, " ".join([*reasons, why]))
        reasons.append(why)
    return MethodChoice(None, "参考价规定第十四条", " ".join([*reasons, "委托评估亦已不成，应另行委托下一顺序评估机构。"]))


# --- results and validity (art. 27) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PriceResult:
    """One result: who gave it, the value (fen), when it was received and until when it is valid."""

    method: Method
    source: str
    value_fen: int
    received_on: date
    valid_until: date


def validity_end(issued_on: date, calendar: WorkingCalendar, stated_until: date | None = None) -> date:
    """The last valid day: the stated validity, capped at one year (参考价规定 art. 27(1); 民法典 art. 202 for
    the corresponding day). Not rolled past rest days: the cap is a term of the result, and a later end would
    outlast what the rule allows."""
    cap = periods.period(issued_on, R.RESULT_VALIDITY_MAX, calendar, roll=False).due
    return min(stated_until, cap) if stated_until else cap


@dataclass(frozen=True)
class Check:
    ok: bool
    reason: str
    article: str


def sale_within_validity(valid_until: date, first_announcement_on: date | None, sale_on: date,
                         calendar: WorkingCalendar) -> Check:
    """Whether a sale on ``sale_on`` may use the result without a new price (参考价规定 art. 27(3)): the first
    auction announced (or the fixed-price sale started) within validity, and the sale not more than 6 months
    after it expired."""
    article = R.SALE_GRACE_AFTER_EXPIRY.article
    if sale_on <= valid_until:
        return Check(True, "拍卖、变卖在结果有效期内。", article)
    if first_announcement_on is None or first_announcement_on > valid_until:
        return Check(False, f"结果有效期至 {valid_until.isoformat()}，有效期内未发布一拍公告，应重新确定参考价。",
                     article)
    grace_end = periods.period(valid_until, R.SALE_GRACE_AFTER_EXPIRY, calendar, roll=False).due
    if sale_on <= grace_end:
        return Check(True, f"有效期内已发布一拍公告，拍卖、变卖未超过有效期六个月（至 {grace_end.isoformat()}）。",
                     article)
    return Check(False, f"拍卖、变卖日 {sale_on.isoformat()} 已超过有效期六个月（至 {grace_end.isoformat()}），"
                        "应重新确定参考价。", article)


def procedure_start_deadline(seized_on: date, calendar: WorkingCalendar) -> periods.Deadline:
    """参考价规定 art. 1: start fixing the reference price within 30 days of seizure."""
    return periods.period(seized_on, R.START_PROCEDURE_AFTER_SEIZURE, calendar)


def sale_start_deadline(fixed_on: date, calendar: WorkingCalendar) -> periods.Deadline:
    """参考价规定 art. 30: start the sale within 10 days of fixing the reference price."""
    return periods.period(fixed_on, R.START_SALE_AFTER_REFERENCE, calendar)


def forwarding_deadline(received_on: date, calendar: WorkingCalendar) -> periods.Deadline:
    """参考价规定 art. 21(1): send each report to the parties within 3 days of receiving it."""
    return periods.period(received_on, R.FORWARD_REPORT, calendar)


def deemed_service(published_on: date, calendar: WorkingCalendar) -> periods.Deadline:
    """参考价规定 art. 21(2): a report published on 中国执行信息公开网 counts as received once 15 days have passed
    (the end of that period is the day of deemed receipt, from which the 5-day objection window runs)."""
    return periods.period(published_on, R.DEEMED_SERVICE_AFTER_PUBLICATION, calendar)


def appraisal_report_deadline(commissioned_on: date, calendar: WorkingCalendar,
                              extensions_days: Sequence[int] = ()) -> periods.Deadline:
    """参考价规定 art. 19: the report within 30 days, plus at most two extensions of at most 15 days each."""
    if len(extensions_days) > R.APPRAISAL_EXTENSION_MAX_COUNT:
        raise ReferencePriceError(f"评估期限最多延长{R.APPRAISAL_EXTENSION_MAX_COUNT}次（参考价规定第十九条）。")
    for days in extensions_days:
        if not 0 < days <= R.APPRAISAL_EXTENSION.amount:
            raise ReferencePriceError(f"每次延期不超过{R.APPRAISAL_EXTENSION.amount}日（参考价规定第十九条），"
                                      f"收到 {days} 日。")
    total = R.APPRAISAL_REPORT.amount + sum(extensions_days)
    return periods.calendar_days(commissioned_on, total, calendar, article=R.APPRAISAL_REPORT.article)


# --- network inquiry (arts. 10-13, 31) -----------------------------------------------------------------------

@dataclass(frozen=True)
class NetworkReport:
    """One platform's network-inquiry report.

    ``received_on`` is None when the platform has not delivered. ``objected``: an art. 22 objection was
    raised against it; ``objection_outcome`` is "rejected" (驳回) or "corrected" (已补正) once decided;
    ``corrected_value_fen`` the corrected result.
    """

    platform: str
    value_fen: int | None
    received_on: date | None
    extension_requested: bool = False
    objected: bool = False
    objection_outcome: str | None = None
    corrected_value_fen: int | None = None

    @property
    def final_value_fen(self) -> int | None:
        if self.objection_outcome == "corrected" and self.corrected_value_fen is not None:
            return self.corrected_value_fen
        return self.value_fen


@dataclass(frozen=True)
class NetworkOutcome:
    """The art. 13 reference price and why each report counted or not."""

    status: str  # "fixed" | "pending" (objections open) | "appraisal" (art. 11(3)) | "waiting"
    mean_exact_fen: Fraction | None
    reference_price_fen: int | None
    included: tuple[str, ...]
    excluded: Mapping[str, str] = field(default_factory=dict)
    extension_granted: bool = False
    article: str = "参考价规定第十三条"
    reason: str = ""


def network_deadlines(commissioned_on: date, calendar: WorkingCalendar) -> tuple[periods.Deadline, periods.Deadline]:
    """参考价规定 art. 11: reports due 3 days after the platforms receive the commission; the one extension
    adds 3 days to that due date."""
    due = periods.period(commissioned_on, R.NETWORK_REPORT, calendar)
    extended = periods.period(due.due, R.NETWORK_EXTENSION, calendar)
    return due, extended


def network_reference_price(reports: Sequence[NetworkReport], commissioned_on: date, calendar: WorkingCalendar,
                            today: date) -> NetworkOutcome:
    """The reference price of a network inquiry (参考价规定 arts. 11, 13).

    On time = received by the 3-day due date. Only when *no* platform is on time is the 3-day extension
    granted, to the platforms that asked for it (art. 11(2)); if none delivers then either, the court must
    commission an appraisal (art. 11(3)). The price is the exact mean of the on-time results; reports objected
    to are left out, unless every counted report was objected to, in which case the price waits until every
    objection is rejected or corrected and then uses all of them, corrected values where corrected (art. 13(2)).
    """
    due, extended = network_deadlines(commissioned_on, calendar)
    on_time = [r for r in reports if r.received_on is not None and r.received_on <= due.due]
    excluded: dict[str, str] = {}
    extension_granted = False
    if today <= due.due and len(on_time) < len(reports):
        # "全部" or "部分" (art. 13(1)) is only known once the period has ended.
        return NetworkOutcome("waiting", None, None, tuple(r.platform for r in on_time), {}, False,
                              R.NETWORK_REPORT.article, f"尚有平台未出具报告，期限至 {due.label()}。")
    if on_time:
        for r in reports:
            if r not in on_time:
                excluded[r.platform] = (f"未在期限 {due.due.isoformat()} 内出具，部分平台已按期出具，"
                                        "延期申请不予准许（参考价规定第十一条第二款）。")
        counted = on_time
    else:
        if today <= due.due:
            return NetworkOutcome("waiting", None, None, (), {}, False, R.NETWORK_REPORT.article,
                                  f"询价报告应于 {due.label()} 前出具，尚在期限内。")
        extension_granted = any(r.extension_requested for r in reports)
        counted = [r for r in reports if r.extension_requested and r.received_on is not None
                   and r.received_on <= extended.due]
        for r in reports:
            if r not in counted:
                excluded[r.platform] = ("未申请延期" if not r.extension_requested
                                        else f"延期后仍未在 {extended.due.isoformat()} 前出具") + "（参考价规定第十一条）。"
        outstanding = [r for r in reports if r.extension_requested and r not in counted]
        if extension_granted and today <= extended.due and outstanding:
            return NetworkOutcome("waiting", None, None, tuple(r.platform for r in counted), excluded, True,
                                  R.NETWORK_EXTENSION.article, f"全部平台逾期，已准许延期至 {extended.label()}。")
        if not counted:
            if extension_granted and today <= extended.due:
                return NetworkOutcome("waiting", None, None, (), excluded, True, R.NETWORK_EXTENSION.article,
                                      f"全部平台逾期，已准许延期至 {extended.label()}。")
            return NetworkOutcome("appraisal", None, None, (), excluded, extension_granted,
                                  "参考价规定第十一条第三款",
                                  "全部平台均未在期限内出具网络询价报告，应委托评估机构进行评估。")
    objected = [r for r in counted if r.objected]
    if objected and len(objected) == len(counted):
        open_ = [r.platform for r in objected if r.objection_outcome not in ("rejected", "corrected")]
        if open_:
            return NetworkOutcome("pending", None, None, (), excluded, extension_granted, "参考价规定第十三条第二款",
                                  f"全部报告均被提出异议，待异议处理完毕：{'、'.join(open_)}。")
        used = counted
    else:
        used = [r for r in counted if not r.objected]
        for r in objected:
            excluded[r.platform] = "该报告被提出异议，以未被提出异议的报告平均值为参考价（参考价规定第十三条第二款）。"
    values = [r.final_value_fen for r in used]
    if any(v is None for v in values):
        raise ReferencePriceError("已出具的网络询价报告缺少询价结果金额。")
    mean = Fraction(sum(values), len(values))  # type: ignore[arg-type]
    return NetworkOutcome("fixed", mean, round_fen(mean), tuple(r.platform for r in used), excluded,
                          extension_granted, "参考价规定第十三条",
                          f"以 {len(used)} 家平台按期出具结果的平均值为参考价（四舍五入到分）。")


def inquiry_fee_shares(results_fen: Mapping[str, int], sale_price_fen: int, fee_fen: int) -> dict[str, int]:
    """参考价规定 art. 31: the fee goes to the platform whose result was closest to the final sale price; equal
    results or equal distances split it. Fen that do not divide evenly go one each to the tied platforms in
    name order (a stated rule, so the shares always add up to the fee)."""
    if not results_fen:
        return {}
    distance = {p: abs(v - sale_price_fen) for p, v in results_fen.items()}
    best = min(distance.values())
    winners = sorted(p for p, d in distance.items() if d == best)
    share, remainder = divmod(fee_fen, len(winners))
    return {p: share + (1 if i < remainder else 0) for i, p in enumerate(winners)}


# --- appraisal firms (art. 16, art. 23(2)) -----------------------------------------------------------------

def ranked_firms(agreed: Sequence[str] | None, drawn: Sequence[str] | None = None) -> tuple[str, ...]:
    """The three firms in order: the parties' agreed ranking, else the lottery's (参考价规定 art. 16)."""
    firms = tuple(agreed or drawn or ())
    if len(firms) != R.APPRAISAL_FIRMS_TO_RANK or len(set(firms)) != len(firms):
        raise ReferencePriceError(f"应确定{R.APPRAISAL_FIRMS_TO_RANK}家不同的评估机构及顺序（参考价规定第十六条），"
                                  f"收到 {len(firms)} 家。")
    return firms


def next_ranked_firm(firms: Sequence[str], current: str) -> str:
    """The firm that re-appraises when the current one is replaced (参考价规定 arts. 19(3), 23(2))."""
    if current not in firms:
        raise ReferencePriceError(f"“{current}”不在确定的评估机构顺序中。")
    position = list(firms).index(current)
    if position + 1 >= len(firms):
        raise ReferencePriceError("已无下一顺序的评估机构，应重新协商或摇号确定评估机构（参考价规定第十六条）。")
    return firms[position + 1]


# --- 议价 (art. 4) ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Negotiation:
    """The outcome of a negotiation: the agreed value, or why it failed (议价不成)."""

    agreed: bool
    value_fen: int | None
    reason: str
    article: str = "参考价规定第四条第二款"


def negotiated_price(submissions: Mapping[str, int | None], required: Sequence[str]) -> Negotiation:
    """参考价规定 art. 4(2): the negotiated result is the reference price only when *every* party (``required``:
    the applicants and debtors by name) submitted a result within the set period and all the results are the
    same. ``submissions``: party name -> value in fen (None: not submitted)."""
    missing = [name for name in required if submissions.get(name) is None]
    if missing:
        return Negotiation(False, None, f"{'、'.join(missing)}未在指定期限内提交议价结果，议价不成"
                                        "（参考价规定第四条第二款）；应依次采用定向询价、网络询价或委托评估。")
    values = {name: submissions[name] for name in required}
    bad = [name for name, v in values.items() if not isinstance(v, int) or v <= 0]
    if bad:
        raise ReferencePriceError(f"{'、'.join(bad)}提交的议价结果应为正的金额。")
    if len(set(values.values())) != 1:
        listed = "，".join(f"{name} {yuan(v)} 元" for name, v in values.items())
        return Negotiation(False, None, f"双方当事人提交的议价结果不一致（{listed}），议价不成（参考价规定第四条第二款）；"
                                        "应依次采用定向询价、网络询价或委托评估。")
    value = next(iter(values.values()))
    return Negotiation(True, value, f"全部当事人提交的议价结果一致（{yuan(value)} 元），为参考价（参考价规定第四条第二款）。")


# --- whether a lot may be sold on a fixed price (art. 27; arts. 11(4), 19(4), 22-23) ---------------------------

@dataclass(frozen=True)
class PriceState:
    """What decides whether a fixed reference price may carry a lot to auction."""

    value_fen: int
    method: Method
    fixed_on: date
    valid_until: date | None
    objection_window_due: date | None = None  # the last day a party may still object (None: no window)
    open_objections: int = 0  # objections to the basis still pending
    replaced_by: str = ""  # why the price is no longer the one in force (a later fixing, an upheld objection)


def usable_for_sale(price: PriceState, *, announce_on: date, bidding_end: date, today: date,
                    calendar: WorkingCalendar) -> Check:
    """Whether a lot may be announced and sold on this reference price, with the article and what to do:

    - an upheld objection or a later fixing replaced it (参考价规定 arts. 13(2), 23, 26): use the price in force;
    - the objection period is still open or an objection is pending (arts. 22-23): wait for it;
    - the validity (art. 27(1), counted from the issue date) ended before the first announcement, or the sale ends
      more than six months after it (art. 27(3)): a new result is needed (网络询价 re-issued, art. 11(4); 评估
      re-issued, art. 19(4)).
    """
    if price.replaced_by:
        return Check(False, f"该参考价已被取代：{price.replaced_by}请以案件现行参考价建立标的。", "参考价规定第十三条第二款、第二十六条")
    if price.open_objections:
        return Check(False, f"该参考价所依据的报告尚有 {price.open_objections} 件异议未处理完毕，异议处理完毕后方可发布"
                            "（参考价规定第二十二条、第二十三条）。", "参考价规定第二十二条、第二十三条")
    if price.objection_window_due is not None and today <= price.objection_window_due:
        return Check(False, f"当事人提出异议的期间至 {price.objection_window_due.isoformat()} 24:00 届满，期满无异议后方可发布"
                            "（参考价规定第二十二条、第二十三条）。", "参考价规定第二十二条、第二十三条")
    if price.valid_until is None:
        return Check(True, "参考价未载明有效期。", "参考价规定第二十七条")
    check = sale_within_validity(price.valid_until, announce_on, bidding_end, calendar)
    if not check.ok:
        redo = {Method.NETWORK_INQUIRY: "通知网络询价平台在三日内重新出具网络询价报告（参考价规定第十一条第四款）",
                Method.APPRAISAL: "通知评估机构在十五日内重新出具评估报告（参考价规定第十九条第四款）",
                Method.DIRECTED_INQUIRY: "重新进行定向询价",
                Method.NEGOTIATED: "重新组织议价或依次采用其他方式"}[price.method]
        return Check(False, f"{check.reason}应{redo}。", check.article)
    return check
