"""lots: the clerk's drafts, uploaded photos and videos, and what is true of a lot on each platform

Revision ID: lots_0005
Revises: lots_0004
Create Date: 2026-12-01

``lot_drafts`` keeps the form as typed (saved at any time, any field blank or wrong) and the lot it made;
``lot_media`` the uploaded photos and videos (type read from the content, size, SHA-256, dimensions);
``lot_publications.stage`` what the platform shows (准备就绪 / 已提交 / 已上线 / 失败 / 已撤回 / 已暂缓 / 已结束),
since when and who recorded it. Publications stored before get their stage from what they were: a package left in
the outbox is 准备就绪, a listing on the local platform is 已上线, a failure is 失败.
"""
from alembic import op
import sqlalchemy as sa


revision = 'lots_0005'
down_revision = 'lots_0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'lot_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('court_code', sa.String(length=20), nullable=False),
        sa.Column('case_number', sa.String(length=60), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('lot_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index(op.f('ix_lot_drafts_court_code'), 'lot_drafts', ['court_code'], unique=False)
    op.create_index(op.f('ix_lot_drafts_lot_id'), 'lot_drafts', ['lot_id'], unique=False)
    op.create_table(
        'lot_media',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('draft_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('mime', sa.String(length=50), nullable=False),
        sa.Column('size', sa.BigInteger(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind in ('photo','video')", name='ck_lot_media_kind'),
        sa.ForeignKeyConstraint(['draft_id'], ['lot_drafts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('draft_id', 'sha256', name='uq_lot_media_draft_sha256'),
    )
    op.create_index(op.f('ix_lot_media_draft_id'), 'lot_media', ['draft_id'], unique=False)
    op.create_index(op.f('ix_lot_media_sha256'), 'lot_media', ['sha256'], unique=False)
    with op.batch_alter_table('lot_publications') as batch:
        batch.add_column(sa.Column('stage', sa.String(length=20), nullable=True))
        batch.add_column(sa.Column('stage_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('stage_by', sa.String(length=100), nullable=True))
    op.execute("update lot_publications set stage = case when status = 'failed' then 'failed' "
               "when status = 'published' and remote_status = 'packaged' then 'ready' "
               "when status = 'published' then 'live' end, stage_at = sent_at")


def downgrade() -> None:
    with op.batch_alter_table('lot_publications') as batch:
        batch.drop_column('stage_by')
        batch.drop_column('stage_at')
        batch.drop_column('stage')
    op.drop_index(op.f('ix_lot_media_sha256'), table_name='lot_media')
    op.drop_index(op.f('ix_lot_media_draft_id'), table_name='lot_media')
    op.drop_table('lot_media')
    op.drop_index(op.f('ix_lot_drafts_lot_id'), table_name='lot_drafts')
    op.drop_index(op.f('ix_lot_drafts_court_code'), table_name='lot_drafts')
    op.drop_table('lot_drafts')
