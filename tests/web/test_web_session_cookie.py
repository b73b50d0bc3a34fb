"""The session cookie (``web.sessions``): an unchanged session is not signed and sent again at every response, but
once a minute; a changed one always is; the cookie's age is still checked against PERMANENT_SESSION_LIFETIME, so
a cookie signed longer ago than that no longer signs in (issue 19). SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import time

from flask.sessions import session_json_serializer
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.web.conftest import login
from web import sessions


def _session_cookie_sent(response) -> bool:
    return any(value.startswith("xunpai_session=") for value in response.headers.getlist("Set-Cookie"))


def test_an_unchanged_session_is_not_sent_again_until_a_minute_has_passed(app, client, monkeypatch):
    assert _session_cookie_sent(login(client, "judge1"))  # signing in changes the session: sent
    assert _session_cookie_sent(client.get("/inquiry/"))  # the form's first CSRF token changes it again: sent
    page = client.get("/inquiry/")
    assert page.status_code == 200 and not _session_cookie_sent(page)  # nothing changed, signed just now
    monkeypatch.setattr(sessions, "REFRESH_AFTER", 0)  # as if the cookie was signed a minute ago
    page = client.get("/inquiry/")
    assert page.status_code == 200 and _session_cookie_sent(page)  # refreshed: the idle clock starts again
    assert client.get("/inquiry/").status_code == 200  # the refreshed cookie signs in


def test_a_cookie_signed_longer_ago_than_the_session_lifetime_no_longer_signs_in(app, client):
    login(client, "judge1")
    data = app.session_interface.get_signing_serializer(app).loads(client.get_cookie("xunpai_session").value)
    lifetime = int(app.permanent_session_lifetime.total_seconds())

    class SignedLongAgo(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - lifetime - 60

    old = URLSafeTimedSerializer(app.secret_key, salt="cookie-session", serializer=session_json_serializer,
                                 signer=SignedLongAgo,
                                 signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1})
    stale = app.test_client()
    stale.set_cookie("xunpai_session", old.dumps(data))
    response = stale.get("/inquiry/")
    assert response.status_code == 302 and "/login" in response.location
    fresh = app.test_client()  # the same session signed now still signs in: only its age was refused
    fresh.set_cookie("xunpai_session", app.session_interface.get_signing_serializer(app).dumps(data))
    assert fresh.get("/inquiry/").status_code == 200



def _cookie(client) -> str:
    return client.get_cookie("xunpai_session").value


def test_a_kept_cookie_is_still_refused_once_older_than_the_session_lifetime(app, client, monkeypatch):
    """Each process keeps the cookies it has verified (their signature is not checked again); their age is."""
    login(client, "judge1")
    client.get("/inquiry/")  # its first CSRF token: a new cookie
    assert client.get("/inquiry/").status_code == 200  # that cookie, verified and kept
    interface = app.session_interface
    assert any(value == _cookie(client) for _serializer, value in interface._verified)  # kept
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    now = time.time()
    monkeypatch.setattr(sessions.time, "time", lambda: now + lifetime + 5)
    response = client.get("/inquiry/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_tampered_cookie_is_refused_though_the_genuine_one_is_kept(app, client):
    login(client, "judge1")
    client.get("/inquiry/")
    assert client.get("/inquiry/").status_code == 200
    genuine = _cookie(client)

    def changed(text: str, at: int) -> str:
        return text[:at] + ("A" if text[at] != "A" else "B") + text[at + 1:]

    for forged in (changed(genuine, 8), changed(genuine, len(genuine) - 3)):  # its values; its signature
        other = app.test_client()
        other.set_cookie("xunpai_session", forged)
        response = other.get("/inquiry/")
        assert response.status_code == 302 and "/login" in response.location


def test_a_kept_session_changed_by_one_request_is_unchanged_for_the_next(app, client):
    login(client, "judge1")
    client.get("/inquiry/")
    cookie = _cookie(client)
    interface = app.session_interface
    with app.test_request_context(headers={"Cookie": f"xunpai_session={cookie}"}):
        from flask import request

        first = interface.open_session(app, request)
        first["_user_id"] = "999"  # a view's change (signing out another user, say) is that request's own
        first["note"] = "x"
        second = interface.open_session(app, request)
    assert second["_user_id"] != "999" and "note" not in second


def test_a_session_holding_a_list_is_decoded_anew_each_time(app):
    """Flask's flashed messages are a list that the view appends to in place: such a session is never kept."""
    serializer = app.session_interface.get_signing_serializer(app)
    cookie = serializer.dumps({"_user_id": "1", "_flashes": [["message", "已保存"]]})
    interface = app.session_interface
    with app.test_request_context(headers={"Cookie": f"xunpai_session={cookie}"}):
        from flask import request

        first = interface.open_session(app, request)
        first["_flashes"].append(["message", "第二条"])
        second = interface.open_session(app, request)
    assert second["_flashes"] == [["message", "已保存"]]
    assert all(value != cookie for _serializer, value in interface._verified)
