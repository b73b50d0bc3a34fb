"""Objections (异议) to a reference-price report: admissibility, routing, the state machine and the deadline
of each step (参考价规定 arts. 21-26; 异议复议规定 arts. 1-3, 15; 民诉法 art. 236; 执行程序解释 arts. 5, 8;
RULES.md section 4).

Plain values in, plain values out: the calendar and the dates are passed in; nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from auction import periods
from auction import reference_price as rp
from auction.calendar import WorkingCalendar
from auction.rules import reference_price_rules as R


class Ground(StrEnum):
    """The statutory checklist of grounds."""

    BASIC_FACTS = "basic_facts"  # 参考价规定 art. 22(1)(一) 财产基本信息错误
    SCOPE = "scope"  # art. 22(1)(二) 超出财产范围或者遗漏财产
    QUALIFICATION = "qualification"  # art. 22(1)(三) 评估机构或者评估人员不具备相应评估资质
    PROCEDURE = "procedure"  # art. 22(1)(四) 评估程序严重违法
    STANDARD = "standard"  # art. 23 参照标准
    METHOD = "method"  # art. 23 计算方法
    RESULT = "result"  # art. 23 评估结果 (for a directed inquiry under Wenling's policy: 询价结果)
    # 参考价规定 art. 25 (执行监督, before the first-auction announcement, with evidence):
    NEGOTIATION_FRAUD = "negotiation_fraud"  # (一) 议价中存在欺诈、胁迫情形
    COLLUSION = "collusion"  # (二) 恶意串通损害第三人利益
    FALSE_INQUIRY = "false_inquiry"  # (三) 有关机构出具虚假定向询价结果
    WRONG_HANDLING = "wrong_handling"  # (四) 依照第二十二条、第二十三条作出的处理结果确有错误


GROUND_NAMES = {
    Ground.BASIC_FACTS: "财产基本信息错误", Ground.SCOPE: "超出财产范围或者遗漏财产",
    Ground.QUALIFICATION: "评估机构或者评估人员不具备相应评估资质", Ground.PROCEDURE: "评估程序严重违法",
    Ground.STANDARD: "参照标准有误", Ground.METHOD: "计算方法有误", Ground.RESULT: "评估（询价）结果有误",
    Ground.NEGOTIATION_FRAUD: "议价中存在欺诈、胁迫情形", Ground.COLLUSION: "恶意串通损害第三人利益",
    Ground.FALSE_INQUIRY: "有关机构出具虚假定向询价结果", Ground.WRONG_HANDLING: "异议处理结果确有错误",
}
ART22_GROUNDS = frozenset({Ground.BASIC_FACTS, Ground.SCOPE, Ground.QUALIFICATION, Ground.PROCEDURE})
ART23_GROUNDS = frozenset({Ground.STANDARD, Ground.METHOD, Ground.RESULT})
ART25_GROUNDS = frozenset({Ground.NEGOTIATION_FRAUD, Ground.COLLUSION, Ground.FALSE_INQUIRY, Ground.WRONG_HANDLING})


def ground_article(ground: Ground) -> str:
    """The article under which a ground is raised, as the filing form shows it beside the ground: 参考价规定
    art. 22 (facts, scope, qualification, procedure), art. 23 (standard, method, result: appraisal reports only),
    art. 25 (the rest: execution supervision, with evidence, before the first auction's announcement)."""
    if ground in ART22_GROUNDS:
        return "参考价规定第二十二条"
    if ground in ART23_GROUNDS:
        return "参考价规定第二十三条（仅评估报告）"
    return "参考价规定第二十五条（执行监督，需有证据，首次拍卖公告前提出）"


class ReportKind(StrEnum):
    NEGOTIATED = "negotiated"  # 议价结果
    DIRECTED_INQUIRY = "directed_inquiry"  # 定向询价结果
    NETWORK_INQUIRY = "network_inquiry"  # 网络询价报告
    APPRAISAL = "appraisal"  # 评估报告
    CORRECTION = "correction"  # 补正说明 (platform, firm or association, arts. 22-23)
    TECHNICAL_REVIEW = "technical_review"  # 专业技术评审结论 (art. 23)


REPORT_KIND_NAMES = {ReportKind.NEGOTIATED: "议价结果", ReportKind.DIRECTED_INQUIRY: "定向询价结果",
                     ReportKind.NETWORK_INQUIRY: "网络询价报告", ReportKind.APPRAISAL: "评估报告",
                     ReportKind.CORRECTION: "补正说明", ReportKind.TECHNICAL_REVIEW: "专业技术评审结论"}


class Policy(StrEnum):
    """Per-court policy switch (RULES.md section 4)."""

    STATUTORY = "statutory"  # default: 参考价规定 arts. 22-25 as written
    WENLING = "wenling"  # a written objection to a 定向询价 result starts an appraisal within 3 working days


class Route(StrEnum):
    ENFORCEMENT_ACT = "enforcement_act"  # art. 22(2): as an objection to an enforcement act (民诉法 art. 236)
    TECHNICAL = "technical"  # art. 23(1): appraiser explains, then technical review by the association
    QUALIFICATION_FIRST = "qualification_first"  # art. 23(2): art. 22 (3)/(4) reviewed first
    WENLING_APPRAISAL = "wenling_appraisal"  # Wenling: appraisal within 3 working days
    SUPERVISION = "supervision"  # art. 25: 执行监督


ROUTE_NAMES = {Route.ENFORCEMENT_ACT: "按执行行为异议审查（参考价规定第二十二条第二款）",
               Route.TECHNICAL: "交评估机构说明、专业技术评审（参考价规定第二十三条）",
               Route.QUALIFICATION_FIRST: "先审查资质、程序事由，再按第二十三条处理（参考价规定第二十三条第二款）",
               Route.WENLING_APPRAISAL: "三个工作日内启动委托评估（温岭法院政策）",
               Route.SUPERVISION: "按执行监督程序审查（参考价规定第二十五条）"}


@dataclass(frozen=True)
class Admissibility:
    accepted: bool
    route: Route | None
    reason: str
    article: str
    window: periods.Deadline | None = None


def objection_window(received_report_on: date, calendar: WorkingCalendar) -> periods.Deadline:
    """参考价规定 arts. 22, 23: a written objection within 5 days of receiving the report."""
    return periods.period(received_report_on, R.OBJECTION_WINDOW, calendar)


def assess(report_kind: ReportKind, grounds: Iterable[Ground], *, received_report_on: date, filed_on: date,
           calendar: WorkingCalendar, policy: Policy = Policy.STATUTORY,
           first_auction_announced: bool = False, mailed_on: date | None = None,
           raised_again: bool = False) -> Admissibility:
    """Whether the objection is accepted and on which route (参考价规定 arts. 22-25).

    ``mailed_on``: a written objection posted before the period ended is not late (民诉法 art. 85(4): 在途时间
    不计入). ``raised_again``: the same objector's earlier objection to the same report was withdrawn or
    rejected, so a new one is not accepted (异议复议规定 art. 15: all grounds raised together).

    Not accepted (art. 24): late; against a correction or a technical-review conclusion; against 议价 or
    定向询价 — except the art. 25 grounds raised before the first-auction announcement (执行监督), and, under
    Wenling's policy, a written objection to a 定向询价 result (appraisal within 3 working days; filed within
    the same 5-day window, which Wenling's rule does not change).
    """
    grounds = frozenset(Ground(g) for g in grounds)
    if not grounds:
        raise ValueError("异议应至少选择一项异议事由。")
    window = objection_window(received_report_on, calendar)
    if mailed_on is not None and mailed_on < filed_on:
        filed_on = mailed_on  # 民诉法 art. 85(4)
    if raised_again:
        return Admissibility(False, None, "对同一报告的异议已撤回或被驳回，其他异议事由应当在异议审查过程中一并提出，"
                             "再次提出的不予受理。", "异议复议规定第十五条", window)
    art25 = grounds & ART25_GROUNDS
    if art25:
        if grounds - ART25_GROUNDS:
            return Admissibility(False, None, "执行监督事由（参考价规定第二十五条）与报告异议事由应分别提出。",
                                 "参考价规定第二十五条", window)
        if first_auction_announced:
            return Admissibility(False, None, "已发布一拍拍卖公告或者已进入变卖程序，不能再依参考价规定第二十五条提出。",
                                 "参考价规定第二十五条", window)
        return Admissibility(True, Route.SUPERVISION, "有证据证明存在参考价规定第二十五条情形，且在一拍公告前提出，"
                             "按执行监督程序审查。", "参考价规定第二十五条", window)
    if report_kind in (ReportKind.CORRECTION, ReportKind.TECHNICAL_REVIEW):
        return Admissibility(False, None, f"对{REPORT_KIND_NAMES[report_kind]}提出的异议，人民法院不予受理。",
                             "参考价规定第二十四条第一款", window)
    if report_kind is ReportKind.DIRECTED_INQUIRY and policy is Policy.WENLING:
        if filed_on > window.due:
            return Admissibility(False, None, f"异议应在收到询价结果后五日内（{window.label()}前）提出，已逾期。",
                                 "参考价规定第二十四条第一款", window)
        return Admissibility(True, Route.WENLING_APPRAISAL, "本院对定向询价结果的书面异议，"
                             "于三个工作日内启动委托评估。", R.WENLING_APPRAISAL_START.article, window)
    if report_kind in (ReportKind.NEGOTIATED, ReportKind.DIRECTED_INQUIRY):
        return Admissibility(False, None, f"对{REPORT_KIND_NAMES[report_kind]}提出的异议，人民法院不予受理；"
                             "如有证据证明存在欺诈、恶意串通或虚假询价结果，可在一拍公告前依第二十五条提出。",
                             "参考价规定第二十四条第二款", window)
    if filed_on > window.due:
        return Admissibility(False, None, f"异议应在收到报告后五日内（{window.label()}前）提出，已逾期。",
                             "参考价规定第二十四条第一款", window)
    art23 = grounds & ART23_GROUNDS
    if report_kind is ReportKind.NETWORK_INQUIRY:
        if art23:
            names = "、".join(GROUND_NAMES[g] for g in sorted(art23))
            if grounds - art23:
                # A mixed objection: the art. 22 grounds are examined; the judge decides (never the machine).
                return Admissibility(True, Route.ENFORCEMENT_ACT,
                                     f"{ROUTE_NAMES[Route.ENFORCEMENT_ACT]}；“{names}”仅适用于评估报告，对网络询价报告"
                                     "不予审查。", "参考价规定第二十二条第二款、第二十三条", window)
            return Admissibility(False, None, f"对网络询价报告只能就第二十二条所列事由提出异议，“{names}”仅适用于评估报告。",
                                 "参考价规定第二十二条、第二十三条", window)
        return Admissibility(True, Route.ENFORCEMENT_ACT, ROUTE_NAMES[Route.ENFORCEMENT_ACT],
                             "参考价规定第二十二条第二款", window)
    # appraisal report
    if not art23:
        return Admissibility(True, Route.ENFORCEMENT_ACT, ROUTE_NAMES[Route.ENFORCEMENT_ACT],
                             "参考价规定第二十二条第二款", window)
    if grounds & {Ground.QUALIFICATION, Ground.PROCEDURE}:
        return Admissibility(True, Route.QUALIFICATION_FIRST, ROUTE_NAMES[Route.QUALIFICATION_FIRST],
                             "参考价规定第二十三条第二款", window)
    return Admissibility(True, Route.TECHNICAL, ROUTE_NAMES[Route.TECHNICAL], "参考价规定第二十三条第一款", window)


# --- the state machine -----------------------------------------------------------------------------------------

class State(StrEnum):
    FILED = "filed"  # 已提交
    AWAITING_MATERIAL = "awaiting_material"  # 待补正材料
    MATERIAL_SUPPLIED = "material_supplied"  # 已补正材料
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    REGISTERED = "registered"  # 已立案
    QUALIFICATION_REJECTED = "qualification_rejected"  # 资质、程序事由不成立，转第二十三条程序
    WITH_APPRAISER = "with_appraiser"  # 已交评估机构说明
    TECHNICAL_REVIEW = "technical_review"  # 专业技术评审中
    UPHELD = "upheld"  # 异议成立
    REJECTED = "rejected"  # 异议驳回
    REVIEW_APPLIED = "review_applied"  # 已申请复议
    REVIEW_DECIDED = "review_decided"  # 复议已裁定
    APPRAISAL_ORDERED = "appraisal_ordered"  # 已启动委托评估（温岭）
    SUPERVISION = "supervision"  # 转执行监督
    WITHDRAWN = "withdrawn"  # 已撤回
    CLOSED = "closed"  # 已结案


STATE_NAMES = {State.FILED: "已提交", State.AWAITING_MATERIAL: "待补正材料", State.MATERIAL_SUPPLIED: "已补正材料",
               State.NOT_ACCEPTED: "不予受理", State.REGISTERED: "已立案",
               State.QUALIFICATION_REJECTED: "资质、程序事由不成立", State.WITH_APPRAISER: "已交评估机构说明",
               State.TECHNICAL_REVIEW: "专业技术评审中", State.UPHELD: "异议成立", State.REJECTED: "异议驳回",
               State.REVIEW_APPLIED: "已申请复议", State.REVIEW_DECIDED: "复议已裁定",
               State.APPRAISAL_ORDERED: "已启动委托评估", State.SUPERVISION: "已转执行监督",
               State.WITHDRAWN: "已撤回", State.CLOSED: "已结案"}


class Event(StrEnum):
    REQUEST_MATERIAL = "request_material"  # 一次性告知补足材料 (异议复议规定 art. 2(2))
    SUPPLY_MATERIAL = "supply_material"
    MATERIAL_LAPSED = "material_lapsed"  # 逾期未补足，不予受理
    REGISTER = "register"  # 立案 (异议复议规定 art. 2(1))
    REFUSE = "refuse"  # 裁定不予受理
    DECIDE_UPHELD = "decide_upheld"  # 异议成立 (民诉法 art. 236; art. 23(2): 另行委托下一顺序机构)
    DECIDE_REJECTED = "decide_rejected"  # 驳回
    QUALIFICATION_REJECTED = "qualification_rejected"  # art. 23(2): (三)(四) 不成立，按第一款处理
    FORWARD_TO_APPRAISER = "forward_to_appraiser"  # art. 23(1): 三日内交评估机构
    EXPLANATION_ACCEPTED = "explanation_accepted"  # 异议人对说明无异议
    TO_TECHNICAL_REVIEW = "to_technical_review"  # 未作说明或仍有异议：交行业协会
    REVIEW_CONFIRMS = "review_confirms"  # 评审未作否定结论：以评估结果为参考价 (art. 26)
    REVIEW_ORDERS_CORRECTION = "review_orders_correction"  # 责令补正 (art. 23(1), 26)
    APPLY_FOR_REVIEW = "apply_for_review"  # 申请复议 (民诉法 art. 236)
    REVIEW_DECIDED = "review_decided"  # 上一级法院裁定 (执行程序解释 art. 8)
    REVIEW_PERIOD_LAPSED = "review_period_lapsed"  # 复议期满未申请，裁定生效
    START_APPRAISAL = "start_appraisal"  # 温岭: 启动委托评估
    REFER_SUPERVISION = "refer_supervision"  # art. 25
    SUPERVISION_CONCLUDED = "supervision_concluded"
    WITHDRAW = "withdraw"


EVENT_NAMES = {Event.REQUEST_MATERIAL: "一次性告知补足材料", Event.SUPPLY_MATERIAL: "补足材料",
               Event.MATERIAL_LAPSED: "逾期未补足材料", Event.REGISTER: "立案", Event.REFUSE: "裁定不予受理",
               Event.DECIDE_UPHELD: "裁定异议成立", Event.DECIDE_REJECTED: "裁定驳回异议",
               Event.QUALIFICATION_REJECTED: "资质、程序事由不成立", Event.FORWARD_TO_APPRAISER: "交评估机构说明",
               Event.EXPLANATION_ACCEPTED: "异议人接受说明", Event.TO_TECHNICAL_REVIEW: "交行业协会专业技术评审",
               Event.REVIEW_CONFIRMS: "评审认定评估结果", Event.REVIEW_ORDERS_CORRECTION: "评审责令补正",
               Event.APPLY_FOR_REVIEW: "申请复议", Event.REVIEW_DECIDED: "复议裁定",
               Event.REVIEW_PERIOD_LAPSED: "复议期满未申请", Event.START_APPRAISAL: "启动委托评估",
               Event.REFER_SUPERVISION: "转执行监督", Event.SUPERVISION_CONCLUDED: "执行监督审查完毕",
               Event.WITHDRAW: "撤回异议"}

_ANY_ROUTE = None
_DECIDING = (Route.ENFORCEMENT_ACT, Route.QUALIFICATION_FIRST)
_TECHNICAL = (Route.TECHNICAL,)
# (state, event) -> (next state, routes for which the step exists; None = every route)
TRANSITIONS: dict[tuple[State, Event], tuple[State, tuple[Route, ...] | None]] = {
    (State.FILED, Event.REQUEST_MATERIAL): (State.AWAITING_MATERIAL, _ANY_ROUTE),
    (State.AWAITING_MATERIAL, Event.SUPPLY_MATERIAL): (State.MATERIAL_SUPPLIED, _ANY_ROUTE),
    (State.AWAITING_MATERIAL, Event.MATERIAL_LAPSED): (State.NOT_ACCEPTED, _ANY_ROUTE),
    (State.FILED, Event.REGISTER): (State.REGISTERED, _ANY_ROUTE),
    (State.MATERIAL_SUPPLIED, Event.REGISTER): (State.REGISTERED, _ANY_ROUTE),
    (State.FILED, Event.REFUSE): (State.NOT_ACCEPTED, _ANY_ROUTE),
    (State.MATERIAL_SUPPLIED, Event.REFUSE): (State.NOT_ACCEPTED, _ANY_ROUTE),
    (State.REGISTERED, Event.DECIDE_UPHELD): (State.UPHELD, _DECIDING),
    (State.REGISTERED, Event.DECIDE_REJECTED): (State.REJECTED, (Route.ENFORCEMENT_ACT,)),
    (State.REGISTERED, Event.QUALIFICATION_REJECTED): (State.QUALIFICATION_REJECTED, (Route.QUALIFICATION_FIRST,)),
    (State.REGISTERED, Event.FORWARD_TO_APPRAISER): (State.WITH_APPRAISER, _TECHNICAL),
    (State.QUALIFICATION_REJECTED, Event.FORWARD_TO_APPRAISER): (State.WITH_APPRAISER, (Route.QUALIFICATION_FIRST,)),
    (State.WITH_APPRAISER, Event.EXPLANATION_ACCEPTED): (State.CLOSED, _ANY_ROUTE),
    (State.WITH_APPRAISER, Event.TO_TECHNICAL_REVIEW): (State.TECHNICAL_REVIEW, _ANY_ROUTE),
    (State.TECHNICAL_REVIEW, Event.REVIEW_CONFIRMS): (State.CLOSED, _ANY_ROUTE),
    (State.TECHNICAL_REVIEW, Event.REVIEW_ORDERS_CORRECTION): (State.CLOSED, _ANY_ROUTE),
    (State.UPHELD, Event.APPLY_FOR_REVIEW): (State.REVIEW_APPLIED, _DECIDING),
    (State.REJECTED, Event.APPLY_FOR_REVIEW): (State.REVIEW_APPLIED, _DECIDING),
    (State.UPHELD, Event.REVIEW_PERIOD_LAPSED): (State.CLOSED, _DECIDING),
    (State.REJECTED, Event.REVIEW_PERIOD_LAPSED): (State.CLOSED, _DECIDING),
    (State.REVIEW_APPLIED, Event.REVIEW_DECIDED): (State.REVIEW_DECIDED, _ANY_ROUTE),
    # 异议复议规定 art. 2(3): a 不予受理 ruling may be reviewed within 10 days of its service.
    (State.NOT_ACCEPTED, Event.APPLY_FOR_REVIEW): (State.REVIEW_APPLIED, _ANY_ROUTE),
    (State.NOT_ACCEPTED, Event.REVIEW_PERIOD_LAPSED): (State.CLOSED, _ANY_ROUTE),
    (State.REGISTERED, Event.START_APPRAISAL): (State.APPRAISAL_ORDERED, (Route.WENLING_APPRAISAL,)),
    (State.REGISTERED, Event.REFER_SUPERVISION): (State.SUPERVISION, (Route.SUPERVISION,)),
    (State.SUPERVISION, Event.SUPERVISION_CONCLUDED): (State.CLOSED, (Route.SUPERVISION,)),
}
_WITHDRAWABLE = (State.FILED, State.AWAITING_MATERIAL, State.MATERIAL_SUPPLIED, State.REGISTERED,
                 State.QUALIFICATION_REJECTED, State.WITH_APPRAISER, State.TECHNICAL_REVIEW)
for _state in _WITHDRAWABLE:
    TRANSITIONS[(_state, Event.WITHDRAW)] = (State.WITHDRAWN, _ANY_ROUTE)

# 不予受理 is not final: its ruling is served and may be reviewed (异议复议规定 art. 2(3)); it closes when the
# review period lapses or the review is decided.
FINAL_STATES = frozenset({State.REVIEW_DECIDED, State.APPRAISAL_ORDERED, State.WITHDRAWN, State.CLOSED})


class IllegalTransition(Exception):
    """A step that the procedure does not allow from the objection's current state (nothing is changed)."""

    def __init__(self, state: State, event: Event, route: Route | None, why: str = "") -> None:
        self.state, self.event, self.route = state, event, route
        message = f"异议当前状态为“{STATE_NAMES[state]}”，不能进行“{EVENT_NAMES[event]}”。"
        if why:
            message += why
        else:
            allowed = allowed_events(state, route)
            message += ("可进行的操作：" + "、".join(EVENT_NAMES[e] for e in allowed) + "。") if allowed \
                else "该异议已办结，不能再变更。"
        super().__init__(message)


def allowed_events(state: State, route: Route | None) -> list[Event]:
    return [event for (s, event), (_to, routes) in TRANSITIONS.items()
            if s == state and (routes is None or route in routes)]


def transition(state: State, event: Event, route: Route | None, *, material_requests: int = 0) -> State:
    """The next state, or ``IllegalTransition``. ``material_requests``: how many times missing material was
    already asked for (only once: 异议复议规定 art. 2(2) 一次性告知)."""
    state, event = State(state), Event(event)
    if event is Event.REQUEST_MATERIAL and material_requests >= R.MISSING_MATERIAL_REQUESTS_MAX:
        raise IllegalTransition(state, event, route, "补足材料只能一次性告知（异议复议规定第二条第二款）。")
    entry = TRANSITIONS.get((state, event))
    if entry is None:
        raise IllegalTransition(state, event, route)
    target, routes = entry
    if routes is not None and route not in routes:
        raise IllegalTransition(state, event, route,
                                f"该异议的处理路径为“{ROUTE_NAMES[route] if route else '未确定'}”，不适用此操作。")
    return target


@dataclass(frozen=True)
class Step:
    """An open step: what must happen next, by whom, and by when."""

    name: str
    deadline: periods.Deadline | None


def open_step(state: State, route: Route | None, *, filed_on: date, calendar: WorkingCalendar,
              entered_on: date, decision_served_on: date | None = None,
              review_extension_days: int = 0) -> Step | None:
    """The step an objection is waiting for in ``state`` and its deadline. ``entered_on``: when the objection
    entered this state (forwarding, request for material, review application)."""
    state = State(state)
    if state is State.FILED:
        return Step("立案或裁定不予受理", periods.period(filed_on, R.REGISTRATION, calendar))
    if state is State.AWAITING_MATERIAL:
        return Step("异议人补足材料", periods.period(entered_on, R.MISSING_MATERIAL, calendar))
    if state is State.MATERIAL_SUPPLIED:
        return Step("立案或裁定不予受理", periods.period(entered_on, R.REGISTRATION, calendar))
    if state is State.REGISTERED:
        if route in _DECIDING:
            return Step("作出异议裁定", periods.period(filed_on, R.OBJECTION_DECISION, calendar))
        if route is Route.TECHNICAL:
            return Step("交评估机构书面说明", periods.period(filed_on, R.ART23_FORWARD_TO_APPRAISER, calendar))
        if route is Route.WENLING_APPRAISAL:
            return Step("启动委托评估", periods.period(filed_on, R.WENLING_APPRAISAL_START, calendar))
        if route is Route.SUPERVISION:
            return Step("转执行监督程序审查", None)
    if state is State.QUALIFICATION_REJECTED:
        return Step("交评估机构书面说明", periods.period(entered_on, R.ART23_FORWARD_TO_APPRAISER, calendar))
    if state is State.WITH_APPRAISER:
        return Step("评估机构书面说明", periods.period(entered_on, R.ART23_APPRAISER_EXPLANATION, calendar))
    if state is State.TECHNICAL_REVIEW:
        return Step("行业协会专业技术评审（法院指定期限）", None)
    if state in (State.UPHELD, State.REJECTED):
        if decision_served_on is None:
            return Step("送达异议裁定", None)
        return Step("复议申请期", periods.period(decision_served_on, R.REVIEW_APPLICATION, calendar))
    if state is State.NOT_ACCEPTED:
        if decision_served_on is None:
            return Step("送达不予受理裁定", None)
        return Step("复议申请期（不予受理裁定）",
                    periods.period(decision_served_on, R.NOT_ACCEPTED_REVIEW_APPLICATION, calendar))
    if state is State.REVIEW_APPLIED:
        return Step("上一级法院复议裁定" + ("（已延长）" if review_extension_days else ""),
                    review_decision_deadline(entered_on, calendar, review_extension_days))
    if state is State.SUPERVISION:
        return Step("执行监督审查", None)
    return None


def review_decision_deadline(applied_on: date, calendar: WorkingCalendar, extension_days: int = 0) -> periods.Deadline:
    """执行程序解释 art. 8: the higher court decides within 30 days of receiving the application; with the
    president's approval the period may be extended by at most 30 days."""
    if not 0 <= extension_days <= R.REVIEW_EXTENSION.amount:
        raise InvalidObjection(f"复议审查期限延长不得超过{R.REVIEW_EXTENSION.amount}日（执行程序解释第八条），"
                               f"收到 {extension_days} 日。")
    if not extension_days:
        return periods.period(applied_on, R.REVIEW_DECISION, calendar)
    return periods.calendar_days(applied_on, R.REVIEW_DECISION.amount + extension_days, calendar,
                                 article="执行程序解释第八条（经院长批准延长）")


@dataclass(frozen=True)
class ReviewCheck:
    timely: bool
    reason: str
    article: str
    window: periods.Deadline


def review_application(state: State, *, served_on: date | None, applied_on: date, calendar: WorkingCalendar,
                       mailed_on: date | None = None) -> ReviewCheck:
    """Whether an application for review (复议) of a ruling is on time: within 10 days of the ruling's service
    (a 不予受理 ruling: 异议复议规定 art. 2(3); a ruling on the objection: 民诉法 art. 236); a posted application
    counts from its postmark (民诉法 art. 85(4)). Without a recorded service the period has not started."""
    state = State(state)
    rule = R.NOT_ACCEPTED_REVIEW_APPLICATION if state is State.NOT_ACCEPTED else R.REVIEW_APPLICATION
    if served_on is None:
        raise InvalidObjection("裁定尚未登记送达，复议期间尚未起算；请先登记裁定送达日期。")
    window = periods.period(served_on, rule, calendar)
    if mailed_on is not None and mailed_on > applied_on:
        raise InvalidObjection(f"交邮日期 {mailed_on.isoformat()} 晚于收到日期 {applied_on.isoformat()}。")
    filed = mailed_on if mailed_on is not None and mailed_on < applied_on else applied_on
    if filed > window.due:
        how = f"交邮日期 {filed.isoformat()}" if filed != applied_on else f"申请日期 {applied_on.isoformat()}"
        return ReviewCheck(False, f"复议申请应自裁定送达之日（{served_on.isoformat()}）起十日内提出，即 {window.label()} 前；"
                                  f"{how} 已逾期，不予受理。", rule.article, window)
    return ReviewCheck(True, f"在复议期间内（{window.label()} 前）提出。", rule.article, window)


def admitted_grounds(report_kind: ReportKind, *, policy: Policy = Policy.STATUTORY,
                     first_auction_announced: bool = False) -> list[tuple[Ground, bool, str]]:
    """Each statutory ground with whether it can be raised against this kind of result, and why not (shown
    beside the ground before the party submits; 参考价规定 arts. 22-25). The judge still decides admissibility."""
    out = []
    for ground in Ground:
        ok, why = True, ""
        if ground in ART25_GROUNDS:
            if first_auction_announced:
                ok, why = False, "已发布一拍公告或已进入变卖程序，不能再依第二十五条提出"
        elif report_kind in (ReportKind.CORRECTION, ReportKind.TECHNICAL_REVIEW):
            ok, why = False, f"对{REPORT_KIND_NAMES[report_kind]}提出的异议不予受理（参考价规定第二十四条第一款）"
        elif report_kind is ReportKind.DIRECTED_INQUIRY and policy is Policy.WENLING:
            ok = True
        elif report_kind in (ReportKind.NEGOTIATED, ReportKind.DIRECTED_INQUIRY):
            ok, why = False, (f"对{REPORT_KIND_NAMES[report_kind]}只能依第二十五条提出（参考价规定第二十四条第二款）")
        elif ground in ART23_GROUNDS and report_kind is not ReportKind.APPRAISAL:
            ok, why = False, "仅适用于评估报告（参考价规定第二十三条）"
        out.append((ground, ok, why))
    return out


# --- filing and deciding ----------------------------------------------------------------------------------------

class InvalidObjection(ValueError):
    """A written objection that cannot be filed, or a decision that cannot be made, as given (message in Chinese);
    nothing is recorded."""


#: 异议复议规定 art. 15: after withdrawal or rejection, the same objector cannot object to the same report again.
CLOSED_AGAINST_REPEAT = frozenset({State.WITHDRAWN, State.REJECTED, State.REVIEW_APPLIED, State.REVIEW_DECIDED})


@dataclass(frozen=True)
class WrittenObjection:
    """What a written objection (异议书) must state, checked: the grounds, the facts and reasons, where to serve."""

    grounds: tuple[Ground, ...]
    facts: str
    reasons: str
    address_for_service: str


def check_written_objection(grounds: Iterable[str], facts: str, reasons: str, address_for_service: str, *,
                            party_address: str = "") -> WrittenObjection:
    """异议复议规定 art. 1: a written objection states the objector's claim with its facts and reasons and an
    address for service (the party's registered address is used when none is given); its grounds come from the
    statutory checklist (参考价规定 arts. 22, 23, 25), at least one. The grounds are returned sorted, each once."""
    try:
        chosen = tuple(sorted({Ground(g) for g in grounds}))
    except ValueError:
        raise InvalidObjection("异议事由应从法定事由清单中选择（参考价规定第二十二条、第二十三条、第二十五条）。") from None
    if not chosen:
        raise InvalidObjection("应至少选择一项异议事由（参考价规定第二十二条、第二十三条）。")
    if not facts.strip() or not reasons.strip():
        raise InvalidObjection("异议书应写明事实和理由（异议复议规定第一条）。")
    address = address_for_service.strip() or party_address
    if not address:
        raise InvalidObjection("应填写送达地址（异议复议规定第一条）。")
    return WrittenObjection(chosen, facts.strip(), reasons.strip(), address)


def check_postmark(mailed_on: date | None, filed_on: date) -> None:
    """A posted objection's postmark (民诉法 art. 85(4): 在途时间不计入) cannot be later than its arrival."""
    if mailed_on is not None and mailed_on > filed_on:
        raise InvalidObjection(f"交邮日期 {mailed_on.isoformat()} 晚于收到日期 {filed_on.isoformat()}。")


def report_received_on(*, stated: date | None, published_on: date | None, forwarded_on: date | None,
                       filed_on: date, calendar: WorkingCalendar) -> date:
    """When the objector received the report, from which the 5-day window runs (参考价规定 arts. 21-23): as
    stated (the date on the service receipt, never the day the court sent it); else deemed received 15 days
    after its publication (art. 21(2)); else the filing day, so that a missing date never makes a filing late
    (the judge checks the service record before deciding admissibility). ``forwarded_on`` is not a receipt date."""
    if stated is not None:
        if stated > filed_on:
            raise InvalidObjection(f"收到报告日期 {stated.isoformat()} 晚于提交日期 {filed_on.isoformat()}。")
        if forwarded_on is not None and stated < forwarded_on:
            raise InvalidObjection(f"收到报告日期 {stated.isoformat()} 早于法院发送报告的日期 {forwarded_on.isoformat()}。")
        return stated
    if published_on is not None:
        return rp.deemed_service(published_on, calendar).due
    return filed_on


@dataclass(frozen=True)
class DecisionEffect:
    """What a ruling on an objection does: the step of the state machine, and its effect on the reference price
    as recorded (``next``: what must happen next; ``corrected_value_fen``; ``reappraisal_by``)."""

    event: Event
    effect: dict = field(default_factory=dict)
    corrected_value_fen: int | None = None
    reappraisal_by: str | None = None


def decision_effect(state: State, route: Route | None, report_kind: ReportKind, grounds: Iterable[str], *,
                    upheld: bool, corrected_value_fen: int | None = None, appraisal_firms: Sequence[str] = (),
                    current_firm: str = "", material_requests: int = 0) -> DecisionEffect:
    """The court's ruling on an objection reviewed as an enforcement act (参考价规定 art. 22(2), 民诉法 art. 236),
    or on the qualification/procedure grounds first (art. 23(2)), and its effect on the reference price:

    - art. 23(2) grounds rejected: the objection continues on the technical route (forward to the appraiser,
      art. 23(1));
    - network-inquiry report upheld with a corrected value: the platform's correction replaces the value and the
      mean is recomputed (art. 13(2)); upheld without one: the platform corrects within 3 days (art. 12);
    - appraisal report, art. 22(1) (三)/(四) upheld: the materials go back and the next-ranked firm re-appraises
      (art. 23(2); ``appraisal_firms`` in their order, ``current_firm`` the one replaced); other grounds upheld:
      the firm explains or corrects within 3 days (arts. 20, 26).

    The step is checked against the state machine first (``IllegalTransition``); a corrected value that is not
    positive raises ``InvalidObjection``; no next-ranked firm raises ``ReferencePriceError``.
    """
    effect: dict = {}
    if route is Route.QUALIFICATION_FIRST and not upheld:
        event = Event.QUALIFICATION_REJECTED
        effect["next"] = "按参考价规定第二十三条第一款交评估机构说明"
    else:
        event = Event.DECIDE_UPHELD if upheld else Event.DECIDE_REJECTED
    transition(State(state), event, route, material_requests=material_requests)
    corrected = reappraisal_by = None
    if upheld and report_kind is ReportKind.NETWORK_INQUIRY:
        if corrected_value_fen is not None:
            if corrected_value_fen <= 0:
                raise InvalidObjection("补正后的询价结果应为正的整数（单位：分）。")
            corrected = effect["corrected_value_fen"] = corrected_value_fen
        else:
            effect["next"] = "通知司法网络询价平台三日内补正（参考价规定第十二条）"
    elif upheld and report_kind is ReportKind.APPRAISAL:
        if set(grounds) & {Ground.QUALIFICATION.value, Ground.PROCEDURE.value}:
            reappraisal_by = rp.next_ranked_firm(list(appraisal_firms), current_firm)
            effect.update(reappraisal_by=reappraisal_by, next="通知原评估机构三日内退回材料，另行委托下一顺序评估机构"
                                                              "重新评估（参考价规定第二十三条第二款）")
        else:
            effect["next"] = "责令评估机构三日内书面说明或补正（参考价规定第二十条、第二十六条）"
    return DecisionEffect(event, effect, corrected, reappraisal_by)


def technical_conclusion_effect(confirms: bool) -> DecisionEffect:
    """The association's technical-review conclusion (参考价规定 arts. 23(1), 26): confirming the appraisal makes
    its result the reference price; otherwise the original firm is ordered to correct, and the corrected result
    is the reference price."""
    if confirms:
        return DecisionEffect(Event.REVIEW_CONFIRMS, {"reference_price": "以评估结果为参考价（参考价规定第二十六条）"})
    return DecisionEffect(Event.REVIEW_ORDERS_CORRECTION,
                          {"next": "责令原评估机构予以补正，以补正结果为参考价（参考价规定第二十三条、第二十六条）"})
