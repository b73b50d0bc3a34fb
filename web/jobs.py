"""Background jobs started from a page (batch quote, bulk publish) and the off-peak sender, on the job queue
of ``xunpai.jobs`` (huey, stored in the project's own database).

A page calls ``start(kind, task=..., params=...)``: the ``web_jobs`` row (owner, court, status, progress, the
Chinese message) is written first, then a message naming a registered task and its plain arguments is
enqueued. The one job worker of the database (``xunpai worker``, or the one ``xunpai serve`` process that holds
the lock) runs it: the task writes its result file into a staging folder, which becomes the download only
when the task succeeds. A failed task leaves no file: its owner sees the Chinese reason on the job page and
the traceback goes to the log."""

from __future__ import annotations

import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, jsonify, render_template, send_file, url_for
from flask_login import current_user
from huey import crontab

from auction.off_peak import in_window
from web.database import uow
from web.platforms import off_peak_windows, platform_for
from web.security import deny, roles_required
from xunpai.jobs import JobWorker, make_queue
from xunpai.services import accounts as accounts_service
from xunpai.services import jobs as jobs_service
from xunpai.services import publishing as publishing_service
from xunpai.storage.db import Engine
from xunpai.storage.ledger import now_local
from xunpai.storage.models.web import WebJob
from xunpai.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

STATUS_NAMES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}
INTERRUPTED = jobs_service.INTERRUPTED
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


class Progress:
    """Passed to the work function: ``progress(done, failed=0, total=None)``; writes at most every 0.3 s.
    ``progress.uow`` is the job's own unit of work, for the services the work calls (closed when it ends)."""

    def __init__(self, unit: UnitOfWork, job_id: str):
        self.uow = unit
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
        jobs_service.update_job(self.uow, self.job_id, **values)

    def work_uow(self) -> UnitOfWork:
        """The unit of work for the job's services. A batch quote holds no transaction while it prices (its
        checks and its entry are short blocks of their own), so its progress commits through this same unit of
        work at once, on SQLite too (no second write transaction waiting for the first)."""
        return self.uow


# A task: work(progress, out_dir, **params) -> (result file name for download, message); params are plain values.
Work = Callable[..., tuple[str, str]]
TASKS: dict[str, Work] = {}


def task(name: str) -> Callable[[Work], Work]:
    """Register a job's work under ``name`` (the queue stores the name and the arguments, never a closure)."""
    def register(work: Work) -> Work:
        TASKS[name] = work
        return work
    return register


def init_app(app: Flask) -> None:
    """The application's queue, with the job runner and the off-peak sender registered on it."""
    queue = make_queue(app.extensions["xunpai_engine"])

    @queue.task(name="xunpai.job")
    def run_job(job_id: str, task_name: str, params: dict) -> None:
        with app.app_context():
            _run(job_id, task_name, params)

    if app.config.get("OFF_PEAK_SENDER", True):
        @queue.periodic_task(crontab(minute="*"), name="xunpai.off_peak")
        def send_off_peak() -> None:
            with app.app_context():
                _send_off_peak()

    @queue.periodic_task(crontab(minute="*/10"), name="xunpai.housekeeping")
    def housekeeping() -> None:
        with app.app_context():
            _housekeeping()

    app.extensions["xunpai_jobs"] = queue
    app.extensions["xunpai_run_job"] = run_job


def worker(app: Flask, *, threads: int = 2, retry_seconds: float = 5.0) -> JobWorker:
    """The job worker of this application's database (it consumes only while it holds the database's lock)."""
    engine = app.extensions["xunpai_engine"]
    queue = app.extensions["xunpai_jobs"]
    return JobWorker(queue, engine, threads=threads, retry_seconds=retry_seconds,
                     on_acquire=lambda: mark_interrupted(engine, queue))


def _job_dir(job_id: str) -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "jobs" / job_id


def start(kind: str, *, user_id: int, court_code: str, total: int, task: str, params: dict) -> str:
    """Record the job and put it on the queue (or run it at once, through the queue's own serialisation, when
    JOBS_INLINE is set, as in tests)."""
    if task not in TASKS:
        raise KeyError(f"no job task named {task!r}")
    job_id = uuid.uuid4().hex
    jobs_service.create_job(uow(), job_id, kind, user_id=user_id, court_code=court_code, total=total)
    queue = current_app.extensions["xunpai_jobs"]
    message = current_app.extensions["xunpai_run_job"].s(job_id, task, params)
    try:
        if current_app.config.get("JOBS_INLINE"):
            queue.execute(queue.deserialize_task(queue.serialize_task(message)))
        else:
            queue.enqueue(message)
    except Exception:
        log.exception("job %s (%s) could not be queued", job_id, task)
        jobs_service.update_job(uow(), job_id, status="failed", finished_at=now_local(),
                                message="任务未能排队（后台任务队列不可用），未做任何处理，请稍后重试；详情已记入系统日志。")
    return job_id


def failure_message(exc: BaseException, job_id: str) -> str:
    """What the job's owner reads: the reason when the code gave one in Chinese, otherwise where to look."""
    text = str(exc).strip()
    if _CHINESE.search(text):
        return f"任务失败：{text.rstrip('。')}。未生成结果文件。"
    return (f"任务失败：系统内部错误（{type(exc).__name__}），未生成结果文件。详情已记入系统日志"
            f"（任务编号 {job_id}），请联系管理员。")


