"""core: a building's total floors may be inferred (总层数来源) and its base price estimated (基准价依据)

Revision ID: core_0003
Revises: core_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "core_0003"
down_revision = "core_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("baseline_buildings") as batch:
        batch.add_column(sa.Column("total_floors_source", sa.String(40), nullable=True))
        batch.add_column(sa.Column("price_source", sa.String(40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("baseline_buildings") as batch:
        batch.drop_column("price_source")
        batch.drop_column("total_floors_source")
