"""Jinja filters and globals: money in yuan with thousands separators, dates in the court's form, role names."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask import Flask
from flask_login import current_user

from tax_baseline.money import format_figures
from xunpai.storage.ledger import KIND_NAMES
from xunpai.storage.models.accounts import ROLE_NAMES


def yuan(value, places: int = 2) -> str:
    """Show an amount in yuan (Decimal, int, str); no float arithmetic on money."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{amount:,.{places}f}"


def fen_to_yuan(value) -> str:
    """Integer fen shown in yuan with separators (``tax_baseline.money.format_figures``)."""
    if value is None:
        return "—"
    return format_figures(int(value))


def cn_date(value) -> str:
    if not value:
        return "—"
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日"


def init_app(app: Flask) -> None:
    app.add_template_filter(yuan)
    app.add_template_filter(fen_to_yuan)
    app.add_template_filter(cn_date)
    app.add_template_filter(lambda kind: KIND_NAMES.get(kind, kind), "kind_name")
    app.add_template_filter(lambda role: ROLE_NAMES.get(role, role), "role_name")

    @app.context_processor
    def _globals():
        return {"me": current_user, "ROLE_NAMES": ROLE_NAMES}
