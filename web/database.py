"""The database of the application: one engine per app, one unit of work per request (``uow()``).

A view passes ``uow()`` to the one service it calls; the service opens its transaction and commits
(``xunpai.storage.unit_of_work``). Views never commit; whatever is left open at the end of a request is rolled
back and the session closed (teardown).
"""

from __future__ import annotations

from flask import Flask, current_app, g

from xunpai import config
from xunpai.storage import anchor
from xunpai.storage.db import Engine, make_engine, migrate, queue_sqlite_writers, session_factory
from xunpai.storage.unit_of_work import UnitOfWork


def init_app(app: Flask) -> None:
    engine = app.config.get("ENGINE")
    if engine is None:
        engine = make_engine(app.config.get("DATABASE_URL"))
        if app.config.get("MIGRATE", True):
            migrate(engine)
        anchor.attach(engine, anchor.configured(**config.ledger_anchoring()))
    elif app.config.get("LEDGER_ANCHOR"):  # an engine handed in (tests, embedding) is anchored only when told
        anchor.attach(engine, anchor.configured(key=app.config["LEDGER_KEY"], anchor=app.config["LEDGER_ANCHOR"],
                                                copy=app.config.get("LEDGER_ANCHOR_COPY"),
                                                every=int(app.config.get("LEDGER_CHECKPOINT_EVERY", 1000))))
    if engine.dialect.name == "sqlite":
        queue_sqlite_writers(engine)
    app.extensions["xunpai_engine"] = engine
    app.extensions["xunpai_sessions"] = session_factory(engine)
    app.teardown_appcontext(_close_uow)


def engine() -> Engine:
    return current_app.extensions["xunpai_engine"]


def uow() -> UnitOfWork:
    """The request's unit of work (one per request, bound to the app's engine, closed at teardown)."""
    if "xunpai_uow" not in g:
        g.xunpai_uow = UnitOfWork(engine(), current_app.extensions["xunpai_sessions"])
    return g.xunpai_uow


def new_uow() -> UnitOfWork:
    """A unit of work of its own, for work that outlives the request (a background job); its owner closes it."""
    return UnitOfWork(engine(), current_app.extensions["xunpai_sessions"])


def _close_uow(_exc: BaseException | None) -> None:
    unit = g.pop("xunpai_uow", None)
    if unit is not None:
        unit.close()
