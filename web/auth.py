"""Sign-in and sign-out: staff with user name and password, parties with the case number and the access
code the court issued them. Lockout after repeated failures is the accounts service's rule."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from web.database import uow
from web.security import HOME_BY_ROLE, account_for
from xunpai.services import accounts as accounts_service
from xunpai.storage import ledger

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _signed_in(user):
    found = accounts_service.signed_in(uow(), user.id)
    account = account_for(found.user, found.party_accesses)
    session.clear()  # a fresh session on sign-in (no fixation)
    session.permanent = True
    session["sv"] = found.user.session_version or 0  # the server ends it by moving the account's version on
    login_user(account)
    target = _safe_next(request.args.get("next"))
    return redirect(target or url_for(HOME_BY_ROLE[account.role]))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    error = ""
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "")
        result = accounts_service.authenticate(uow(), username, request.form.get("password", ""),
                                               address=request.remote_addr or "")
        if result.user is not None:
            return _signed_in(result.user)
        error = result.reason
    return render_template("auth/login.html", error=error, username=username), (401 if error else 200)


@bp.route("/party/login", methods=["GET", "POST"])
def party_login():
    if current_user.is_authenticated:
        return redirect(url_for("index"))
    error = ""
    case_number = request.args.get("case", "")
    if request.method == "POST":
        case_number = request.form.get("case_number", "")
        result = accounts_service.authenticate_party(uow(), case_number, request.form.get("access_code", ""),
                                                     address=request.remote_addr or "")
        if result.user is not None:
            return _signed_in(result.user)
        error = result.reason
    return (render_template("auth/party_login.html", error=error, case_number=case_number),
            (401 if error else 200))


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    was_party = current_user.role == "party"
    accounts_service.end_sessions(uow(), current_user.id)  # the cookie, even replayed, no longer signs in
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.party_login" if was_party else "auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    if current_user.role == "party":
        return redirect(url_for("index"))
    error = ""
    if request.method == "POST":
        try:
            error = accounts_service.change_password(uow(), current_user.id, request.form.get("old_password", ""),
                                                     request.form.get("new_password", ""),
                                                     request.form.get("new_password2", ""),
                                                     address=request.remote_addr or "")
        except accounts_service.AccountError as exc:
            error = str(exc)
        else:
            if not error:
                # every other session of the account ended with the change; this one goes on under the new version
                found = accounts_service.signed_in(uow(), current_user.id)
                session["sv"] = found.user.session_version if found else -1
                flash("密码已修改；其他已登录的会话均已退出。", "success")
                return redirect(url_for("index"))
    return render_template("auth/password.html", error=error)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """API tokens: a user lists and revokes their own; an administrator every account's."""
    if current_user.role == "party":
        return redirect(url_for("index"))
    error = ""
    if request.method == "POST":
        try:
            token = accounts_service.revoke_api_token(uow(), request.form.get("token_id", type=int) or 0,
                                                      viewer_id=current_user.id)
        except accounts_service.AccountError as exc:
            error = str(exc)
        else:
            flash(f"接口令牌“{token.label or token.id}”已吊销，立即失效。", "success")
            return redirect(url_for("auth.tokens"))
    rows = accounts_service.api_tokens(uow(), current_user.id)
    return render_template("auth/tokens.html", rows=rows, error=error, now=ledger.now_local()), (422 if error else 200)
