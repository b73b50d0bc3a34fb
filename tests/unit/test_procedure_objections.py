"""Objections: admissibility (参考价规定 arts. 24, 25), routing (arts. 22, 23), the Wenling policy switch, the
state machine and each step's deadline."""

from __future__ import annotations

from datetime import date

import pytest

from auction import agenda
from auction import objections as o
from auction.calendar import WorkingCalendar
from auction.objections import Event, Ground, Policy, ReportKind, Route, State

CAL = WorkingCalendar()
RECEIVED = date(2025, 3, 3)  # Monday; the 5-day window ends Saturday 8 March → rolls to Monday 10 March


def assess(kind, grounds, filed_on=date(2025, 3, 5), policy=Policy.STATUTORY, announced=False, received=RECEIVED):
    return o.assess(kind, grounds, received_report_on=received, filed_on=filed_on, calendar=CAL, policy=policy,
                    first_auction_announced=announced)


# --- admissibility -------------------------------------------------------------------------------------------

def test_objection_window_rolls_past_the_weekend():
    assert o.objection_window(RECEIVED, CAL).due == date(2025, 3, 10)


@pytest.mark.parametrize("filed_on, accepted", [
    (date(2025, 3, 10), True),  # last day (rolled from Saturday)
    (date(2025, 3, 11), False),  # the day after
])
def test_late_objection_is_not_accepted(filed_on, accepted):
    verdict = assess(ReportKind.NETWORK_INQUIRY, [Ground.BASIC_FACTS], filed_on=filed_on)
    assert verdict.accepted is accepted
    if not accepted:
        assert "第二十四条第一款" in verdict.article and "逾期" in verdict.reason


def test_window_over_national_day():
    # received 26 Sep 2025: day 5 = 1 Oct → the window runs to 9 Oct
    assert assess(ReportKind.APPRAISAL, [Ground.SCOPE], filed_on=date(2025, 10, 9), received=date(2025, 9, 26)).accepted
    assert not assess(ReportKind.APPRAISAL, [Ground.SCOPE], filed_on=date(2025, 10, 10),
                      received=date(2025, 9, 26)).accepted


@pytest.mark.parametrize("kind", [ReportKind.NEGOTIATED, ReportKind.DIRECTED_INQUIRY])
def test_objection_to_negotiation_or_directed_inquiry_is_not_accepted(kind):
    verdict = assess(kind, [Ground.RESULT])
    assert not verdict.accepted
    assert verdict.article == "参考价规定第二十四条第二款"


@pytest.mark.parametrize("kind", [ReportKind.CORRECTION, ReportKind.TECHNICAL_REVIEW])
def test_objection_to_correction_or_technical_review_is_not_accepted(kind):
    verdict = assess(kind, [Ground.RESULT])
    assert not verdict.accepted
    assert verdict.article == "参考价规定第二十四条第一款"


def test_art25_false_directed_inquiry_before_the_announcement_goes_to_supervision():
    verdict = assess(ReportKind.DIRECTED_INQUIRY, [Ground.FALSE_INQUIRY], filed_on=date(2025, 6, 1))
    assert verdict.accepted and verdict.route is Route.SUPERVISION


def test_art25_after_the_first_auction_announcement_is_not_accepted():
    verdict = assess(ReportKind.DIRECTED_INQUIRY, [Ground.FALSE_INQUIRY], announced=True)
    assert not verdict.accepted and "第二十五条" in verdict.article


def test_art25_grounds_cannot_be_mixed_with_report_grounds():
    assert not assess(ReportKind.APPRAISAL, [Ground.COLLUSION, Ground.RESULT]).accepted


def test_art23_grounds_against_a_network_report_are_not_accepted():
    verdict = assess(ReportKind.NETWORK_INQUIRY, [Ground.RESULT])
    assert not verdict.accepted and "仅适用于评估报告" in verdict.reason


def test_no_grounds_is_a_programming_error():
    with pytest.raises(ValueError):
        assess(ReportKind.APPRAISAL, [])


