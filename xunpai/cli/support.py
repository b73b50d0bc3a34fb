"""What every command needs: the database (migrated on first use), a clear Chinese error, JSON output, and dates
read as courts type them (``tax_baseline.typed_dates``, the parser the web views use too)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import click

from tax_baseline.typed_dates import InvalidDate, parse_date, parse_datetime
from xunpai import config
from xunpai.storage import anchor
from xunpai.storage.db import Engine, make_engine, migrate
from xunpai.storage.ledger import canonical_json
from xunpai.storage.unit_of_work import UnitOfWork

_engine: Engine | None = None


def engine() -> Engine:
    """The configured database, brought to the newest schema (created on first start)."""
    global _engine
    if _engine is None:
        _engine = make_engine(config.database_url())
        migrate(_engine)
        try:
            anchor.attach(_engine, anchor.configured(**config.ledger_anchoring()))
        except anchor.AnchorError as exc:
            fail(str(exc))
    return _engine


def unit_of_work() -> UnitOfWork:
    """A unit of work over the configured database for this command (closed when the command ends). The
    command passes it to the service it calls; the service commits."""
    unit = UnitOfWork(engine())
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.call_on_close(unit.close)
    return unit


def fail(message: str, code: int = 2) -> None:
    """Stop with a message for the user (Chinese, what was wrong and what is expected)."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


@contextmanager
def stop_on(*errors: type[Exception]) -> Iterator[None]:
    """Stop the command with the error's own message (Chinese, from the domain or the service) when the block
    raises one of ``errors``."""
    try:
        yield
    except errors as exc:
        fail(str(exc))


def echo_json(value: Any) -> None:
    click.echo(json.dumps(json.loads(canonical_json(value)), ensure_ascii=False, indent=2))


def _typed(parse, text: str | None, what: str):
    try:
        return parse(text, what)
    except InvalidDate as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def required_date(text: str | None, what: str) -> date:
    """A date option as typed (2025-06-01, 2025年6月1日, 2025.6.1, full-width digits); stops with the Chinese
    message of ``tax_baseline.typed_dates`` otherwise, a blank one included."""
    return _typed(parse_date, text, what)


def typed_date(text: str | None, what: str) -> date | None:
    """An optional date option: ``None`` when blank, else as ``required_date``."""
    return None if text is None or not str(text).strip() else required_date(text, what)


def required_datetime(text: str | None, what: str) -> datetime:
    """A moment option as typed (2026-12-01 10:00, 2026-12-01T10:00, 2026年12月1日10时00分)."""
    return _typed(parse_datetime, text, what)


def typed_datetime(text: str | None, what: str) -> datetime | None:
    """An optional moment option: ``None`` when blank, else as ``required_datetime``."""
    return None if text is None or not str(text).strip() else required_datetime(text, what)
