"""Shared fixtures: every storage test runs against SQLite and against the real PostgreSQL server.

PostgreSQL: ``XUNPAI_TEST_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``).
Each test run migrates into its own schema of that database and drops it at the end, so parallel runs
do not disturb each other. Without a reachable server the PostgreSQL half is skipped, except when ``CI``
is set: there a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from xunpai.storage.db import Base, make_engine, migrate
from xunpai.storage.unit_of_work import UnitOfWork

PG_URL = os.environ.get("XUNPAI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _shared_dir() -> Path:
    """``$XUNPAI_SHARED_DIR``, else the ``shared`` folder beside the checkout (``../shared``) or beside one of its
    parent folders (a worktree under ``work/wt/NAME`` finds ``work/shared``)."""
    if os.environ.get("XUNPAI_SHARED_DIR"):
        return Path(os.environ["XUNPAI_SHARED_DIR"])
    root = Path(__file__).resolve().parents[1]
    for folder in root.parents:
        if (folder / "shared" / "law").is_dir():
            return folder / "shared"
    return root.parent / "shared"


SHARED = _shared_dir()
BACKENDS = ("sqlite", "postgresql")

_engines: dict[str, tuple[Engine, str]] = {}
_pg_schemas: list[str] = []


def _postgres_reachable() -> str | None:
    try:
        engine = make_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return None
    except Exception as exc:  # the reason is shown in the skip or failure
        return f"{type(exc).__name__}: {exc}"


def _engine_for(backend: str, tmp_root: Path) -> tuple[Engine, str]:
    if backend in _engines:
        return _engines[backend]
    if backend == "sqlite":
        url = f"sqlite:///{tmp_root / 'xunpai-test.sqlite3'}"
    else:
        problem = _postgres_reachable()
        if problem:
            message = f"PostgreSQL at {PG_URL} is not reachable ({problem})"
            if os.environ.get("CI"):
                pytest.fail(message + "; in CI the PostgreSQL half of the tests must run", pytrace=False)
            pytest.skip(message)
        schema = f"xunpai_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'create schema "{schema}"'))
        admin.dispose()
        _pg_schemas.append(schema)
        separator = "&" if "?" in PG_URL else "?"
        url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    migrate(engine)
    _engines[backend] = (engine, url)
    return _engines[backend]


def _clean(engine: Engine) -> None:
    tables = [t for t in reversed(Base.metadata.sorted_tables)]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"truncate {names} restart identity cascade"))
        else:
            for table in tables:
                conn.execute(table.delete())
            conn.execute(text("delete from sqlite_sequence")) if conn.execute(
                text("select 1 from sqlite_master where name='sqlite_sequence'")).first() else None
        conn.execute(text("insert into ledger_head (id, seq, hash) values (1, 0, :h)"), {"h": "0" * 64})


def pytest_sessionfinish(session, exitstatus):
    for engine, _url in _engines.values():
        engine.dispose()
    if _pg_schemas:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            for schema in _pg_schemas:
                conn.execute(text(f'drop schema if exists "{schema}" cascade'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture
def engine(backend, tmp_path_factory) -> Engine:
    """A migrated, empty database on each backend (tables emptied after the test)."""
    eng, _url = _engine_for(backend, tmp_path_factory.getbasetemp())
    yield eng
    _clean(eng)


@pytest.fixture
def database_url(engine, backend) -> str:
    """The URL of ``engine``, for subprocesses (the CLI, the web server) that open their own connection."""
    return _engines[backend][1]


@pytest.fixture
def uow(engine) -> UnitOfWork:
    """A unit of work over ``engine``, as a view or a command gets one: services called with it commit."""
    unit = UnitOfWork(engine)
    yield unit
    unit.close()


@pytest.fixture
def session(uow):
    """The session of ``uow``, for assertions that read the database (and direct test setup)."""
    return uow.session


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.exists():
        pytest.fail(f"the shared data folder {SHARED} is missing (set XUNPAI_SHARED_DIR)")
    return SHARED
