"""lots: lots, publications, bulk jobs, custody, viewing, service providers

Revision ID: lots_0001
Revises:
Create Date: 2026-11-27

Tables of issue 5's publishing, custody and service-provider half (models in xunpai/storage/models/lots.py and
xunpai/storage/models/custody.py). Viewing capacity is enforced here by constraints: seat CHECK 1..capacity, UNIQUE
(slot, seat), and the composite foreign key (slot, capacity, item) so a booking cannot claim another capacity.
"""
from alembic import op
import sqlalchemy as sa


revision = 'lots_0001'
down_revision = None
branch_labels = ('lots',)
depends_on = 'core_0001'


def upgrade() -> None:
    op.create_table('lot_bulk_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sheet_name', sa.String(length=300), nullable=False),
    sa.Column('sheet_sha256', sa.String(length=64), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sheet_sha256', 'platform', name='uq_lot_bulk_jobs_sheet_platform')
    )
    op.create_table('lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('lot_code', sa.String(length=60), nullable=False),
    sa.Column('case_number', sa.String(length=60), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('round', sa.String(length=30), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=True),
    sa.Column('reference_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('starting_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('deposit_fen', sa.BigInteger(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=True),
    sa.Column('sale_price_fen', sa.BigInteger(), nullable=True),
    sa.Column('outcome_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("outcome = 'sold' or sale_price_fen is null", name='ck_lots_sale_price_only_when_sold'),
    sa.CheckConstraint("outcome is null or outcome in ('sold','unsold','reneged','withdrawn','suspended')", name='ck_lots_outcome'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('court_code', 'lot_code', 'round', name='uq_lots_court_lot_code_round')
    )
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lots_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_lots_court_code'), ['court_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_lots_outcome_on'), ['outcome_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_lots_status'), ['status'], unique=False)

    op.create_table('service_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('credit_code', sa.String(length=18), nullable=True),
    sa.Column('services', sa.JSON(), nullable=False),
    sa.Column('contact', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('credit_code'),
    sa.UniqueConstraint('name')
    )
    op.create_table('custody_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('case_number', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=300), nullable=False),
    sa.Column('identifiers', sa.JSON(), nullable=False),
    sa.Column('debtor', sa.String(length=200), nullable=False),
    sa.Column('location', sa.String(length=300), nullable=False),
    sa.Column('condition', sa.Text(), nullable=False),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('tariff_daily_fen', sa.BigInteger(), nullable=False),
    sa.Column('intake_on', sa.Date(), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['service_providers.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('custody_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_items_case_number'), ['case_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_items_court_code'), ['court_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_custody_items_lot_id'), ['lot_id'], unique=False)

    op.create_table('lot_bulk_job_rows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('row_number', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['lot_bulk_jobs.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('job_id', 'row_number', name='uq_lot_bulk_job_rows_row')
    )
    with op.batch_alter_table('lot_bulk_job_rows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_bulk_job_rows_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_bulk_job_rows_lot_id'), ['lot_id'], unique=False)

    op.create_table('lot_publications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=20), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('remote_id', sa.String(length=100), nullable=True),
    sa.Column('url', sa.String(length=500), nullable=True),
    sa.Column('remote_status', sa.String(length=20), nullable=True),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('not_before', sa.DateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('bulk_job_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['bulk_job_id'], ['lot_bulk_jobs.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key'),
    sa.UniqueConstraint('lot_id', 'platform', name='uq_lot_publications_lot_platform')
    )
    with op.batch_alter_table('lot_publications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lot_publications_bulk_job_id'), ['bulk_job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_publications_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_publications_not_before'), ['not_before'], unique=False)
        batch_op.create_index(batch_op.f('ix_lot_publications_status'), ['status'], unique=False)

    op.create_table('custody_costs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('incurred_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.CheckConstraint('amount_fen >= 0', name='ck_custody_costs_amount'),
    sa.ForeignKeyConstraint(['item_id'], ['custody_items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('custody_costs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_costs_item_id'), ['item_id'], unique=False)

    op.create_table('custody_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['custody_items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'sha256', name='uq_custody_photos_item_sha256')
    )
    with op.batch_alter_table('custody_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_photos_item_id'), ['item_id'], unique=False)

    op.create_table('custody_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('result', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['custody_items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('custody_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_custody_tasks_item_id'), ['item_id'], unique=False)

    op.create_table('provider_lotteries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('service', sa.String(length=30), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('commitment', sa.JSON(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=200), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('committed_at', sa.DateTime(), nullable=False),
    sa.Column('drawn_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['custody_items.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('viewing_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=300), nullable=False),
    sa.CheckConstraint('capacity >= 1', name='ck_viewing_slots_capacity'),
    sa.CheckConstraint('ends_at > starts_at', name='ck_viewing_slots_span'),
    sa.ForeignKeyConstraint(['item_id'], ['custody_items.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id', 'capacity', 'item_id', name='uq_viewing_slots_id_capacity_item')
    )
    with op.batch_alter_table('viewing_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewing_slots_item_id'), ['item_id'], unique=False)

    op.create_table('provider_assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('lottery_id', sa.Integer(), nullable=True),
    sa.Column('service', sa.String(length=30), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=True),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['custody_items.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['lots.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lottery_id'], ['provider_lotteries.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['service_providers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('provider_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_assignments_provider_id'), ['provider_id'], unique=False)

    op.create_table('viewing_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('slot_capacity', sa.Integer(), nullable=False),
    sa.Column('seat', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('visitor_key', sa.String(length=64), nullable=False),
    sa.Column('visitor_name', sa.String(length=100), nullable=False),
    sa.Column('phone', sa.String(length=30), nullable=False),
    sa.Column('booked_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('seat >= 1 and seat <= slot_capacity', name='ck_viewing_bookings_seat'),
    sa.ForeignKeyConstraint(['slot_id', 'slot_capacity', 'item_id'], ['viewing_slots.id', 'viewing_slots.capacity', 'viewing_slots.item_id'], name='fk_viewing_bookings_slot_capacity_item', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('item_id', 'visitor_key', name='uq_viewing_bookings_item_visitor'),
    sa.UniqueConstraint('slot_id', 'seat', name='uq_viewing_bookings_slot_seat')
    )
    with op.batch_alter_table('viewing_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_viewing_bookings_slot_id'), ['slot_id'], unique=False)

    op.create_table('provider_tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assignment_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('last_reminded_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['assignment_id'], ['provider_assignments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('provider_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_tasks_assignment_id'), ['assignment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_tasks_due_on'), ['due_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_tasks_due_on'))
        batch_op.drop_index(batch_op.f('ix_provider_tasks_assignment_id'))

    op.drop_table('provider_tasks')
    with op.batch_alter_table('viewing_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_viewing_bookings_slot_id'))

    op.drop_table('viewing_bookings')
    with op.batch_alter_table('provider_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_assignments_provider_id'))

    op.drop_table('provider_assignments')
    with op.batch_alter_table('viewing_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_viewing_slots_item_id'))

    op.drop_table('viewing_slots')
    op.drop_table('provider_lotteries')
    with op.batch_alter_table('custody_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_tasks_item_id'))

    op.drop_table('custody_tasks')
    with op.batch_alter_table('custody_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_photos_item_id'))

    op.drop_table('custody_photos')
    with op.batch_alter_table('custody_costs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_costs_item_id'))

    op.drop_table('custody_costs')
    with op.batch_alter_table('lot_publications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_publications_status'))
        batch_op.drop_index(batch_op.f('ix_lot_publications_not_before'))
        batch_op.drop_index(batch_op.f('ix_lot_publications_lot_id'))
        batch_op.drop_index(batch_op.f('ix_lot_publications_bulk_job_id'))

    op.drop_table('lot_publications')
    with op.batch_alter_table('lot_bulk_job_rows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lot_bulk_job_rows_lot_id'))
        batch_op.drop_index(batch_op.f('ix_lot_bulk_job_rows_job_id'))

    op.drop_table('lot_bulk_job_rows')
    with op.batch_alter_table('custody_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_custody_items_lot_id'))
        batch_op.drop_index(batch_op.f('ix_custody_items_court_code'))
        batch_op.drop_index(batch_op.f('ix_custody_items_case_number'))

    op.drop_table('custody_items')
    op.drop_table('service_providers')
    with op.batch_alter_table('lots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lots_status'))
        batch_op.drop_index(batch_op.f('ix_lots_outcome_on'))
        batch_op.drop_index(batch_op.f('ix_lots_court_code'))
        batch_op.drop_index(batch_op.f('ix_lots_case_number'))

    op.drop_table('lots')
    op.drop_table('lot_bulk_jobs')
