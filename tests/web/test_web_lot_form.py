"""The clerk's workbench through the test client, on SQLite and PostgreSQL: a range and a Chinese message on every
money and count field (99999999999999999 included), results imported from a platform's file, a publish summary
that counts what really happened, bulk import by default, the judge's read-only view of the court's lots, and
the party's logout."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from auction.demo_lots import demo_rows
from auction.lot_form import FIELDS
from auction.lot_sheet import write_sheet
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT, csrf_token, login, party_login
from xunpai.storage.ledger import now_local
from xunpai.storage.models.lots import Lot, Publication

HUGE = "99999999999999999"
NUMBER_FIELDS = [f for f in FIELDS if f.type in ("money", "int", "decimal")]


def _form_row(**change) -> dict[str, str]:
    """A flat of the seeded case that is not the property whose reference price the procedure fixes."""
    row = demo_rows(2, now_local().date() + timedelta(days=1), court_code=COURT)[1]
    row.update({"案号": CASE, "标的名称": "东辉公寓2幢101室住宅"}, **change)
    return {k: v for k, v in row.items() if k not in ("照片", "内容JSON")}


def _post_new(client, row: dict[str, str], action="build"):
    token = csrf_token(client, "/lots/new")
    return client.post("/lots/new", data={"csrf_token": token, "action": action, **row})


@pytest.mark.parametrize("field", NUMBER_FIELDS, ids=[f.key for f in NUMBER_FIELDS])
def test_every_number_field_refuses_a_huge_value_beside_the_field(client, seeded, engine, field):
    login(client, "clerk1")
    kind = "vehicle" if "vehicle" in field.kinds else "real_estate"
    row = _form_row(**{"标的物类型": kind, field.column: HUGE})
    response = _post_new(client, row)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    block = re.search(rf'id="f-{field.key}".*?</div>', page, re.S).group(0)
    assert "field-error" in block and f"“{field.label}”" in block and "之间" in block
    if field.minimum is not None:  # below the range too
        low = str(field.minimum - 1) if field.type == "int" else "-1"
        response = _post_new(client, _form_row(**{"标的物类型": kind, field.column: low}))
        assert response.status_code == 422 and f"“{field.label}”应在" in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 0


def _import(client, tmp_path, n=2, announce_on=None):
    rows = demo_rows(n, announce_on or now_local().date() + timedelta(days=1), court_code=COURT)
    path = tmp_path / "lots.xlsx"
    write_sheet(path, rows)
    token = csrf_token(client, "/lots/bulk")
    return client.post("/lots/bulk", data={"csrf_token": token, "platform": "local",
                                           "file": (io.BytesIO(path.read_bytes()), "批量挂拍表.xlsx")},
                       content_type="multipart/form-data")


def test_bulk_upload_imports_only_by_default_and_says_so(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    response = _import(client, tmp_path, n=3)
    assert response.status_code == 302
    assert "已导入 3 个标的（草稿，未发布）：新建 3 个，更新 0 个，内容未变 0 个" in \
        client.get(response.location).get_data(as_text=True)
    again = _import(client, tmp_path, n=3)  # the same sheet again: nothing new, and it says so
    assert "新建 0 个，更新 0 个，内容未变 3 个" in client.get(again.location).get_data(as_text=True)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 3
        assert uow.session.scalar(select(func.count()).select_from(Publication)) == 0


def test_money_and_counts_elsewhere_have_ranges_too(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _import(client, tmp_path)
    with unit_scope(engine) as uow:
        lot_id = uow.session.scalars(select(Lot.id)).first()
    token = csrf_token(client, f"/lots/{lot_id}")
    page = client.post(f"/lots/{lot_id}/outcome", data={"csrf_token": token, "outcome": "sold", "sale_price": HUGE},
                       follow_redirects=True)
    assert page.status_code == 200 and "“成交价”应在 0.01 元至 1,000 亿元之间" in page.get_data(as_text=True)
    for name, value, message in (("tariff", HUGE, "“日保管费”应在"), ("lot_id", HUGE, "“标的”应为")):
        data = {"csrf_token": token, "action": "intake", "kind": "vehicle", "case_number": CASE, "description": "轿车",
                "location": "城东保管场", "condition": "完好", "tariff": "30", name: value}
        page = client.post("/lots/custody", data=data)
        text = page.get_data(as_text=True)
        assert page.status_code == 422 and message in text, name
        assert 'value="城东保管场"' in text and 'value="轿车"' in text  # a refused intake keeps what was typed
    page = client.post("/lots/custody", data={"csrf_token": token, "action": "slot", "item_id": HUGE})
    assert page.status_code == 422 and "“保管物”应为" in page.get_data(as_text=True)


def test_results_file_records_outcomes_row_by_row(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _import(client, tmp_path, n=3, announce_on=now_local().date() - timedelta(days=40))  # the biddings have ended
    with unit_scope(engine) as uow:
        lots = uow.session.scalars(select(Lot).order_by(Lot.id)).all()
        assert all(lot.lot.plan.bidding_end.date() < now_local().date() for lot in lots)
        codes = [lot.lot_code for lot in lots]
        ids = [lot.id for lot in lots]
        ended = [lot.lot.plan.bidding_end.date().isoformat() for lot in lots]
        start = lots[0].starting_price_fen
    token = csrf_token(client, "/lots/results")
    for lot_id in ids[:2]:  # two published; the third stays a draft
        client.post(f"/lots/{lot_id}/publish", data={"csrf_token": token, "platform": "ali", "confirm": "1"})
    path = tmp_path / "results.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["标的编号", "结果", "成交价（元）", "买受人", "竞买号", "结束日期"])
        writer.writerow([codes[0], "成交", f"{(start + 5_000_00) / 100:.2f}", "张某", "A001", ended[0]])
        writer.writerow([codes[1], "流拍", "", "", "", ended[1]])
        writer.writerow([codes[2], "流拍", "", "", "", ended[2]])  # not published: refused
        writer.writerow(["没有这个编号", "成交", HUGE, "", "", ended[0]])
    response = client.post("/lots/results", data={"csrf_token": token, "source": "file",
                                                  "file": (io.BytesIO(path.read_bytes()), "结果.csv")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "登记 2 个结果，2 个未登记" in page, page
    assert "尚未发布" in page and "成交价应在" in page
    with unit_scope(engine) as uow:
        first, second, third = (uow.session.get(Lot, i) for i in ids)
        assert (first.outcome, first.sale_price_fen, first.sale["buyer_name"]) == ("sold", start + 5_000_00, "张某")
        assert second.outcome == "unsold" and third.outcome is None
        assert {p.stage for p in first.publications} == {"ended"}


def test_publish_summary_counts_what_really_happened(client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _import(client, tmp_path, n=2)
    response = _post_new(client, _form_row(**{"标的编号": "WEB-1", "看样安排": ""}))  # lacks disclosures
    assert response.status_code == 302, response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        ids = list(uow.session.scalars(select(Lot.id).order_by(Lot.id)))
    token = csrf_token(client, "/lots/")
    response = client.post("/lots/publish-selected", data={"csrf_token": token, "platform": "ali",
                                                           "lot": [str(i) for i in ids]})
    page = client.get(response.location).get_data(as_text=True)
    assert "准备就绪（上传包待下载上传） 2 个" in page and "缺少必须披露的事项，未发布 1 个" in page, page
    assert "已上线" not in page
    with unit_scope(engine) as uow:
        stages = sorted(p.stage for p in uow.session.scalars(select(Publication)))
    assert stages == ["ready", "ready"]


def test_judge_sees_the_lots_of_the_courts_cases_read_only(app, client, seeded, engine, tmp_path):
    login(client, "clerk1")
    _import(client, tmp_path, n=2)
    with unit_scope(engine) as uow:
        lot_id = uow.session.scalars(select(Lot.id)).first()
    judge = app.test_client()
    login(judge, "judge1")
    listing = judge.get("/lots/").get_data(as_text=True)
    assert f'href="/lots/{lot_id}"' in listing and "从案件新建标的" not in listing
    page = judge.get(f"/lots/{lot_id}").get_data(as_text=True)
    assert "起拍价" in page and "发布…" not in page
    token = csrf_token(judge, f"/lots/{lot_id}")
    assert judge.post(f"/lots/{lot_id}/publish", data={"csrf_token": token, "platform": "local"}).status_code == 403
    other = app.test_client()
    login(other, "judge2")
    assert other.get(f"/lots/{lot_id}").status_code == 403
    assert f'href="/lots/{lot_id}"' not in other.get("/lots/").get_data(as_text=True)


def test_a_party_who_logs_out_returns_to_the_party_login(client, seeded):
    party_login(client, CASE, seeded.party_code)
    token = csrf_token(client, f"/party/case/{CASE}")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/party/login")
    staff = login(client, "clerk1")
    token = csrf_token(client, "/lots/")
    assert client.post("/logout", data={"csrf_token": token}).location.endswith("/login")
    assert staff.status_code == 302


def test_the_form_takes_the_survey_facts_of_the_cases_building(client, seeded, engine):
    from xunpai.storage.models.procedure import ProcedureLot

    if not hasattr(ProcedureLot, "building_id"):
        pytest.skip("the procedure does not record the property's building yet (issue 12)")
    from tests.web.conftest import small_city

    building = small_city().tables["buildings"].iloc[0]
    with unit_scope(engine) as uow:
        lot = uow.session.get(ProcedureLot, seeded.lot_id)
        lot.building_id, lot.address = building["building_id"], "示范市城东街道东辉公寓1幢501室"
    login(client, "clerk1")
    page = client.get(f"/lots/new?case={CASE}").get_data(as_text=True)
    assert f'value="{int(building["total_floors"])}"' in page and f'value="{int(building["year_built"])}"' in page
    assert 'value="示范市城东街道东辉公寓1幢501室"' in page


def test_a_judge_sees_the_lots_of_their_own_cases(app, client, seeded, engine):
    from xunpai.services import accounts as accounts_service
    from xunpai.storage.models.procedure import ProcedureCase

    if not hasattr(ProcedureCase, "judge"):
        pytest.skip("the procedure does not record the judge in charge yet (issue 12)")
    from tests.web.test_web_clerk_workbench import REFERENCE_FEN, fix_reference_price

    fix_reference_price(engine, seeded.lot_id)
    login(client, "clerk1")
    row = _form_row(**{"标的名称": "东辉公寓1幢501室住宅", "参考价（元）": f"{REFERENCE_FEN / 100:.2f}"})
    assert _post_new(client, row).status_code == 302
    with unit_scope(engine) as uow:
        lot_id = uow.session.scalars(select(Lot.id)).one()
        assert uow.session.get(Lot, lot_id).procedure_lot_id == seeded.lot_id
        uow.session.scalars(select(ProcedureCase).where(ProcedureCase.case_number == CASE)).one().judge = "judge1"
        accounts_service.create_user(uow, username="judge3", display_name="另一法官", role="judge", court_code=COURT,
                                     password="correct-horse-42")
    own = app.test_client()
    login(own, "judge1")
    assert own.get(f"/lots/{lot_id}").status_code == 200
    other = app.test_client()
    login(other, "judge3")
    assert other.get(f"/lots/{lot_id}").status_code == 403
    assert f'href="/lots/{lot_id}"' not in other.get("/lots/").get_data(as_text=True)


def test_results_and_the_next_round_go_through_the_lifecycle_when_it_follows_the_lot(client, seeded, engine,
                                                                                    tmp_path):
    from auction.platforms import get_platform
    from tests.web.test_web_lifecycle import bidding_lot
    from xunpai.services import lifecycle as lifecycle_service
    from xunpai.services import publishing
    from xunpai.storage.models.lifecycle import LotEvent
    from xunpai.storage.models.lots import LotDraft
    from xunpai.storage.unit_of_work import UnitOfWork

    lot_id = bidding_lot(engine)  # the lifecycle has the panel, the announcement and the opened bidding
    publishing.publish_lot(UnitOfWork(engine), lot_id, get_platform("ali", outbox=tmp_path / "outbox"), actor="clerk1")
    with unit_scope(engine) as uow:
        code = uow.session.get(Lot, lot_id).lot_code
    ended = now_local().date() - timedelta(days=2)
    path = tmp_path / "results.csv"
    path.write_text(f"标的编号,结果,成交价（元）,买受人,买受人证件号码,竞买号,结束日期\n{code},流拍,,,,,{ended}\n",
                    encoding="utf-8-sig")
    login(client, "clerk1")
    token = csrf_token(client, "/lots/results")
    page = client.post("/lots/results", data={"csrf_token": token, "source": "file",
                                              "file": (io.BytesIO(path.read_bytes()), "结果.csv")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "登记 1 个结果，0 个未登记" in page, page
    with unit_scope(engine) as uow:
        kinds = [e.kind for e in uow.session.scalars(select(LotEvent).where(LotEvent.lot_id == lot_id))]
        assert kinds[-1] == "unsold" and uow.session.get(Lot, lot_id).outcome == "unsold"
    assert lifecycle_service.lot_view(UnitOfWork(engine), lot_id).next_round is not None
    response = client.post(f"/lots/{lot_id}/next-round", data={"csrf_token": token})
    assert response.status_code == 302
    with unit_scope(engine) as uow:
        second = uow.session.scalars(select(Lot).where(Lot.round == "second_auction")).one()
        assert response.location.endswith(f"/lots/{second.id}")
        assert second.lot.plan.failed_on == ended and second.lot.plan.announce_on == now_local().date()
        assert uow.session.scalars(select(LotDraft).where(LotDraft.lot_id == second.id)).one()
        events = uow.session.scalar(select(func.count()).select_from(LotEvent).where(LotEvent.lot_id == second.id))
        assert events == 0
