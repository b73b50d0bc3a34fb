"""Where the background-job queue keeps its jobs, and the lock that makes one process their only consumer.

The queue is huey's (``xunpai.jobs``); its storage is the project's own database: huey's ``SqliteStorage`` on
the embedded SQLite file, its ``PostgresStorage`` (psycopg 3, ``huey_*`` tables) on PostgreSQL, in the same
schema as every other table. The tables are created by the migration ``jobs_0001`` with huey's own DDL.

One consumer per database, however many ``xunpai serve`` processes run: the process that holds
``WorkerLock`` consumes, the others only enqueue. On PostgreSQL the lock is a session advisory lock
(``pg_try_advisory_lock``) keyed by database and schema, held on a connection of its own; on SQLite it is an
OS file lock beside the database file. Both are released by the operating system or the server when the
holding process dies, so another process takes over without waiting for a lease to expire.
"""

from __future__ import annotations

import logging
import threading
import zlib
from pathlib import Path

from filelock import FileLock, Timeout
from huey.storage import MemoryStorage, PostgresStorage, SqliteStorage
from sqlalchemy import Engine

log = logging.getLogger(__name__)

TABLE_PREFIX = "huey"
# huey's tables, created by the jobs_0001 migration and not described by the ORM models.
QUEUE_TABLES = {
    "sqlite": ("kv", "schedule", "task", "counter"),
    "postgresql": tuple(f"{TABLE_PREFIX}_{name}" for name in ("kv", "schedule", "task", "counter")),
}
_LOCK_CLASS = 0x78756E70  # "xunp": the first key of the advisory lock; the second names database and schema


def queue_ddl(dialect: str) -> list[str]:
    """huey's own DDL for its tables on this dialect (used by the migration, so the library owns its schema)."""
    if dialect == "sqlite":
        return [sql for sql in SqliteStorage.ddl if not sql.startswith("drop")]
    storage = PostgresStorage(connection=lambda: None, table_prefix=TABLE_PREFIX, create_tables=False)
    return list(storage.ddl)


def is_queue_table(name: str | None, dialect: str) -> bool:
    return name in QUEUE_TABLES.get(dialect, ())


def _sqlite_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database)


def _connect(engine: Engine):
    """A new DB-API connection with exactly the engine's connection arguments (schema included), outside its pool."""
    cargs, cparams = engine.dialect.create_connect_args(engine.url)
    return engine.dialect.dbapi.connect(*cargs, **cparams)


def storage_for(engine: Engine) -> tuple[type, dict]:
    """huey's storage class and arguments for the database of ``engine``."""
    if engine.dialect.name == "sqlite":
        path = _sqlite_path(engine)
        if path is None:  # an in-memory database lives in one process: so does its queue
            return MemoryStorage, {}
        return SqliteStorage, {"filename": str(path), "timeout": 30, "create_tables": False}
    return PostgresStorage, {"connection": lambda: _connect(engine), "table_prefix": TABLE_PREFIX,
                             "create_tables": False}


_memory_locks: dict[str, threading.Lock] = {}


class WorkerLock:
    """The right to consume the queue of one database; at most one process holds it at a time."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._conn = None
        self._file: FileLock | None = None
        self._memory: threading.Lock | None = None
        self.held = False

    def describe(self) -> str:
        if self.engine.dialect.name == "sqlite":
            path = _sqlite_path(self.engine)
            return f"文件锁 {path}.worker-lock" if path else "进程内锁"
        return "PostgreSQL 咨询锁"

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits."""
        if self.held:
            return True
        if self.engine.dialect.name == "sqlite":
            path = _sqlite_path(self.engine)
            if path is None:
                self._memory = _memory_locks.setdefault(str(self.engine.url), threading.Lock())
                self.held = self._memory.acquire(blocking=False)
                return self.held
            self._file = FileLock(f"{path}.worker-lock", thread_local=False)
            try:
                self._file.acquire(blocking=False)
            except Timeout:
                self._file = None
                return False
            self.held = True
            return True
        conn = _connect(self.engine)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute("select current_database(), current_schema()")
                database, schema = cursor.fetchone()
                key = zlib.crc32(f"{database}.{schema}".encode()) & 0x7FFFFFFF
                cursor.execute("select pg_try_advisory_lock(%s, %s)", (_LOCK_CLASS, key))
                got = bool(cursor.fetchone()[0])
        except Exception:
            conn.close()
            raise
        if not got:
            conn.close()
            return False
        self._conn = conn
        self.held = True
        return True

    def alive(self) -> bool:
        """Whether the lock is still ours (a PostgreSQL connection can be lost; a file lock cannot)."""
        if not self.held:
            return False
        if self._conn is None:
            return True
        try:
            with self._conn.cursor() as cursor:
                cursor.execute("select 1")
            return True
        except Exception:
            log.warning("the connection holding the job-worker lock was lost")
            self.release()
            return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # ends the session, and with it the advisory lock
            except Exception:  # already broken: the server has released the lock
                pass
            self._conn = None
        if self._file is not None:
            self._file.release()
            self._file = None
        if self._memory is not None:
            self._memory.release()
            self._memory = None
        self.held = False
