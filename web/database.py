"""The database of the application: one engine per app, one unit of work per request (``uow()``).

A view passes ``uow()`` to the one service it calls; the service opens its transaction and commits
(``xunpai.storage.unit_of_work``). Views never commit; whatever is left open at the end of a request is rolled
back and the session closed (teardown).
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlalchemy import Engine, event

from xunpai.storage.db import make_engine, migrate, session_factory
from xunpai.storage.unit_of_work import UnitOfWork


def init_app(app: Flask) -> None:
    engine = app.config.get("ENGINE")
    if engine is None:
        engine = make_engine(app.config.get("DATABASE_URL"))
        if app.config.get("MIGRATE", True):
            migrate(engine)
    if engine.dialect.name == "sqlite":
        queue_sqlite_writers(engine)
    app.extensions["xunpai_engine"] = engine
    app.extensions["xunpai_sessions"] = session_factory(engine)
    app.teardown_appcontext(_close_uow)


_SQLITE_QUEUES: dict[int, threading.RLock] = {}


def queue_sqlite_writers(engine: Engine) -> None:
    """Make this process's transactions on an SQLite database wait in a queue instead of polling.

    Every SQLite transaction here takes the write lock at BEGIN (``xunpai.storage.db``); a thread that finds it taken
    sleeps and retries (SQLite's busy handler, with growing sleeps), which under a burst of requests turns a
    few milliseconds of waiting into hundreds. Threads of one process therefore take a Python lock first,
    from BEGIN to COMMIT/ROLLBACK, and are woken the moment it is free. Other processes still meet SQLite's
    own lock. (Re-entrant: a thread never waits for itself.)"""
    if id(engine) in _SQLITE_QUEUES:
        return
    lock = _SQLITE_QUEUES.setdefault(id(engine), threading.RLock())

    def acquire(conn) -> None:
        lock.acquire()
        conn.info["xunpai_queue_held"] = conn.info.get("xunpai_queue_held", 0) + 1

    def release(conn) -> None:
        held = conn.info.get("xunpai_queue_held", 0)
        if held:
            conn.info["xunpai_queue_held"] = held - 1
            lock.release()

    event.listen(engine, "begin", acquire, insert=True)  # before the BEGIN IMMEDIATE of xunpai.storage.db
    event.listen(engine, "commit", release)
    event.listen(engine, "rollback", release)


def engine() -> Engine:
    return current_app.extensions["xunpai_engine"]


def uow() -> UnitOfWork:
    """The request's unit of work (one per request, bound to the app's engine, closed at teardown)."""
    if "xunpai_uow" not in g:
        g.xunpai_uow = UnitOfWork(engine(), current_app.extensions["xunpai_sessions"])
    return g.xunpai_uow


def new_uow() -> UnitOfWork:
    """A unit of work of its own, for work that outlives the request (a background job); its owner closes it."""
    return UnitOfWork(engine(), current_app.extensions["xunpai_sessions"])


def _close_uow(_exc: BaseException | None) -> None:
    unit = g.pop("xunpai_uow", None)
    if unit is not None:
        unit.close()
