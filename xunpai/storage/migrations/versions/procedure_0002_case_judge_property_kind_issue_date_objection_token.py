"""procedure: the case's judge, a party's contact, the property's kind and baseline link, a result's issue date,
receipt and details, who fixed a price, an objection's postmark, content key and review extension

Revision ID: procedure_0002
Revises: procedure_0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = 'procedure_0002'
down_revision = 'procedure_0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('procedure_cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('judge', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('registered_by', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('procedure_parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('procedure_lots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=30), nullable=False, server_default='real_estate'))
        batch_op.add_column(sa.Column('address', sa.String(length=300), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('building_id', sa.String(length=60), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('unit_label', sa.String(length=60), nullable=False, server_default=''))
    with op.batch_alter_table('procedure_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('issued_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('receipt_code', sa.String(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=True))
    with op.batch_alter_table('procedure_reference_prices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fixed_by', sa.String(length=100), nullable=False, server_default=''))
    with op.batch_alter_table('procedure_objections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailed_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('content_key', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('review_extension_days', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index(batch_op.f('ix_procedure_objections_content_key'), ['content_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('procedure_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_objections_content_key'))
        batch_op.drop_column('review_extension_days')
        batch_op.drop_column('content_key')
        batch_op.drop_column('mailed_on')
    with op.batch_alter_table('procedure_reference_prices', schema=None) as batch_op:
        batch_op.drop_column('fixed_by')
    with op.batch_alter_table('procedure_reports', schema=None) as batch_op:
        batch_op.drop_column('details')
        batch_op.drop_column('receipt_code')
        batch_op.drop_column('issued_on')
    with op.batch_alter_table('procedure_lots', schema=None) as batch_op:
        batch_op.drop_column('unit_label')
        batch_op.drop_column('building_id')
        batch_op.drop_column('address')
        batch_op.drop_column('kind')
    with op.batch_alter_table('procedure_parties', schema=None) as batch_op:
        batch_op.drop_column('contact')
    with op.batch_alter_table('procedure_cases', schema=None) as batch_op:
        batch_op.drop_column('registered_by')
        batch_op.drop_column('judge')
