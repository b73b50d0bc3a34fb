"""Background jobs started from a page (batch quote, bulk publish): the ``web_jobs`` rows that record who started
a job, how far it got and where its result file is. The runner (``web.jobs``) calls these; each is one
transaction of its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from xunpai.storage.ledger import now_local
from xunpai.storage.models.web import WebJob
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
        uow.session.execute(update(WebJob).where(WebJob.id == job_id).values(**values))
        uow.commit()


def mark_interrupted(uow: UnitOfWork, *, pending: set[str], cutoff: datetime) -> int:
    """Settle the jobs a stopped worker left: those it was running, and those queued before ``cutoff`` whose
    message is not ``pending`` on the queue any more (their work is idempotent: uploading the same file again
    finishes what is left without doing anything twice). Returns how many were marked failed."""
    with uow:
        session = uow.session
        stale = [job_id for job_id, status, created in session.execute(
            select(WebJob.id, WebJob.status, WebJob.created_at).where(WebJob.status.in_(("queued", "running"))))
            if status == "running" or (job_id not in pending and created <= cutoff)]
        if stale:
            session.execute(update(WebJob).where(WebJob.id.in_(stale), WebJob.status.in_(("queued", "running")))
                            .values(status="failed", finished_at=now_local(), message=INTERRUPTED))
        uow.commit()
        return len(stale)


def get_job(uow: UnitOfWork, job_id: str) -> WebJob | None:
    with uow:
        return uow.session.get(WebJob, job_id)


def recent_jobs(uow: UnitOfWork, user_id: int, kind: str, limit: int = 10) -> list[WebJob]:
    """A user's latest jobs of one kind, newest first."""
    with uow:
        return list(uow.session.execute(select(WebJob).where(WebJob.user_id == user_id, WebJob.kind == kind)
                                        .order_by(WebJob.created_at.desc()).limit(limit)).scalars())
