"""The signed session cookie (Flask's own, ``SecureCookieSessionInterface``), at a lower cost per request.

Flask builds the cookie's serializer anew at every request and, for a permanent session (every signed-in one,
``web.auth``), signs and sends the cookie again at every response (``SESSION_REFRESH_EACH_REQUEST``): a third of a
millisecond of a judge's quote. Here the serializer is built once per secret key, and an unchanged cookie is sent
again only when the one the browser holds was signed a minute ago or more. The checks are Flask's: the same
signature, the same salt and key derivation, the same ``PERMANENT_SESSION_LIFETIME`` counted from the cookie's
signing time; an idle session therefore ends that long after its last refresh, which is at most a minute before
Flask's own (sooner, never later). A session that changed (sign-in, sign-out, a new CSRF token) is always sent.

A browser sends the same cookie with every request until it is signed again (a minute at the least, above), so
each process keeps the cookies it has verified (``VERIFIED_KEPT`` of them, by their exact text): a cookie seen
before is not decoded and its signature not checked again, only its age, against the lifetime, at every request.
Only a cookie whose values are all plain (strings, numbers, booleans) is kept: a session holding a list (Flask's
flashed messages) is changed in place by the view, and is decoded anew each time.
"""

from __future__ import annotations

import time

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: An unchanged permanent session's cookie is signed and sent again once it is this old (seconds).
REFRESH_AFTER = 60
#: How many verified cookies a process keeps (then it forgets them all and starts again).
VERIFIED_KEPT = 4096
_PLAIN = (str, int, float, bool, type(None))


class Session(SecureCookieSession):
    #: when the cookie it was read from was signed (seconds since the epoch; None: a new session)
    signed_at: float | None = None


class CookieSessions(SecureCookieSessionInterface):
    session_class = Session

    def __init__(self) -> None:
        super().__init__()
        # (the serializer, the cookie's text) -> (its values, when it was signed): cookies whose signature holds
        self._verified: dict[tuple[int, str], tuple[dict, float]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        cached = app.extensions.get("xunpai_session_serializer")
        if cached is None or cached[0] != key:
            cached = (key, super().get_signing_serializer(app))
            app.extensions["xunpai_session_serializer"] = cached
        return cached[1]

    def open_session(self, app: Flask, request: Request) -> Session | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (id(serializer), value)
        known = self._verified.get(key)
        if known is not None:
            data, signed_at = known
            age = int(time.time()) - int(signed_at)  # as itsdangerous counts it: whole seconds
            if age > max_age or age < 0:
                return self.session_class()
        else:
            try:
                data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            signed_at = signed.timestamp()
            if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
                if len(self._verified) >= VERIFIED_KEPT:
                    self._verified.clear()
                self._verified[key] = (data, signed_at)
        session = self.session_class(data)  # a copy: the view's changes are its own
        session.signed_at = signed_at
        return session

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        if not (session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]):
            return False
        signed = getattr(session, "signed_at", None)
        return signed is None or time.time() - signed >= REFRESH_AFTER


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessions()
