"""The lifecycle service on SQLite and PostgreSQL: a 悔拍 round trip (deposit forfeited, re-auction with the buyer
barred, the shortfall recorded against them), 一拍 → 二拍 → 变卖 → ruling → 协助执行 → handover, the court profile,
and every document of the lot rendered in DOCX and PDF and read back."""

from __future__ import annotations

import io
import json
import re
from datetime import date, timedelta

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from auction.documents import DocumentError
from auction.lifecycle import LotState, TransitionRefused
from auction.lot_examples import example_real_estate_lot
from auction.lot_sheet import PreparedLot
from tests.uow import unit_scope
from xunpai.services import accounts as accounts_service
from xunpai.services import lifecycle as service
from xunpai.services import outcomes as outcomes_service
from xunpai.services import publishing
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.models.lots import Lot

COURT = "浙1081"
ANNOUNCE = date(2026, 8, 3)
PANEL = "张审判长\n王法官\n陈法官"
BUYER_ID = "330100198001010015"
OTHER_ID = "330100198505050029"
PROFILE = dict(address="浙江省温岭市太平街道万寿路 1 号", supervision_phone="0576-86009999", bank="中国工商银行温岭支行",
               account_name="温岭市人民法院", account_number="1207 0211 0900 0123 456", judges=PANEL,
               clerk="李书记员", seal_text="浙江省温岭市人民法院印", contacts="王法官 0576-86000001 承办法官\n李书记员 0576-86000002 书记员")


def _setup(uow, *, profile=True) -> int:
    accounts_service.save_court(uow, code=COURT, name="浙江省温岭市人民法院", zones=[])
    if profile:
        service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None, **PROFILE)
    lot = example_real_estate_lot(announce_on=ANNOUNCE)
    for person in list(lot.parties) + list(lot.priority_purchasers):
        person.notified_on = ANNOUNCE - timedelta(days=3)
    lot.encumbrances[1].amount_fen = 50_000_000  # a surplus stays possible in every round (拍卖变卖规定 art. 6)
    (row,) = publishing.import_lots(uow, [PreparedLot(1, lot)], actor="clerk1")
    return row.id


def _through_bidding(uow, lot_id, panel_on, announce_on):
    view = service.lot_view(uow, lot_id)
    plan = view.life.plan
    service.record_event(uow, lot_id, "panel_decision", panel_on, data={"members": ["张审判长", "王法官", "陈法官"]},
                         court_code=COURT)
    service.record_event(uow, lot_id, "announce", announce_on, court_code=COURT)
    service.record_event(uow, lot_id, "open_bidding", plan.bidding_start.date(), at=plan.bidding_start, court_code=COURT)
    return plan


