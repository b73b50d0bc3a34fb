"""Sessions end on the server (logout, password change, deactivation), API tokens expire and are listed and revoked,
the login gives one message at similar cost for an unknown user and a wrong password, failures make the next
attempt wait (per account and address, never a lockout anyone can cause), party codes are throttled without
locking the case's parties, and weak passwords are refused (issue 18, points 5 and 7). SQLite and PostgreSQL."""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.uow import unit_scope
from tests.web.conftest import CASE, PASSWORD, csrf_token, login, party_login
from xunpai.services import accounts as accounts_service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.accounts import User
from xunpai.storage.unit_of_work import UnitOfWork


def _cookie(client) -> str:
    cookie = client.get_cookie("xunpai_session")
    assert cookie is not None
    return cookie.value


def _replay(app, value: str):
    other = app.test_client()
    other.set_cookie("xunpai_session", value)
    return other.get("/inquiry/")


def _user_id(engine, name):
    with unit_scope(engine) as uow:
        return uow.session.execute(select(User.id).where(User.username == name)).scalar_one()


# ------------------------------------------------------------------ sessions

def test_a_session_cookie_replayed_after_logout_no_longer_signs_in(app, client):
    login(client, "judge1")
    stolen = _cookie(client)
    assert _replay(app, stolen).status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/inquiry/")})
    response = _replay(app, stolen)
    assert response.status_code == 302 and "/login" in response.location


def test_a_password_change_ends_every_other_session(app, client):
    login(client, "judge1")
    stolen = _cookie(client)
    token = csrf_token(client, "/account/password")
    response = client.post("/account/password", data={"csrf_token": token, "old_password": PASSWORD,
                                                      "new_password": "Wenling#2026-new", "new_password2":
                                                      "Wenling#2026-new"})
    assert response.status_code == 302
    assert client.get("/inquiry/").status_code == 200  # the session that changed it goes on
    assert _replay(app, stolen).status_code == 302  # the old cookie ended


def test_deactivation_ends_the_session(app, client, engine):
    login(client, "judge1")
    with unit_scope(engine) as uow:
        accounts_service.update_user(uow, _user_id(engine, "judge1"), active=False, actor="admin")
    assert client.get("/inquiry/").status_code == 302


# ------------------------------------------------------------------ API tokens

def test_api_tokens_expire_are_listed_and_revoked(app, client, engine):
    judge_id, admin_id = _user_id(engine, "judge1"), _user_id(engine, "admin")
    fresh = accounts_service.issue_api_token(UnitOfWork(engine), judge_id, label="对接系统", actor="admin")
    old = accounts_service.issue_api_token(UnitOfWork(engine), judge_id, label="旧", actor="admin",
                                           now=now_local() - timedelta(days=91))
    other = accounts_service.issue_api_token(UnitOfWork(engine), _user_id(engine, "judge2"), label="他院",
                                             actor="admin")

    def me(token):
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert me(fresh) == 200 and me(old) == 401  # issued 91 days ago with the default 90 days
    with pytest.raises(accounts_service.AccountError, match="1 至 366"):
        accounts_service.issue_api_token(UnitOfWork(engine), judge_id, days=0)

    login(client, "judge1")
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "对接系统" in page and "已过期" in page and "他院" not in page  # the owner sees their own
    rows = accounts_service.api_tokens(UnitOfWork(engine), judge_id)
    theirs = next(t.id for t, u in accounts_service.api_tokens(UnitOfWork(engine), admin_id) if t.label == "他院")
    token = csrf_token(client, "/account/tokens")
    response = client.post("/account/tokens", data={"csrf_token": token, "token_id": theirs})
    assert response.status_code == 422  # not theirs to revoke
    mine = next(t.id for t, _u in rows if t.label == "对接系统")
    assert client.post("/account/tokens", data={"csrf_token": token, "token_id": mine}).status_code == 302
    assert me(fresh) == 401  # revoked: stops at once
    # the administrator sees and revokes every account's
    admin = app.test_client()
    login(admin, "admin")
    assert "他院" in admin.get("/account/tokens").get_data(as_text=True)
    admin.post("/account/tokens", data={"csrf_token": csrf_token(admin, "/account/tokens"), "token_id": theirs})
    assert me(other) == 401


# ------------------------------------------------------------------ the login

def test_unknown_user_and_wrong_password_get_one_message(client):
    unknown = login(client, "nobody-here", "wrong-password").get_data(as_text=True)
    wrong = login(client, "judge1", "wrong-password").get_data(as_text=True)
    assert accounts_service.WRONG_LOGIN in unknown and accounts_service.WRONG_LOGIN in wrong
    assert "锁定" not in wrong and "再错" not in wrong