# --- routing -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, grounds, route", [
    (ReportKind.NETWORK_INQUIRY, [Ground.BASIC_FACTS], Route.ENFORCEMENT_ACT),
    (ReportKind.NETWORK_INQUIRY, [Ground.SCOPE, Ground.BASIC_FACTS], Route.ENFORCEMENT_ACT),
    (ReportKind.APPRAISAL, [Ground.QUALIFICATION], Route.ENFORCEMENT_ACT),
    (ReportKind.APPRAISAL, [Ground.PROCEDURE, Ground.SCOPE], Route.ENFORCEMENT_ACT),
    (ReportKind.APPRAISAL, [Ground.METHOD], Route.TECHNICAL),
    (ReportKind.APPRAISAL, [Ground.RESULT, Ground.BASIC_FACTS], Route.TECHNICAL),  # art. 23(2) first clause
    (ReportKind.APPRAISAL, [Ground.STANDARD, Ground.QUALIFICATION], Route.QUALIFICATION_FIRST),
    (ReportKind.APPRAISAL, [Ground.RESULT, Ground.PROCEDURE], Route.QUALIFICATION_FIRST),
])
def test_routing(kind, grounds, route):
    verdict = assess(kind, grounds)
    assert verdict.accepted and verdict.route is route


# --- policy switch -------------------------------------------------------------------------------------------

def test_wenling_policy_accepts_objection_to_directed_inquiry_and_orders_appraisal():
    verdict = assess(ReportKind.DIRECTED_INQUIRY, [Ground.RESULT], policy=Policy.WENLING)
    assert verdict.accepted and verdict.route is Route.WENLING_APPRAISAL
    statutory = assess(ReportKind.DIRECTED_INQUIRY, [Ground.RESULT], policy=Policy.STATUTORY)
    assert not statutory.accepted


def test_wenling_policy_still_refuses_late_objections_and_negotiated_results():
    assert not assess(ReportKind.DIRECTED_INQUIRY, [Ground.RESULT], policy=Policy.WENLING,
                      filed_on=date(2025, 3, 11)).accepted
    assert not assess(ReportKind.NEGOTIATED, [Ground.RESULT], policy=Policy.WENLING).accepted


def test_wenling_appraisal_starts_within_3_working_days():
    step = o.open_step(State.REGISTERED, Route.WENLING_APPRAISAL, filed_on=date(2025, 9, 30), calendar=CAL,
                       entered_on=date(2025, 9, 30))
    assert step.deadline.due == date(2025, 10, 11)  # 9, 10 Oct and the make-up Saturday 11 Oct


# --- state machine ----------------------------------------------------------------------------------------------

def run(route, *events, state=State.FILED, material_requests=0):
    for event in events:
        state = o.transition(state, event, route, material_requests=material_requests)
        if event is Event.REQUEST_MATERIAL:
            material_requests += 1
    return state


@pytest.mark.parametrize("route, events, end", [
    (Route.ENFORCEMENT_ACT, [Event.REGISTER, Event.DECIDE_REJECTED, Event.APPLY_FOR_REVIEW, Event.REVIEW_DECIDED],
     State.REVIEW_DECIDED),
    (Route.ENFORCEMENT_ACT, [Event.REQUEST_MATERIAL, Event.SUPPLY_MATERIAL, Event.REGISTER, Event.DECIDE_UPHELD,
                             Event.REVIEW_PERIOD_LAPSED], State.CLOSED),
    (Route.TECHNICAL, [Event.REGISTER, Event.FORWARD_TO_APPRAISER, Event.TO_TECHNICAL_REVIEW,
                       Event.REVIEW_CONFIRMS], State.CLOSED),
    (Route.TECHNICAL, [Event.REGISTER, Event.FORWARD_TO_APPRAISER, Event.EXPLANATION_ACCEPTED], State.CLOSED),
    (Route.QUALIFICATION_FIRST, [Event.REGISTER, Event.QUALIFICATION_REJECTED, Event.FORWARD_TO_APPRAISER,
                                 Event.TO_TECHNICAL_REVIEW, Event.REVIEW_ORDERS_CORRECTION], State.CLOSED),
    (Route.QUALIFICATION_FIRST, [Event.REGISTER, Event.DECIDE_UPHELD], State.UPHELD),
    (Route.WENLING_APPRAISAL, [Event.REGISTER, Event.START_APPRAISAL], State.APPRAISAL_ORDERED),
    (Route.SUPERVISION, [Event.REGISTER, Event.REFER_SUPERVISION, Event.SUPERVISION_CONCLUDED], State.CLOSED),
    (Route.ENFORCEMENT_ACT, [Event.REQUEST_MATERIAL, Event.MATERIAL_LAPSED], State.NOT_ACCEPTED),
    (Route.TECHNICAL, [Event.REGISTER, Event.WITHDRAW], State.WITHDRAWN),
])
def test_legal_paths(route, events, end):
    assert run(route, *events) == end


