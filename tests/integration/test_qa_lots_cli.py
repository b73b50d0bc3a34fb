"""Product QA of the clerk's commands (lots, custody, firms) through click, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from xunpai import cli_support
from xunpai.cli import main


@pytest.fixture
def run(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_support, "_engine", engine)
    monkeypatch.setenv("XUNPAI_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_a_lot_code_used_by_two_courts_lists_the_database_numbers(run, tmp_path):
    # The demo court and the template's demo court both have a lot V00001. Before, the clerk was told to
    # “use the database number”, which no command shows.
    write_sheet(tmp_path / "a.xlsx", demo_rows(1, date(2026, 12, 1)))
    write_sheet(tmp_path / "b.xlsx", demo_rows(1, date(2026, 12, 1), court_code="浙1099", court_name="示范市人民法院"))
    assert run("lots", "import", tmp_path / "a.xlsx").exit_code == 0
    assert run("lots", "import", tmp_path / "b.xlsx").exit_code == 0
    refused = run("lots", "export", "V00001", "-o", tmp_path / "lot.json")
    assert refused.exit_code == 2
    assert "对应 2 个标的" in refused.output and "浙1081，第一次拍卖" in refused.output
    assert "浙1099，第一次拍卖" in refused.output
    number = refused.output.split("数据库编号：")[1].split("（")[0]
    done = run("lots", "export", number, "-o", tmp_path / "lot.json")
    assert done.exit_code == 0, done.output
    assert "（2025）浙1081执1001号" in (tmp_path / "lot.json").read_text(encoding="utf-8")
