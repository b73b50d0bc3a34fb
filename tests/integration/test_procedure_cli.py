"""``xunpai deadline``, ``xunpai agenda`` and ``xunpai calendar`` through click's CliRunner, on both databases."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner

from tests.uow import unit_scope
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import procedure as service
from xunpai.storage.models.accounts import Court


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


def test_deadline_rolls_over_national_day(run):
    result = run("deadline", "--from", "2025-09-26", "--days", "5")
    assert result.exit_code == 0, result.output
    assert "2025-10-09 24:00" in result.output and "顺延" in result.output
    data = json.loads(run("deadline", "--from", "2025-09-26", "--days", "5", "--json").output)
    assert data["due"] == "2025-10-09" and data["provisional"] is False and data["rolled_from"] == "2025-10-01"


def test_deadline_in_working_days_counts_the_make_up_sunday(run):
    data = json.loads(run("deadline", "--from", "2025-09-26", "--days", "3", "--working-days", "--json").output)
    assert data["due"] == "2025-09-30" and data["working_days"] is True


def test_later_year_is_provisional_until_the_notice_is_entered(run):
    before = json.loads(run("deadline", "--from", "2027-02-01", "--days", "5", "--json").output)
    assert before["provisional"] and "2027" in before["reason"] and before["due"] == "2027-02-08"
    text = run("deadline", "--from", "2027-02-01", "--days", "5").output
    assert "暂定：是" in text
    entered = run("calendar", "set-year", "2027", "--holidays", "2027-01-01,2027-02-05..2027-02-11,2027-04-05,2027-05-01..2027-05-05,2027-06-09,2027-09-15,2027-10-01..2027-10-07",
                  "--workdays", "2027-02-13", "--source", "测试用放假通知")
    assert entered.exit_code == 0, entered.output
    assert "放假 23 天" in entered.output
    after = json.loads(run("deadline", "--from", "2027-02-01", "--days", "5", "--json").output)
    assert after["provisional"] is False
    assert after["due"] == "2027-02-12"
    shown = json.loads(run("calendar", "show", "2027", "--json").output)
    assert shown["source"] == "administrator" and "2027-02-13" in shown["weekend_workdays"]


def test_calendar_year_from_csv(run, tmp_path):
    path = tmp_path / "2028.csv"
    rows = ["2028-01-01,放假", "2028-01-24,holiday", *(f"2028-01-{d},放假" for d in range(25, 29)), "2028-01-29,上班",
            "2028-04-04,放假", "2028-05-01,放假", "2028-05-02,放假", "2028-10-02,放假", "2028-10-03,放假"]
    path.write_text("date,type\n" + "\n".join(rows[:-1]) + "\n", encoding="utf-8")
    refused = run("calendar", "set-year", "2028", "--csv", str(path), "--source", "测试")
    assert refused.exit_code != 0 and "2028-10-03（国庆节）" in refused.output  # left out: refused
    path.write_text("date,type\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = run("calendar", "set-year", "2028", "--csv", str(path), "--source", "测试")
    assert result.exit_code == 0, result.output
    data = json.loads(run("deadline", "--from", "2028-01-20", "--days", "3", "--json").output)
    # 23 Jan is a Sunday, 24 Jan entered as a rest day, 25-28 Jan the Spring Festival, 29 Jan a make-up Saturday
    assert data["due"] == "2028-01-29" and not data["provisional"]


@pytest.mark.parametrize("args, message", [
    (["calendar", "set-year", "2026", "--holidays", "2026-01-01", "--source", "x"], "chinesecalendar"),
    (["calendar", "set-year", "2027", "--holidays", "2028-01-01", "--source", "x"], "不属于"),
    (["calendar", "set-year", "2027", "--holidays", "2027-13-01", "--source", "x"], "不是有效日期"),
    (["deadline", "--from", "昨天", "--days", "5"], "YYYY-MM-DD"),
])
def test_user_errors_are_explained_in_chinese(run, args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_agenda_lists_the_courts_open_steps(run, engine):
    with unit_scope(engine) as uow:
        uow.session.add(Court(code="浙1081", name="温岭市人民法院", zones=[], policy={}))
        uow.session.flush()
        service.create_case(uow, "浙1081", "（2025）浙1081执7号",
                            [service.PartyInput("applicant", "张三", "330102199003030033"),
                             service.PartyInput("debtor", "李四", "440304198505050047")],
                            actor="法官甲", now=datetime(2025, 9, 1, 9))
        service.add_lot(uow, "（2025）浙1081执7号", "住宅", seized_on=date(2025, 9, 1), actor="法官甲",
                        now=datetime(2025, 9, 1, 9))
    data = json.loads(run("agenda", "--court", "浙1081", "--today", "2025-10-10", "--json").output)
    (item,) = data["items"]
    assert item["step"] == "启动确定参考价程序" and item["due"] == "2025-10-09"  # day 30 = 1 Oct, rolled
    assert item["overdue"] is True and item["provisional"] is False
    text = run("agenda", "--court", "浙1081", "--today", "2025-10-09").output
    assert "2025-10-09 24:00" in text and "已逾期" not in text
    missing = CliRunner().invoke(main, ["agenda", "--court", "京0101"])
    assert missing.exit_code == 2 and "不存在" in missing.output
