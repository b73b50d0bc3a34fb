"""Every document of the set made from a lot's lifecycle, in DOCX and PDF, read back: dated by the event it
records, no "—" where the court profile has the value, no Python object text; refused before its event."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from docx import Document
from pypdf import PdfReader

from auction.documents import DocumentError, DocumentKind, lifecycle_kinds, render_document
from auction.lifecycle import Event, EventKind, Lifecycle
from auction.listing_plan import plan_listing
from auction.lot_examples import example_court, example_real_estate_lot, example_vehicle_lot

A = date(2026, 8, 3)
TODAY = date(2026, 12, 1)
COURT = example_court()
COURT.seal_text = "浙江省温岭市人民法院印"
PANEL = {"members": ["张审判长", "王法官", "陈法官"]}


def ev(kind, on, at=None, **data):
    return Event(EventKind(kind), on, at, data)


def _house():
    lot = example_real_estate_lot(announce_on=A)
    for p in list(lot.parties) + list(lot.priority_purchasers):
        p.notified_on = A - timedelta(days=3)
    return lot


def _opened(lot):
    plan = lot.plan
    return [ev("panel_decision", A - timedelta(days=5), **PANEL), ev("announce", A),
            ev("open_bidding", plan.bidding_start.date(), plan.bidding_start)]


def _sold(lot):
    plan = lot.plan
    return _opened(lot) + [ev("sold", plan.bidding_end.date(), plan.bidding_end, buyer_name="周某某",
                              buyer_id_number="330100198001010015", bidder_code="A1",
                              price_fen=plan.starting_price_fen)]


def _text(kind, lot, life, fmt):
    data = render_document(kind, lot, lot.plan, COURT, fmt=fmt, life=life, created_on=A - timedelta(days=20))
    if fmt == "docx":
        doc = Document(io.BytesIO(data))
        return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    return re.sub(r"— \d+ —", "", "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def _lives():
    house = _house()
    plan = house.plan
    due = plan.balance_due_on
    yield "delivered", house, Lifecycle.replay(house, _sold(house) + [
        ev("pay_balance", due), ev("review_qualification", due, reviewer="王法官", evidence="购房资格核验单", qualified=True),
        ev("rule", due + timedelta(days=2)), ev("notify_registry", due + timedelta(days=3)),
        ev("deliver", due + timedelta(days=9), receiver="周某某", items="钥匙 2 把")], today=TODAY)
    reneged = _house()
    yield "reneged", reneged, Lifecycle.replay(reneged, _sold(reneged) + [ev("renege", due + timedelta(days=1))],
                                               today=TODAY)
    unsold = _house()
    yield "offer", unsold, Lifecycle.replay(unsold, _opened(unsold) + [
        ev("unsold", plan.bidding_end.date()), ev("offer_in_payment", plan.bidding_end.date() + timedelta(days=2),
                                                  to="温岭市某农村商业银行股份有限公司")], today=TODAY)
    taken = _house()
    end = plan.bidding_end.date()
    yield "difference", taken, Lifecycle.replay(taken, _opened(taken) + [
        ev("unsold", end), ev("offer_in_payment", end + timedelta(days=1), to="温岭市某农村商业银行股份有限公司"),
        ev("accept_in_payment", end + timedelta(days=3), claim_fen=plan.starting_price_fen - 100_000_00,
           difference_due_on=(end + timedelta(days=18)).isoformat()),
        ev("pay_difference", end + timedelta(days=10), amount_fen=100_000_00),
        ev("rule", end + timedelta(days=12))], today=TODAY)
    car = example_vehicle_lot(announce_on=A)
    car.parties[0].notified_on = A - timedelta(days=3)
    car.platform = "淘宝网（阿里拍卖）"
    yield "suspended", car, Lifecycle.replay(car, [
        ev("panel_decision", A - timedelta(days=1), **PANEL), ev("announce", A),
        ev("suspend", A + timedelta(days=3), reason="案外人提出执行异议", mode="暂缓",
           until=(A + timedelta(days=20)).isoformat())], today=TODAY)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_every_document_of_every_stage_reads_back_complete(fmt):
    made = set()
    for _name, lot, life in _lives():
        for kind in lifecycle_kinds(life):
            text = _text(kind, lot, life, fmt)
            assert "—" not in text, (kind, text)
            assert "built-in" not in text and "object at 0x" not in text and "{{" not in text and "{%" not in text
            squashed = re.sub(r"\s+", "", text)
            assert "浙江省温岭市人民法院" in squashed
            made.add(kind)
    assert made == set(DocumentKind)  # all 15 documents of the set


def test_the_difference_notice_and_the_ruling_state_the_difference_paid():
    lives = {name: (lot, life) for name, lot, life in _lives()}
    lot, life = lives["difference"]
    notice = re.sub(r"\s+", "", _text(DocumentKind.DIFFERENCE_NOTICE, lot, life, "docx"))
    assert "差价100,000.00元（人民币壹拾万元整）" in notice and "变卖财产的规定》第十六条第二款" in notice
    assert "账号1207000000000000123" in notice and "不得参加竞买" in notice
    ruling = re.sub(r"\s+", "", _text(DocumentKind.SALE_RULING, lot, life, "docx"))
    assert "承受人温岭市某农村商业银行股份有限公司应受清偿的债权额为" in ruling and "补交差价100,000.00元" in ruling
    # before the difference is paid there is no ruling (拍卖变卖规定 art. 20)
    unpaid = Lifecycle.replay(lot, list(life.events[:-2]), today=TODAY)
    assert DocumentKind.SALE_RULING not in lifecycle_kinds(unpaid)
    assert DocumentKind.DIFFERENCE_NOTICE in lifecycle_kinds(unpaid)


def test_documents_are_dated_by_their_events():
    _name, lot, life = next(_lives())
    due = lot.plan.balance_due_on
    assert "二〇二六年七月二十九日" in _text("auction_ruling", lot, life, "docx")  # the panel's decision
    assert "2026年8月3日" in _text("announcement", lot, life, "docx")  # the announcement event
    ruling = _text("sale_ruling", lot, life, "docx")
    ruled = due + timedelta(days=2)
    assert f"二〇二六年九月{'十' if ruled.day == 10 else ''}" in ruling and "购房资格核验单" in ruling
    registry = _text("registry_notice", lot, life, "docx")
    assert f"{(due + timedelta(days=3)).month}月{(due + timedelta(days=3)).day}日" in registry
    assert "不动产登记中心" in registry


def test_a_document_before_its_event_says_which_event_is_missing():
    lot = _house()
    life = Lifecycle.replay(lot, _opened(lot), today=TODAY)
    for kind, event in (("sale_confirmation", "成交"), ("sale_ruling", "作出成交裁定"), ("handover_record", "移交财产"),
                        ("reneged_decision", "悔拍"), ("offer_in_payment", "询问以物抵债"),
                        ("registry_notice", "作出成交（抵债）裁定"), ("suspension_notice", "暂缓或中止")):
        with pytest.raises(DocumentError, match=event):
            render_document(kind, lot, lot.plan, COURT, life=life)


def test_an_incomplete_court_profile_or_a_blank_platform_is_named():
    lot = _house()
    life = Lifecycle.replay(lot, _opened(lot), today=TODAY)
    bare = example_court()
    bare.clerk, bare.account = "", None
    with pytest.raises(DocumentError, match="本院账户.*书记员"):
        render_document("auction_ruling", lot, lot.plan, bare, life=life)
    lot.platform = ""
    with pytest.raises(DocumentError, match="第十二条第二款"):
        render_document("announcement", lot, lot.plan, COURT, life=life)


def test_the_vehicle_key_count_is_printed_not_a_method():
    car = example_vehicle_lot(announce_on=A)
    data = render_document("lot_description", car, car.plan, COURT)
    text = "\n".join(c.text for t in Document(io.BytesIO(data)).tables for r in t.rows for c in r.cells)
    assert "1把" in text and "built-in" not in text


def test_the_fixed_price_sale_ruling_cites_its_articles():
    car = example_vehicle_lot(announce_on=A)
    car.parties[0].notified_on = A - timedelta(days=3)
    car.plan = plan_listing("86000", "vehicle", "fixed_price_sale", A, previous_starting_price="48200")
    life = Lifecycle.replay(car, [ev("panel_decision", A - timedelta(days=1), **PANEL)], today=TODAY)
    text = re.sub(r"\s+", "", _text("auction_ruling", car, life, "docx"))
    assert "以变卖价48,200.00元" in text and "第二十六条第二款" in text and "第二十三条、第二十四条、第二十五条" in text
    assert "起拍价" not in text and "第十条" not in text


def test_property_taken_in_payment_is_registered_and_handed_to_the_creditor():
    lot = _house()
    end = lot.plan.bidding_end.date()
    creditor = "温岭市某农村商业银行股份有限公司"
    life = Lifecycle.replay(lot, _opened(lot) + [
        ev("unsold", end), ev("offer_in_payment", end + timedelta(days=1), to=creditor),
        ev("accept_in_payment", end + timedelta(days=5)), ev("rule", end + timedelta(days=8)),
        ev("notify_registry", end + timedelta(days=9)),
        ev("deliver", end + timedelta(days=12), receiver=creditor)], today=TODAY)
    registry = re.sub(r"\s+", "", _text("registry_notice", lot, life, "docx"))
    assert f"权属变更登记至承受人{creditor}名下" in registry and "—" not in registry
    handover = re.sub(r"\s+", "", _text("handover_record", lot, life, "pdf"))
    assert "作出抵债裁定" in handover and f"归承受人{creditor}所有" in handover
    ruling = re.sub(r"\s+", "", _text("sale_ruling", lot, life, "docx"))  # the 抵债裁定 (拍卖变卖规定 arts. 16, 20)
    assert f"交承受人{creditor}抵偿债务" in ruling and "变卖财产的规定》第十六条、第二十六条" in ruling
    assert "买受人" not in ruling and "—" not in ruling
