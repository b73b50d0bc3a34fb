"""The Alembic migrations build exactly the schema the ORM models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from xunpai.storage.db import Base
from xunpai.storage.job_queue import QUEUE_TABLES, is_queue_table


def _significant(diff) -> list:
    out = []
    for item in diff:
        ops = item if isinstance(item, list) else [item]
        for op in ops:
            # Server-side type spellings differ harmlessly between dialects (e.g. JSON on SQLite).
            if op[0] == "modify_type" and "JSON" in repr(op[-2]) + repr(op[-1]):
                continue
            out.append(op)
    return out


def test_migrated_schema_matches_the_models(engine):
    dialect = engine.dialect.name
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": True,
            "include_name": lambda name, kind, _parents: not (kind == "table" and is_queue_table(name, dialect))})
        diff = compare_metadata(context, Base.metadata)
    assert _significant(diff) == []


def test_the_job_queue_tables_are_migrated(engine):
    """huey's tables (task, schedule, kv, counter) are created by the jobs_0001 migration, in the same database."""
    from sqlalchemy import inspect

    assert set(QUEUE_TABLES[engine.dialect.name]) <= set(inspect(engine).get_table_names())
