"""Product QA of the clerk's commands (lots, custody, firms) through click, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from click.testing import CliRunner

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import outcomes as outcomes_service


@pytest.fixture
def run(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_support, "_engine", engine)
    # the court's clock stands after the demo lots' bidding, so their outcomes are not in the future
    monkeypatch.setattr(outcomes_service, "_now", lambda: datetime(2027, 12, 31, 12, 0))
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


CHECKS = ("exterior=良好", "interior=良好", "engine=正常", "tyres=正常", "keys=2", "documents=行驶证", "mileage=30001",
          "registration=一致", "emission_standard=国六", "violations=无")


def _intake(run, tmp_path, *extra, court="浙1099", on="2026-11-20"):
    photo = tmp_path / "car.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0 car")
    args = ["custody", "intake", "--court", court, "--case-number", "(2026)浙1099执1号", "--kind", "vehicle",
            "--description", "浙J12345 白色轿车", "--location", "城东保管场A区3号", "--condition", "良好",
            "--intake-on", on, "--photo", photo, "--tariff", "20", "--actor", "clerk", *extra]
    for check in CHECKS:
        args += ["--check", check]
    return run(*args)


def test_intake_refuses_a_case_of_another_court_and_a_date_still_to_come(run, tmp_path):
    wrong_court = _intake(run, tmp_path, court="浙9999")  # before: accepted, the item filed under a court
    assert wrong_court.exit_code == 2 and "属于法院“浙1099”" in wrong_court.output
    future = _intake(run, tmp_path, on="2099-01-01")  # before: accepted, storage fees counted from 2099
    assert future.exit_code == 2 and "晚于今天" in future.output
    done = _intake(run, tmp_path)
    assert done.exit_code == 0 and "保管物编号 1" in done.output, done.output


def test_firms_by_chinese_service_name_and_a_draw_that_tells_the_assignment_to_task(run):
    for name in ("甲保管有限公司", "乙物流有限公司"):
        assert run("firms", "register", name, "--service", "仓储保管").exit_code == 0  # the name `firms list` shows
    drawn = run("firms", "draw", "--service", "仓储保管", "--court", "浙1099", "--actor", "clerk")
    assert drawn.exit_code == 0, drawn.output
    # before: “中选机构编号 [1]” (a Python list of provider ids); `firms task` wants the assignment number
    assert "[" not in drawn.output and "中选：" in drawn.output
    assignment = drawn.output.split("委派编号 ")[1].split("）")[0]
    assert run("firms", "task", assignment, "--title", "入库接车", "--due", "2026-12-01").exit_code == 0
    assert run("firms", "verify", "1").exit_code == 0
    missing = run("firms", "verify", "99")  # before: “复核不通过（…或尚未开奖）” for a draw that never existed
    assert missing.exit_code == 2 and "摇号 99 不存在" in missing.output


def test_outcome_records_the_moment_of_sale_for_the_confirmation(run, tmp_path):
    import json

    from docx import Document

    write_sheet(tmp_path / "s.xlsx", demo_rows(1, date(2026, 12, 1)))
    assert run("lots", "import", tmp_path / "s.xlsx").exit_code == 0
    assert run("lots", "publish", "V00001", "--platform", "ali", "--outbox", tmp_path / "o",
               "--no-documents").exit_code == 0
    sale = ["lots", "outcome", "V00001", "--result", "sold", "--price", "100000.00", "--on", "2026-12-17",
            "--buyer", "李四", "--bidder-code", "A1234"]
    early = run(*sale, "--paid-on", "2026-12-16")
    assert early.exit_code == 2 and "早于成交日期" in early.output
    other_day = run(*sale, "--sold-at", "2026-12-18T10:07")
    assert other_day.exit_code == 2 and "不是同一天" in other_day.output
    assert run(*sale, "--sold-at", "2026-12-17T10:07:31", "--paid-on", "2026-12-24").exit_code == 0
    assert run("lots", "export", "V00001", "-o", tmp_path / "v.json").exit_code == 0
    assert json.loads((tmp_path / "v.json").read_text(encoding="utf-8"))["lot"]["sale"]["sold_at"].startswith(
        "2026-12-17T10:07")
    assert run("lots", "documents", tmp_path / "v.json", "-o", tmp_path / "d").exit_code == 0
    text = "".join(p.text for p in Document(tmp_path / "d" / "V00001-sale_confirmation.docx").paragraphs)
    # before: the outcome command could not record it and the confirmation read “通过竞买号A1234于—在…”
    assert "于—" not in text and "2026年12月17日" in text


def test_demo_template_for_a_registered_court(run, uow, tmp_path):
    # before: the demo sheet was always for 浙1081 (温岭), a court the demo database does not have, so the
    # clerk of the demo court published another court's lots
    from openpyxl import load_workbook

    from xunpai.storage.models.accounts import Court

    uow.session.add(Court(code="浙1099", name="示范市人民法院", zones=[], policy={}))
    uow.session.commit()
    done = run("lots", "template", tmp_path / "t.xlsx", "--demo", "2", "--court", "浙1099")
    assert done.exit_code == 0 and "执行法院 浙1099 示范市人民法院" in done.output
    sheet = load_workbook(tmp_path / "t.xlsx").active
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=False))
    assert row["执行法院"] == "示范市人民法院" and "浙1099" in row["案号"]
    unknown = run("lots", "template", tmp_path / "u.xlsx", "--demo", "2", "--court", "浙9999")
    assert unknown.exit_code == 2 and "未登记" in unknown.output and not (tmp_path / "u.xlsx").exists()


def test_an_item_taken_in_before_its_lot_existed_is_linked_later_and_then_delivered(run, tmp_path):
    # before: no command could attach an item to its lot after intake (the usual order: seize and store,
    # then price and list), so the item could never be delivered to the buyer
    row = demo_rows(1, date(2026, 12, 1), court_code="浙1099", court_name="示范市人民法院")[0]
    row["案号"] = "(2026)浙1099执1号"
    write_sheet(tmp_path / "s.xlsx", [row])
    assert run("lots", "import", tmp_path / "s.xlsx").exit_code == 0
    assert _intake(run, tmp_path).exit_code == 0  # item 1, no lot
    unlinked = run("custody", "release", "1", "--kind", "delivered", "--on", "2026-12-20", "--to", "李四")
    assert unlinked.exit_code == 2 and "custody link" in unlinked.output
    assert run("custody", "link", "1", "--lot", "V00001").exit_code == 0
    assert run("lots", "publish", "V00001", "--platform", "ali", "--outbox", tmp_path / "o",
               "--no-documents").exit_code == 0
    sold = run("lots", "outcome", "V00001", "--result", "sold", "--price", "100000.00", "--on", "2026-12-17")
    assert sold.exit_code == 0, sold.output
    done = run("custody", "release", "1", "--kind", "delivered", "--on", "2026-12-20", "--to", "李四")
    assert done.exit_code == 0, done.output


def test_linking_to_a_lot_of_another_case_is_refused(run, tmp_path):
    write_sheet(tmp_path / "s.xlsx", demo_rows(1, date(2026, 12, 1), court_code="浙1099", court_name="示范市人民法院"))
    assert run("lots", "import", tmp_path / "s.xlsx").exit_code == 0
    assert _intake(run, tmp_path).exit_code == 0
    refused = run("custody", "link", "1", "--lot", "V00001")
    assert refused.exit_code == 2 and "不能关联" in refused.output
