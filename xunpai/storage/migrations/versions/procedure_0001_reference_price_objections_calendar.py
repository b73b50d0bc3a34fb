"""procedure: cases and parties, reference-price reports, objections, evidence, decisions, holiday notices

Revision ID: procedure_0001
Revises:
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa


revision = 'procedure_0001'
down_revision = None
branch_labels = ('procedure',)
depends_on = 'core_0001'


def upgrade() -> None:
    op.create_table('procedure_calendar_years',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('holidays', sa.JSON(), nullable=False),
    sa.Column('workdays', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('entered_by', sa.String(length=100), nullable=False),
    sa.Column('entered_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('procedure_cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('court_code', sa.String(length=20), nullable=False),
    sa.Column('case_number', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['court_code'], ['courts.code'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_number')
    )
    op.create_index(op.f('ix_procedure_cases_court_code'), 'procedure_cases', ['court_code'], unique=False)
    op.create_table('procedure_lots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('seized_on', sa.Date(), nullable=True),
    sa.Column('first_auction_announced_on', sa.Date(), nullable=True),
    sa.Column('appraisal_firms', sa.JSON(), nullable=False),
    sa.Column('firm_choice', sa.String(length=20), nullable=False),
    sa.Column('lottery', sa.JSON(), nullable=False),
    sa.Column('current_firm', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['procedure_cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_procedure_lots_case_id'), 'procedure_lots', ['case_id'], unique=False)
    op.create_table('procedure_parties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('id_kind', sa.String(length=10), nullable=False),
    sa.Column('id_number', sa.String(length=30), nullable=False),
    sa.Column('address_for_service', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['procedure_cases.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id', 'id_number', name='uq_procedure_parties_case_id_number')
    )
    op.create_index(op.f('ix_procedure_parties_case_id'), 'procedure_parties', ['case_id'], unique=False)
    op.create_table('procedure_reference_prices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('value_fen', sa.BigInteger(), nullable=False),
    sa.Column('mean_exact', sa.String(length=80), nullable=False),
    sa.Column('fixed_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('basis', sa.JSON(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['lot_id'], ['procedure_lots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_procedure_reference_prices_lot_id'), 'procedure_reference_prices', ['lot_id'], unique=False)
    op.create_table('procedure_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lot_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=30), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('value_fen', sa.BigInteger(), nullable=True),
    sa.Column('commissioned_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('extension_requested', sa.Boolean(), nullable=False),
    sa.Column('corrected_value_fen', sa.BigInteger(), nullable=True),
    sa.Column('corrects_report_id', sa.Integer(), nullable=True),
    sa.Column('forwarded_on', sa.Date(), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['corrects_report_id'], ['procedure_reports.id'], ),
    sa.ForeignKeyConstraint(['lot_id'], ['procedure_lots.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_procedure_reports_lot_id'), 'procedure_reports', ['lot_id'], unique=False)
    op.create_table('procedure_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('grounds', sa.JSON(), nullable=False),
    sa.Column('facts', sa.Text(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('address_for_service', sa.String(length=300), nullable=False),
    sa.Column('filed_at', sa.DateTime(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('report_received_on', sa.Date(), nullable=False),
    sa.Column('policy', sa.String(length=20), nullable=False),
    sa.Column('admissible', sa.Boolean(), nullable=False),
    sa.Column('route', sa.String(length=30), nullable=True),
    sa.Column('assessment', sa.Text(), nullable=False),
    sa.Column('article', sa.String(length=200), nullable=False),
    sa.Column('state', sa.String(length=30), nullable=False),
    sa.Column('state_entered_on', sa.Date(), nullable=False),
    sa.Column('material_requests', sa.Integer(), nullable=False),
    sa.Column('decision_served_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['procedure_cases.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['procedure_parties.id'], ),
    sa.ForeignKeyConstraint(['report_id'], ['procedure_reports.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('submission_key')
    )
    op.create_index(op.f('ix_procedure_objections_case_id'), 'procedure_objections', ['case_id'], unique=False)
    op.create_index(op.f('ix_procedure_objections_report_id'), 'procedure_objections', ['report_id'], unique=False)
    op.create_index(op.f('ix_procedure_objections_state'), 'procedure_objections', ['state'], unique=False)
    op.create_table('procedure_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('effect', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['objection_id'], ['procedure_objections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_procedure_decisions_objection_id'), 'procedure_decisions', ['objection_id'], unique=False)
    op.create_table('procedure_evidence_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['objection_id'], ['procedure_objections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('objection_id', 'sha256', name='uq_procedure_evidence_files_sha256')
    )
    op.create_index(op.f('ix_procedure_evidence_files_objection_id'), 'procedure_evidence_files', ['objection_id'], unique=False)
    op.create_table('procedure_objection_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('objection_id', sa.Integer(), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('from_state', sa.String(length=30), nullable=False),
    sa.Column('to_state', sa.String(length=30), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['objection_id'], ['procedure_objections.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_procedure_objection_events_objection_id'), 'procedure_objection_events', ['objection_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_procedure_objection_events_objection_id'), table_name='procedure_objection_events')
    op.drop_table('procedure_objection_events')
    op.drop_index(op.f('ix_procedure_evidence_files_objection_id'), table_name='procedure_evidence_files')
    op.drop_table('procedure_evidence_files')
    op.drop_index(op.f('ix_procedure_decisions_objection_id'), table_name='procedure_decisions')
    op.drop_table('procedure_decisions')
    op.drop_index(op.f('ix_procedure_objections_state'), table_name='procedure_objections')
    op.drop_index(op.f('ix_procedure_objections_report_id'), table_name='procedure_objections')
    op.drop_index(op.f('ix_procedure_objections_case_id'), table_name='procedure_objections')
    op.drop_table('procedure_objections')
    op.drop_index(op.f('ix_procedure_reports_lot_id'), table_name='procedure_reports')
    op.drop_table('procedure_reports')
    op.drop_index(op.f('ix_procedure_reference_prices_lot_id'), table_name='procedure_reference_prices')
    op.drop_table('procedure_reference_prices')
    op.drop_index(op.f('ix_procedure_parties_case_id'), table_name='procedure_parties')
    op.drop_table('procedure_parties')
    op.drop_index(op.f('ix_procedure_lots_case_id'), table_name='procedure_lots')
    op.drop_table('procedure_lots')
    op.drop_index(op.f('ix_procedure_cases_court_code'), table_name='procedure_cases')
    op.drop_table('procedure_cases')
    op.drop_table('procedure_calendar_years')