def _run(job_id: str, task_name: str, params: dict) -> None:
    unit = UnitOfWork(current_app.extensions["xunpai_engine"])  # the job's own
    try:
        _run_in(unit, job_id, task_name, params)
    finally:
        unit.close()


def _run_in(unit: UnitOfWork, job_id: str, task_name: str, params: dict) -> None:
    job = jobs_service.get_job(unit, job_id)
    status = job.status if job is not None else None
    if status != "queued":  # gone with its user, or already settled (e.g. marked interrupted)
        log.warning("job %s (%s) not run: its record is %s", job_id, task_name, status or "missing")
        return
    out_dir = _job_dir(job_id)
    staging = out_dir / ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    progress = Progress(unit, job_id)
    try:
        progress(0, force=True)
        name, message = TASKS[task_name](progress, staging, **params)
        files = sorted(p for p in staging.iterdir() if p.is_file())
        result_path = ""
        if files:
            result_path = str(out_dir / files[0].name)
            os.replace(files[0], result_path)
        values = {"status": "done", "message": message, "result_name": name if files else "",
                  "result_path": result_path}
    except Exception as exc:  # the owner reads the reason on the job page; the traceback goes to the log
        log.exception("job %s (%s) failed", job_id, task_name)
        shutil.rmtree(out_dir, ignore_errors=True)
        values = {"status": "failed", "message": failure_message(exc, job_id), "result_name": "",
                  "result_path": ""}
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    jobs_service.update_job(unit, job_id, finished_at=now_local(), **values)


def _housekeeping() -> None:
    """Every ten minutes: the counts of refused requests whose minute is over go to the ledger, and uploads older
    than the retention period (``UPLOAD_RETENTION_DAYS``, default 30) are deleted, the deletion logged."""
    unit = UnitOfWork(current_app.extensions["xunpai_engine"])
    try:
        accounts_service.summarize_denials(unit)
        days = int(current_app.config.get("UPLOAD_RETENTION_DAYS") or 30)
        jobs_service.purge_uploads(unit, current_app.config["UPLOAD_DIR"], days=days)
    except Exception:  # the next run tries again
        log.exception("housekeeping failed")
    finally:
        unit.close()


def _send_off_peak() -> None:
    """Send the publications queued for the off-peak windows when a window is open (网拍 publishing at
    off-peak times, as Wuxi does); the sending itself is the publishing engine's, idempotent and resumable."""
    windows = off_peak_windows()
    if not in_window(now_local(), windows):
        log.debug("off-peak check: outside the windows")
        return
    unit = UnitOfWork(current_app.extensions["xunpai_engine"])
    try:
        report = publishing_service.send_queued(unit, platform_for, windows, actor="错峰发送")
    except Exception:  # the next minute tries again; every step is idempotent
        log.exception("off-peak sending failed")
        return
    finally:
        unit.close()
    log.log(logging.INFO if report.results else logging.DEBUG, "off-peak check: %d publications sent",
            len(report.results))


def mark_interrupted(engine: Engine, queue=None) -> int:
    """Settle the jobs a stopped worker left: those it was running, and those queued more than a minute ago
    whose message is no longer on the queue. Their work is idempotent: uploading the same file again finishes
    what is left without doing anything twice. Called by the worker when it takes the lock (only the lock's
    holder runs jobs, so no other process is running them)."""
    pending = set()
    if queue is not None:
        pending = {t.args[0] for t in queue.pending() if t.name == "xunpai.job" and t.args}
    unit = UnitOfWork(engine)
    try:
        stale = jobs_service.mark_interrupted(unit, pending=pending, cutoff=now_local() - timedelta(minutes=1))
    finally:
        unit.close()
    if not stale:
        return 0
    log.warning("%d interrupted jobs marked failed", stale)
    return stale


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
    job = jobs_service.get_job(uow(), job_id)
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


def add_job_pages(bp: Blueprint, prefix: str, name: str, *, role: str, title: str, back: str) -> None:
    """The three pages of a blueprint's background job: ``<prefix>/<job_id>`` (progress), ``…/status`` (JSON for
    the page's polling) and ``…/download`` (the result file), as endpoints ``<name>_job``, ``<name>_status`` and
    ``<name>_download``; each only for the job's owner with ``role``. ``back`` is the endpoint the page links to."""

    def page(job_id: str):
        job = owned_job(job_id)
        return render_template("job.html", job=job, text=status_text(job), title=title,
                               status_url=url_for(f"{bp.name}.{name}_status", job_id=job.id),
                               download_url=url_for(f"{bp.name}.{name}_download", job_id=job.id),
                               back_url=url_for(back))

    def status(job_id: str):
        return jsonify(as_json(owned_job(job_id)))

    def result(job_id: str):
        return download(owned_job(job_id))

    bp.add_url_rule(f"{prefix}/<job_id>", f"{name}_job", roles_required(role)(page))
    bp.add_url_rule(f"{prefix}/<job_id>/status", f"{name}_status", roles_required(role)(status))
    bp.add_url_rule(f"{prefix}/<job_id>/download", f"{name}_download", roles_required(role)(result))
