"""web: party access codes carry the non-secret identifier of their record (the code's first group), so wrong
codes are throttled per party; codes issued before keep working without one (docs/security.md)

Revision ID: web_0003
Revises: web_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "web_0003"
down_revision = "web_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("web_party_access") as batch:
        batch.add_column(sa.Column("code_id", sa.String(length=8), nullable=True))
        batch.create_unique_constraint("uq_web_party_access_case_code_id", ["case_number", "code_id"])


def downgrade() -> None:
    with op.batch_alter_table("web_party_access") as batch:
        batch.drop_constraint("uq_web_party_access_case_code_id", type_="unique")
        batch.drop_column("code_id")
