"""The hot path's statements run on the driver's cursor on PostgreSQL (``xunpai.storage.prepared``): the same
rows as SQLAlchemy's execution, its errors, its listeners; SQLite runs them through SQLAlchemy."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import event, exc, insert, select

from xunpai.storage import ledger
from xunpai.storage.models.ledger import LedgerEntry, LedgerHead
from xunpai.storage.prepared import Prepared
from xunpai.storage.repositories import accounts as accounts_repo


def test_a_prepared_statement_returns_the_rows_sqlalchemy_returns(uow):
    for i in range(3):
        ledger.append(uow.session, "inquiry.quote", {"i": i}, actor="judge1")
    ledger.append(uow.session, "inquiry.batch", {"rows": 7}, actor="judge1")
    ledger.append(uow.session, "inquiry.quote", {"i": 9}, actor="judge2")
    uow.session.commit()
    statement = select(LedgerEntry.seq, LedgerEntry.actor, LedgerEntry.recorded_at).order_by(LedgerEntry.seq)
    connection = uow.session.connection()
    assert Prepared(statement).rows(connection) == [tuple(row) for row in connection.execute(statement)]
    assert accounts_repo.units_counted_since(uow.session, "judge1", ("inquiry.quote",), ("inquiry.batch",),
                                             datetime(2000, 1, 1)) == 3 + 7
    assert ledger.verify(uow.session).ok


def test_a_driver_error_is_raised_as_sqlalchemys_and_the_transaction_rolls_back(uow):
    duplicate_head = Prepared(insert(LedgerHead).values(id=1, seq=0, hash="0" * 64))
    with pytest.raises(exc.IntegrityError):
        duplicate_head.rows(uow.session.connection())
    uow.session.rollback()
    assert ledger.append(uow.session, "inquiry.quote", {}, actor="judge1").seq == 1


def test_the_listeners_of_the_engine_see_a_prepared_statement(uow, engine):
    seen: list[str] = []

    def listener(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        Prepared(select(LedgerHead.seq)).rows(uow.session.connection())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert any("ledger_head" in statement for statement in seen)


def test_on_postgresql_the_installed_sqlalchemy_takes_the_fast_path(uow):
    """A SQLAlchemy upgrade that renames what the fast path reads falls back to Connection.execute (slower, not
    wrong): this test says so, instead of the benchmark alone."""
    prepared = Prepared(select(LedgerHead.seq))
    assert prepared.rows(uow.session.connection()) == [(0,)]
    taken = prepared._compiled.get("postgresql") is not None
    assert taken == (uow.session.connection().dialect.name == "postgresql")
