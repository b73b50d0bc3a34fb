"""What the background-job service reads and writes: the ``web_jobs`` rows (``xunpai.services.jobs``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, select, update
from sqlalchemy.orm import Session

from xunpai.storage.models.web import WebJob

UNFINISHED = ("queued", "running")


def set_job_values(session: Session, job_id: str, values: dict) -> None:
    session.execute(update(WebJob).where(WebJob.id == job_id).values(**values))


def unfinished_jobs(session: Session) -> list[Row]:
    """``(id, status, created_at)`` of every job queued or running."""
    return session.execute(select(WebJob.id, WebJob.status, WebJob.created_at)
                           .where(WebJob.status.in_(UNFINISHED))).all()


def fail_unfinished_jobs(session: Session, job_ids: list[str], *, finished_at: datetime, message: str) -> None:
    """Mark these jobs failed with ``message``, those of them still queued or running."""
    session.execute(update(WebJob).where(WebJob.id.in_(job_ids), WebJob.status.in_(UNFINISHED))
                    .values(status="failed", finished_at=finished_at, message=message))


def recent_jobs(session: Session, user_id: int, kind: str, limit: int) -> list[WebJob]:
    """A user's latest jobs of one kind, newest first."""
    return list(session.execute(select(WebJob).where(WebJob.user_id == user_id, WebJob.kind == kind)
                                .order_by(WebJob.created_at.desc()).limit(limit)).scalars())
