"""jobs: the background-job queue's tables (huey's own DDL: task, schedule, kv, counter)

Revision ID: jobs_0001
Revises:
Create Date: 2026-12-02 10:00:00
"""
from alembic import op

from xunpai.storage.job_queue import QUEUE_TABLES, queue_ddl

revision = "jobs_0001"
down_revision = None
branch_labels = ("jobs",)
depends_on = None


def upgrade() -> None:
    for statement in queue_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    for table in QUEUE_TABLES[op.get_bind().dialect.name]:
        op.execute(f"drop table if exists {table}")
