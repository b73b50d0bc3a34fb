"""vehicles: versioned vehicle tables (the five tables of a fitted depreciation model)

Revision ID: vehicles_0001
Revises:
Create Date: 2026-12-01

Tables of issue 16 (models in xunpai/storage/models/vehicles.py): one version row, and terms, models, series,
price index and calibration records, each row tagged with its version and its position in the frame.
"""
from alembic import op
import sqlalchemy as sa


revision = 'vehicles_0001'
down_revision = None
branch_labels = ('vehicles',)
depends_on = 'core_0001'


def upgrade() -> None:
    op.create_table('vehicle_table_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('row_counts', sa.JSON(), nullable=False),
    sa.Column('statistics', sa.JSON(), nullable=False),
    sa.Column('dtypes', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('activated_at', sa.DateTime(), nullable=True),
    sa.Column('activated_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('vehicle_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('group', sa.Text(), nullable=True),
    sa.Column('level', sa.Text(), nullable=True),
    sa.Column('coefficient', sa.Double(), nullable=True),
    sa.Column('records', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['vehicle_table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'position', name='uq_vehicle_terms_position')
    )
    op.create_index(op.f('ix_vehicle_terms_version_id'), 'vehicle_terms', ['version_id'], unique=False)
    op.create_table('vehicle_models',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('model_key', sa.Text(), nullable=True),
    sa.Column('series_key', sa.Text(), nullable=True),
    sa.Column('brand', sa.Text(), nullable=True),
    sa.Column('series_name', sa.Text(), nullable=True),
    sa.Column('model_year', sa.Double(), nullable=True),
    sa.Column('trim', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('new_price', sa.Double(), nullable=True),
    sa.Column('records', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['vehicle_table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'position', name='uq_vehicle_models_position')
    )
    op.create_index(op.f('ix_vehicle_models_version_id'), 'vehicle_models', ['version_id'], unique=False)
    op.create_table('vehicle_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('series_key', sa.Text(), nullable=True),
    sa.Column('brand', sa.Text(), nullable=True),
    sa.Column('series_name', sa.Text(), nullable=True),
    sa.Column('class', sa.Text(), nullable=True),
    sa.Column('records', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['vehicle_table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'position', name='uq_vehicle_series_position')
    )
    op.create_index(op.f('ix_vehicle_series_version_id'), 'vehicle_series', ['version_id'], unique=False)
    op.create_table('vehicle_price_index',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('month', sa.Text(), nullable=True),
    sa.Column('coefficient', sa.Double(), nullable=True),
    sa.Column('index', sa.Double(), nullable=True),
    sa.Column('records', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['vehicle_table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'position', name='uq_vehicle_price_index_position')
    )
    op.create_index(op.f('ix_vehicle_price_index_version_id'), 'vehicle_price_index', ['version_id'], unique=False)
    op.create_table('vehicle_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('record_id', sa.Text(), nullable=True),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('brand', sa.Text(), nullable=True),
    sa.Column('series_name', sa.Text(), nullable=True),
    sa.Column('series_key', sa.Text(), nullable=True),
    sa.Column('model_year', sa.Double(), nullable=True),
    sa.Column('trim', sa.Text(), nullable=True),
    sa.Column('model_key', sa.Text(), nullable=True),
    sa.Column('imported', sa.Boolean(), nullable=True),
    sa.Column('fuel', sa.Text(), nullable=True),
    sa.Column('registration', sa.Date(), nullable=True),
    sa.Column('age_months', sa.Double(), nullable=True),
    sa.Column('mileage_km', sa.Double(), nullable=True),
    sa.Column('gearbox', sa.Text(), nullable=True),
    sa.Column('city', sa.Text(), nullable=True),
    sa.Column('city_level', sa.Text(), nullable=True),
    sa.Column('new_price', sa.Double(), nullable=True),
    sa.Column('inspection_areas', sa.Double(), nullable=True),
    sa.Column('inspection_findings', sa.Double(), nullable=True),
    sa.Column('price', sa.Double(), nullable=True),
    sa.Column('date', sa.Date(), nullable=True),
    sa.Column('month', sa.Text(), nullable=True),
    sa.Column('log_ratio_fit', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['version_id'], ['vehicle_table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'position', name='uq_vehicle_records_position')
    )
    op.create_index(op.f('ix_vehicle_records_version_id'), 'vehicle_records', ['version_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_vehicle_records_version_id'), table_name='vehicle_records')
    op.drop_table('vehicle_records')
    op.drop_index(op.f('ix_vehicle_price_index_version_id'), table_name='vehicle_price_index')
    op.drop_table('vehicle_price_index')
    op.drop_index(op.f('ix_vehicle_series_version_id'), table_name='vehicle_series')
    op.drop_table('vehicle_series')
    op.drop_index(op.f('ix_vehicle_models_version_id'), table_name='vehicle_models')
    op.drop_table('vehicle_models')
    op.drop_index(op.f('ix_vehicle_terms_version_id'), table_name='vehicle_terms')
    op.drop_table('vehicle_terms')
    op.drop_table('vehicle_table_versions')
