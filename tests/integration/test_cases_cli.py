"""``xunpai case`` and ``xunpai price`` on SQLite and PostgreSQL: a case registered with its parties and
property, 议价 refused on different results and recorded on identical ones, the price fixed and shown in yuan,
a lot's usability checked, refusals in Chinese with exit code 2 and nothing changed."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from click.testing import CliRunner

from tests.uow import unit_scope
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import accounts
from xunpai.storage.ledger import now_local

CASE = "（2026）浙1081执880号"


@pytest.fixture
def run(database_url, monkeypatch, engine):
    with unit_scope(engine) as uow:
        accounts.save_court(uow, code="浙1081", name="温岭市人民法院", zones=[])
        accounts.create_user(uow, username="judge1", display_name="王法官", role="judge", court_code="浙1081",
                             password="x-very-long-password-1")
    monkeypatch.setenv("XUNPAI_DATABASE_URL", database_url)
    monkeypatch.setattr(cli_support, "_engine", None)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)

    yield invoke
    if cli_support._engine is not None:
        cli_support._engine.dispose()


def test_a_case_through_negotiation_to_its_reference_price(run):
    today = now_local().date()
    result = run("case", "register", CASE, "--court", "浙1081", "--judge", "judge1", "--by", "judge1",
                 "--party", "申请执行人,张三,330102199003030033,温岭市太平街道1号,0576-1",
                 "--party", "被执行人,李四,440304198505050047,温岭市城东街道2号,0576-2")
    assert result.exit_code == 0, result.output
    bad = run("case", "register", "（2026）浙1081执881号", "--court", "浙1081", "--by", "judge1",
              "--party", "债务人,李四,440304198505050047")
    assert bad.exit_code == 2 and "申请执行人、被执行人 或 利害关系人" in bad.output
    added = run("case", "add-property", CASE, "--name", "东辉公寓1幢501室住宅", "--seized-on",
                (today - timedelta(days=5)).isoformat(), "--by", "judge1")
    assert added.exit_code == 0 and "财产 #" in added.output, added.output
    prop = added.output.split("#", 1)[1].split()[0]
    differ = run("price", "negotiate", CASE, prop, "--submission", "张三=1200000", "--submission", "李四=1150000",
                 "--on", today.isoformat(), "--by", "judge1")
    assert differ.exit_code == 2 and "不一致" in differ.output and "1,200,000.00" in differ.output
    agreed = run("price", "negotiate", CASE, prop, "--submission", "张三=1180000", "--submission", "李四=1180000.00",
                 "--on", today.isoformat(), "--by", "judge1")
    assert agreed.exit_code == 0 and "1,180,000.00 元" in agreed.output, agreed.output
    shown = json.loads(run("case", "show", CASE, "--json").output)
    report_id = shown["properties"][0]["results"][0]["id"]
    fixed = run("price", "fix", CASE, prop, "--report", str(report_id), "--by", "judge1")
    assert fixed.exit_code == 0 and "1,180,000.00 元" in fixed.output, fixed.output
    shown = json.loads(run("case", "show", CASE, "--json").output)
    price = shown["properties"][0]["reference_price"]
    assert price["value"] == "1,180,000.00" and price["fixed_by"] == "judge1"
    text = run("case", "show", CASE).output
    assert "参考价：1,180,000.00 元" in text and "0576-2" in text
    usable = run("price", "for-lot", CASE, prop, "--announce-on", (today + timedelta(days=1)).isoformat(),
                 "--bidding-end", (today + timedelta(days=40)).isoformat())
    assert usable.exit_code == 0 and "可以发布" in usable.output
    late = run("price", "for-lot", CASE, prop, "--announce-on", (today + timedelta(days=400)).isoformat(),
               "--bidding-end", (today + timedelta(days=440)).isoformat())
    assert late.exit_code == 2 and "有效期内未发布一拍公告" in late.output
    bogus = run("price", "directed", CASE, prop, "--receipt", "0000-0000-0000", "--by", "judge1")
    assert bogus.exit_code == 2 and "不是询价回执的校验码" in bogus.output
    agenda = run("agenda", "--court", "浙1081")
    assert "启动变价程序" in agenda.output and CASE in agenda.output


def test_a_posted_objection_entered_by_the_court_and_the_judges_decisions(run):
    today = now_local().date()
    run("case", "register", CASE, "--court", "浙1081", "--by", "judge1",
        "--party", "申请执行人,张三,330102199003030033", "--party", "被执行人,李四,440304198505050047,温岭市城东街道2号")
    prop = run("case", "add-property", CASE, "--name", "住宅", "--by", "judge1").output.split("#", 1)[1].split()[0]
    report = run("price", "report", CASE, prop, "--kind", "appraisal", "--source", "甲评估", "--value", "1000000",
                 "--issued-on", (today - timedelta(days=30)).isoformat(),
                 "--received-on", (today - timedelta(days=30)).isoformat(), "--by", "judge1")
    report_id = report.output.split("#", 1)[1].split("：")[0]
    run("price", "sent", report_id, "--on", (today - timedelta(days=29)).isoformat(), "--by", "judge1")
    received = today - timedelta(days=25)
    filed = run("objection", "file", CASE, report_id, "--id-number", "440304198505050047", "--ground", "method",
                "--facts", "可比实例选取不当", "--reasons", "应选同小区成交", "--received-on", received.isoformat(),
                "--mailed-on", (received + timedelta(days=5)).isoformat(), "--key", "paper-0001", "--by", "clerk1")
    assert filed.exit_code == 0 and "已登记异议 #1（已提交）" in filed.output, filed.output
    again = run("objection", "file", CASE, report_id, "--id-number", "440304198505050047", "--ground", "method",
                "--facts", "可比实例选取不当", "--reasons", "应选同小区成交", "--received-on", received.isoformat(),
                "--key", "paper-0001", "--by", "clerk1")
    assert "未重复登记" in again.output
    refused = run("objection", "refuse", "1", "--reason", "逾期提出", "--served-on", today.isoformat(), "--by", "judge1")
    assert refused.exit_code == 0, refused.output
    late = run("objection", "review", "1", "--applied-on", (today + timedelta(days=30)).isoformat(), "--by", "judge1")
    assert late.exit_code == 2 and "已逾期" in late.output
    assert run("objection", "review", "1", "--applied-on", today.isoformat(), "--by", "judge1").exit_code == 0
    extended = run("objection", "extend-review", "1", "--approved-by", "院长甲", "--approved-on", today.isoformat(),
                   "--by", "judge1")
    assert extended.exit_code == 0 and "延长 30 日" in extended.output
