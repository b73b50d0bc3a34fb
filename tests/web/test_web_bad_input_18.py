"""The other 500s and English messages of issue 18 (point 8), each now a Chinese answer; a quote always has a
court; refused requests are aggregated in the ledger; uploads are deleted after the retention period, logged."""

from __future__ import annotations

import json
import os
import time
from datetime import date, timedelta

from click.testing import CliRunner
from sqlalchemy import select

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from tax_baseline.quote import QuoteRequest
from tests.uow import unit_scope
from tests.web.conftest import CASE, csrf_token, login, party_login
from xunpai.services import accounts as accounts_service
from xunpai.services import jobs as jobs_service
from xunpai.services.inquiry import quote_for_user
from xunpai.storage.ledger import now_local
from xunpai.storage.models.accounts import InquiryLimit, User
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.unit_of_work import UnitOfWork


def _entries(engine, kind):
    with unit_scope(engine) as uow:
        return [json.loads(e.payload) | {"_court": e.court_code, "_actor": e.actor}
                for e in uow.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == kind))]


def test_a_huge_page_number_is_a_chinese_400(client):
    login(client, "judge1")
    response = client.get("/inquiry/ledger?page=99999999999999999999999")
    assert response.status_code == 400 and "页码应为 1 至 10000" in response.get_data(as_text=True)
    assert client.get("/inquiry/ledger?page=abc").status_code == 200


def test_an_unknown_platform_is_refused_in_chinese(client, seeded):
    login(client, "clerk1")
    token = csrf_token(client, "/lots/")
    response = client.post(f"/lots/{seeded.lot_id}/publish", data={"csrf_token": token, "platform": "nope"},
                           follow_redirects=True)
    assert response.status_code in (200, 403, 404)
    response = client.post("/lots/publish-selected", data={"csrf_token": token, "platform": "nope", "lot": "1"},
                           follow_redirects=True)
    assert response.status_code == 200 and "平台“nope”不存在" in response.get_data(as_text=True)


def test_a_quote_by_the_administrator_has_the_court_of_its_case(engine, seeded):
    with unit_scope(engine) as uow:
        admin = uow.session.scalars(select(User).where(User.username == "admin")).one()
        uow.session.add(InquiryLimit(user_id=admin.id, allowed_zones=[], daily_count=10, hour_from=0, hour_to=24))
    quote_for_user(UnitOfWork(engine), admin.id, QuoteRequest(building_id=seeded.building_id, floor="3", area="80",
                                                              contract_date=date(2023, 6, 1)), case_number=CASE,
                   purpose="执行询价")
    (entry,) = _entries(engine, "inquiry.quote")
    assert entry["_court"] == "浙1081" and entry["_actor"] == "admin"


def test_refused_requests_are_one_entry_per_user_per_minute_with_a_count(app, client, engine, seeded):
    party_login(client, CASE, seeded.party_code)
    for _ in range(200):
        assert client.get("/inquiry/").status_code == 403
    denied = _entries(engine, "web.denied")
    assert 1 <= len(denied) <= 2, len(denied)  # 2 when the 200 requests straddle a minute
    written = accounts_service.summarize_denials(UnitOfWork(engine), now_local() + timedelta(minutes=1))
    repeated = _entries(engine, "web.denied_repeated")
    assert written >= 1 and len(repeated) >= written  # a minute already over may have been written inline
    assert len(denied) + sum(e["after_first"] for e in repeated) == 200  # every refusal counted, none lost
    assert accounts_service.summarize_denials(UnitOfWork(engine), now_local() + timedelta(minutes=2)) == 0


def test_uploads_are_deleted_after_the_retention_period_and_the_deletion_logged(engine, seeded, tmp_path):
    folder = tmp_path / "uploads"
    old, new = folder / "batch-in" / "old.csv", folder / "jobs" / "abc" / "result.xlsx"
    for path in (old, new):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 10)
    old_result = folder / "jobs" / "old-job" / "result.xlsx"
    old_result.parent.mkdir(parents=True)
    old_result.write_bytes(b"y" * 5)
    (folder / "vehicle-batch-in").mkdir()  # an upload folder a request has just made, still empty
    (folder / "jobs" / "new-job").mkdir()  # a job's result folder the worker has just made
    stamp = time.time() - 31 * 86400
    os.utime(old, (stamp, stamp))
    os.utime(old_result, (stamp, stamp))
    assert jobs_service.purge_uploads(UnitOfWork(engine), folder, days=30) == 2
    assert not old.exists() and not old_result.exists() and new.exists()
    assert not old_result.parent.exists()  # the job's folder it emptied goes with its file
    # the folders requests and jobs write into stay, even empty: deleting one under a request saving a file
    # there would lose the upload
    assert (folder / "batch-in").is_dir() and (folder / "vehicle-batch-in").is_dir()
    assert (folder / "jobs" / "new-job").is_dir()
    (entry,) = _entries(engine, "uploads.purged")
    assert entry["files"] == 2 and entry["days"] == 30 and entry["bytes"] == 15
    assert sorted(entry["names"]) == ["batch-in/old.csv", "jobs/old-job/result.xlsx"]


def test_a_database_that_is_gone_is_a_chinese_message_not_a_traceback(monkeypatch, tmp_path):
    from xunpai.cli import main, support

    monkeypatch.setattr(support, "_engine", None)
    monkeypatch.setenv("XUNPAI_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    monkeypatch.setenv("XUNPAI_DATA_DIR", str(tmp_path))
    sheet = tmp_path / "x.xlsx"
    write_sheet(sheet, demo_rows(1, now_local().date() + timedelta(days=1)))
    result = CliRunner().invoke(main, ["lots", "bulk-publish", str(sheet), "--platform", "ali", "-o",
                                       str(tmp_path / "out.xlsx")])
    assert result.exit_code != 0
    assert "Traceback" not in result.output and "数据库" in result.output, result.output
