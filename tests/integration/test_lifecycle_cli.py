"""The lifecycle commands (``xunpai lots status|event|next-round|papers``) and the 变卖 plan through click, on
both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from tests.integration.test_lifecycle_service import ANNOUNCE, _setup
from tests.uow import unit_scope
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import lifecycle as service


@pytest.fixture
def run(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_support, "_engine", engine)
    monkeypatch.setenv("XUNPAI_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


def test_events_next_round_and_papers_from_the_command_line(run, engine, tmp_path):
    with unit_scope(engine) as uow:
        lot_id = _setup(uow)
        plan = service.lot_view(uow, lot_id).life.plan
    refused = run("lots", "event", lot_id, "announce", "--on", ANNOUNCE.isoformat())
    assert refused.exit_code != 0 and "网拍规定第二十七条" in refused.output
    ok = run("lots", "event", lot_id, "panel_decision", "--on", (ANNOUNCE - timedelta(days=5)).isoformat(),
             "--set", "members=张审判长,王法官,陈法官")
    assert ok.exit_code == 0 and "待公告" in ok.output
    assert run("lots", "event", lot_id, "announce", "--on", ANNOUNCE.isoformat()).exit_code == 0
    assert run("lots", "event", lot_id, "open_bidding", "--on", plan.bidding_start.date().isoformat(),
               "--at", plan.bidding_start.isoformat(timespec="minutes")).exit_code == 0
    assert run("lots", "event", lot_id, "unsold", "--on", plan.bidding_end.date().isoformat()).exit_code == 0
    status = run("lots", "status", lot_id)
    assert "流拍" in status.output and "网拍规定第二十六条第一款" in status.output and "第二次拍卖" in status.output
    started = run("lots", "next-round", lot_id, "--announce-on", (plan.bidding_end.date() + timedelta(days=4)).isoformat(),
                  "--notified-on", plan.bidding_end.date().isoformat())
    assert started.exit_code == 0 and "第二次拍卖" in started.output
    papers = run("lots", "papers", lot_id, "-o", tmp_path / "papers")
    assert papers.exit_code == 0
    names = {p.name for p in (tmp_path / "papers").iterdir()}
    assert {"WL-2026-0001-合议庭评议笔录.pdf", "WL-2026-0001-拍卖裁定书.docx", "WL-2026-0001-拍卖公告.pdf"} <= names


def test_the_fixed_price_sale_plan_prints_no_deposit_increment_or_extension(run):
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "变卖",
                 "--announce-on", "2026-12-01", "--previous-starting-price", "672000")
    assert result.exit_code == 0
    heads = [line.split("\u3000")[0] for line in result.output.splitlines()]
    assert "变卖价" in heads and "保证金" not in heads and "加价幅度" not in heads and "延时规则" not in heads
    assert "顺延" not in result.output and "尾款" not in result.output and "不设竞价程序" in result.output
    second = run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "second",
                 "--announce-on", "2026-12-01", "--previous-starting-price", "840000")
    assert "如流拍" not in second.output  # no next-round limit printed without legal basis
