"""Background jobs through the real queue (huey on the test database, SQLite and PostgreSQL) and the real job
worker: a failed job shows its owner the reason in Chinese, offers no file, leaves only what its service wrote
atomically, and logs its traceback."""

from __future__ import annotations

import io
import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.uow import unit_scope
from tests.web.conftest import CASE, csrf_token, login
from web import create_app, jobs
from xunpai.storage.models.accounts import InquiryLimit, User
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.models.web import WebJob


@pytest.fixture
def queued_app(engine, seeded, tmp_path):
    """The application as ``xunpai serve --no-worker`` runs it: a page only enqueues its job."""
    app = create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True, "OFF_PEAK_SENDER": False,
                      "UPLOAD_DIR": str(tmp_path / "uploads"), "OUTBOX_DIR": str(tmp_path / "outbox")})
    app.extensions["xunpai_jobs"].flush()  # messages of earlier tests on this database
    yield app
    app.extensions["xunpai_jobs"].flush()


def _upload_batch(client, seeded) -> str:
    login(client, "judge1")
    csv = (f"坐落,所在层,朝向,建筑面积,立契时间\n{seeded.address},3,南北,89.5,2023-06-01\n"
           f"{seeded.address},5,南北,92,2023-06-01\n").encode()
    token = csrf_token(client, "/inquiry/batch")
    response = client.post("/inquiry/batch", data={"csrf_token": token, "case_number": CASE, "purpose": "批量",
                                                   "file": (io.BytesIO(csv), "units.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def _run_worker(app, engine, job_id: str) -> WebJob:
    worker = jobs.worker(app, threads=1, retry_seconds=0.2)
    thread = worker.start_in_thread()
    deadline = time.monotonic() + 60
    try:
        while True:
            with unit_scope(engine) as uow:
                job = uow.session.get(WebJob, job_id)
            if job.status in ("done", "failed"):
                return job
            assert time.monotonic() < deadline, f"the job is still {job.status}"
            time.sleep(0.1)
    finally:
        worker.stop()
        thread.join(timeout=60)


def _ledger_kinds(engine) -> list[str]:
    with unit_scope(engine) as uow:
        return list(uow.session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.seq)))


def test_a_queued_batch_runs_in_the_worker_and_offers_its_file(queued_app, engine, seeded):
    client = queued_app.test_client()
    location = _upload_batch(client, seeded)
    assert "排队中" in client.get(location).get_data(as_text=True)
    job = _run_worker(queued_app, engine, location.rsplit("/", 1)[1])
    assert job.status == "done" and job.done == job.total == 2, job.message
    assert client.get(location + "/download").status_code == 200
    assert Path(job.result_path).parent.name == job.id and not (Path(job.result_path).parent / ".partial").exists()
    assert _ledger_kinds(engine).count("inquiry.batch") == 1


def test_a_failed_job_shows_its_chinese_error_to_its_owner_and_leaves_nothing_half_done(
        queued_app, engine, seeded, caplog):
    client = queued_app.test_client()
    location = _upload_batch(client, seeded)
    job_id = location.rsplit("/", 1)[1]
    before = _ledger_kinds(engine)
    with unit_scope(engine) as uow:  # the administrator lowers the judge's limit before the job runs
        judge = uow.session.scalars(select(User).where(User.username == "judge1")).one()
        uow.session.execute(update(InquiryLimit).where(InquiryLimit.user_id == judge.id).values(daily_count=0))

    with caplog.at_level(logging.ERROR, logger="web.jobs"):
        job = _run_worker(queued_app, engine, job_id)

    reason = ("查询次数限制：每天最多 0 次（批量询价每条计一次），今天已查询 0 次，还可查询 0 次。"
              "本批共 2 条，需要 2 次；请减少条数或明天再查询。")
    assert job.status == "failed"
    assert job.message == f"任务失败：{reason}未生成结果文件。"
    page = client.get(location)
    assert page.status_code == 200 and job.message in page.get_data(as_text=True)
    assert client.get(location + "/status").get_json()["message"] == job.message
    assert client.get(location + "/download").status_code == 404
    assert not (Path(queued_app.config["UPLOAD_DIR"]) / "jobs" / job_id).exists()
    assert not list((Path(queued_app.config["UPLOAD_DIR"]) / "batch-in").iterdir())
    # the refusal the inquiry service recorded atomically, and nothing else
    assert _ledger_kinds(engine) == before + ["inquiry.refused"]
    failures = [r for r in caplog.records if r.name == "web.jobs" and r.exc_info]
    assert len(failures) == 1 and job_id in failures[0].getMessage()
    other = queued_app.test_client()
    login(other, "judge2")
    assert other.get(location).status_code == 404


def test_an_unexpected_failure_is_told_in_chinese_with_the_job_number(queued_app, engine, seeded, caplog):
    client = queued_app.test_client()
    location = _upload_batch(client, seeded)
    job_id = location.rsplit("/", 1)[1]
    for upload in (Path(queued_app.config["UPLOAD_DIR"]) / "batch-in").iterdir():
        upload.unlink()  # the uploaded file is gone before the job runs
    with caplog.at_level(logging.ERROR, logger="web.jobs"):
        job = _run_worker(queued_app, engine, job_id)
    assert job.status == "failed"
    assert job.message == (f"任务失败：系统内部错误（FileNotFoundError），未生成结果文件。详情已记入系统日志"
                           f"（任务编号 {job_id}），请联系管理员。")
    assert "FileNotFoundError" in caplog.text
    assert "inquiry.batch" not in _ledger_kinds(engine)
    assert client.get(location + "/download").status_code == 404
