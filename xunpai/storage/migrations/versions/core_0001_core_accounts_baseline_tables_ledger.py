"""core: accounts, baseline tables, ledger

Revision ID: core_0001
Revises: 
Create Date: 2026-11-27 08:01:57.937358
"""
from alembic import op
import sqlalchemy as sa


revision = 'core_0001'
down_revision = None
branch_labels = ('core',)
depends_on = None


def upgrade() -> None:
    op.create_table('courts',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('zones', sa.JSON(), nullable=False),
    sa.Column('policy', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('case_number', sa.String(length=60), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seq')
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_actor'), ['actor'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_court_code'), ['court_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_kind'), ['kind'], unique=False)

    op.create_table('ledger_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('table_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=500), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('row_counts', sa.JSON(), nullable=False),
    sa.Column('fit_statistics', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('activated_at', sa.DateTime(), nullable=True),
    sa.Column('activated_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('baseline_age_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('structure', sa.String(length=300), nullable=False),
    sa.Column('age_from', sa.Integer(), nullable=False),
    sa.Column('age_to', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'structure', 'age_from', name='uq_baseline_age_bands_key')
    )
    with op.batch_alter_table('baseline_age_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_age_bands_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_aliases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.Column('building_id', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'alias', name='uq_baseline_aliases_key')
    )
    with op.batch_alter_table('baseline_aliases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_aliases_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_area_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('zone_code', sa.String(length=300), nullable=False),
    sa.Column('house_type', sa.String(length=300), nullable=False),
    sa.Column('area_from', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('area_to', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('percent', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'zone_code', 'house_type', 'area_from', name='uq_baseline_area_bands_key')
    )
    with op.batch_alter_table('baseline_area_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_area_bands_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_base_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'scope', 'key', 'effective_date', name='uq_baseline_base_prices_key')
    )
    with op.batch_alter_table('baseline_base_prices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_base_prices_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_buildings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.String(length=300), nullable=False),
    sa.Column('community_code', sa.String(length=300), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('total_floors', sa.Integer(), nullable=False),
    sa.Column('elevator', sa.String(length=40), nullable=False),
    sa.Column('house_type', sa.String(length=300), nullable=False),
    sa.Column('structure', sa.String(length=300), nullable=False),
    sa.Column('year_built', sa.Integer(), nullable=False),
    sa.Column('use', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'building_id', name='uq_baseline_buildings_key')
    )
    with op.batch_alter_table('baseline_buildings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_buildings_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_communities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('community_code', sa.String(length=300), nullable=False),
    sa.Column('community_name', sa.String(length=300), nullable=False),
    sa.Column('zone_code', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'community_code', name='uq_baseline_communities_key')
    )
    with op.batch_alter_table('baseline_communities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_communities_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_floor_coefficients',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('zone_code', sa.String(length=300), nullable=False),
    sa.Column('elevator_class', sa.String(length=40), nullable=False),
    sa.Column('total_floors', sa.Integer(), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'zone_code', 'elevator_class', 'total_floors', 'floor', name='uq_baseline_floor_coefficients_key')
    )
    with op.batch_alter_table('baseline_floor_coefficients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_floor_coefficients_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_other_factors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('zone_code', sa.String(length=300), nullable=False),
    sa.Column('factor', sa.String(length=300), nullable=False),
    sa.Column('level', sa.String(length=300), nullable=False),
    sa.Column('percent', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.Column('method', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'zone_code', 'factor', 'level', name='uq_baseline_other_factors_key')
    )
    with op.batch_alter_table('baseline_other_factors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_other_factors_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_price_index',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('zone_code', sa.String(length=300), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('index', sa.Numeric(precision=7, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'zone_code', 'month', name='uq_baseline_price_index_key')
    )
    with op.batch_alter_table('baseline_price_index', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_price_index_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_zone_corrections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=40), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'scope', 'key', name='uq_baseline_zone_corrections_key')
    )
    with op.batch_alter_table('baseline_zone_corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_zone_corrections_version_id'), ['version_id'], unique=False)

    op.create_table('baseline_zones',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('zone_code', sa.String(length=300), nullable=False),
    sa.Column('zone_name', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['table_versions.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('version_id', 'zone_code', name='uq_baseline_zones_key')
    )
    with op.batch_alter_table('baseline_zones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_baseline_zones_version_id'), ['version_id'], unique=False)

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=True),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['court_code'], ['courts.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('username')
    )
    op.create_table('inquiry_limits',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('allowed_zones', sa.JSON(), nullable=False),
    sa.Column('daily_count', sa.Integer(), nullable=False),
    sa.Column('hour_from', sa.Integer(), nullable=False),
    sa.Column('hour_to', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.bulk_insert(sa.table("ledger_head", sa.column("id", sa.Integer), sa.column("seq", sa.BigInteger),
                            sa.column("hash", sa.String)), [{"id": 1, "seq": 0, "hash": "0" * 64}])
    # ### end Alembic commands ###


def downgrade() -> None:
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('inquiry_limits')
    op.drop_table('users')
    with op.batch_alter_table('baseline_zones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_zones_version_id'))

    op.drop_table('baseline_zones')
    with op.batch_alter_table('baseline_zone_corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_zone_corrections_version_id'))

    op.drop_table('baseline_zone_corrections')
    with op.batch_alter_table('baseline_price_index', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_price_index_version_id'))

    op.drop_table('baseline_price_index')
    with op.batch_alter_table('baseline_other_factors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_other_factors_version_id'))

    op.drop_table('baseline_other_factors')
    with op.batch_alter_table('baseline_floor_coefficients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_floor_coefficients_version_id'))

    op.drop_table('baseline_floor_coefficients')
    with op.batch_alter_table('baseline_communities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_communities_version_id'))

    op.drop_table('baseline_communities')
    with op.batch_alter_table('baseline_buildings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_buildings_version_id'))

    op.drop_table('baseline_buildings')
    with op.batch_alter_table('baseline_base_prices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_base_prices_version_id'))

    op.drop_table('baseline_base_prices')
    with op.batch_alter_table('baseline_area_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_area_bands_version_id'))

    op.drop_table('baseline_area_bands')
    with op.batch_alter_table('baseline_aliases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_aliases_version_id'))

    op.drop_table('baseline_aliases')
    with op.batch_alter_table('baseline_age_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_baseline_age_bands_version_id'))

    op.drop_table('baseline_age_bands')
    op.drop_table('table_versions')
    op.drop_table('ledger_head')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_kind'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_court_code'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_case_number'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_actor'))

    op.drop_table('ledger_entries')
    op.drop_table('courts')
    # ### end Alembic commands ###