@pytest.mark.parametrize("route, events", [
    (Route.ENFORCEMENT_ACT, [Event.DECIDE_UPHELD]),  # decided before registration
    (Route.ENFORCEMENT_ACT, [Event.REGISTER, Event.FORWARD_TO_APPRAISER]),  # wrong route
    (Route.TECHNICAL, [Event.REGISTER, Event.DECIDE_REJECTED]),  # art. 23 is not ruled on
    (Route.TECHNICAL, [Event.REGISTER, Event.FORWARD_TO_APPRAISER, Event.TO_TECHNICAL_REVIEW,
                       Event.REVIEW_CONFIRMS, Event.APPLY_FOR_REVIEW]),  # art. 24: no review of a conclusion
    (Route.ENFORCEMENT_ACT, [Event.REGISTER, Event.DECIDE_REJECTED, Event.REVIEW_PERIOD_LAPSED, Event.WITHDRAW]),
    (Route.WENLING_APPRAISAL, [Event.REGISTER, Event.START_APPRAISAL, Event.START_APPRAISAL]),
    (Route.ENFORCEMENT_ACT, [Event.REGISTER, Event.REGISTER]),
])
def test_illegal_transitions_raise(route, events):
    with pytest.raises(o.IllegalTransition) as info:
        run(route, *events)
    assert "不能进行" in str(info.value)


def test_missing_material_is_asked_for_only_once():
    with pytest.raises(o.IllegalTransition, match="一次性"):
        o.transition(State.FILED, Event.REQUEST_MATERIAL, Route.ENFORCEMENT_ACT, material_requests=1)
    # after the material came, asking again is impossible too
    with pytest.raises(o.IllegalTransition):
        run(Route.ENFORCEMENT_ACT, Event.REQUEST_MATERIAL, Event.SUPPLY_MATERIAL, Event.REQUEST_MATERIAL)


def test_final_states_allow_nothing():
    for state in o.FINAL_STATES - {State.SUPERVISION}:
        assert o.allowed_events(state, Route.ENFORCEMENT_ACT) == []


# --- step deadlines -----------------------------------------------------------------------------------------

FILED = date(2025, 9, 24)  # Wednesday


@pytest.mark.parametrize("state, route, entered, served, due, article", [
    # day 3 is Saturday 27 Sep, a rest day; it rolls to the make-up working Sunday 28 Sep
    (State.FILED, Route.ENFORCEMENT_ACT, FILED, None, date(2025, 9, 28), "异议复议规定第二条第一款"),
    (State.AWAITING_MATERIAL, Route.ENFORCEMENT_ACT, date(2025, 9, 26), None, date(2025, 9, 29), "异议复议规定第二条第二款"),
    (State.REGISTERED, Route.ENFORCEMENT_ACT, FILED, None, date(2025, 10, 9), "民诉法第二百三十六条、执行程序解释第五条"),
    (State.REGISTERED, Route.TECHNICAL, FILED, None, date(2025, 9, 28), "参考价规定第二十三条第一款"),
    (State.WITH_APPRAISER, Route.TECHNICAL, date(2025, 9, 26), None, date(2025, 10, 9), "参考价规定第二十三条第一款"),
    (State.REJECTED, Route.ENFORCEMENT_ACT, date(2025, 10, 9), date(2025, 10, 10), date(2025, 10, 20),
     "民诉法第二百三十六条"),
    (State.REVIEW_APPLIED, Route.ENFORCEMENT_ACT, date(2025, 10, 15), None, date(2025, 11, 14), "执行程序解释第八条"),
])
def test_step_deadlines(state, route, entered, served, due, article):
    step = o.open_step(state, route, filed_on=FILED, calendar=CAL, entered_on=entered, decision_served_on=served)
    assert step.deadline.due == due
    assert step.deadline.article == article


def test_registration_due_on_a_saturday_that_is_a_make_up_working_day():
    # filed 25 Sep 2025: day 3 = Sunday 28 Sep, a make-up working day: no roll-over
    step = o.open_step(State.FILED, None, filed_on=date(2025, 9, 25), calendar=CAL, entered_on=date(2025, 9, 25))
    assert step.deadline.due == date(2025, 9, 28) and step.deadline.rolled_from is None


def test_technical_review_has_no_statutory_period():
    step = o.open_step(State.TECHNICAL_REVIEW, Route.TECHNICAL, filed_on=FILED, calendar=CAL, entered_on=FILED)
    assert step.deadline is None


