"""``xunpai lots plan --working-days`` reads the working calendar from the database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from auction.calendar import statutory_holidays
from tests.uow import unit_scope
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import procedure as service

ARGS = ["lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "first",
        "--announce-on", "2026-12-01", "--working-days", "--json"]


@pytest.fixture
def run(database_url, monkeypatch):
    monkeypatch.setenv("XUNPAI_DATABASE_URL", database_url)
    monkeypatch.setattr(cli_support, "_engine", None)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    yield invoke
    if cli_support._engine is not None:
        cli_support._engine.dispose()


def test_bidding_moves_off_new_year_and_an_unannounced_year_is_flagged(run):
    result = run(*ARGS)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["bidding_start"] == "2027-01-04T10:00:00"  # 2027-01-01 is 元旦, then a weekend
    assert data["announcement_days"] == 34
    assert data["calendar_warnings"] and "2027年" in data["calendar_warnings"][0]


def test_an_entered_notice_is_used_and_clears_the_warning(run, engine):
    # an invented notice: 4 January off as well, besides the statutory holidays (全国年节及纪念日放假办法 art. 2)
    holidays = [*statutory_holidays(2027), date(2027, 1, 4)]
    with unit_scope(engine) as uow:
        service.set_calendar_year(uow, 2027, holidays, [], source="国办发明电〔2026〕X号", actor="admin",
                                  now=datetime(2026, 11, 1, 9))
    data = json.loads(run(*ARGS).output)
    assert data["bidding_start"] == "2027-01-05T10:00:00"
    assert data["calendar_warnings"] == []
