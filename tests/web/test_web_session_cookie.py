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

