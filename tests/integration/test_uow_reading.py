"""``uow.reading()``: the read-only block of the sign-in checks. On PostgreSQL alone it runs outside a
transaction (no BEGIN/COMMIT round trips), inside an open block it is part of that block's transaction; either way
it reads what is committed, and no block may be opened inside it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.uow import unit_scope
from xunpai.services import accounts as accounts_service
from xunpai.storage.models.accounts import User

accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _autocommit(uow) -> bool:
    dbapi = uow.session.connection().connection.dbapi_connection
    return bool(getattr(dbapi, "autocommit", False))


def test_reading_alone_runs_outside_a_transaction_on_postgresql(uow, engine, backend):
    with unit_scope(engine) as setup:
        accounts_service.create_user(setup, username="admin1", display_name="管理员", role="admin", court_code=None,
                                     password="correct-horse-42")
    with uow.reading():
        assert uow.session.execute(select(User.username)).scalar_one() == "admin1"
        assert _autocommit(uow) is (backend == "postgresql")
        with pytest.raises(RuntimeError) if backend == "postgresql" else _nothing():
            with uow:
                pass
    with uow:  # the next block is an ordinary transaction again
        assert not _autocommit(uow)
        uow.commit()


def test_reading_inside_a_block_is_part_of_its_transaction(uow, engine):
    with uow:
        accounts_service.create_user(uow, username="admin2", display_name="管理员", role="admin", court_code=None,
                                     password="correct-horse-42")
        with uow.reading():  # sees the block's own uncommitted row
            assert uow.session.execute(select(User.username)).scalar_one() == "admin2"
            assert not _autocommit(uow)
        uow.rollback()
    with uow.reading():
        assert uow.session.execute(select(User.username)).first() is None


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
