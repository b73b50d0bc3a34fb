"""``uow.reading()``: the read-only block of the sign-in checks. On PostgreSQL opened alone it begins the session's
transaction and leaves it open for the request's next block, which goes on in it on the same connection (one
checkout from the pool per request, one BEGIN); a request with no block after it ends it at ``close()``. Inside an
open block it is part of that block's transaction; either way each statement reads what is committed when it
runs, and no block may be opened inside it. On SQLite it is an ordinary block."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select

from tests.uow import unit_scope
from xunpai.services import accounts as accounts_service
from xunpai.storage.models.accounts import User
from xunpai.storage.unit_of_work import UnitOfWork

accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _admin(engine, username: str) -> None:
    with unit_scope(engine) as setup:
        accounts_service.create_user(setup, username=username, display_name="管理员", role="admin", court_code=None,
                                     password="correct-horse-42")


class _Checkouts:
    """How many connections the engine's pool hands out while counted (the one per request that is saved)."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _checkout(self, *_args) -> None:
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "checkout", self._checkout)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "checkout", self._checkout)
        return False


def _backend_pid(uow: UnitOfWork) -> int:
    return uow.session.connection().connection.dbapi_connection.info.backend_pid


def test_the_block_after_reading_goes_on_in_its_transaction_on_one_connection(uow, engine, backend):
    _admin(engine, "admin1")
    with _Checkouts(engine) as checkouts:
        with uow.reading():
            assert uow.session.execute(select(User.username)).scalar_one() == "admin1"
            with pytest.raises(RuntimeError) if backend == "postgresql" else _nothing():
                with uow:
                    pass
        # PostgreSQL: the read transaction stays open for the next block; SQLite: an ordinary block, ended
        assert uow.session.in_transaction() is (backend == "postgresql")
        with uow:
            accounts_service.create_user(uow, username="admin2", display_name="管理员", role="admin",
                                         court_code=None, password="correct-horse-42")
            uow.commit()
        assert not uow.session.in_transaction()  # the block's commit ended the transaction reading began
        assert checkouts.count == (1 if backend == "postgresql" else 2)
    fresh = UnitOfWork(engine)
    try:
        with fresh.reading():  # what the block wrote after the reading is committed
            assert set(fresh.session.execute(select(User.username)).scalars()) == {"admin1", "admin2"}
    finally:
        fresh.close()


def test_reading_sees_what_others_commit_between_it_and_the_next_block(uow, engine, backend):
    """The read transaction keeps no snapshot: the next block's statements see what was committed meanwhile
    (READ COMMITTED, as every block), and its writes do not collide with another request's."""
    _admin(engine, "admin1")
    with uow.reading():
        assert uow.session.execute(select(User.username)).scalars().all() == ["admin1"]
    _admin(engine, "admin3")  # another request commits while this one's read transaction is open
    with uow:
        assert sorted(uow.session.execute(select(User.username)).scalars()) == ["admin1", "admin3"]
        uow.commit()


def test_a_request_with_no_block_after_reading_ends_its_transaction_at_close(engine, backend):
    _admin(engine, "admin1")
    unit = UnitOfWork(engine)
    with unit.reading():
        pid = _backend_pid(unit) if backend == "postgresql" else None
        assert unit.session.execute(select(User.username)).scalar_one() == "admin1"
    unit.close()
    assert engine.pool.checkedout() == 0  # the connection went back to the pool
    if backend == "postgresql":
        with engine.connect() as conn:  # and the server has no transaction left open on it
            state = conn.exec_driver_sql("select state from pg_stat_activity where pid = %s", (pid,)).scalar()
        assert state == "idle"


def test_a_failed_reading_rolls_back_and_frees_the_connection(uow, engine, backend):
    with pytest.raises(ZeroDivisionError):
        with uow.reading():
            uow.session.execute(select(User.username)).all()
            1 / 0  # noqa: B018  (the sign-in check fails half-way)
    assert not uow.session.in_transaction()
    assert engine.pool.checkedout() == 0
    with uow:  # the unit of work is usable again
        assert uow.session.execute(select(User.username)).first() is None


def test_reading_inside_a_block_is_part_of_its_transaction(uow, engine):
    with uow:
        accounts_service.create_user(uow, username="admin2", display_name="管理员", role="admin", court_code=None,
                                     password="correct-horse-42")
        with uow.reading():  # sees the block's own uncommitted row
            assert uow.session.execute(select(User.username)).scalar_one() == "admin2"
        uow.rollback()
    with uow.reading():
        assert uow.session.execute(select(User.username)).first() is None


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
