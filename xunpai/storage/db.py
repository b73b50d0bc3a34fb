"""Database engine, sessions and migrations (SQLAlchemy 2 + Alembic); transactions belong to the unit of work
(``xunpai.storage.unit_of_work``).

SQLite is the embedded default; PostgreSQL is used in production. Both run the same Alembic
migrations (``xunpai/storage/migrations``); ``migrate()`` brings any database to the newest schema.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from xunpai import config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    pass


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
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade the database to every migration head (one branch per area of the schema)."""
    from alembic import command

    import xunpai.storage.models  # noqa: F401  (registers every table on Base.metadata)

    command.upgrade(alembic_config(engine), "heads")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