def test_a_reneged_sale_forfeits_the_deposit_and_the_reauction_bars_the_buyer(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    plan = _through_bidding(uow, lot_id, ANNOUNCE - timedelta(days=5), ANNOUNCE)
    end = plan.bidding_end
    price = plan.starting_price_fen + 20_000_00
    service.record_event(uow, lot_id, "sold", end.date(), at=end + timedelta(minutes=2), court_code=COURT,
                         data={"buyer_name": "周某某", "buyer_id_number": BUYER_ID, "bidder_code": "A1", "price_fen": price})
    due = plan.balance_due_on
    with pytest.raises(TransitionRefused, match="届满前"):
        service.record_event(uow, lot_id, "renege", due, court_code=COURT)
    life = service.record_event(uow, lot_id, "renege", due + timedelta(days=1), court_code=COURT)
    assert life.state is LotState.RENEGED and life.forfeited_deposit_fen == plan.deposit_fen

    # the 悔拍 decision is made from the recorded event, with the forfeited deposit
    text = _docx_text(service.lot_document(uow, lot_id, "reneged_decision", "docx")[0])
    assert "不予退还" in text and f"{plan.deposit_fen // 100:,}.00元" in text and "不得参加重新拍卖的竞买" in text

    # the re-auction in one step: same round, the buyer barred
    again = service.start_next_round(uow, lot_id, announce_on=due + timedelta(days=8), court_code=COURT,
                                     notified_on=due + timedelta(days=4))
    assert again.lot_code.endswith("-重拍1") and again.round == "first_auction"
    with pytest.raises(service.LifecycleError, match="已启动下一轮"):
        service.start_next_round(uow, lot_id, announce_on=due + timedelta(days=8), court_code=COURT)
    new_plan = _through_bidding(uow, again.id, due + timedelta(days=6), due + timedelta(days=8))
    end = new_plan.bidding_end
    with pytest.raises(TransitionRefused, match="不得参加重新拍卖"):
        service.record_event(uow, again.id, "sold", end.date(), at=end, court_code=COURT,
                             data={"buyer_name": "周某某", "buyer_id_number": BUYER_ID,
                                   "price_fen": new_plan.starting_price_fen})
    service.record_event(uow, again.id, "sold", end.date(), at=end, court_code=COURT,
                         data={"buyer_name": "吴某某", "buyer_id_number": OTHER_ID, "price_fen": new_plan.starting_price_fen})
    with unit_scope(engine) as check:
        rows = {r.id: r for r in check.session.scalars(select(Lot))}
        assert rows[lot_id].outcome == "reneged" and rows[lot_id].sale_price_fen is None
        assert rows[again.id].outcome == "sold" and rows[again.id].sale_price_fen == new_plan.starting_price_fen
        events = service.lot_view(check, again.id).events
        shortfall = events[-1].data["shortfall"]
        gap = price - new_plan.starting_price_fen
        assert shortfall["gap_fen"] == gap and shortfall["owed_fen"] == max(0, gap - plan.deposit_fen)
        renege = [json.loads(e.payload) for e in check.session.scalars(select(LedgerEntry))
                  if e.kind == "lot.event" and '"renege"' in e.payload]
        assert renege[0]["data"]["forfeited_deposit_fen"] == plan.deposit_fen  # the deposit accounted for
        entries = [e.kind for e in check.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
        assert entries.count("lot.event") == 9 and "lot.next_round" in entries
        # the buyer's ID number is not in the ledger, only its hash
        assert all(BUYER_ID not in e.payload for e in check.session.scalars(select(LedgerEntry)))
    _per_court, total, _lots = outcomes_service.statistics(uow, COURT)
    assert total.counts["reneged"] == 1 and total.counts["sold"] == 1


def test_first_auction_unsold_then_second_then_fixed_price_sale_to_handover(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    plan = _through_bidding(uow, lot_id, ANNOUNCE - timedelta(days=5), ANNOUNCE)
    failed = plan.bidding_end.date()
    service.record_event(uow, lot_id, "unsold", failed, court_code=COURT)
    view = service.lot_view(uow, lot_id)
    assert view.next_round.value == "second_auction"
    (step,) = view.steps
    assert step.deadline.start == failed and "网拍规定第二十六条第一款" in step.deadline.article

    second = service.start_next_round(uow, lot_id, announce_on=failed + timedelta(days=4), court_code=COURT,
                                      notified_on=failed + timedelta(days=1))
    sp = second.lot.plan
    assert sp.round.value == "second_auction" and sp.starting_price_fen >= plan.starting_price_fen * 0.8
    assert sp.latest_bidding_start >= failed + timedelta(days=30) and sp.next_round_deadline is None
    _through_bidding(uow, second.id, failed + timedelta(days=2), failed + timedelta(days=4))
    failed2 = sp.bidding_end.date()
    service.record_event(uow, second.id, "unsold", failed2, court_code=COURT)
    below = f"{(sp.starting_price_fen - 1) // 100}.{(sp.starting_price_fen - 1) % 100:02d}"
    with pytest.raises(service.LifecycleError, match="低于第二次拍卖的起拍价"):
        service.start_next_round(uow, second.id, announce_on=failed2 + timedelta(days=3), court_code=COURT,
                                 starting_price=below)
    sale = service.start_next_round(uow, second.id, announce_on=failed2 + timedelta(days=3), court_code=COURT,
                                    notified_on=failed2)
    fp = sale.lot.plan
    assert fp.round.value == "fixed_price_sale" and fp.starting_price_fen == sp.starting_price_fen
    assert (fp.deposit_fen, fp.bid_increment_fen, fp.extension_minutes) == (0, 0, 0)
    _through_bidding(uow, sale.id, failed2 + timedelta(days=1), failed2 + timedelta(days=3))
    at = fp.bidding_start + timedelta(days=2, hours=1)
    life = service.record_event(uow, sale.id, "sold", at.date(), at=at, court_code=COURT,
                                data={"buyer_name": "周某某", "buyer_id_number": BUYER_ID, "bidder_code": "B7",
                                      "price_fen": fp.starting_price_fen})
    assert life.state is LotState.PAID
    day = at.date()
    with pytest.raises(TransitionRefused, match="尚未审核"):
        service.record_event(uow, sale.id, "rule", day, court_code=COURT)
    service.record_event(uow, sale.id, "review_qualification", day, court_code=COURT,
                         data={"reviewer": "王法官", "evidence": "温岭市住建局购房资格核验单", "qualified": True})
    service.record_event(uow, sale.id, "rule", day + timedelta(days=3), court_code=COURT)
    service.record_event(uow, sale.id, "notify_registry", day + timedelta(days=4), court_code=COURT)
    with pytest.raises(DocumentError, match="移交财产"):
        service.lot_document(uow, sale.id, "handover_record", "docx")
    life = service.record_event(uow, sale.id, "deliver", day + timedelta(days=10), court_code=COURT,
                                data={"receiver": "周某某", "items": "钥匙 2 把"})
    assert life.state is LotState.DELIVERED
    ruling = _docx_text(service.lot_document(uow, sale.id, "sale_ruling", "docx")[0])
    assert "温岭市住建局购房资格核验单" in ruling and BUYER_ID in ruling
    confirmation = _docx_text(service.lot_document(uow, sale.id, "sale_confirmation", "docx")[0])
    assert BUYER_ID not in confirmation and "330100********0015" in confirmation
    fixed_ruling = _docx_text(service.lot_document(uow, sale.id, "auction_ruling", "docx")[0])
    assert "变卖" in fixed_ruling and "第二十六条第二款" in fixed_ruling and "第二十三条、第二十四条、第二十五条" in fixed_ruling
    _every_document_reads_back(uow, sale.id)


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"— \d+ —", "", text)  # the page numbers at the foot


def _every_document_reads_back(uow, lot_id):
    view = service.lot_view(uow, lot_id)
    assert len(view.documents) == 11, view.documents  # + 悔拍, 以物抵债, 暂缓 in their own tests
    for kind in view.documents:
        for fmt in ("docx", "pdf"):
            data, name = service.lot_document(uow, lot_id, kind.value, fmt)
            text = _docx_text(data) if fmt == "docx" else _pdf_text(data)
            squashed = re.sub(r"\s+", "", text)
            assert "—" not in text, (name, text)
            assert "built-in" not in text and "object at 0x" not in text and "{{" not in text, name
            assert "浙江省温岭市人民法院" in squashed, name
            if kind.value in ("announcement", "bidder_notice"):
                assert "120702110900" in squashed and "0576-86009999" in squashed, name
            if kind.value in ("auction_ruling", "sale_ruling"):
                assert "书记员李书记员" in squashed and "张审判长" in squashed, name


def test_documents_without_a_court_profile_or_before_their_event_say_why(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup, profile=False)
    with pytest.raises(DocumentError, match="尚未保存法院信息"):
        service.lot_document(uow, lot_id, "announcement", "docx")
    service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=COURT, **PROFILE)
    with pytest.raises(DocumentError, match="合议庭评议"):
        service.lot_document(uow, lot_id, "auction_ruling", "docx")
    with pytest.raises(DocumentError, match="成交"):
        service.lot_document(uow, lot_id, "sale_confirmation", "pdf")


def test_court_profile_is_for_administrators_of_that_court_and_must_be_complete(engine, uow):
    with unit_scope(engine) as setup:
        accounts_service.save_court(setup, code=COURT, name="浙江省温岭市人民法院", zones=[])
    with pytest.raises(service.NotAllowed):
        service.save_court_profile(uow, COURT, actor="clerk1", actor_role="clerk", actor_court=COURT, **PROFILE)
    with pytest.raises(service.NotAllowed):
        service.save_court_profile(uow, COURT, actor="a2", actor_role="admin", actor_court="浙1082", **PROFILE)
    with pytest.raises(service.LifecycleError, match="书记员"):
        service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None,
                                   **{**PROFILE, "clerk": ""})
    with pytest.raises(service.LifecycleError, match="姓名 电话"):
        service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None,
                                   **{**PROFILE, "contacts": "0576-86000001"})
    assert service.court_info(uow, COURT) is None
    info = service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None, **PROFILE)
    assert info.judges == ["张审判长", "王法官", "陈法官"] and info.account.account_number.startswith("1207")
    assert service.court_info(uow, COURT).seal_text == "浙江省温岭市人民法院印"


