"""The database of the application: one engine per app, one session per request (``db()``).

Views commit explicitly after writing; whatever is left uncommitted at the end of a request is rolled back.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from xunpai.db import make_engine, migrate, session_factory


def init_app(app: Flask) -> None:
    engine = app.config.get("ENGINE")
    if engine is None:
        engine = make_engine(app.config.get("DATABASE_URL"))
        if app.config.get("MIGRATE", True):
            migrate(engine)
    app.extensions["xunpai_engine"] = engine
    app.extensions["xunpai_sessions"] = session_factory(engine)
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    return current_app.extensions["xunpai_engine"]


def db() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["xunpai_sessions"]()
    return g.db_session


def _close_session(_exc: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.rollback()
        session.close()
