"""Background jobs started from a page (batch quote, bulk publish): the ``web_jobs`` rows that record who started
a job, how far it got and where its result file is. The runner (``web.jobs``) calls these; each is one
transaction of its own."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from xunpai.storage import ledger
from xunpai.storage.ledger import now_local
from xunpai.storage.models.web import WebJob
from xunpai.storage.repositories import jobs as jobs_repo
from xunpai.storage.unit_of_work import UnitOfWork

INTERRUPTED = "服务重启，任务中断。请重新上传同一文件：已完成的部分不会重复，其余部分继续处理。"


def create_job(uow: UnitOfWork, job_id: str, kind: str, *, user_id: int, court_code: str, total: int) -> None:
    with uow:
        uow.session.add(WebJob(id=job_id, kind=kind, user_id=user_id, court_code=court_code or "", status="queued",
                               total=total, done=0, failed=0, message="", created_at=now_local()))
        uow.commit()


def update_job(uow: UnitOfWork, job_id: str, **values) -> None:
    """Record progress (done, failed, total, status) or the end (status, message, result file, finished_at)."""
    with uow:
        jobs_repo.set_job_values(uow.session, job_id, values)
        uow.commit()


def mark_interrupted(uow: UnitOfWork, *, pending: set[str], cutoff: datetime) -> int:
    """Settle the jobs a stopped worker left: those it was running, and those queued before ``cutoff`` whose
    message is not ``pending`` on the queue any more (their work is idempotent: uploading the same file again
    finishes what is left without doing anything twice). Returns how many were marked failed."""
    with uow:
        session = uow.session
        stale = [job_id for job_id, status, created in jobs_repo.unfinished_jobs(session)
                 if status == "running" or (job_id not in pending and created <= cutoff)]
        if stale:
            jobs_repo.fail_unfinished_jobs(session, stale, finished_at=now_local(), message=INTERRUPTED)
        uow.commit()
        return len(stale)


def get_job(uow: UnitOfWork, job_id: str) -> WebJob | None:
    with uow:
        return uow.session.get(WebJob, job_id)


def recent_jobs(uow: UnitOfWork, user_id: int, kind: str, limit: int = 10) -> list[WebJob]:
    """A user's latest jobs of one kind, newest first."""
    with uow:
        return jobs_repo.recent_jobs(uow.session, user_id, kind, limit)


ledger.register_kind("uploads.purged", "删除过期上传文件")


def purge_uploads(uow: UnitOfWork, folder: str | Path, *, days: int, now: datetime | None = None) -> int:
    """Delete the uploads and job results under ``folder`` older than ``days`` days (the administrator's retention
    period, ``XUNPAI_UPLOAD_RETENTION_DAYS``) and write what was deleted to the ledger; returns how many files."""
    if days < 1:
        raise ValueError(f"上传文件保留天数 {days} 不成立：至少 1 天。")
    now = now or now_local()
    cutoff = (now - timedelta(days=days)).timestamp()
    root = Path(folder)
    removed: list[tuple[str, int]] = []
    emptied: set[Path] = set()
    for path in sorted(root.rglob("*")) if root.exists() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            size = path.stat().st_size
            path.unlink(missing_ok=True)
            removed.append((str(path.relative_to(root)), size))
            emptied.add(path.parent)
    # Only a folder this pass emptied goes (a job's result folder, say), never an upload folder the application
    # writes into (``batch-in``, ``jobs`` …): a request may have just created it to save a file there.
    while emptied:
        directory = max(emptied, key=lambda p: len(p.parts))  # the deepest first, then its parent
        emptied.discard(directory)
        if directory.parent != root and directory != root and not any(directory.iterdir()):
            try:
                directory.rmdir()
            except OSError:  # a file arrived in it meanwhile: it stays, and the deletions are still logged
                continue
            emptied.add(directory.parent)
    if removed:
        with uow:
            ledger.append(uow.session, "uploads.purged",
                          {"days": days, "files": len(removed), "bytes": sum(s for _n, s in removed),
                           "names": [n for n, _s in removed[:200]]}, actor="保留期限", purpose="上传文件到期删除")
            uow.commit()
    return len(removed)
