"""The Alembic migrations build exactly the schema the ORM models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from xunpai.storage.db import Base


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
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    assert _significant(diff) == []
