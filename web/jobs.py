"""Background jobs started from a page (batch quote, bulk publish): run in a thread, report progress in the
``web_jobs`` table, leave a result file to download. The work itself is a service call; this module only
runs it and records how far it got."""

from __future__ import annotations

import threading
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import abort, current_app, send_file
from flask_login import current_user
from sqlalchemy import Engine, update

from web.database import db
from web.database import engine as current_engine
from web.security import deny
from xunpai.storage.db import session_scope
from xunpai.storage.ledger import now_local
from xunpai.storage.models.web import WebJob

STATUS_NAMES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}


class Progress:
    """Passed to the work function: ``progress(done, failed=0, total=None)``; writes at most every 0.3 s."""

    def __init__(self, engine: Engine, job_id: str):
        self.engine = engine
        self.job_id = job_id
        self._last = 0.0

    def __call__(self, done: int, failed: int = 0, total: int | None = None, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.3:
            return
        self._last = now
        values = {"done": done, "failed": failed, "status": "running"}
        if total is not None:
            values["total"] = total
        with session_scope(self.engine) as session:
            session.execute(update(WebJob).where(WebJob.id == self.job_id).values(**values))


Work = Callable[[Progress, Path], tuple[str, str]]  # returns (result file name for download, message)


def start(kind: str, *, user_id: int, court_code: str, total: int, work: Work) -> str:
    """Create the job row and run ``work`` (in a thread, or inline when JOBS_INLINE is set)."""
    engine = current_engine()
    job_id = uuid.uuid4().hex
    out_dir = Path(current_app.config["UPLOAD_DIR"]) / "jobs" / job_id
    out_dir.mkdir(parents=True, exist_ok=True)
    session = db()
    session.add(WebJob(id=job_id, kind=kind, user_id=user_id, court_code=court_code or "", status="queued",
                       total=total, done=0, failed=0, message="", created_at=now_local()))
    session.commit()
    session.close()  # release the connection (and SQLite's write lock) before the work starts
    runner = threading.Thread(target=_run, args=(engine, job_id, out_dir, work), name=f"job-{kind}", daemon=True)
    if current_app.config.get("JOBS_INLINE"):
        runner.run()
    else:
        runner.start()
    return job_id


def _run(engine: Engine, job_id: str, out_dir: Path, work: Work) -> None:
    progress = Progress(engine, job_id)
    try:
        progress(0, force=True)
        name, message = work(progress, out_dir)
        files = sorted(p for p in out_dir.iterdir() if p.is_file())
        values = {"status": "done", "message": message, "result_name": name,
                  "result_path": str(files[0]) if files else "", "finished_at": now_local()}
    except Exception as exc:  # the user sees the failure on the job page; the trace goes to the log
        traceback.print_exc()
        values = {"status": "failed", "message": f"任务失败：{exc}", "finished_at": now_local()}
    with session_scope(engine) as session:
        session.execute(update(WebJob).where(WebJob.id == job_id).values(**values))


def mark_interrupted(engine: Engine) -> int:
    """Jobs left queued or running by a stopped server are marked failed (their work is idempotent: uploading
    the same file again finishes what is left without doing anything twice)."""
    with session_scope(engine) as session:
        result = session.execute(
            update(WebJob).where(WebJob.status.in_(("queued", "running")))
            .values(status="failed", finished_at=now_local(),
                    message="服务重启，任务中断。请重新上传同一文件：已完成的部分不会重复，其余部分继续处理。"))
        return result.rowcount or 0


def status_text(job: WebJob) -> str:
    text = f"{STATUS_NAMES.get(job.status, job.status)}：{job.done}/{job.total}"
    if job.failed:
        text += f"（其中 {job.failed} 条未成功）"
    return text


def as_json(job: WebJob) -> dict:
    return {"id": job.id, "kind": job.kind, "status": job.status, "total": job.total, "done": job.done,
            "failed": job.failed, "message": job.message, "text": status_text(job),
            "finished_at": job.finished_at.isoformat() if isinstance(job.finished_at, datetime) else None}


def owned_job(job_id: str) -> WebJob:
    """The signed-in user's own job; anyone else's is a logged 404 (another user's file is not to be seen)."""
    job = db().get(WebJob, job_id)
    if job is None:
        abort(404)
    if job.user_id != current_user.id:
        deny("job", status=404, detail=f"任务 {job_id} 不属于该用户")
    return job


def download(job: WebJob):
    """The finished job's result file; 404 while it is still running or when it produced none."""
    if job.status != "done" or not job.result_path:
        abort(404)
    return send_file(job.result_path, as_attachment=True, download_name=job.result_name)
