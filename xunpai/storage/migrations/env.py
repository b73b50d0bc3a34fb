"""Alembic environment: the engine comes from ``xunpai.storage.db.migrate`` (or the configured URL)."""

from alembic import context

import xunpai.storage.models  # noqa: F401
from xunpai.storage.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
