"""Alembic environment: the engine comes from ``xunpai.storage.db.migrate`` (or the configured URL)."""

from alembic import context

import xunpai.storage.models  # noqa: F401
from xunpai.storage.db import Base, make_engine
from xunpai.storage.job_queue import is_queue_table

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or make_engine()
    with engine.begin() as connection:
        dialect = connection.dialect.name
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=dialect == "sqlite",
                          # the job queue's tables are huey's (migration jobs_0001), not the models'
                          include_name=lambda name, kind, _parents: not (kind == "table"
                                                                          and is_queue_table(name, dialect)))
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
