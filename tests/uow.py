"""Test setup through the unit of work: ``with unit_scope(engine) as uow:`` opens one block over a fresh unit of
work and commits it at the end (the services called inside share that transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from xunpai.storage.unit_of_work import UnitOfWork


@contextmanager
def unit_scope(engine: Engine) -> Iterator[UnitOfWork]:
    unit = UnitOfWork(engine)
    try:
        with unit:
            yield unit
            unit.commit()
    finally:
        unit.close()
