"""以物抵债's 补交差价 (拍卖变卖规定 art. 16 para. 2, arts. 20, 22) and the posting of a party who cannot be reached
(网拍规定 art. 16 para. 1) through the lifecycle service, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import io
from datetime import timedelta

import pytest
from docx import Document

from auction.lifecycle import LotState, TransitionRefused
from tests.integration.test_lifecycle_service import ANNOUNCE, COURT, _setup, _through_bidding
from tests.uow import unit_scope
from xunpai.services import lifecycle as service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lifecycle import LotEvent
from xunpai.storage.models.lots import Lot

BANK = "温岭市某农村商业银行股份有限公司"


def _text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "".join(p.text for p in doc.paragraphs).replace(" ", "")


def _offered(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    plan = _through_bidding(uow, lot_id, ANNOUNCE - timedelta(days=5), ANNOUNCE)
    failed = plan.bidding_end.date()
    service.record_event(uow, lot_id, "unsold", failed, court_code=COURT)
    service.record_event(uow, lot_id, "offer_in_payment", failed + timedelta(days=1), court_code=COURT,
                         data={"to": BANK})
    return lot_id, plan, failed


def test_the_difference_is_paid_before_the_ruling_and_the_documents_state_it(engine, uow):
    lot_id, plan, failed = _offered(engine, uow)
    accepted, due = failed + timedelta(days=3), failed + timedelta(days=18)
    with pytest.raises(TransitionRefused, match="请填写补交期限"):
        service.record_event(uow, lot_id, "accept_in_payment", accepted, court_code=COURT,
                             data={"claim_fen": plan.starting_price_fen - 30_000_00})
    assert len(service.lot_view(uow, lot_id).events) == 5  # the refusal recorded nothing
    service.record_event(uow, lot_id, "accept_in_payment", accepted, court_code=COURT,
                         data={"claim_fen": plan.starting_price_fen - 30_000_00, "difference_due_on": due.isoformat()})
    view = service.lot_view(uow, lot_id)
    assert [s.step for s in view.steps] == ["承受人补交差价 30,000.00元"] and view.steps[0].deadline.due == due
    notice = _text(service.lot_document(uow, lot_id, "difference_notice", "docx", court_code=COURT)[0])
    assert "差价30,000.00元" in notice and "120702110900" in notice.replace(" ", "")  # the stored account
    with pytest.raises(TransitionRefused, match="尚未登记补交"):
        service.record_event(uow, lot_id, "rule", accepted + timedelta(days=1), court_code=COURT)
    paid_on = accepted + timedelta(days=5)
    service.record_event(uow, lot_id, "pay_difference", paid_on, court_code=COURT, data={"amount_fen": 30_000_00})
    step = service.lot_view(uow, lot_id).steps[0]
    assert step.deadline.start == paid_on and "拍卖变卖规定第二十条" in step.deadline.article
    life = service.record_event(uow, lot_id, "rule", paid_on + timedelta(days=2), court_code=COURT)
    assert life.state is LotState.RULED
    ruling = _text(service.lot_document(uow, lot_id, "sale_ruling", "docx", court_code=COURT)[0])
    assert f"承受人{BANK}应受清偿的债权额为" in ruling and "补交差价30,000.00元" in ruling and "—" not in ruling
    with unit_scope(engine) as check:  # the claim and the payment are in the lot's events
        kinds = [e.kind for e in check.session.query(LotEvent).filter_by(lot_id=lot_id).order_by(LotEvent.seq)]
    assert kinds[-3:] == ["accept_in_payment", "pay_difference", "rule"]


def test_a_difference_not_paid_in_time_leads_to_a_reauction_with_the_taker_barred(engine, uow):
    lot_id, plan, failed = _offered(engine, uow)
    accepted, due = failed + timedelta(days=3), failed + timedelta(days=10)
    service.record_event(uow, lot_id, "accept_in_payment", accepted, court_code=COURT,
                         data={"claim_fen": plan.starting_price_fen - 1_00, "difference_due_on": due.isoformat()})
    with pytest.raises(TransitionRefused, match="已过"):
        service.record_event(uow, lot_id, "pay_difference", due + timedelta(days=1), court_code=COURT,
                             data={"amount_fen": 1_00})
    with pytest.raises(TransitionRefused, match="届满后"):
        service.record_event(uow, lot_id, "default_difference", due, court_code=COURT)
    life = service.record_event(uow, lot_id, "default_difference", due + timedelta(days=1), court_code=COURT)
    assert life.state is LotState.RENEGED
    view = service.lot_view(uow, lot_id)
    assert view.next_round == plan.round and "reneged_decision" not in [k.value for k in view.documents]
    again = service.start_next_round(uow, lot_id, announce_on=due + timedelta(days=8), court_code=COURT,
                                     notified_on=due + timedelta(days=2))
    new_plan = again.lot.plan
    service.record_event(uow, again.id, "panel_decision", due + timedelta(days=3), court_code=COURT,
                         data={"members": ["张审判长", "王法官", "陈法官"]})
    service.record_event(uow, again.id, "announce", due + timedelta(days=8), court_code=COURT)
    service.record_event(uow, again.id, "open_bidding", new_plan.bidding_start.date(), at=new_plan.bidding_start,
                         court_code=COURT)
    with pytest.raises(TransitionRefused, match="不得参加重新拍卖"):  # 拍卖变卖规定 art. 22: the taker is barred
        service.record_event(uow, again.id, "sold", new_plan.bidding_end.date(), at=new_plan.bidding_end,
                             court_code=COURT, data={"buyer_name": BANK, "buyer_id_number": "91331081MA2A000004",
                                                     "price_fen": new_plan.starting_price_fen})


def _set_posting(uow, lot_id, posted_on, *, unreachable=False):
    """The stored lot's debtor as one who cannot be reached, posted on ``posted_on`` (as a clerk edits the lot)."""
    with uow:
        row = uow.session.get(Lot, lot_id)
        content = copy.deepcopy(row.lot)  # a new value, so the column is written
        if unreachable:
            content.parties[1].notified_on, content.parties[1].unreachable_reason = None, "下落不明"
        content.parties[1].posted_on = posted_on
        row.lot = content
        uow.commit()


