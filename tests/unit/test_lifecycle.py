"""The lot's state machine (auction.lifecycle): every transition and its refusal at the boundary, with the
article named; the agenda's deadlines; 变卖, 悔拍 with the buyer barred, priority purchasers, 以物抵债."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from auction.calendar import WorkingCalendar
from auction.lifecycle import (
    Event,
    EventKind,
    Lifecycle,
    LotState,
    TransitionRefused,
    mask_id_number,
    mask_name,
    shortfall_fen,
)
from auction.listing_plan import plan_listing
from auction.lot_examples import example_real_estate_lot, example_vehicle_lot

ANNOUNCE = date(2026, 8, 3)
TODAY = date(2026, 12, 1)
BUYER_ID = "330100198001010015"
PANEL = ["张审判长", "王法官", "陈法官"]


def house(**change):
    lot = example_real_estate_lot(announce_on=ANNOUNCE)
    for p in lot.parties:
        p.notified_on = ANNOUNCE - timedelta(days=3)
    for p in lot.priority_purchasers:
        p.notified_on = ANNOUNCE - timedelta(days=3)
    lot.encumbrances[1].amount_fen = 50_000_000  # a surplus stays possible in every round (拍卖变卖规定 art. 6)
    for key, value in change.items():
        setattr(lot, key, value)
    return lot


def ev(kind, on, at=None, **data):
    return Event(EventKind(kind), on, at, data)


def go(life, *events):
    for e in events:
        life = life.apply(e, today=TODAY)
    return life


def refused(life, event, match):
    with pytest.raises(TransitionRefused, match=match) as info:
        life.apply(event, today=TODAY)
    return info.value


def announced(lot=None):
    lot = lot or house()
    return go(Lifecycle(lot), ev("panel_decision", ANNOUNCE - timedelta(days=5), members=PANEL),
              ev("announce", ANNOUNCE))


def bidding(lot=None):
    life = announced(lot)
    start = life.plan.bidding_start
    return go(life, ev("open_bidding", start.date(), start))


def sold(lot=None, price=None):
    life = bidding(lot)
    end = life.plan.bidding_end
    return go(life, ev("sold", end.date(), end + timedelta(minutes=3), buyer_name="周某某", buyer_id_number=BUYER_ID,
                       bidder_code="A1", price_fen=price or life.plan.starting_price_fen + 1_000_00))


def test_announcement_needs_the_panel_decision_with_three_members():
    life = Lifecycle(house())
    exc = refused(life, ev("announce", ANNOUNCE), "合议庭评议")
    assert "网拍规定第二十七条" in str(exc)
    refused(life, ev("panel_decision", ANNOUNCE, members=PANEL[:2]), "至少三名")
    assert go(life, ev("panel_decision", ANNOUNCE, members=PANEL)).panel_on == ANNOUNCE


def test_parties_notified_two_days_before_the_announcement_are_refused_three_days_pass():
    lot = house()
    lot.parties[1].notified_on = ANNOUNCE - timedelta(days=2)
    life = go(Lifecycle(lot), ev("panel_decision", ANNOUNCE - timedelta(days=9), members=PANEL))
    exc = refused(life, ev("announce", ANNOUNCE), "赵某某")
    assert "网拍规定第十六条第一款" in str(exc)
    lot.parties[1].notified_on = ANNOUNCE - timedelta(days=3)
    assert go(life, ev("announce", ANNOUNCE)).state is LotState.ANNOUNCED


def test_a_priority_purchaser_notified_on_the_announcement_day_is_refused():
    lot = house()
    lot.priority_purchasers[0].notified_on = ANNOUNCE
    life = go(Lifecycle(lot), ev("panel_decision", ANNOUNCE - timedelta(days=9), members=PANEL))
    assert "钱某某" in str(refused(life, ev("announce", ANNOUNCE), "优先购买权人"))


def test_a_blank_platform_and_a_short_announcement_period_are_refused():
    life = go(Lifecycle(house(platform="")), ev("panel_decision", ANNOUNCE, members=PANEL))
    assert "网拍规定第十二条第二款" in str(refused(life, ev("announce", ANNOUNCE), "网络平台"))
    life = go(Lifecycle(house()), ev("panel_decision", ANNOUNCE, members=PANEL))
    late = life.plan.bidding_start.date() - timedelta(days=29)  # real estate: 30 days (网拍规定 art. 12)
    assert "网拍规定第十二条第一款" in str(refused(life, ev("announce", late), "30 日前公告"))


def test_bidding_cannot_open_early_nor_a_sale_precede_the_end_nor_go_below_the_start():
    life = announced()
    start, end = life.plan.bidding_start, life.plan.bidding_end
    refused(life, ev("open_bidding", start.date(), start - timedelta(minutes=1)), "不能提前开始")
    life = go(life, ev("open_bidding", start.date(), start))
    sale = dict(buyer_name="周某某", buyer_id_number=BUYER_ID, price_fen=life.plan.starting_price_fen)
    refused(life, ev("sold", end.date(), end - timedelta(minutes=1), **sale), "早于竞价结束")
    below = {**sale, "price_fen": life.plan.starting_price_fen - 1}
    assert "网拍规定第二十条" in str(refused(life, ev("sold", end.date(), end, **below), "低于起拍价"))
    assert go(life, ev("sold", end.date(), end, **sale)).state is LotState.SOLD


def test_an_event_dated_after_today_is_refused():
    life = announced()
    refused(life, ev("withdraw", TODAY + timedelta(days=1), reason="和解"), "晚于今天")
    assert go(life, ev("withdraw", TODAY, reason="当事人达成执行和解")).state is LotState.WITHDRAWN


def test_wrong_state_is_refused_with_the_article_of_the_step():
    exc = refused(announced(), ev("pay_balance", ANNOUNCE + timedelta(days=40)), "不能登记余款付清")
    assert "网拍规定第二十五条" in str(exc)


def test_balance_paid_on_the_due_day_passes_the_next_day_is_refused():
    life = sold()
    due = life.sale.balance_due_on
    refused(life, ev("pay_balance", due + timedelta(days=1)), "已过")
    assert go(life, ev("pay_balance", due)).state is LotState.PAID


def test_sale_ruling_of_real_estate_needs_a_qualified_review_then_handover_within_15_days():
    life = sold()
    paid = go(life, ev("pay_balance", life.sale.balance_due_on))
    on = paid.paid_on
    assert "竞买人资格规定第三条" in str(refused(paid, ev("rule", on), "尚未审核"))
    rejected = go(paid, ev("review_qualification", on, reviewer="王法官", evidence="购房资格核验单", qualified=False))
    refused(rejected, ev("rule", on), "不具备购房资格")
    refused(paid, ev("review_qualification", on, reviewer="", evidence="x", qualified=True), "审核人")
    reviewed = go(paid, ev("review_qualification", on, reviewer="王法官", evidence="住建局购房资格核验单",
                           qualified=True))
    (step,) = [s for s in reviewed.next_steps(WorkingCalendar()) if "裁定" in s.step]
    assert step.deadline.start == on and step.deadline.due >= on + timedelta(days=10)
    assert "拍卖变卖规定第二十条" in step.deadline.article
    ruled = go(reviewed, ev("rule", on + timedelta(days=2)))
    refused(ruled, ev("deliver", on + timedelta(days=3)), "接收人")
    ruled = go(ruled, ev("notify_registry", on + timedelta(days=2)))
    assert ruled.registry_notices[0]["registry"] == "不动产登记中心"
    handover = [s for s in ruled.next_steps(WorkingCalendar()) if "移交" in s.step][0]
    assert handover.deadline.due >= on + timedelta(days=17) and "第二十七条" in handover.deadline.article
    done = go(ruled, ev("deliver", on + timedelta(days=5), receiver="周某某"))
    assert done.state is LotState.DELIVERED and done.outcome == "sold"


def test_reneging_before_the_deadline_needs_a_written_refusal_and_forfeits_the_deposit():
    life = sold()
    due = life.sale.balance_due_on
    assert "网拍规定第二十五条" in str(refused(life, ev("renege", due), "届满前"))
    early = go(life, ev("renege", due, written_refusal=True))
    assert early.state is LotState.RENEGED
    late = go(life, ev("renege", due + timedelta(days=1)))
    assert late.forfeited_deposit_fen == life.plan.deposit_fen and late.outcome == "reneged"


def test_the_reneging_buyer_is_barred_from_the_reauction():
    life = bidding()
    life = replace(life, barred=(BUYER_ID,))
    end = life.plan.bidding_end
    exc = refused(life, ev("sold", end.date(), end, buyer_name="周某某", buyer_id_number=BUYER_ID,
                           price_fen=life.plan.starting_price_fen), "不得参加重新拍卖")
    assert "拍卖变卖规定第二十二条" in str(exc)
    # another person of the same name is not barred: the bar follows the ID number
    namesake = go(life, ev("sold", end.date(), end, buyer_name="周某某", buyer_id_number="330100198505050029",
                           price_fen=life.plan.starting_price_fen))
    assert namesake.state is LotState.SOLD


def test_shortfall_of_the_reauction_is_charged_to_the_reneging_buyer_after_the_deposit():
    assert shortfall_fen(100_000_00, 80_000_00, 10_000_00) == {"gap_fen": 20_000_00,
                                                              "covered_by_deposit_fen": 10_000_00,
                                                              "owed_fen": 10_000_00}
    assert shortfall_fen(100_000_00, 120_000_00, 10_000_00)["owed_fen"] == 0


def test_unsold_first_auction_puts_the_second_round_30_days_out_rolled_past_a_sunday():
    life = bidding()
    end = life.plan.bidding_end.date()
    refused(life, ev("unsold", end - timedelta(days=1)), "不能在此之前登记流拍")
    failed_on = date(2026, 9, 4)  # + 30 days = 2026-10-04, a Sunday in the National Day holiday
    life = go(life, ev("unsold", failed_on))
    calendar = WorkingCalendar()
    (step,) = life.next_steps(calendar)
    assert step.deadline.rolled_from == date(2026, 10, 4)
    assert step.deadline.due == calendar.next_working_day(date(2026, 10, 4)) > date(2026, 10, 7)
    assert "网拍规定第二十六条第一款" in step.deadline.article


def test_second_auction_unsold_has_no_fixed_period_and_offers_the_property_in_payment():
    lot = house()
    lot.plan = plan_listing("1234567", "real_estate", "second_auction", ANNOUNCE,
                            previous_starting_price=Decimal(lot.plan.starting_price_fen) / 100)
    life = bidding(lot)
    life = go(life, ev("unsold", life.plan.bidding_end.date()))
    (step,) = life.next_steps(WorkingCalendar())
    assert step.deadline is None and "变卖" in step.step
    refused(life, ev("offer_in_payment", TODAY), "申请执行人")
    offered = go(life, ev("offer_in_payment", TODAY, to="温岭市某农村商业银行股份有限公司"))
    assert offered.offer["price_fen"] == lot.plan.starting_price_fen
    assert "拍卖变卖规定第二十五条" in offered.offer["article"]
    taken = go(offered, ev("accept_in_payment", TODAY))
    assert taken.state is LotState.TAKEN_IN_PAYMENT and EventKind.RULE in taken.allowed()


def _fixed_price_sale():
    lot = example_vehicle_lot(announce_on=ANNOUNCE)
    lot.parties[0].notified_on = ANNOUNCE - timedelta(days=3)
    lot.platform = "淘宝网（阿里拍卖）"
    lot.plan = plan_listing("86000", "vehicle", "fixed_price_sale", ANNOUNCE, previous_starting_price="48200")
    return lot


def test_a_fixed_price_sale_sells_at_its_price_paid_in_full_and_has_no_balance_step():
    lot = _fixed_price_sale()
    life = bidding(lot)
    at = life.plan.bidding_start + timedelta(days=3)
    sale = dict(buyer_name="吴某", buyer_id_number=BUYER_ID)
    exc = refused(life, ev("sold", at.date(), at, **sale, price_fen=48_300_00), "固定价格")
    assert "网拍规定第二十六条第二款" in str(exc)
    paid = go(life, ev("sold", at.date(), at, **sale, price_fen=48_200_00))
    assert paid.state is LotState.PAID and paid.paid_on == at.date() and paid.sale.balance_due_on is None
    assert EventKind.PAY_BALANCE not in paid.allowed()
    after = life.plan.bidding_end + timedelta(minutes=1)
    refused(life, ev("sold", after.date(), after, **sale, price_fen=48_200_00), "不在其中")


def test_a_priority_purchaser_may_take_the_lot_at_the_same_price():
    life = bidding()
    end = life.plan.bidding_end
    price = life.plan.starting_price_fen
    refused(life, ev("sold", end.date(), end, buyer_name="某甲", buyer_id_number=BUYER_ID, price_fen=price,
                     by_priority_purchaser="某甲"), "不是本标的登记的优先购买权人")
    done = go(life, ev("sold", end.date(), end, buyer_name="钱某某", buyer_id_number=BUYER_ID, price_fen=price,
                       by_priority_purchaser="钱某某"))
    assert done.sale.by_priority_purchaser == "钱某某"


def test_suspension_needs_a_reason_and_resumes_within_five_days_of_its_end():
    life = announced()
    refused(life, ev("suspend", TODAY - timedelta(days=10)), "原因")
    until = TODAY - timedelta(days=5)
    suspended = go(life, ev("suspend", TODAY - timedelta(days=10), reason="案外人异议", mode="暂缓",
                            until=until.isoformat()))
    (step,) = suspended.next_steps(WorkingCalendar())
    assert step.deadline.start == until and "网拍规定第二十八条第四款" in step.deadline.article
    refused(suspended, ev("resume", until - timedelta(days=1)), "届满前恢复")
    assert go(suspended, ev("resume", until)).state is LotState.ANNOUNCED


def test_a_correction_of_a_sale_needs_a_reason_and_is_checked_like_the_sale():
    life = sold()
    refused(life, ev("correct_sale", TODAY, price_fen=life.plan.starting_price_fen), "更正理由")
    fixed = go(life, ev("correct_sale", TODAY, reason="平台确认书载明的成交价", price_fen=life.plan.starting_price_fen))
    assert fixed.sale.price_fen == life.plan.starting_price_fen and fixed.state is LotState.SOLD


def test_events_round_trip_and_replay_to_the_same_state():
    life = sold()
    again = Lifecycle.replay(life.lot, [Event.from_dict(e.to_dict()) for e in life.events], today=TODAY)
    assert again.state is LotState.SOLD and again.sale == life.sale


def test_public_identity_is_masked():
    assert mask_id_number(BUYER_ID) == "330100********0015"
    assert mask_name("周某某") == "周某某" and mask_name("周大伟") == "周某某"
    assert mask_name("温岭市某农村商业银行股份有限公司") == "温岭市某农村商业银行股份有限公司"


def test_no_surplus_beyond_prior_claims_needs_the_applicant_notified_and_continuing():
    lot = house()
    lot.encumbrances[1].amount_fen = lot.plan.starting_price_fen  # the mortgage takes the whole reserve price
    life = go(Lifecycle(lot), ev("panel_decision", ANNOUNCE - timedelta(days=9), members=PANEL))
    assert any("无剩余可能" in s.step for s in life.next_steps(WorkingCalendar()))
    exc = refused(life, ev("announce", ANNOUNCE), "无剩余可能")
    assert "拍卖变卖规定第六条" in str(exc)
    notified = go(life, ev("no_surplus_notice", ANNOUNCE - timedelta(days=8), applicant="某银行"))
    refused(notified, ev("announce", ANNOUNCE), "申请继续拍卖")
    continued = go(life, ev("no_surplus_notice", ANNOUNCE - timedelta(days=8), applicant="某银行",
                            continue_requested_on=(ANNOUNCE - timedelta(days=5)).isoformat()))
    assert go(continued, ev("announce", ANNOUNCE)).state is LotState.ANNOUNCED
    lot.encumbrances[1].amount_fen = lot.plan.starting_price_fen - 1  # a surplus is possible: no notice needed
    assert go(life, ev("announce", ANNOUNCE)).state is LotState.ANNOUNCED


# --- 网拍规定 art. 16 para. 1: a party who cannot be reached is posted on the platform, deemed notified after 5 days


def test_an_unreachable_party_needs_a_posting_five_days_before_the_notice_deadline():
    lot = house()
    debtor = lot.parties[1]
    debtor.notified_on, debtor.unreachable_reason = None, "下落不明"
    life = go(Lifecycle(lot), ev("panel_decision", ANNOUNCE - timedelta(days=9), members=PANEL))
    # before: a stated reason was enough, whether or not (and when) the lot was posted
    exc = refused(life, ev("announce", ANNOUNCE), "尚未登记在网络司法拍卖平台公示的日期")
    assert "网拍规定第十六条第一款" in str(exc)
    debtor.posted_on = ANNOUNCE - timedelta(days=7)  # + 5 days = 2 days before the announcement: one day late
    exc = refused(life, ev("announce", ANNOUNCE), "公示满五日为 2026-08-01")
    assert "最迟于 2026-07-26 公示" in str(exc) and lot.plan.post_unreachable_by == date(2026, 7, 26)
    debtor.posted_on = ANNOUNCE - timedelta(days=8)  # deemed notified three days before the announcement
    assert go(life, ev("announce", ANNOUNCE)).state is LotState.ANNOUNCED


def test_an_unreachable_priority_purchaser_is_checked_the_same_way():
    lot = house()
    purchaser = lot.priority_purchasers[0]
    purchaser.notified_on, purchaser.unreachable_reason = None, "地址不详"
    purchaser.posted_on = ANNOUNCE - timedelta(days=7)
    life = go(Lifecycle(lot), ev("panel_decision", ANNOUNCE - timedelta(days=9), members=PANEL))
    refused(life, ev("announce", ANNOUNCE), f"优先购买权人{purchaser.name}于")
    purchaser.posted_on = ANNOUNCE - timedelta(days=8)
    assert go(life, ev("announce", ANNOUNCE)).state is LotState.ANNOUNCED


def test_an_unreachable_party_without_a_posting_date_is_a_missing_disclosure():
    from auction.lot import missing_disclosures

    lot = house()
    lot.parties[1].notified_on, lot.parties[1].unreachable_reason = None, "下落不明"
    assert "当事人通知情况" in missing_disclosures(lot)
    lot.parties[1].posted_on = ANNOUNCE - timedelta(days=8)
    assert "当事人通知情况" not in missing_disclosures(lot)


# --- 拍卖变卖规定 art. 16 para. 2, arts. 20, 22: the 承受人's claim below the price → the difference


def _taken():
    """An unsold first auction offered in payment to the applicant: (the lifecycle, the day bidding ended)."""
    life = bidding()
    end = life.plan.bidding_end.date()
    life = go(life, ev("unsold", end), ev("offer_in_payment", end + timedelta(days=1), to="温岭市某农村商业银行股份有限公司"))
    return life, end


def test_a_claim_below_the_price_needs_a_period_for_the_difference_and_blocks_the_ruling_until_paid():
    life, end = _taken()
    price = life.offer["price_fen"]
    accept = end + timedelta(days=3)
    exc = refused(life, ev("accept_in_payment", accept, claim_fen=price - 5_000_00), "补交差价 5,000.00元")
    assert "拍卖变卖规定第十六条" in str(exc)
    refused(life, ev("accept_in_payment", accept, claim_fen=price - 5_000_00,
                     difference_due_on=(accept - timedelta(days=1)).isoformat()), "早于接受抵债之日")
    due = accept + timedelta(days=15)
    taken = go(life, ev("accept_in_payment", accept, claim_fen=price - 5_000_00, difference_due_on=due.isoformat()))
    assert taken.state is LotState.TAKEN_IN_PAYMENT and taken.difference_fen == 5_000_00 and taken.difference_pending
    assert EventKind.RULE not in taken.allowed() and EventKind.PAY_DIFFERENCE in taken.allowed()
    exc = refused(taken, ev("rule", accept + timedelta(days=1)), "尚未登记补交")
    assert "拍卖变卖规定第二十条" in str(exc)
    (step,) = taken.next_steps(WorkingCalendar())
    assert "补交差价 5,000.00元" in step.step and step.deadline.due == due
    refused(taken, ev("pay_difference", due, amount_fen=4_999_99), "应补交差价 5,000.00元")
    exc = refused(taken, ev("pay_difference", due + timedelta(days=1), amount_fen=5_000_00), "补交期限")
    assert "拍卖变卖规定第二十二条" in str(exc)
    paid = go(taken, ev("pay_difference", due, amount_fen=5_000_00))  # the last day of the period is in time
    assert not paid.difference_pending and EventKind.RULE in paid.allowed()
    refused(paid, ev("pay_difference", due, amount_fen=5_000_00), "已登记补交")
    (step,) = paid.next_steps(WorkingCalendar())
    assert step.deadline.start == due  # the 10 days of art. 20 run from the difference paid
    refused(paid, ev("rule", due - timedelta(days=1)), "早于上一事项")
    assert go(paid, ev("rule", due + timedelta(days=2))).state is LotState.RULED


def test_a_claim_at_or_above_the_price_owes_no_difference():
    life, end = _taken()
    taken = go(life, ev("accept_in_payment", end + timedelta(days=3), claim_fen=life.offer["price_fen"]))
    assert taken.difference_fen == 0 and EventKind.RULE in taken.allowed()
    assert EventKind.PAY_DIFFERENCE not in taken.allowed()
    refused(taken, ev("pay_difference", end + timedelta(days=4), amount_fen=1), "没有需要补交的差价")
    refused(life, ev("accept_in_payment", end + timedelta(days=3), claim_fen=0), "正数")


def test_a_difference_not_paid_in_time_allows_a_reauction_only_after_the_period():
    life, end = _taken()
    accept = end + timedelta(days=3)
    due = accept + timedelta(days=15)
    taken = go(life, ev("accept_in_payment", accept, claim_fen=life.offer["price_fen"] - 1_00,
                        difference_due_on=due.isoformat()))
    refused(taken, ev("default_difference", due), "届满后才能登记")
    defaulted = go(taken, ev("default_difference", due + timedelta(days=1)))
    assert defaulted.state is LotState.RENEGED and defaulted.outcome == "reneged"
    assert "原买受人不得参加" in defaulted.next_steps(WorkingCalendar())[0].step


def test_an_organisation_buys_with_its_unified_social_credit_code():
    life = bidding()
    end = life.plan.bidding_end
    sale = dict(buyer_name="温岭市某置业有限公司", bidder_code="B2", price_fen=life.plan.starting_price_fen)
    # before: every 18-character number was read as an identity card, so no company could be recorded as buyer
    refused(life, ev("sold", end.date(), end, **sale, buyer_id_number="91331081MA2A000000"), "统一社会信用代码")
    done = go(life, ev("sold", end.date(), end, **sale, buyer_id_number="91331081MA2A000004"))
    assert done.sale.buyer_id_number == "91331081MA2A000004"
