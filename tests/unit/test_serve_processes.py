"""How many server processes ``xunpai serve`` starts: as asked, else the CPU count on PostgreSQL and one on SQLite,
whose single writer makes several processes slower than one (docs/production.md, measured by
bench/bench_http_quote.py)."""

from __future__ import annotations

from xunpai.cli.web import _default_workers, server_processes


def test_sqlite_serves_with_one_process_unless_asked():
    assert server_processes("sqlite:////tmp/x.db", None) == 1
    assert server_processes("sqlite:////tmp/x.db", 3) == 3


def test_postgresql_serves_with_one_process_per_cpu_unless_asked():
    url = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert server_processes(url, None) == _default_workers() >= 1
    assert server_processes(url, 4) == 4
