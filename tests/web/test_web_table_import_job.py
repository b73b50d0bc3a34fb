"""The administrator's tables import runs as a background job (issue 18, point 4): the page checks the file's type,
a zip bomb and, for a small workbook, every cell at once; the version itself is stored by the job, as the admin who
uploaded it and checked again there, all or nothing, with its ledger entry. On SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import re

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from tax_baseline.tables import BaselineTables
from tax_baseline.workbook import write_xlsx
from tests.uow import unit_scope
from tests.web.conftest import csrf_token, login, small_city
from web import create_app
from xunpai.services import accounts as accounts_service
from xunpai.services import baseline as baseline_store
from xunpai.services import jobs as jobs_service
from xunpai.services.authority import WriteRefused
from xunpai.storage.models.baseline import TableVersion
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.unit_of_work import UnitOfWork


def _app(engine, tmp_path, **config):
    return create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True, "JOBS_INLINE": True,
                       "OFF_PEAK_SENDER": False, "UPLOAD_DIR": str(tmp_path / "uploads"),
                       "OUTBOX_DIR": str(tmp_path / "outbox"), **config})


def _workbook(tmp_path, *, bad: bool = False) -> bytes:
    city = small_city()
    prices = city.tables["base_prices"].copy()
    prices.loc[0, "price"] = prices.loc[0, "price"] + 500
    if bad:
        prices.loc[1, "price"] = -1  # a negative base price: refused by the table's limits
    path = tmp_path / "tables.xlsx"
    write_xlsx(BaselineTables({**city.tables.frames, "base_prices": prices}), path)
    return path.read_bytes()


def _post(client, data: bytes, name: str, file_name: str = "基准表2026-07.xlsx"):
    token = csrf_token(client, "/admin/tables")
    return client.post("/admin/tables", data={"csrf_token": token, "action": "import", "name": name,
                                              "file": (io.BytesIO(data), file_name)},
                       content_type="multipart/form-data")


def _version(engine, name):
    with unit_scope(engine) as uow:
        return uow.session.execute(select(TableVersion.name, TableVersion.status, TableVersion.created_by)
                                   .where(TableVersion.name == name)).first()


def _entries(engine, kind) -> list[dict]:
    with unit_scope(engine) as uow:
        rows = uow.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == kind)
                                   .order_by(LedgerEntry.seq)).all()
        return [{"actor": r.actor, **json.loads(r.payload)} for r in rows]


def _job_id(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/admin/tables/jobs/([0-9a-f]{32})$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_a_small_import_is_stored_by_its_job_and_shown_on_the_job_page(engine, seeded, tmp_path):
    client = _app(engine, tmp_path).test_client()
    login(client, "admin")
    job_id = _job_id(_post(client, _workbook(tmp_path), "2026-07"))
    page = client.get(f"/admin/tables/jobs/{job_id}").get_data(as_text=True)
    assert "导入基准表" in page and "已导入基准表版本“2026-07”（草稿；" in page and "已记入台账" in page
    assert _version(engine, "2026-07") == ("2026-07", "draft", "admin")
    entries = [e for e in _entries(engine, "tables.import") if e["version"] == "2026-07"]
    assert len(entries) == 1 and entries[0]["actor"] == "admin" and entries[0]["source"] == "基准表2026-07.xlsx"
    status = client.get(f"/admin/tables/jobs/{job_id}/status").get_json()
    assert status["status"] == "done" and status["done"] == status["total"] == 2
    assert "查看" in client.get("/admin/tables").get_data(as_text=True)  # the recent imports list links the job


def test_a_small_workbook_with_errors_is_refused_on_the_page_at_once(engine, seeded, tmp_path):
    client = _app(engine, tmp_path).test_client()
    login(client, "admin")
    response = _post(client, _workbook(tmp_path, bad=True), "2026-08")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "基准表2026-07.xlsx" in text and "未导入任何数据" in text
    assert _version(engine, "2026-08") is None
    assert not jobs_service.recent_jobs(UnitOfWork(engine), accounts_service.active_user(UnitOfWork(engine),
                                                                                        "admin").id, "admin.tables")


def test_a_large_workbook_is_not_read_in_the_request(engine, seeded, tmp_path):
    """Over ``BACKGROUND_ROWS`` the request only stores the file and queues the job: nothing is imported until
    the worker runs it; a cell error is then the job's Chinese message, and nothing is stored."""
    app = _app(engine, tmp_path, JOBS_INLINE=False, BACKGROUND_ROWS=5)
    client = app.test_client()
    login(client, "admin")
    bad_job = _job_id(_post(client, _workbook(tmp_path, bad=True), "2026-09"))
    good_job = _job_id(_post(client, _workbook(tmp_path), "2026-10"))
    assert _version(engine, "2026-10") is None  # queued, not imported in the request
    assert "排队中" in client.get(f"/admin/tables/jobs/{good_job}").get_data(as_text=True)
    queue = app.extensions["xunpai_jobs"]
    for _ in range(2):
        queue.execute(queue.dequeue())
    failed = client.get(f"/admin/tables/jobs/{bad_job}").get_data(as_text=True)
    assert "任务失败：文件“基准表2026-07.xlsx”有 1 处错误，未导入任何数据" in failed
    assert _version(engine, "2026-09") is None
    assert "已导入基准表版本“2026-10”" in client.get(f"/admin/tables/jobs/{good_job}").get_data(as_text=True)
    assert _version(engine, "2026-10") == ("2026-10", "draft", "admin")
    assert list(tmp_path.joinpath("uploads", "tables-in").iterdir()) == []  # the uploads are gone with their jobs


