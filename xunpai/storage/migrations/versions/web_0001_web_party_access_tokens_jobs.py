"""web: party access codes, API tokens, background jobs

Revision ID: web_0001
Revises:
Create Date: 2026-11-27 08:15:00
"""
import sqlalchemy as sa
from alembic import op

revision = "web_0001"
down_revision = None
branch_labels = ("web",)
depends_on = "core_0001"


def upgrade() -> None:
    op.create_table(
        "web_party_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=60), nullable=False),
        sa.Column("party_role", sa.String(length=30), nullable=False),
        sa.Column("party_name", sa.String(length=100), nullable=False),
        sa.Column("party_id", sa.Integer(), nullable=True),
        sa.Column("code_hash", sa.String(length=300), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_party_access_user_id", "web_party_access", ["user_id"])
    op.create_index("ix_web_party_access_case_number", "web_party_access", ["case_number"])
    op.create_table(
        "web_api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_sha256"),
    )
    op.create_index("ix_web_api_tokens_user_id", "web_api_tokens", ["user_id"])
    op.create_table(
        "web_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("court_code", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("result_name", sa.String(length=200), nullable=False),
        sa.Column("result_path", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_jobs_user_id", "web_jobs", ["user_id"])


def downgrade() -> None:
    op.drop_table("web_jobs")
    op.drop_table("web_api_tokens")
    op.drop_table("web_party_access")
