"""What the service-provider service reads (``xunpai.services.providers``): the registry and the open tasks.

Plain functions, the session first, named for what they fetch; the services keep no SQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from xunpai.storage.models.custody import ProviderAssignment, ProviderTask, ServiceProvider


def provider_by_name(session: Session, name: str) -> ServiceProvider | None:
    return session.scalars(select(ServiceProvider).where(ServiceProvider.name == name)).first()


def providers_by_name(session: Session, names: Iterable[str]) -> dict[str, ServiceProvider]:
    return {p.name: p for p in session.scalars(select(ServiceProvider).where(ServiceProvider.name.in_(list(names))))}


def all_providers(session: Session, *, active_only: bool = False) -> list[ServiceProvider]:
    """The registered firms by name (only those in service, with ``active_only``)."""
    query = select(ServiceProvider)
    if active_only:
        query = query.where(ServiceProvider.active.is_(True))
    return list(session.scalars(query.order_by(ServiceProvider.name)))


def provider_names(session: Session, provider_ids: Iterable[int]) -> dict[int, str]:
    return dict(session.execute(select(ServiceProvider.id, ServiceProvider.name)
                                .where(ServiceProvider.id.in_(list(provider_ids)))).all())


def open_tasks_due_before(session: Session, day: date) -> list[tuple[ProviderTask, str]]:
    """Open tasks due before ``day`` with their firm's name, the longest overdue first."""
    rows = session.execute(
        select(ProviderTask, ServiceProvider.name)
        .join(ProviderAssignment, ProviderAssignment.id == ProviderTask.assignment_id)
        .join(ServiceProvider, ServiceProvider.id == ProviderAssignment.provider_id)
        .where(ProviderTask.done_on.is_(None), ProviderTask.due_on < day)
        .order_by(ProviderTask.due_on, ProviderTask.id))
    return [(task, name) for task, name in rows]
