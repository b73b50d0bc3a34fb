"""lots: the sale result (buyer) of a sold lot, for the confirmation and the ruling on the sale

Revision ID: lots_0002
Revises: lots_0001
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = 'lots_0002'
down_revision = 'lots_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sale', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_column('sale')