def test_the_job_cannot_do_what_its_admin_may_no_longer_do(engine, seeded, tmp_path):
    """The admin uploads, is deactivated before the worker runs the job: the job is refused as that admin, the
    refusal logged once as ``web.denied``, and nothing is imported."""
    app = _app(engine, tmp_path, JOBS_INLINE=False)
    client = app.test_client()
    login(client, "admin")
    job_id = _job_id(_post(client, _workbook(tmp_path), "2026-11"))
    with unit_scope(engine) as uow:
        admin = accounts_service.active_user(uow, "admin")
        accounts_service.update_user(uow, admin.id, active=False, actor="运维人员")
    denied_before = len(_entries(engine, "web.denied"))
    queue = app.extensions["xunpai_jobs"]
    queue.execute(queue.dequeue())
    job = jobs_service.get_job(UnitOfWork(engine), job_id)
    assert job.status == "failed" and "已停用" in job.message and "导入基准表" in job.message, job.message
    denied = _entries(engine, "web.denied")[denied_before:]
    assert len(denied) == 1 and denied[0]["actor"] == "admin" and denied[0]["what"] == "导入基准表"
    assert _version(engine, "2026-11") is None


def test_a_judge_may_not_import_or_activate_tables_through_the_service(engine, seeded, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(_workbook(tmp_path))
    with pytest.raises(WriteRefused, match="应为管理员"):
        baseline_store.import_file(UnitOfWork(engine), path, "2026-12", actor="judge1")
    with pytest.raises(WriteRefused, match="应为管理员"):
        baseline_store.activate(UnitOfWork(engine), "2026-01", "judge1")
    assert [d["what"] for d in _entries(engine, "web.denied")] == ["导入基准表", "启用基准表版本"]
    assert _version(engine, "2026-12") is None


def test_the_command_line_imports_through_the_same_service(engine, seeded, tmp_path, database_url, monkeypatch):
    from xunpai.cli import main, support

    monkeypatch.setenv("XUNPAI_DATABASE_URL", database_url)
    monkeypatch.setattr(support, "_engine", engine)
    path = tmp_path / "基准表.xlsx"
    path.write_bytes(_workbook(tmp_path))
    refused = CliRunner().invoke(main, ["tables", "import", str(path), "--name", "2027-01", "--user", "judge1"])
    assert refused.exit_code != 0 and "无权导入基准表" in refused.output, refused.output
    assert _version(engine, "2027-01") is None
    done = CliRunner().invoke(main, ["tables", "import", str(path), "--name", "2027-01", "--user", "admin"])
    assert done.exit_code == 0 and "已导入草稿版本“2027-01”" in done.output, done.output
    assert [e["actor"] for e in _entries(engine, "tables.import") if e["version"] == "2027-01"] == ["admin"]