def test_unknown_user_and_wrong_password_cost_about_the_same(engine, seeded, monkeypatch):
    # a real hashing strength, so the password check dominates as in production
    monkeypatch.setattr(accounts_service, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:100000")
    accounts_service.set_password(UnitOfWork(engine), _user_id(engine, "judge1"), "Wenling#2026-timing")
    accounts_service._dummy_hashes.clear()

    def cost(name, n=5):
        runs = []
        for i in range(n):
            start = time.perf_counter()
            accounts_service.authenticate(UnitOfWork(engine), name, "wrong-password", address=f"10.0.0.{i}",
                                          now=now_local() + timedelta(hours=i))
            runs.append(time.perf_counter() - start)
        return statistics.median(runs)

    cost("judge1", 1), cost("nobody", 1)  # warm both paths
    known, unknown = cost("judge1"), cost("nobody")
    assert 0.5 < known / unknown < 2, (known, unknown)


def test_failures_delay_growing_and_only_for_that_client(engine, seeded):
    now = now_local()
    throttle = accounts_service.THROTTLES["pair"]
    waits = []
    for _ in range(throttle.free + 2):  # each guess after the previous wait ended
        result = accounts_service.authenticate(UnitOfWork(engine), "judge1", "wrong", address="10.1.1.1", now=now)
        assert result.reason == accounts_service.WRONG_LOGIN
        waits.append(result.locked_until - now if result.locked_until else timedelta(0))
        now += waits[-1] + timedelta(milliseconds=1)
    assert waits == [timedelta(0)] * (throttle.free - 1) + [timedelta(seconds=2), timedelta(seconds=4),
                                                            timedelta(seconds=8)]
    now -= waits[-1]
    waiting = accounts_service.authenticate(UnitOfWork(engine), "judge1", PASSWORD, address="10.1.1.1", now=now)
    assert waiting.user is None and "过于频繁" in waiting.reason and waiting.locked_until > now
    assert waiting.locked_until > now
    # the owner at another machine is not held up by someone else's guesses
    assert accounts_service.authenticate(UnitOfWork(engine), "judge1", PASSWORD, address="10.2.2.2",
                                         now=now).user is not None
    # and the wait ends by itself
    later = now + timedelta(seconds=8)
    assert accounts_service.authenticate(UnitOfWork(engine), "judge1", PASSWORD, address="10.1.1.1",
                                         now=later).user is not None
    assert result.user is None


def test_many_machines_guessing_one_account_hold_its_owner_a_minute_at_most(engine, seeded):
    now = now_local()
    for i in range(40):
        accounts_service.authenticate(UnitOfWork(engine), "judge1", "wrong", address=f"10.9.0.{i}", now=now)
    waiting = accounts_service.authenticate(UnitOfWork(engine), "judge1", PASSWORD, address="10.3.3.3", now=now)
    assert waiting.user is None and waiting.locked_until - now <= timedelta(minutes=1)
    assert accounts_service.authenticate(UnitOfWork(engine), "judge1", PASSWORD, address="10.3.3.3",
                                         now=now + timedelta(seconds=61)).user is not None


def test_wrong_party_codes_lock_no_party_of_the_case(app, client, seeded):
    """Wrong codes for one party (its code's number, wrong secrets) at one machine: the guesser waits; the case's
    other party at the same machine, and the party itself at another, sign in at once."""
    wrong = seeded.party_code[:5] + "AAAA-BBBB-CCCC"
    for _ in range(12):
        response = party_login(client, CASE, wrong)
    assert response.status_code == 401
    assert "过于频繁" in response.get_data(as_text=True)  # the guesser waits
    assert party_login(app.test_client(), CASE, seeded.applicant_code).status_code == 302  # same address
    party = app.test_client()  # the real party, elsewhere, signs in
    environ = {"REMOTE_ADDR": "10.7.7.7"}
    token_page = party.get("/party/login", environ_base=environ).get_data(as_text=True)
    import re
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    ok = party.post("/party/login", data={"case_number": CASE, "access_code": seeded.party_code, "csrf_token": token},
                    environ_base=environ)
    assert ok.status_code == 302


# ------------------------------------------------------------------ passwords

@pytest.mark.parametrize("password", ["12345678", "password", "judge9x-judge9x", "        ", "qwertyuiop",
                                      "11111111"])
def test_weak_passwords_are_refused(engine, seeded, password):
    with pytest.raises(accounts_service.AccountError):
        accounts_service.create_user(UnitOfWork(engine), username="judge9x", display_name="九号", role="judge",
                                     court_code="浙1081", password=password)
    with pytest.raises(accounts_service.AccountError):
        accounts_service.set_password(UnitOfWork(engine), _user_id(engine, "judge1"), password.replace("judge9x", "judge1"))


def test_a_strong_password_is_accepted(engine, seeded):
    accounts_service.create_user(UnitOfWork(engine), username="judge9x", display_name="九号", role="judge",
                                 court_code="浙1081", password="Wenling#2026-ok")
