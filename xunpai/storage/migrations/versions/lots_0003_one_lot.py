"""lots: one lot — the domain lot is the row's only source (plan and price copies dropped); the procedure's lot

Revision ID: lots_0003
Revises: lots_0002
Create Date: 2026-12-01

``lots.content`` holds ``auction.lot.Lot`` (plan and prices included; ``xunpai.storage.types.DomainLot``), so the
hand-kept copies ``plan``, ``reference_price_fen``, ``starting_price_fen`` and ``deposit_fen`` go: nothing is lost,
every stored lot carries its plan. ``procedure_lot_id`` ties a lot to the reference-price procedure's lot
(``procedure_lots``) of its case and name; lots stored before are matched here the same way (one match only).
The downgrade restores the copies from the content.
"""
from alembic import op
import sqlalchemy as sa


revision = 'lots_0003'
down_revision = 'lots_0002'
branch_labels = None
depends_on = 'procedure_0001'

_COPIES = ('plan', 'reference_price_fen', 'starting_price_fen', 'deposit_fen')


def upgrade() -> None:
    # Not a batch (table copy) on SQLite: dropping the old ``lots`` there with foreign keys on would run the
    # children's ON DELETE actions (publications, bulk rows, custody items). SQLite >= 3.35 alters in place; an
    # ON DELETE clause on an added column would not be reflected there, so the key has none (the model neither).
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('alter table lots add column procedure_lot_id integer references procedure_lots (id)')
    else:
        op.add_column('lots', sa.Column('procedure_lot_id', sa.Integer(), nullable=True))
        op.create_foreign_key(None, 'lots', 'procedure_lots', ['procedure_lot_id'], ['id'])
    op.create_index(op.f('ix_lots_procedure_lot_id'), 'lots', ['procedure_lot_id'], unique=False)
    for name in _COPIES:
        op.drop_column('lots', name)
    op.execute("""
        update lots set procedure_lot_id = (
            select min(pl.id) from procedure_lots pl join procedure_cases pc on pc.id = pl.case_id
            where pc.case_number = lots.case_number and pl.name = lots.title)
        where (select count(*) from procedure_lots pl join procedure_cases pc on pc.id = pl.case_id
               where pc.case_number = lots.case_number and pl.name = lots.title) = 1
    """)


def downgrade() -> None:
    op.drop_index(op.f('ix_lots_procedure_lot_id'), table_name='lots')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_column('lots', 'procedure_lot_id')  # its foreign key goes with it
    # On SQLite a column with a foreign key cannot be dropped in place, and a table copy would run the children's
    # ON DELETE actions: the (nullable, unused) column stays there.
    op.add_column('lots', sa.Column('plan', sa.JSON(), nullable=True))
    op.add_column('lots', sa.Column('reference_price_fen', sa.BigInteger(), nullable=True))
    op.add_column('lots', sa.Column('starting_price_fen', sa.BigInteger(), nullable=True))
    op.add_column('lots', sa.Column('deposit_fen', sa.BigInteger(), nullable=True))
    lots = sa.table('lots', sa.column('id', sa.Integer()), sa.column('content', sa.JSON()),
                    sa.column('plan', sa.JSON()), sa.column('reference_price_fen', sa.BigInteger()),
                    sa.column('starting_price_fen', sa.BigInteger()), sa.column('deposit_fen', sa.BigInteger()))
    connection = op.get_bind()
    for lot_id, content in connection.execute(sa.select(lots.c.id, lots.c.content)).all():
        plan = (content or {}).get('plan') or {}
        connection.execute(lots.update().where(lots.c.id == lot_id).values(
            plan=plan or None, reference_price_fen=plan.get('reference_price_fen'),
            starting_price_fen=plan.get('starting_price_fen'), deposit_fen=plan.get('deposit_fen')))
