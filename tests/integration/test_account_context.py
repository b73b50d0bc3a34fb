"""The account behind a request and its quote context, read in one statement (``accounts_repo``): the account is
the object the ORM's own load gives, and the context is the one ``quote_context`` reads."""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect, select

from tests.uow import unit_scope
from xunpai.services import accounts as accounts_service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.accounts import InquiryLimit, User
from xunpai.storage.repositories import accounts as accounts_repo
from xunpai.storage.unit_of_work import UnitOfWork

accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


def _judge_with_token(engine) -> tuple[int, str]:
    with unit_scope(engine) as uow:
        accounts_service.save_court(uow, code="浙1081", name="温岭市人民法院", zones=["Z1", "Z2"])
        user = accounts_service.create_user(uow, username="judge1", display_name="法官甲", role="judge",
                                            court_code="浙1081", password="correct-horse-42")
        uow.session.get(InquiryLimit, user.id).daily_count = 7
        token = accounts_service.issue_api_token(uow, user, label="t")
        return user.id, token


def test_the_account_read_with_its_context_is_a_loaded_object_of_the_session(engine):
    user_id, token = _judge_with_token(engine)
    with unit_scope(engine) as uow:
        expected = {prop.key: getattr(uow.session.get(User, user_id), prop.key)
                    for prop in User.__mapper__.column_attrs}
    uow = UnitOfWork(engine)
    try:
        with uow:
            session = uow.session
            user, context = accounts_repo.user_and_quote_context_for_token_digest(
                session, hashlib.sha256(token.encode()).hexdigest(), now_local())
            state = inspect(user)
            assert state.persistent and not state.expired_attributes and user not in session.dirty
            assert {key: getattr(user, key) for key in expected} == expected
            assert session.get(User, user_id) is user
            assert context == accounts_repo.quote_context(session, user_id)
            assert context.limit.daily_count == 7 and context.court_zones == ["Z1", "Z2"] and context.version is None
            again, _context = accounts_repo.user_and_quote_context_by_id(session, user_id)
            assert again is user  # the object already loaded is the one returned
            user.display_name = "法官乙"  # and it writes as a loaded object does
            uow.commit()
    finally:
        uow.close()
    with unit_scope(engine) as check:
        assert check.session.execute(select(User.display_name).where(User.id == user_id)).scalar_one() == "法官乙"


def test_an_unknown_expired_or_inactive_account_reads_nothing(engine):
    user_id, token = _judge_with_token(engine)
    digest = hashlib.sha256(token.encode()).hexdigest()
    with unit_scope(engine) as uow:
        session = uow.session
        assert accounts_repo.user_and_quote_context_for_token_digest(session, "0" * 64, now_local()) is None
        assert accounts_repo.user_and_quote_context_by_id(session, user_id + 1000) is None
        later = now_local().replace(year=now_local().year + 2)
        assert accounts_repo.user_and_quote_context_for_token_digest(session, digest, later) is None
    with unit_scope(engine) as uow:
        uow.session.get(User, user_id).active = False
    with unit_scope(engine) as uow:
        assert accounts_repo.user_and_quote_context_for_token_digest(uow.session, digest, now_local()) is None
        assert accounts_service.signed_in(uow, user_id) is None
