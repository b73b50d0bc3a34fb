"""Database engine, sessions and migrations (SQLAlchemy 2 + Alembic); transactions belong to the unit of work
(``xunpai.storage.unit_of_work``).

SQLite is the embedded default; PostgreSQL is used in production. Both run the same Alembic
migrations (``xunpai/storage/migrations``); ``migrate()`` brings any database to the newest schema.
"""

from __future__ import annotations

import select
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

import xunpai.storage.models  # noqa: F401  (registers every table on Base.metadata)
from xunpai import config
from xunpai.storage.models.base import Base  # noqa: F401  (the models' base, imported from here by callers)

# The database went away or refused the statement (a dropped connection, a server restart, a full disk): the entry
# points turn it into a Chinese message instead of a traceback.
DatabaseUnavailable = DBAPIError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = config.normalize_url(url or config.database_url())
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30, "check_same_thread": False})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            # Let SQLAlchemy, not the driver, open transactions (see the "begin" hook below).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin_immediate(conn):  # pragma: no cover - trivial
            # A transaction takes SQLite's write lock up front, so concurrent writers queue (busy_timeout)
            # instead of failing when a read snapshot cannot be upgraded to a write.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping") and engine.dialect.name == "postgresql":
        event.listen(engine, "checkout", _closed_by_server)
    return engine


def _closed_by_server(dbapi_connection, _record, _proxy) -> None:
    """A connection that the server closed is not handed out; asks nothing of the server (a pre-ping would cost
    a round trip at every checkout, two per quote request).

    An idle connection has nothing to read unless the server ended it (a restart, ``pg_terminate_backend``, an
    idle timeout): the server then sends its last message and closes the socket, which reads as ready. Such a
    connection is thrown away and the pool opens a new one (SQLAlchemy retries a checkout that raises
    ``DisconnectionError``). A link that dies silently, without the server closing it, still fails on its next
    statement, as it would after a ping."""
    if dbapi_connection.closed:
        raise DisconnectionError("the connection is closed")
    try:
        ready, _w, _x = select.select([dbapi_connection.pgconn.socket], [], [], 0)
    except Exception:  # psycopg: no socket any more (OperationalError); select: a closed descriptor
        raise DisconnectionError("the connection's socket is gone") from None
    if ready:
        raise DisconnectionError("the server closed the connection")


_SQLITE_QUEUES: dict[int, threading.RLock] = {}


def queue_sqlite_writers(engine: Engine) -> None:
    """Make this process's transactions on an SQLite database wait in a queue instead of polling.

    Every SQLite transaction here takes the write lock at BEGIN (``make_engine``); a thread that finds it taken
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

    event.listen(engine, "begin", acquire, insert=True)  # before make_engine's BEGIN IMMEDIATE
    event.listen(engine, "commit", release)
    event.listen(engine, "rollback", release)


def alembic_config(engine: Engine):
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the database to every migration head (one branch per area of the schema)."""
    command.upgrade(alembic_config(engine), "heads")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