def test_a_lot_of_another_court_is_refused_and_a_future_event_changes_nothing(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    with pytest.raises(service.NotAllowed):
        service.record_event(uow, lot_id, "panel_decision", ANNOUNCE, court_code="浙1082",
                             data={"members": ["甲", "乙", "丙"]})
    with pytest.raises(TransitionRefused, match="晚于今天"):
        service.record_event(uow, lot_id, "panel_decision", date(2026, 12, 2), court_code=COURT,
                             data={"members": ["甲", "乙", "丙"]}, today=date(2026, 12, 1))
    assert service.lot_view(uow, lot_id).events == []


def test_the_outcome_form_refuses_a_future_date_and_overwrites_a_sale_only_by_a_ledgered_correction(engine, uow):
    from auction.outcomes import InvalidOutcome

    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
        row = setup.session.get(Lot, lot_id)
        row.status = "published"
        end = row.lot.plan.bidding_end
        start = row.starting_price_fen
    with pytest.raises(InvalidOutcome, match="晚于今天"):
        outcomes_service.record_outcome(uow, lot_id, "sold", sale_price_fen=start, on=date(2026, 12, 2),
                                        today=date(2026, 12, 1))
    outcomes_service.record_outcome(uow, lot_id, "sold", sale_price_fen=start, on=end.date(), today=date(2026, 12, 1))
    with pytest.raises(InvalidOutcome, match="不会被覆盖"):
        outcomes_service.record_outcome(uow, lot_id, "unsold", on=end.date(), today=date(2026, 12, 1))
    with unit_scope(engine) as check:
        assert check.session.get(Lot, lot_id).sale_price_fen == start
    outcomes_service.record_outcome(uow, lot_id, "sold", sale_price_fen=start + 100, on=end.date(),
                                    today=date(2026, 12, 1), correction_reason="平台确认书载明的成交价为起拍价加一元")
    with unit_scope(engine) as check:
        assert check.session.get(Lot, lot_id).sale_price_fen == start + 100
        (entry,) = check.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "lot.outcome.corrected"))
        payload = json.loads(entry.payload)
        assert payload["before"]["sale_price_fen"] == start and payload["sale_price_fen"] == start + 100
        assert payload["reason"].startswith("平台确认书")


