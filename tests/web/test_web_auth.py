"""Sign-in, roles, CSRF, lockout, security headers and who may see which case."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.uow import unit_scope
from tests.web.conftest import CASE, FOREIGN_CASE, OTHER_CASE, PASSWORD, csrf_token, login, party_login
from xunpai.services import accounts as accounts_service
from xunpai.storage.models.accounts import User
from xunpai.storage.models.ledger import LedgerEntry

# Behaviour of the HTTP layer alone (headers, cookies, redirects) does not depend on the database: SQLite only.
http_only = pytest.mark.parametrize("backend", ["sqlite"])


def _denials(engine) -> list[LedgerEntry]:
    with unit_scope(engine) as uow:
        return list(uow.session.execute(select(LedgerEntry).where(LedgerEntry.kind == "web.denied")).scalars())


@http_only
def test_pages_require_sign_in(client):
    response = client.get("/inquiry/")
    assert response.status_code == 302 and "/login" in response.location


def test_judge_signs_in_and_lands_on_the_home_page_with_the_agenda(client):
    response = login(client, "judge1")
    assert response.status_code == 302 and response.location.endswith("/cases")
    assert "待办期限" in client.get("/cases").get_data(as_text=True)
    page = client.get("/inquiry/")
    assert page.status_code == 200 and "即时询价" in page.get_data(as_text=True)


@http_only
def test_session_cookie_is_httponly_and_samesite_lax(client):
    response = login(client, "judge1")
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


@http_only
def test_security_headers_forbid_inline_scripts_and_framing(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in response.get_data(as_text=True)


def test_wrong_password_is_refused_with_the_one_message(client):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": "judge1", "password": "wrong", "csrf_token": token})
    assert response.status_code == 401
    assert accounts_service.WRONG_LOGIN in response.get_data(as_text=True)


def test_repeated_failures_make_the_next_attempt_wait_even_for_the_right_password(client, engine):
    for _ in range(accounts_service.THROTTLES["pair"].free):
        response = login(client, "judge1", "wrong-password")
    response = login(client, "judge1", PASSWORD)
    assert response.status_code == 401 and "请" in response.get_data(as_text=True)
    assert "过于频繁" in response.get_data(as_text=True)
    with unit_scope(engine) as uow:
        user = uow.session.execute(select(User).where(User.username == "judge1")).scalar_one()
        assert user.locked_until is None  # a wait, not a lockout
        kinds = set(uow.session.execute(select(LedgerEntry.kind)).scalars())
    assert "account.login" not in kinds


def test_fewer_failures_than_the_free_ones_do_not_delay(client):
    for _ in range(accounts_service.THROTTLES["pair"].free - 1):
        login(client, "judge1", "wrong-password")
    assert login(client, "judge1", PASSWORD).status_code == 302


def test_a_forged_csrf_token_is_refused_and_changes_nothing(client, engine):
    response = client.post("/login", data={"username": "judge1", "password": PASSWORD,
                                           "csrf_token": "forged-token"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    assert client.get("/inquiry/").status_code == 302  # not signed in
    assert any("csrf" in entry.payload for entry in _denials(engine))


def test_a_form_without_csrf_token_is_refused_for_a_signed_in_user(client):
    login(client, "judge1")
    response = client.post("/inquiry/", data={"address": "x", "floor": "1", "area": "50",
                                              "contract_date": "2024-01-01", "case_number": CASE, "purpose": "x"})
    assert response.status_code == 400


def test_party_signs_in_with_case_number_and_access_code(client, seeded):
    response = party_login(client, CASE.replace("（", "(").replace("）", ")"), seeded.party_code.lower())
    assert response.status_code == 302


def test_party_with_a_wrong_code_is_refused(client, seeded):
    response = party_login(client, CASE, "AAAA-BBBB-CCCC")
    assert response.status_code == 401 and "查询码不正确" in response.get_data(as_text=True)


def test_party_code_of_another_case_does_not_open_this_case(client, seeded):
    response = party_login(client, CASE, seeded.other_party_code)
    assert response.status_code == 401


def test_party_cannot_read_another_case_and_the_attempt_is_logged(client, seeded, engine):
    party_login(client, CASE, seeded.party_code)
    response = client.get(f"/party/case/{OTHER_CASE}")
    assert response.status_code == 404
    denials = _denials(engine)
    assert denials and denials[-1].case_number == OTHER_CASE


def test_party_cannot_open_judges_pages(client, seeded, engine):
    party_login(client, CASE, seeded.party_code)
    assert client.get("/inquiry/").status_code == 403
    assert client.get("/admin/users").status_code == 403
    # one entry per user per minute, the minute's count written when it is over (issue 18)
    assert 1 <= len(_denials(engine)) <= 2
    from datetime import timedelta

    from xunpai.storage.ledger import now_local
    from xunpai.storage.unit_of_work import UnitOfWork
    accounts_service.summarize_denials(UnitOfWork(engine), now_local() + timedelta(minutes=1))
    with unit_scope(engine) as uow:
        repeated = [json.loads(e.payload)["after_first"] for e in uow.session.execute(
            select(LedgerEntry).where(LedgerEntry.kind == "web.denied_repeated")).scalars()]
    assert len(_denials(engine)) + sum(repeated) == 2


def test_judge_of_another_court_cannot_open_a_case(client, engine):
    login(client, "judge2")
    response = client.get(f"/objections/case/{CASE}")
    assert response.status_code == 403
    assert _denials(engine)[-1].actor == "judge2"


def test_judge_cannot_open_admin_pages(client):
    login(client, "judge1")
    assert client.get("/admin/users").status_code == 403


@http_only
def test_logout_needs_a_post_with_csrf(client):
    login(client, "judge1")
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/inquiry/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/inquiry/").status_code == 302


@http_only
def test_open_redirect_after_sign_in_is_ignored(client):
    token = csrf_token(client, "/login")
    response = client.post("/login?next=https://evil.example/", data={"username": "judge1", "password": PASSWORD,
                                                                      "csrf_token": token})
    assert response.location.endswith("/cases")


def test_foreign_case_number_is_outside_the_judges_court():
    from web.security import Account, may_see_case

    judge = Account(1, "j", "j", "judge", "浙1081")
    assert may_see_case(judge, CASE) and not may_see_case(judge, FOREIGN_CASE)
    party = Account(2, "p", "p", "party", "浙1081", [CASE])
    assert may_see_case(party, CASE) and not may_see_case(party, OTHER_CASE)
