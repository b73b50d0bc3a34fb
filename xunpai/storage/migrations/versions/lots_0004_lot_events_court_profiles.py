"""lots: the lot's lifecycle events (append-only) and the court profile used by every document

Revision ID: lots_0004
Revises: lots_0003
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = 'lots_0004'
down_revision = 'lots_0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lot_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('state_after', sa.String(length=30), nullable=False),
        sa.Column('on', sa.Date(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('lot_id', 'seq', name='uq_lot_events_lot_seq'),
    )
    op.create_index(op.f('ix_lot_events_lot_id'), 'lot_events', ['lot_id'], unique=False)
    op.create_index(op.f('ix_lot_events_on'), 'lot_events', ['on'], unique=False)
    op.create_table(
        'court_profiles',
        sa.Column('court_code', sa.String(length=20), nullable=False),
        sa.Column('profile', sa.JSON(), nullable=False),
        sa.Column('updated_by', sa.String(length=100), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['court_code'], ['courts.code'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('court_code'),
    )


def downgrade() -> None:
    op.drop_table('court_profiles')
    op.drop_index(op.f('ix_lot_events_on'), table_name='lot_events')
    op.drop_index(op.f('ix_lot_events_lot_id'), table_name='lot_events')
    op.drop_table('lot_events')
