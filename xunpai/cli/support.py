"""What every command needs: the database (migrated on first use), a clear Chinese error, JSON output."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from sqlalchemy import Engine

from xunpai import config
from xunpai.storage.db import make_engine, migrate
from xunpai.storage.ledger import canonical_json

_engine: Engine | None = None


def engine() -> Engine:
    """The configured database, brought to the newest schema (created on first start)."""
    global _engine
    if _engine is None:
        _engine = make_engine(config.database_url())
        migrate(_engine)
    return _engine


def fail(message: str, code: int = 2) -> None:
    """Stop with a message for the user (Chinese, what was wrong and what is expected)."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(json.loads(canonical_json(value)), ensure_ascii=False, indent=2))
