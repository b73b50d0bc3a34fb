"""A PostgreSQL connection the server ended (a restart, ``pg_terminate_backend``) is never handed to a request:
the pool checks its socket without a round trip and opens a new one."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from xunpai.storage.db import make_engine


def test_connections_the_server_ended_are_replaced_without_an_error(engine, database_url, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has no server to end a connection")
    app_engine = make_engine(database_url, pool_size=3)
    try:
        connections = [app_engine.connect() for _ in range(3)]
        pids = {conn.execute(text("select pg_backend_pid()")).scalar_one() for conn in connections}
        for conn in connections:
            conn.close()  # back to the pool, idle
        with engine.connect() as admin:
            for pid in pids:
                assert admin.execute(text("select pg_terminate_backend(:pid)"), {"pid": pid}).scalar_one()
        time.sleep(0.2)  # the server's last message and the socket's close reach the client
        for _ in range(3):  # every pooled connection was ended: each checkout finds out and reconnects
            with app_engine.connect() as conn:
                assert conn.execute(text("select pg_backend_pid()")).scalar_one() not in pids
    finally:
        app_engine.dispose()