# --- agenda --------------------------------------------------------------------------------------------------

def test_agenda_flags_overdue_and_provisional_and_sorts():
    due_past = o.objection_window(date(2025, 3, 3), CAL)
    due_2027 = o.objection_window(date(2026, 12, 28), CAL)
    steps = [agenda.OpenStep("浙1081", "（2026）浙1081执1号", "b", "x", due_2027),
             agenda.OpenStep("浙1081", "（2026）浙1081执1号", "c", "y", None),
             agenda.OpenStep("浙1081", "（2026）浙1081执2号", "a", "z", due_past)]
    items = agenda.build(steps, today=date(2026, 12, 29))
    assert [i.step.subject for i in items] == ["a", "b", "c"]
    assert items[0].overdue and not items[1].overdue
    assert items[1].provisional and "暂定" in items[1].note
    assert items[2].as_dict()["due"] is None


def test_posted_objection_counts_from_the_postmark():
    # 民诉法 art. 85(4): posted on the last day (10 March), arrived on 12 March
    verdict = o.assess(ReportKind.NETWORK_INQUIRY, [Ground.SCOPE], received_report_on=RECEIVED,
                       filed_on=date(2025, 3, 12), mailed_on=date(2025, 3, 10), calendar=CAL)
    assert verdict.accepted
    late = o.assess(ReportKind.NETWORK_INQUIRY, [Ground.SCOPE], received_report_on=RECEIVED,
                    filed_on=date(2025, 3, 12), mailed_on=date(2025, 3, 11), calendar=CAL)
    assert not late.accepted


def test_objection_raised_again_after_rejection_is_not_accepted():
    verdict = assess(ReportKind.APPRAISAL, [Ground.SCOPE], filed_on=date(2025, 3, 4))
    again = o.assess(ReportKind.APPRAISAL, [Ground.SCOPE], received_report_on=RECEIVED, filed_on=date(2025, 3, 4),
                     calendar=CAL, raised_again=True)
    assert verdict.accepted and not again.accepted
    assert again.article == "异议复议规定第十五条"


# --- filing and deciding (the rules the objection service calls) -----------------------------------------------

def test_a_written_objection_needs_a_ground_from_the_checklist():
    with pytest.raises(o.InvalidObjection, match="法定事由"):
        o.check_written_objection(["price_too_low"], "事实", "理由", "地址")
    with pytest.raises(o.InvalidObjection, match="至少选择一项"):
        o.check_written_objection([], "事实", "理由", "地址")


def test_a_written_objection_states_facts_reasons_and_an_address():
    with pytest.raises(o.InvalidObjection, match="事实和理由"):
        o.check_written_objection(["result"], "事实", "  ", "地址")
    with pytest.raises(o.InvalidObjection, match="送达地址"):
        o.check_written_objection(["result"], "事实", "理由", " ")
    written = o.check_written_objection(["result", "method", "result"], " 事实 ", "理由", "", party_address="登记地址")
    assert written == o.WrittenObjection((Ground.METHOD, Ground.RESULT), "事实", "理由", "登记地址")


def test_a_postmark_cannot_follow_the_arrival():
    o.check_postmark(date(2025, 3, 5), date(2025, 3, 5))
    o.check_postmark(None, date(2025, 3, 5))
    with pytest.raises(o.InvalidObjection, match="交邮日期 2025-03-06 晚于收到日期 2025-03-05"):
        o.check_postmark(date(2025, 3, 6), date(2025, 3, 5))


def test_the_report_counts_as_received_as_stated_else_15_days_after_publication_never_when_sent():
    kwargs = dict(published_on=date(2025, 3, 3), forwarded_on=date(2025, 3, 1), filed_on=date(2025, 4, 1),
                  calendar=CAL)
    assert o.report_received_on(stated=date(2025, 3, 2), **kwargs) == date(2025, 3, 2)
    assert o.report_received_on(stated=None, **kwargs) == date(2025, 3, 18)  # 参考价规定 art. 21(2)
    # the day the court sent it is not a receipt date: without one the filing day counts (the judge checks)
    assert o.report_received_on(stated=None, **{**kwargs, "published_on": None}) == date(2025, 4, 1)
    assert o.report_received_on(stated=None, published_on=None, forwarded_on=None, filed_on=date(2025, 4, 1),
                                calendar=CAL) == date(2025, 4, 1)


