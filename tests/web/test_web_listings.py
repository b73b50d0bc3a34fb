"""Clerks' pages: bulk import and publish with progress and a result file, lot detail with documents, one-click
publish, outcomes with statistics, custody; a clerk of another court sees none of it."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from openpyxl import load_workbook
from sqlalchemy import func, select

from auction.demo_lots import demo_rows
from auction.lot import Lot as DomainLot
from auction.lot_sheet import read_sheet, write_sheet
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT, FOREIGN_CASE, csrf_token, login
from tests.web.test_web_lifecycle import PROFILE
from xunpai.services import lifecycle as lifecycle_service
from xunpai.services import procedure
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot, Publication


def _sheet(tmp_path, n=4, court=COURT, **change) -> bytes:
    rows = demo_rows(n, now_local().date() + timedelta(days=1), court_code=court)
    for row in rows:
        row.update(change)
    path = tmp_path / "lots.xlsx"
    write_sheet(path, rows)
    return path.read_bytes()


def _upload(client, data: bytes, mode="publish", platform="ali"):
    token = csrf_token(client, "/lots/bulk")
    return client.post("/lots/bulk", data={"csrf_token": token, "platform": platform, "mode": mode,
                                           "confirm_publish": "1" if mode != "import" else "",
                                           "file": (io.BytesIO(data), "批量挂拍表.xlsx")},
                       content_type="multipart/form-data")


def test_clerk_bulk_publishes_a_sheet_with_progress_and_a_result_file(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    response = _upload(client, _sheet(tmp_path))
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.location).get_data(as_text=True)
    assert "已完成" in page and "发布结果" in page
    result = client.get(response.location + "/download")
    rows = list(load_workbook(io.BytesIO(result.data)).active.iter_rows(values_only=True))
    assert rows[0][0] == "行号" and len(rows) == 5
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Publication)) == 4
    # the same sheet again publishes nothing twice
    _upload(client, _sheet(tmp_path))
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Publication)) == 4
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 4


def test_a_sheet_with_one_bad_row_imports_nothing(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    rows = demo_rows(3, now_local().date() + timedelta(days=1), court_code=COURT)
    rows[1]["参考价（元）"] = "abc"
    path = tmp_path / "bad.xlsx"
    write_sheet(path, rows)
    response = _upload(client, path.read_bytes())
    assert response.status_code == 422 and "第 3 行" in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 0


def test_lot_page_shows_prices_and_previews_documents(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _upload(client, _sheet(tmp_path, n=2), mode="import")
    lots = client.get("/lots/").get_data(as_text=True)
    lot_id = int(re.search(r'href="/lots/(\d+)"', lots).group(1))
    page = client.get(f"/lots/{lot_id}").get_data(as_text=True)
    assert "起拍价" in page and "拍卖公告" in page
    # no stored court profile: the announcement would print "本院账户：—"; it says what is missing instead
    refused = client.get(f"/lots/{lot_id}/documents/announcement.pdf", follow_redirects=True)
    assert "拍卖公告需要的法院信息缺少：本院账户（开户行、户名、账号）、监督电话" in refused.get_data(as_text=True)
    with unit_scope(engine) as uow:
        lifecycle_service.save_court_profile(uow, COURT, actor="admin", actor_role="admin", actor_court=None,
                                             **PROFILE)
    preview = client.get(f"/lots/{lot_id}/documents/announcement")
    assert preview.status_code == 200 and "拍卖公告" in preview.get_data(as_text=True)
    assert "1207 0211 0900 0123 456" in preview.get_data(as_text=True)
    pdf = client.get(f"/lots/{lot_id}/documents/announcement.pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")


def test_one_click_publish_then_outcome_and_statistics(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _upload(client, _sheet(tmp_path, n=2), mode="import")
    with unit_scope(engine) as uow:
        row = uow.session.scalars(select(Lot).order_by(Lot.id)).first()
        lot_id, start, plan = row.id, row.starting_price_fen, row.plan
    token = csrf_token(client, f"/lots/{lot_id}")
    asked = client.post(f"/lots/{lot_id}/publish", data={"csrf_token": token, "platform": "ali"})
    assert asked.status_code == 200 and "确认发布" in asked.get_data(as_text=True)  # nothing sent yet
    response = client.post(f"/lots/{lot_id}/publish", data={"csrf_token": token, "platform": "ali", "confirm": "1"})
    page = client.get(response.location).get_data(as_text=True)
    assert "准备就绪" in page and "下载上传包" in page and "file://" not in page
    price = f"{(start + 10_000_00) / 100:.2f}"
    early = client.post(f"/lots/{lot_id}/outcome", data={"csrf_token": token, "outcome": "sold", "sale_price": price,
                                                         "on": now_local().date().isoformat()}, follow_redirects=True)
    assert "不能登记在此之前" in early.get_data(as_text=True)  # a sale before the bidding began is refused
    ended_on = plan["bidding_end"][:10]
    future = client.post(f"/lots/{lot_id}/outcome", data={"csrf_token": token, "outcome": "sold", "sale_price": price,
                                                          "on": ended_on}, follow_redirects=True)
    assert "晚于今天" in future.get_data(as_text=True)  # the bidding ends in the future: no result yet
    from xunpai.services import outcomes as outcomes_service

    with unit_scope(engine) as uow:  # recorded when that day has come
        outcomes_service.record_outcome(uow, lot_id, "sold", sale_price_fen=start + 10_000_00,
                                        on=date.fromisoformat(ended_on), today=date.fromisoformat(ended_on))
    again = client.post(f"/lots/{lot_id}/outcome", data={"csrf_token": token, "outcome": "unsold",
                                                         "on": now_local().date().isoformat()}, follow_redirects=True)
    assert "不会被覆盖" in again.get_data(as_text=True)  # a second submission never overwrites the sale
    period = f"from={ended_on[:4]}-01-01&to={ended_on}"  # the bidding ends in the future: ask for its period
    stats = client.get(f"/lots/outcomes?{period}").get_data(as_text=True)
    assert "成交率" in stats and "100.0%" in stats and "<svg" in stats
    export = client.get(f"/lots/outcomes.xlsx?{period}")
    assert export.status_code == 200 and load_workbook(io.BytesIO(export.data)).sheetnames


def test_clerk_of_another_court_cannot_open_or_publish_the_lot(client, seeded, engine, tmp_path, app):
    from xunpai.services import accounts as accounts_service

    login(client, "clerk1")
    _upload(client, _sheet(tmp_path, n=2), mode="import")
    with unit_scope(engine) as uow:
        lot_id = uow.session.execute(select(Lot.id)).scalars().first()
        accounts_service.create_user(uow, username="clerk2", display_name="外院书记员", role="clerk",
                                     court_code="浙1082", password="correct-horse-42")
    other = app.test_client()
    login(other, "clerk2")
    assert other.get(f"/lots/{lot_id}").status_code == 403
    token = csrf_token(other, "/lots/")
    assert other.post(f"/lots/{lot_id}/publish", data={"csrf_token": token}).status_code == 403
    assert other.post("/lots/publish-selected", data={"csrf_token": token, "lot": str(lot_id)}).status_code == 403


def test_custody_page_and_viewing_slots(client, seeded, engine):
    from auction.custody import INSPECTION_CHECKLISTS

    login(client, "clerk1")
    token = csrf_token(client, "/lots/custody")
    data = {"csrf_token": token, "action": "intake", "kind": "vehicle", "case_number": "（2026）浙1081执100号",
            "description": "白色小型轿车", "location": "城东保管场", "condition": "完好", "tariff": "30",
            "photos": (io.BytesIO(b"\xff\xd8\xff fake jpeg"), "front.jpg")}
    data.update({f"check_{key}": "已查" for key, _name in INSPECTION_CHECKLISTS["vehicle"]})
    response = client.post("/lots/custody", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/lots/custody").get_data(as_text=True)
    assert "白色小型轿车" in page, page


def test_create_a_lot_from_a_case_prefills_what_the_case_knows(client, seeded):
    login(client, "clerk1")
    page = client.get("/lots/new?case=（2026）浙1081执100号").get_data(as_text=True)
    assert '>王某某</textarea>' in page and 'value="东辉公寓1幢501室住宅"' in page
    assert client.get("/lots/new?case=（2026）浙1082执300号").status_code == 403


def test_off_peak_publishing_queues_the_lot(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _upload(client, _sheet(tmp_path, n=2), mode="import")
    with unit_scope(engine) as uow:
        lot_id = uow.session.execute(select(Lot.id).order_by(Lot.id)).scalars().first()
    token = csrf_token(client, f"/lots/{lot_id}")
    response = client.post(f"/lots/{lot_id}/publish", data={"csrf_token": token, "platform": "ali",
                                                            "when": "off_peak", "confirm": "1"})
    assert response.status_code == 302
    with unit_scope(engine) as uow:
        publication = uow.session.execute(select(Publication).where(Publication.lot_id == lot_id)).scalar_one()
        assert publication.status == "queued" and publication.not_before is not None


def _form_row(**change) -> dict[str, str]:
    """A real-estate lot of the seeded case, as the 新建标的 form posts it (the sheet's columns)."""
    row = demo_rows(2, now_local().date() + timedelta(days=1), court_code=COURT)[1]
    row.update({"案号": CASE, "标的名称": "东辉公寓1幢501室住宅"}, **change)
    return row


def _post_new(client, row: dict[str, str]):
    token = csrf_token(client, "/lots/new")
    return client.post("/lots/new", data={"csrf_token": token, "action": "build", **row})


def _fix_case_price(engine, seeded, value_fen: int) -> None:
    """The case's property gets a fixed reference price (参考价规定: a lot takes its price from it)."""
    with unit_scope(engine) as uow:
        case = procedure.get_case(uow, CASE)
        now = now_local()
        report = procedure.record_negotiation(uow, seeded.lot_id, {p.id: value_fen for p in case.parties},
                                              agreed_on=now.date(), actor="judge1", now=now)
        procedure.fix_reference_price(uow, report.id, today=now.date(), actor="judge1", now=now)


def test_creating_a_lot_in_the_web_stores_the_domain_lot_tied_to_the_cases_property(client, seeded, engine):
    login(client, "clerk1")
    refused = _post_new(client, _form_row())
    assert refused.status_code == 422 and "尚未确定参考价" in refused.get_data(as_text=True)
    _fix_case_price(engine, seeded, 1_220_000_00)
    response = _post_new(client, _form_row())
    assert response.status_code == 302, response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        row = uow.session.scalars(select(Lot)).one()
        assert isinstance(row.lot, DomainLot) and row.lot.title == "东辉公寓1幢501室住宅"
        assert (row.court_code, row.case_number, row.status) == (COURT, CASE, "draft")
        assert row.procedure_lot is not None and row.procedure_lot.name == row.lot.title
        assert row.procedure_lot.case.case_number == CASE
        assert response.location.endswith(f"/lots/{row.id}")
    assert "东辉公寓1幢501室住宅" in client.get(response.location).get_data(as_text=True)


def test_a_bad_lot_form_creates_nothing_and_says_what_the_sheet_import_says(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    bad = _form_row(**{"参考价（元）": "abc"})
    path = tmp_path / "one.xlsx"
    write_sheet(path, [bad])
    (problem,) = read_sheet(path)[1]
    response = _post_new(client, bad)
    assert response.status_code == 422
    assert problem.reason in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 0


def test_a_clerk_cannot_create_a_lot_for_another_courts_case(client, seeded, engine):
    login(client, "clerk1")
    response = _post_new(client, _form_row(**{"案号": FOREIGN_CASE}))
    assert response.status_code == 422
    assert "只能为本院（浙1081）的案件建立标的" in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 0
