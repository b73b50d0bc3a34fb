"""The database of the application: one engine per app, one session per request (``db()``).

Views commit explicitly after writing; whatever is left uncommitted at the end of a request is rolled back.
"""

from __future__ import annotations

import threading

from flask import Flask, current_app, g
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from xunpai.storage.db import make_engine, migrate, session_factory


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
    app.teardown_appcontext(_close_session)


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


def db() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["xunpai_sessions"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