def test_a_repeat_objection_is_barred_after_withdrawal_or_rejection():
    assert o.CLOSED_AGAINST_REPEAT == {State.WITHDRAWN, State.REJECTED, State.REVIEW_APPLIED, State.REVIEW_DECIDED}


def test_an_upheld_network_inquiry_objection_takes_the_corrected_value():
    effect = o.decision_effect(State.REGISTERED, Route.ENFORCEMENT_ACT, ReportKind.NETWORK_INQUIRY, ["basic_facts"],
                               upheld=True, corrected_value_fen=120_000_000)
    assert effect.event is Event.DECIDE_UPHELD and effect.corrected_value_fen == 120_000_000
    assert effect.effect == {"corrected_value_fen": 120_000_000}
    without = o.decision_effect(State.REGISTERED, Route.ENFORCEMENT_ACT, ReportKind.NETWORK_INQUIRY,
                                ["basic_facts"], upheld=True)
    assert "三日内补正（参考价规定第十二条）" in without.effect["next"] and without.corrected_value_fen is None
    with pytest.raises(o.InvalidObjection, match="正的整数"):
        o.decision_effect(State.REGISTERED, Route.ENFORCEMENT_ACT, ReportKind.NETWORK_INQUIRY, ["basic_facts"],
                          upheld=True, corrected_value_fen=0)


def test_an_upheld_qualification_ground_passes_the_appraisal_to_the_next_ranked_firm():
    effect = o.decision_effect(State.REGISTERED, Route.QUALIFICATION_FIRST, ReportKind.APPRAISAL,
                               ["qualification", "result"], upheld=True, appraisal_firms=["甲", "乙", "丙"],
                               current_firm="甲")
    assert effect.reappraisal_by == "乙" and effect.effect["reappraisal_by"] == "乙"
    assert "第二十三条第二款" in effect.effect["next"]
    with pytest.raises(ValueError, match="已无下一顺序的评估机构"):
        o.decision_effect(State.REGISTERED, Route.QUALIFICATION_FIRST, ReportKind.APPRAISAL, ["procedure"],
                          upheld=True, appraisal_firms=["甲", "乙"], current_firm="乙")


def test_other_upheld_appraisal_grounds_order_the_firm_to_explain_or_correct():
    effect = o.decision_effect(State.REGISTERED, Route.ENFORCEMENT_ACT, ReportKind.APPRAISAL, ["basic_facts"],
                               upheld=True, appraisal_firms=["甲", "乙"], current_firm="甲")
    assert effect.reappraisal_by is None and "第二十条、第二十六条" in effect.effect["next"]


def test_rejected_qualification_grounds_continue_on_the_technical_route():
    effect = o.decision_effect(State.REGISTERED, Route.QUALIFICATION_FIRST, ReportKind.APPRAISAL, ["qualification"],
                               upheld=False)
    assert effect.event is Event.QUALIFICATION_REJECTED and "第二十三条第一款" in effect.effect["next"]
    rejected = o.decision_effect(State.REGISTERED, Route.ENFORCEMENT_ACT, ReportKind.NETWORK_INQUIRY,
                                 ["basic_facts"], upheld=False)
    assert rejected.event is Event.DECIDE_REJECTED and rejected.effect == {}


def test_a_decision_is_checked_against_the_state_machine_first():
    with pytest.raises(o.IllegalTransition):
        o.decision_effect(State.FILED, Route.ENFORCEMENT_ACT, ReportKind.NETWORK_INQUIRY, ["basic_facts"],
                          upheld=True, corrected_value_fen=0)


def test_a_technical_review_conclusion_fixes_the_price_or_orders_a_correction():
    assert o.technical_conclusion_effect(True).event is Event.REVIEW_CONFIRMS
    assert "第二十六条" in o.technical_conclusion_effect(True).effect["reference_price"]
    assert o.technical_conclusion_effect(False).event is Event.REVIEW_ORDERS_CORRECTION


def test_each_ground_is_raised_under_its_article():
    assert o.ground_article(Ground.BASIC_FACTS) == "参考价规定第二十二条"
    assert o.ground_article(Ground.RESULT) == "参考价规定第二十三条（仅评估报告）"
    assert o.ground_article(Ground.COLLUSION).startswith("参考价规定第二十五条")
    assert {o.ground_article(g)[:9] for g in Ground} == {"参考价规定第二十二", "参考价规定第二十三", "参考价规定第二十五"}
