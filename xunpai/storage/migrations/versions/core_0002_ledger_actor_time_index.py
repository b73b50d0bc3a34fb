"""core: index the ledger by (actor, recorded_at) for the daily inquiry count

Revision ID: core_0002
Revises: core_0001
"""
from alembic import op

revision = "core_0002"
down_revision = "core_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_ledger_entries_actor_recorded_at", "ledger_entries", ["actor", "recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entries_actor_recorded_at", table_name="ledger_entries")