def test_the_next_round_needs_a_new_posting_for_an_unreachable_party(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    _set_posting(uow, lot_id, ANNOUNCE - timedelta(days=8), unreachable=True)
    plan = _through_bidding(uow, lot_id, ANNOUNCE - timedelta(days=9), ANNOUNCE)  # that posting was in time
    failed = plan.bidding_end.date()
    service.record_event(uow, lot_id, "unsold", failed, court_code=COURT)
    announce = failed + timedelta(days=10)
    with pytest.raises(service.LifecycleError, match="公示日期 .* 晚于今天"):
        service.start_next_round(uow, lot_id, announce_on=announce, court_code=COURT,
                                 notified_on=failed + timedelta(days=1), posted_on=now_local().date() + timedelta(days=1))
    second = service.start_next_round(uow, lot_id, announce_on=announce, court_code=COURT,
                                      notified_on=failed + timedelta(days=1))
    assert second.lot.parties[1].posted_on is None  # the first round's posting does not notify the second
    service.record_event(uow, second.id, "panel_decision", failed + timedelta(days=2), court_code=COURT,
                         data={"members": ["张审判长", "王法官", "陈法官"]})
    with pytest.raises(TransitionRefused, match="尚未登记在网络司法拍卖平台公示的日期"):
        service.record_event(uow, second.id, "announce", announce, court_code=COURT)
    _set_posting(uow, second.id, failed + timedelta(days=3))  # + 5 days = 2 days before the announcement
    with pytest.raises(TransitionRefused, match="公示满五日为") as refused:
        service.record_event(uow, second.id, "announce", announce, court_code=COURT)
    assert "网拍规定第十六条第一款" in str(refused.value)
    _set_posting(uow, second.id, failed + timedelta(days=2))  # deemed notified 3 days before: in time
    assert service.record_event(uow, second.id, "announce", announce, court_code=COURT).state is LotState.ANNOUNCED
