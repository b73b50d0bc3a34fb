"""The lifecycle pages through the test client (SQLite and PostgreSQL): refusals shown with the form kept, the
next round in one step, documents, the agenda; the court profile edited by the administrator only."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta

from docx import Document

from auction.lot_examples import example_real_estate_lot
from auction.lot_sheet import PreparedLot
from tests.uow import unit_scope
from tests.web.conftest import COURT, csrf_token, login
from xunpai.services import lifecycle as service
from xunpai.services import publishing
from xunpai.storage.ledger import now_local

ANNOUNCE = date(2026, 8, 3)
PROFILE = dict(address="浙江省温岭市太平街道万寿路 1 号", supervision_phone="0576-86009999", bank="中国工商银行温岭支行",
               account_name="温岭市人民法院", account_number="1207 0211 0900 0123 456", judges="张审判长\n王法官\n陈法官",
               clerk="李书记员", seal_text="温岭市人民法院印",
               contacts="王法官 0576-86000001 承办法官\n李书记员 0576-86000002 书记员")


def bidding_lot(engine, *, profile: bool = True, lot_code: str = "WL-2026-0001") -> int:
    """A first-auction flat of the seeded court whose bidding has opened (dates in the past)."""
    with unit_scope(engine) as uow:
        if profile:
            service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None, **PROFILE)
        lot = example_real_estate_lot(announce_on=ANNOUNCE, lot_id=lot_code)
        for person in list(lot.parties) + list(lot.priority_purchasers):
            person.notified_on = ANNOUNCE - timedelta(days=3)
        lot.encumbrances[1].amount_fen = 50_000_000  # a surplus stays possible (拍卖变卖规定 art. 6)
        (row,) = publishing.import_lots(uow, [PreparedLot(1, lot)], actor="clerk1")
        lot_id, plan = row.id, row.lot.plan
        service.record_event(uow, lot_id, "panel_decision", ANNOUNCE - timedelta(days=5), court_code=COURT,
                             data={"members": ["张审判长", "王法官", "陈法官"]})
        service.record_event(uow, lot_id, "announce", ANNOUNCE, court_code=COURT)
        service.record_event(uow, lot_id, "open_bidding", plan.bidding_start.date(), at=plan.bidding_start,
                             court_code=COURT)
    return lot_id


def _post(client, url, **data):
    token = csrf_token(client, url.rsplit("/", 1)[0] if url.endswith(("/events", "/next-round")) else url)
    return client.post(url, data={"csrf_token": token, **data})


def test_a_refused_event_shows_the_article_and_keeps_the_form(client, seeded, engine):
    lot_id = bidding_lot(engine)
    login(client, "clerk1")
    page = client.get(f"/lifecycle/lots/{lot_id}").get_data(as_text=True)
    assert "竞价中" in page and "登记成交" in page and "登记流拍" in page
    response = _post(client, f"/lifecycle/lots/{lot_id}/events", kind="sold", at="2026-09-03T09:00",
                     buyer_name="周某某", buyer_id_number="330100198001010015", price="900000.00")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "早于竞价结束" in text and "网拍规定第二十条第二款" in text
    assert 'value="周某某"' in text and 'value="900000.00"' in text  # nothing typed is lost
    future = _post(client, f"/lifecycle/lots/{lot_id}/events", kind="unsold", on="2099-01-01")
    assert future.status_code == 422 and "晚于今天" in future.get_data(as_text=True)
    ok = _post(client, f"/lifecycle/lots/{lot_id}/events", kind="unsold", on="2026-09-03")
    assert ok.status_code == 302
    page = client.get(f"/lifecycle/lots/{lot_id}").get_data(as_text=True)
    assert "流拍" in page and "启动第二次拍卖" in page and "网拍规定第二十六条第一款" in page


def test_second_round_in_one_step_and_its_documents(client, seeded, engine):
    lot_id = bidding_lot(engine)
    login(client, "clerk1")
    _post(client, f"/lifecycle/lots/{lot_id}/events", kind="unsold", on="2026-09-03")
    cut_too_far = _post(client, f"/lifecycle/lots/{lot_id}/next-round", announce_on="2026-09-07",
                        starting_price="100000", notified_on="2026-09-03")
    assert cut_too_far.status_code == 422 and "降价幅度不得超过" in cut_too_far.get_data(as_text=True)
    response = _post(client, f"/lifecycle/lots/{lot_id}/next-round", announce_on="2026-09-07",
                     notified_on="2026-09-03", notice_method="直接送达")
    assert response.status_code == 302
    new_id = int(re.search(r"/lifecycle/lots/(\d+)", response.location).group(1))
    page = client.get(response.location).get_data(as_text=True)
    assert "第二次拍卖" in page and "待公告" in page
    missing = client.get(f"/lifecycle/lots/{new_id}/documents/auction_ruling.docx")
    assert missing.status_code == 422 and "尚未登记“合议庭评议" in missing.get_data(as_text=True)
    _post(client, f"/lifecycle/lots/{new_id}/events", kind="panel_decision", on="2026-09-04",
          members="张审判长\n王法官\n陈法官")
    ruling = client.get(f"/lifecycle/lots/{new_id}/documents/auction_ruling.docx")
    assert ruling.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(ruling.data)).paragraphs)
    assert "二〇二六年九月四日" in text and "书记员　李书记员" in text and "第二次拍卖" in text and "—" not in text
    pdf = client.get(f"/lifecycle/lots/{new_id}/documents/panel_record.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    agenda = client.get("/lifecycle/agenda").get_data(as_text=True)
    assert "发布公告" in agenda and "通知当事人" in agenda


def test_court_profile_is_edited_by_the_administrator_only(client, seeded, engine, app):
    login(client, "clerk1")
    assert client.get("/lifecycle/court-profile").status_code == 403
    admin = app.test_client()
    login(admin, "admin")
    page = admin.get(f"/lifecycle/court-profile?court={COURT}")
    assert page.status_code == 200 and "法院信息" in page.get_data(as_text=True)
    token = csrf_token(admin, f"/lifecycle/court-profile?court={COURT}")
    incomplete = admin.post("/lifecycle/court-profile", data={"csrf_token": token, "court": COURT,
                                                              **{**PROFILE, "account_number": ""}})
    body = incomplete.get_data(as_text=True)
    assert incomplete.status_code == 422 and "本院账户" in body and 'value="温岭市人民法院印"' in body
    saved = admin.post("/lifecycle/court-profile", data={"csrf_token": token, "court": COURT, **PROFILE})
    assert saved.status_code == 302
    with unit_scope(engine) as uow:
        assert service.court_info(uow, COURT).account.account_number == "1207 0211 0900 0123 456"
    # the listing pages' documents now carry the account and the supervision phone
    lot_id = bidding_lot(engine, profile=False)
    preview = client.get(f"/lots/{lot_id}/documents/announcement").get_data(as_text=True)
    assert "1207 0211 0900 0123 456" in preview and "0576-86009999" in preview and "本院账户：—" not in preview


def test_a_clerk_of_another_court_cannot_see_or_change_the_lifecycle(client, seeded, engine, app):
    from xunpai.services import accounts as accounts_service

    lot_id = bidding_lot(engine)
    with unit_scope(engine) as uow:
        accounts_service.create_user(uow, username="clerk2", display_name="外院书记员", role="clerk",
                                     court_code="浙1082", password="correct-horse-42")
    other = app.test_client()
    login(other, "clerk2")
    assert other.get(f"/lifecycle/lots/{lot_id}").status_code == 403
    token = csrf_token(other, "/lifecycle/agenda")
    assert other.post(f"/lifecycle/lots/{lot_id}/events", data={"csrf_token": token, "kind": "unsold",
                                                                "on": "2026-09-03"}).status_code == 403
    assert other.get(f"/lifecycle/lots/{lot_id}/documents/announcement.pdf").status_code == 403


def test_statistics_per_court_and_period_come_from_the_recorded_rounds(client, seeded, engine):
    from openpyxl import load_workbook

    first = bidding_lot(engine)
    with unit_scope(engine) as uow:
        plan = service.lot_view(uow, first).life.plan
        end = plan.bidding_end
        service.record_event(uow, first, "unsold", end.date(), court_code=COURT)
    second = bidding_lot(engine, profile=False, lot_code="WL-2026-0002")  # another lot of the court
    login(client, "clerk1")
    with unit_scope(engine) as uow:
        price = plan.starting_price_fen + 86_420_00  # 10% over the start
        service.record_event(uow, second, "sold", end.date(), at=end, court_code=COURT,
                             data={"buyer_name": "周某某", "buyer_id_number": "330100198001010015", "price_fen": price})
    period = f"from={end.date().isoformat()}&to={end.date().isoformat()}"
    page = client.get(f"/lots/outcomes?{period}").get_data(as_text=True)
    assert "50.0%" in page and "10.0%" in page  # 成交率 1 / 2, 溢价率 (sale − start) / start
    empty = client.get("/lots/outcomes?from=2026-01-01&to=2026-01-31").get_data(as_text=True)
    assert "50.0%" not in empty
    export = client.get(f"/lots/outcomes.xlsx?{period}")
    workbook = load_workbook(io.BytesIO(export.data))
    sheet = workbook["统计"]
    assert [c.value for c in sheet[3]][:4] == [COURT, 2, 2, 1] and len(sheet._charts) == 2
    assert sheet.cell(3, 15).value > 0  # commission saved (拍卖变卖规定 art. 29)


def test_documents_published_with_a_lot_carry_the_stored_court_profile(client, seeded, engine, app):
    from pathlib import Path

    lot_id = bidding_lot(engine)
    login(client, "clerk1")
    token = csrf_token(client, f"/lots/{lot_id}")
    response = client.post(f"/lots/{lot_id}/publish", data={"csrf_token": token, "platform": "ali", "documents": "1",
                                                            "confirm": "1"})  # publishing asks first (issue 14)
    assert response.status_code == 302
    (package,) = Path(app.config["OUTBOX_DIR"]).rglob("*.zip")
    _assert_announcement_names_the_court_account(package)


def test_bad_input_is_refused_in_chinese_never_a_server_error(client, seeded, engine):
    lot_id = bidding_lot(engine)
    login(client, "clerk1")
    url = f"/lifecycle/lots/{lot_id}/events"
    for data, expected in (({"kind": "sold", "at": "2026-09-03T10:05", "buyer_name": "周某某",
                             "buyer_id_number": "330100198001010015", "price": "abc"}, "金额"),
                           ({"kind": "sold", "at": "昨天上午"}, "时刻"),
                           ({"kind": "bogus"}, "请选择"),
                           ({"kind": "unsold", "on": "2026-02-30"}, "日期"),
                           ({"kind": "sold", "at": "2026-09-03T10:05", "buyer_name": "周某某",
                             "buyer_id_number": "330100198001010016", "price": "900000"}, "身份证号")):
        response = _post(client, url, **data)
        assert response.status_code == 422, (data, response.status_code)
        assert expected in response.get_data(as_text=True), data
    bad_round = _post(client, f"/lifecycle/lots/{lot_id}/next-round", announce_on="明天")
    assert bad_round.status_code == 422


def test_bulk_publishing_with_documents_uses_the_stored_profile_or_blocks_naming_what_is_missing(
        client, seeded, engine, app, tmp_path):
    from pathlib import Path

    from openpyxl import load_workbook

    from auction.demo_lots import demo_rows
    from auction.lot_sheet import write_sheet

    def upload(n):
        path = tmp_path / f"lots-{n}.xlsx"
        write_sheet(path, demo_rows(n, now_local().date() + timedelta(days=1), court_code=COURT))
        token = csrf_token(client, "/lots/bulk")
        return client.post("/lots/bulk", data={"csrf_token": token, "platform": "ali", "mode": "publish", "confirm_publish": "1",
                                               "documents": "1", "file": (io.BytesIO(path.read_bytes()), "批量挂拍表.xlsx")},
                           content_type="multipart/form-data")

    login(client, "clerk1")
    page = client.get("/lots/bulk").get_data(as_text=True)
    assert 'name="documents"' in page and "本院保存的法院信息" in page
    # no stored profile: nothing goes out with "本院账户：—"; the result file says which court details are missing
    response = upload(2)
    assert response.status_code == 302
    result = client.get(response.location + "/download")
    rows = list(load_workbook(io.BytesIO(result.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3 and all("本院账户（开户行、户名、账号）" in " ".join(str(c) for c in r) for r in rows[1:])
    assert not list(Path(app.config["OUTBOX_DIR"]).rglob("*.zip"))
    with unit_scope(engine) as uow:
        service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None, **PROFILE)
    response = upload(2)  # the same lots: blocked before, published now
    assert response.status_code == 302
    packages = list(Path(app.config["OUTBOX_DIR"]).rglob("*.zip"))
    assert len(packages) == 2
    _assert_announcement_names_the_court_account(packages[0])


def _assert_announcement_names_the_court_account(package) -> None:
    """The package's 拍卖公告 carries the court profile's account and telephone, never a dash for the account."""
    with zipfile.ZipFile(package) as archive:
        name = next(n for n in archive.namelist() if n.endswith("announcement.docx"))
        text = "\n".join(p.text for p in Document(io.BytesIO(archive.read(name))).paragraphs)
    assert "1207 0211 0900 0123 456" in text and "0576-86009999" in text and "本院账户：—" not in text


def test_the_difference_of_a_property_taken_in_payment_through_the_forms(client, seeded, engine):
    lot_id = bidding_lot(engine)
    login(client, "clerk1")
    url = f"/lifecycle/lots/{lot_id}/events"
    assert _post(client, url, kind="unsold", on="2026-09-03").status_code == 302
    assert _post(client, url, kind="offer_in_payment", on="2026-09-04", to="温岭市某农村商业银行股份有限公司").status_code == 302
    page = client.get(f"/lifecycle/lots/{lot_id}").get_data(as_text=True)
    assert "承受人应受清偿的债权额" in page and "补交差价期限" in page
    with unit_scope(engine) as uow:
        price = service.lot_view(uow, lot_id).life.offer["price_fen"]
    claim = f"{(price - 12_345_67) // 100}.{(price - 12_345_67) % 100:02d}"
    no_period = _post(client, url, kind="accept_in_payment", on="2026-09-06", claim=claim)
    assert no_period.status_code == 422 and "补交差价 12,345.67元" in no_period.get_data(as_text=True)
    assert f'value="{claim}"' in no_period.get_data(as_text=True)  # nothing typed is lost
    ok = _post(client, url, kind="accept_in_payment", on="2026-09-06", claim=claim, difference_due_on="2026-09-20")
    assert ok.status_code == 302
    page = client.get(f"/lifecycle/lots/{lot_id}").get_data(as_text=True)
    assert "承受人补交差价 12,345.67元" in page and "责令补交差价通知书" in page
    wrong = _post(client, url, kind="pay_difference", on="2026-09-10", amount="12345.00")
    assert wrong.status_code == 422 and "差价应全额交付" in wrong.get_data(as_text=True)
    assert _post(client, url, kind="pay_difference", on="2026-09-10", amount="12345.67").status_code == 302
    notice = client.get(f"/lifecycle/lots/{lot_id}/documents/difference_notice.docx")
    text = "".join(p.text for p in Document(io.BytesIO(notice.data)).paragraphs)
    assert notice.status_code == 200 and "12,345.67元" in text and "1207 0211 0900 0123 456" in text
    assert _post(client, url, kind="rule", on="2026-09-12").status_code == 302
    ruling = client.get(f"/lifecycle/lots/{lot_id}/documents/sale_ruling.docx")
    text = "".join(p.text for p in Document(io.BytesIO(ruling.data)).paragraphs)
    assert "已于2026年9月10日补交差价12,345.67元" in text