def test_a_suspension_counts_as_an_outcome_until_the_auction_resumes(engine, uow):
    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    service.record_event(uow, lot_id, "panel_decision", ANNOUNCE - timedelta(days=5), court_code=COURT,
                         data={"members": ["张审判长", "王法官", "陈法官"]})
    service.record_event(uow, lot_id, "announce", ANNOUNCE, court_code=COURT)
    service.record_event(uow, lot_id, "suspend", ANNOUNCE + timedelta(days=2), court_code=COURT,
                         data={"reason": "案外人提出执行异议", "mode": "中止"})
    with unit_scope(engine) as check:
        assert check.session.get(Lot, lot_id).outcome == "suspended"
    notice = _docx_text(service.lot_document(uow, lot_id, "suspension_notice", "docx")[0])
    assert "中止拍卖通知书" in notice and "案外人提出执行异议" in notice and "五日内恢复拍卖" in notice
    life = service.record_event(uow, lot_id, "resume", ANNOUNCE + timedelta(days=9), court_code=COURT)
    assert life.state is LotState.ANNOUNCED
    with unit_scope(engine) as check:
        assert check.session.get(Lot, lot_id).outcome is None


def test_the_courts_one_agenda_shows_a_sold_lots_balance_deadline_beside_the_procedure(engine, uow):
    """``xunpai agenda`` and the judge's home page read ``services.agenda``: a lot sold and not yet paid has its
    balance deadline there (网拍规定 art. 24 / 拍卖变卖规定 art. 22), with the article, and a lot of another court
    does not appear in this court's agenda."""
    from xunpai.services import agenda as agenda_service

    with unit_scope(engine) as setup:
        lot_id = _setup(setup)
    plan = _through_bidding(uow, lot_id, ANNOUNCE - timedelta(days=5), ANNOUNCE)
    end = plan.bidding_end
    service.record_event(uow, lot_id, "sold", end.date(), at=end + timedelta(minutes=2), court_code=COURT,
                         data={"buyer_name": "周某某", "buyer_id_number": BUYER_ID, "price_fen": plan.starting_price_fen})
    items = agenda_service.court_agenda(uow, today=end.date(), court_code=COURT)
    mine = [i for i in items if i.step.reference == f"lot:{lot_id}"]
    assert mine, [i.step for i in items]
    step = mine[0]
    assert step.step.deadline is not None and step.step.deadline.due == plan.balance_due_on
    assert step.step.case_number and not step.overdue
    assert agenda_service.court_agenda(uow, today=end.date(), court_code=COURT) == items  # reading changes nothing
    everyone = agenda_service.court_agenda(uow, today=end.date())
    assert any(i.step.reference == f"lot:{lot_id}" for i in everyone)
    later = agenda_service.court_agenda(uow, today=plan.balance_due_on + timedelta(days=1), court_code=COURT)
    assert next(i for i in later if i.step.reference == f"lot:{lot_id}").overdue
