"""web: per-user session version (sessions end on logout, password change, deactivation), API token expiry,
sign-in throttling per account, client address and party

Revision ID: web_0002
Revises: web_0001
"""
from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "web_0002"
down_revision = "web_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("web_api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("revoked_by", sa.String(length=100), nullable=True))
    # tokens issued before expiry existed run out 90 days after this upgrade
    op.execute(sa.text("update web_api_tokens set expires_at = :until where expires_at is null")
               .bindparams(until=datetime.now() + timedelta(days=90)))
    op.create_table(
        "web_login_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "web_denial_minutes",
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("minute", sa.DateTime(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("court_code", sa.String(length=20), nullable=False),
        sa.Column("summarized", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("actor", "minute"),
    )


def downgrade() -> None:
    op.drop_table("web_denial_minutes")
    op.drop_table("web_login_throttle")
    with op.batch_alter_table("web_api_tokens") as batch:
        batch.drop_column("revoked_by")
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_version")
