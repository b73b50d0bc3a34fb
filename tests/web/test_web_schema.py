"""The web area's migration (web_0001) creates exactly the columns its ORM models declare."""

from __future__ import annotations

from sqlalchemy import inspect

from xunpai.storage.models import web as web_models


def test_migrated_web_tables_match_the_models(engine):
    inspector = inspect(engine)
    for model in (web_models.PartyAccess, web_models.ApiToken, web_models.WebJob):
        table = model.__table__
        migrated = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert set(migrated) == {c.name for c in table.columns}, table.name
        for column in table.columns:
            assert migrated[column.name]["nullable"] == column.nullable, (table.name, column.name)
