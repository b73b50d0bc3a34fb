"""Sign-in state, roles, CSRF, security headers and the authorization rules of the pages.

Who may see what (issue 6): a judge or clerk sees only the cases of their own court (the court code is part
of the case number, RULES.md section 8); a party sees only the case(s) the court issued them an access code
for; an administrator manages accounts and tables but reads no case. Every refused request answers 403 or 404
and is written to the ledger as ``web.denied``.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, abort, current_app, g, jsonify, render_template, request, session
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFError, CSRFProtect

from auction.case_number import InvalidCaseNumber, parse, validate
from web.database import uow
from xunpai.services import accounts as accounts_service
from xunpai.services.authority import WriteRefused
from xunpai.storage.models.accounts import ROLE_NAMES, User
from xunpai.storage.models.web import PartyAccess

log = logging.getLogger("xunpai.web")
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.session_protection = "strong"

HOME_BY_ROLE = {"judge": "cases.home", "clerk": "listings.lots", "party": "objections.party_home",
                "admin": "admin.users"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


@dataclass
class Account:
    """The signed-in user as the pages see it (detached from any database session)."""

    id: int
    username: str
    display_name: str
    role: str
    court_code: str | None
    case_numbers: list[str] = field(default_factory=list)
    party_role: str = ""
    party_ids: dict[str, int | None] = field(default_factory=dict)  # case number -> procedure party id

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

    @property
    def label(self) -> str:
        """What the ledger records as the actor."""
        return self.username


def account_for(user: User, party_rows: list[PartyAccess]) -> Account:
    cases = [row.case_number for row in party_rows]
    party_role = party_rows[0].party_role if party_rows else ""
    party_ids = {row.case_number: row.party_id for row in party_rows}
    return Account(user.id, user.username, user.display_name, user.role, user.court_code, cases, party_role,
                   party_ids)


@login_manager.user_loader
def _load_user(user_id: str) -> Account | None:
    try:
        # a session signed in under an older session version ended (logout, password change, deactivation)
        found = accounts_service.signed_in(uow(), int(user_id), int(session.get("sv", -1)))
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    g.xunpai_user_row = found.user  # kept for the request: a service's session.get() of the user needs no query
    g.xunpai_quote_context = found.quote_context  # read with the user: a quote reads it not again
    return account_for(found.user, found.party_accesses)


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    login_manager.init_app(app)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if current_user and current_user.is_authenticated and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(CSRFError)
    def _csrf_error(exc):
        _record_denial("csrf", str(exc.description))
        return render_template("error.html", status=400, title="表单校验失败",
                               message="表单已过期或来源不明（CSRF 校验未通过），未做任何修改。请返回、刷新页面后重新提交。"), 400

    @app.errorhandler(WriteRefused)
    def _write_refused(exc: WriteRefused):
        # The service refused a write of another court's record and has written the refusal to the ledger.
        if request.path.startswith("/api/"):
            return jsonify({"error": {"code": "forbidden", "message": str(exc)}}), 403
        return render_template("error.html", status=403, title="无权操作", message=str(exc)), 403

    @app.errorhandler(403)
    def _forbidden(_exc):
        return render_template("error.html", status=403, title="无权访问",
                               message="您的账户无权查看或操作该内容。此次访问已记入台账。"), 403

    @app.errorhandler(404)
    def _not_found(_exc):
        return render_template("error.html", status=404, title="页面不存在",
                               message="未找到该页面或记录；如果链接来自他人，可能您无权查看。"), 404

    @app.errorhandler(413)
    def _too_large(_exc):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return render_template("error.html", status=413, title="上传文件过大",
                               message=f"一次上传的内容不能超过 {limit} MB，未做任何修改。"), 413


def _record_denial(reason: str, detail: str = "", case_number: str = "") -> None:
    """Write the refused request to the ledger (the service commits it: it must survive the abort). Uses the
    request's own unit of work: on SQLite every transaction holds the write lock, so a second one would wait."""
    actor = current_user.username if current_user and current_user.is_authenticated else "(未登录)"
    court = (current_user.court_code or "") if current_user and current_user.is_authenticated else ""
    payload = {"path": request.path, "method": request.method, "reason": reason, "detail": detail,
               "remote": request.remote_addr or ""}
    log.warning("denied %s %s for %s: %s %s", request.method, request.path, actor, reason, detail)
    try:
        accounts_service.record_denial(uow(), payload, actor=actor, court_code=court, case_number=case_number)
    except Exception:  # the refusal itself must still happen
        current_app.logger.exception("could not record a denied request")


def deny(reason: str, *, status: int = 403, case_number: str = "", detail: str = ""):
    _record_denial(reason, detail, case_number)
    abort(status)


def roles_required(*roles: str) -> Callable:
    """Only signed-in users with one of ``roles``; others are sent to sign in (anonymous) or refused (403)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                deny("role", detail=f"需要角色 {'/'.join(roles)}，实为 {current_user.role}")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def may_see_case(account: Account, case_number: str) -> bool:
    try:
        canonical = validate(case_number)
    except InvalidCaseNumber:
        return False
    if account.role == "party":
        return canonical in account.case_numbers
    if account.role in ("judge", "clerk"):
        return parse(canonical).court_code == account.court_code
    return False


def authorize_case(case_number: str) -> str:
    """The canonical case number if the signed-in user may see it; otherwise refuse (404 for parties, who
    must not learn whether another case exists; 403 for staff) and record the refusal."""
    try:
        canonical = validate(case_number)
    except InvalidCaseNumber:
        abort(404)
    if not may_see_case(current_user, canonical):
        deny("case", status=404 if current_user.role == "party" else 403, case_number=canonical,
             detail=f"{current_user.role_name}无权查看该案件")
    return canonical


def authorize_court(court_code: str | None) -> None:
    """Staff may act only on records of their own court."""
    if current_user.role in ("judge", "clerk") and court_code and court_code != current_user.court_code:
        deny("court", detail=f"记录属于 {court_code}，用户属于 {current_user.court_code}")
