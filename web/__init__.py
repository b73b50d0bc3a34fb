"""The web application (Flask): pages for judges, clerks, parties and administrators, and a JSON API.

``create_app(config)`` builds the application (flaskr's factory); each user group has its blueprint:
``inquiry`` (judges: quotes, batch, ledger), ``objections`` (parties file, judges decide, the agenda),
``listings`` (clerks: lots, documents, publishing, custody, outcomes), ``admin`` and ``api``. The web layer
translates HTTP to service calls (``xunpai.services``) and never holds a business rule.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, redirect, url_for
from flask_login import current_user

from web import (
    admin,
    api,
    api_cases,  # noqa: F401  (the case endpoints, routes of the api blueprint)
    api_vehicles,  # noqa: F401  (the vehicle quote of the JSON API, routes of the api blueprint)
    auth,
    cases,
    database,
    filters,
    inquiry,
    jobs,
    lifecycle,
    listings,
    listings_custody,  # noqa: F401  (the custody and outcome pages, routes of the listings blueprint)
    objections,
    objections_party,  # noqa: F401  (the parties' pages, routes of the objections blueprint)
    public,
    security,
    sessions,
    vehicles,
    vehicles_jobs,  # noqa: F401  (the vehicle batch and the vehicle tables, routes of the vehicles blueprint)
)
from xunpai import config as xunpai_config
from xunpai import logging_setup

DEFAULTS: dict[str, Any] = {
    "DATABASE_URL": None,  # default: XUNPAI_DATABASE_URL or the embedded SQLite database
    "ENGINE": None,  # an existing SQLAlchemy Engine (tests)
    "MIGRATE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,  # set True behind HTTPS (XUNPAI_SECURE_COOKIES=1)
    "SESSION_COOKIE_NAME": "xunpai_session",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "MAX_CONTENT_LENGTH": 50 * 1024 * 1024,  # a whole upload; per-file evidence limits are the engine's
    "UPLOAD_DIR": None,  # default: <data dir>/uploads
    "UPLOAD_RETENTION_DAYS": 30,  # uploads and job results are deleted after this many days (logged)
    "JOBS_INLINE": False,  # run background jobs in the request, through the queue's serialisation (tests)
    "OFF_PEAK_SENDER": True,  # the job worker sends the queued off-peak publications every minute
}


def _secret_key() -> str:
    env = xunpai_config.secret_key()
    if env:
        return env
    path = xunpai_config.data_dir() / "web-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def create_app(config: dict[str, Any] | None = None) -> Flask:
    logging_setup.configure()
    app = Flask(__name__, instance_relative_config=False)
    app.config.update(DEFAULTS)
    # every XUNPAI_* variable (XUNPAI_SECRET_KEY → SECRET_KEY, XUNPAI_LOCAL_PLATFORM_URL, ...); xunpai.config
    # documents them and gives the defaults; what the caller passes wins
    app.config.from_prefixed_env("XUNPAI", loads=str)
    if xunpai_config.secure_cookies():
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
    app.config.update(config or {})
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key()
    upload_dir = Path(app.config["UPLOAD_DIR"] or xunpai_config.data_dir() / "uploads")
    upload_dir.mkdir(parents=True, exist_ok=True)
    app.config["UPLOAD_DIR"] = str(upload_dir)

    database.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    jobs.init_app(app)  # the job queue on this database; the job worker settles interrupted jobs when it starts
    for module in (auth, public, inquiry, objections, listings, lifecycle, admin, api, vehicles, cases):
        app.register_blueprint(module.bp)
    security.csrf.exempt(api.bp)  # token-authenticated, no cookies
    filters.init_app(app)

    @app.route("/")
    def index():
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login"))
        return redirect(url_for(security.HOME_BY_ROLE.get(current_user.role, "auth.login")))

    return app
