"""A quote request reads the account and what the quote needs of it (limits, court zones, active tables) in one
statement (``accounts.token_account`` / ``accounts.signed_in``): the refusals stay what they were."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, func, select

from tests.uow import unit_scope
from tests.web.conftest import CASE, csrf_token, login
from xunpai.services import accounts as accounts_service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.accounts import InquiryLimit, User
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.unit_of_work import UnitOfWork


def _user_id(engine, username: str) -> int:
    with unit_scope(engine) as uow:
        return uow.session.execute(select(User.id).where(User.username == username)).scalar_one()


def _quotes(engine) -> int:
    with unit_scope(engine) as uow:
        return uow.session.execute(select(func.count()).select_from(LedgerEntry)
                                   .where(LedgerEntry.kind == "inquiry.quote")).scalar_one()


def _body(seeded) -> dict:
    return {"building_id": seeded.building_id, "floor": "3", "orientation": "南", "area": "89.50",
            "contract_date": "2023-06-01", "case_number": CASE, "purpose": "确定财产处置参考价"}


def _api_quote(client, token, seeded):
    return client.post("/api/v1/quote", headers={"Authorization": f"Bearer {token}"}, json=_body(seeded))


def _form_quote(client, seeded):
    return client.post("/inquiry/", data={**_body(seeded), "csrf_token": csrf_token(client, "/inquiry/")})


def test_an_expired_or_revoked_token_or_an_inactive_account_cannot_quote(client, engine, seeded):
    judge = _user_id(engine, "judge1")
    expired = accounts_service.issue_api_token(UnitOfWork(engine), judge, label="旧", actor="admin",
                                               now=now_local() - timedelta(days=91))
    revoked = accounts_service.issue_api_token(UnitOfWork(engine), judge, label="吊销", actor="admin")
    with unit_scope(engine) as uow:
        token_id = accounts_service.api_tokens(uow, judge)[0][0].id
    accounts_service.revoke_api_token(UnitOfWork(engine), token_id, viewer_id=judge)
    valid = accounts_service.issue_api_token(UnitOfWork(engine), judge, label="有效", actor="admin")
    assert _api_quote(client, valid, seeded).status_code == 200
    for token in (expired, revoked, "xp_unknown"):
        refused = _api_quote(client, token, seeded)
        assert refused.status_code == 401
        assert refused.get_json()["error"]["message"] == \
            "未提供有效的接口令牌：请在请求头中携带 Authorization: Bearer <令牌>。"
    with unit_scope(engine) as uow:
        accounts_service.update_user(uow, judge, active=False, actor="admin")
    assert _api_quote(client, valid, seeded).status_code == 401
    assert _quotes(engine) == 1


def test_a_deactivated_judges_session_cannot_quote_by_the_form(client, engine, seeded):
    login(client, "judge1")
    csrf = csrf_token(client, "/inquiry/")
    with unit_scope(engine) as uow:
        accounts_service.update_user(uow, _user_id(engine, "judge1"), active=False, actor="admin")
    response = client.post("/inquiry/", data={**_body(seeded), "csrf_token": csrf})
    assert response.status_code == 302 and "/login" in response.location
    assert _quotes(engine) == 0


def test_the_limits_read_with_the_account_are_the_current_ones(client, engine, seeded):
    """The day's count and the zones come with the account at every request: a limit lowered between two
    requests holds at the next one, by the API and by the form alike."""
    judge = _user_id(engine, "judge1")
    token = accounts_service.issue_api_token(UnitOfWork(engine), judge, label="t", actor="admin")
    assert _api_quote(client, token, seeded).status_code == 200
    with unit_scope(engine) as uow:
        uow.session.get(InquiryLimit, judge).daily_count = 1
    refused = _api_quote(client, token, seeded)
    assert refused.status_code == 422 and refused.get_json()["error"]["limit"] == "count"
    login(client, "judge1")
    page = _form_quote(client, seeded)
    assert page.status_code == 422 and "查询次数限制：每天最多 1 次" in page.get_data(as_text=True)
    with unit_scope(engine) as uow:
        limit = uow.session.get(InquiryLimit, judge)
        limit.daily_count, limit.allowed_zones = 1000, ["no-such-zone"]
    refused = _api_quote(client, token, seeded)
    assert refused.status_code == 422 and refused.get_json()["error"]["limit"] == "zone"
    assert _form_quote(client, seeded).status_code == 422
    assert _quotes(engine) == 1


def test_a_quote_request_reads_the_account_and_its_limits_in_one_statement(app, client, engine, seeded):
    """Authentication and the quote's context in one statement; then the ledger's lock, the day's count and the
    entry: four statements for an API quote and for the form's, signed in by its session (five on SQLite, where
    the entry and the head's move are two)."""
    token = accounts_service.issue_api_token(UnitOfWork(engine), _user_id(engine, "judge1"), label="t",
                                             actor="admin")
    login(client, "judge1")
    csrf = csrf_token(client, "/inquiry/")
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert _api_quote(client, token, seeded).status_code == 200
        api = len(statements)
        statements.clear()
        assert client.post("/inquiry/", data={**_body(seeded), "csrf_token": csrf}).status_code == 302
        form = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    expected = 4 if engine.dialect.name == "postgresql" else 5
    assert (api, form) == (expected, expected)
