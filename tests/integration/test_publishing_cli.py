"""The publishing, custody and firms commands through click (real database on both backends)."""

from __future__ import annotations

import json
import zipfile
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from auction.demo_lots import COURT_CODE, demo_rows
from auction.lot_sheet import write_sheet
from tests.integration.test_lifecycle_service import PROFILE
from tests.uow import unit_scope
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import accounts as accounts_service
from xunpai.services import lifecycle as lifecycle_service
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


def test_bad_sheet_is_refused_with_rows_and_a_result_file(run, tmp_path):
    rows = demo_rows(3, date(2026, 12, 1))
    rows[1]["案号"] = "（2025）浙1081民1号"
    write_sheet(tmp_path / "s.xlsx", rows)
    result = run("lots", "bulk-publish", tmp_path / "s.xlsx", "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 1
    assert "第 3 行（H00002）" in result.output and "案号" in result.output
    rows_out = list(load_workbook(tmp_path / "r.xlsx").active.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[3]) for r in rows_out] == [(3, "数据有误，未发布")]
    assert run("lots", "stats", "--json").output.count('"lots": 0') == 1


def test_import_publish_to_a_listed_platform_outcome_and_stats(run, tmp_path):
    write_sheet(tmp_path / "s.xlsx", demo_rows(2, date(2026, 12, 1)))
    assert "已导入 2 个标的" in run("lots", "import", tmp_path / "s.xlsx").output
    outbox = tmp_path / "outbox"
    published = run("lots", "publish", "V00001", "--platform", "jd", "--outbox", outbox, "--no-documents")
    assert published.exit_code == 0 and "准备就绪" in published.output and "上传包：" in published.output
    again = run("lots", "publish", "V00001", "--platform", "jd", "--outbox", outbox, "--no-documents")
    assert "此前已发布" in again.output
    (package,) = outbox.glob("jd-*.zip")
    manifest = json.loads(zipfile.ZipFile(package).read("manifest.json"))
    assert manifest["platform_name"] == "京东拍卖" and manifest["fields"]["minPrice"].endswith(".00")
    refused = run("lots", "outcome", "V00001", "--result", "sold", "--price", "1.00", "--on", "2026-12-20")
    assert refused.exit_code == 2 and "低于起拍价" in refused.output
    sold_at = manifest["fields"]["minPrice"]
    assert run("lots", "outcome", "V00001", "--result", "sold", "--price", sold_at, "--on", "2026-12-20").exit_code == 0
    stats = run("lots", "stats", "--court", "浙1081", "--from", "2026-12-01", "--to", "2026-12-31", "-o",
                tmp_path / "stats.xlsx")
    assert "成交率 100.00%" in stats.output and "溢价率 0.00%" in stats.output
    assert load_workbook(tmp_path / "stats.xlsx")["统计"].cell(3, 1).value == "浙1081"


def test_send_queued_outside_the_window_sends_nothing(run, tmp_path):
    write_sheet(tmp_path / "s.xlsx", demo_rows(1, date(2026, 12, 1)))
    run("lots", "import", tmp_path / "s.xlsx")
    assert "已排入错峰队列" in run("lots", "publish", "V00001", "--off-peak").output
    outside = run("lots", "send-queued", "--now", "2026-11-27T12:00", "--outbox", tmp_path / "o")
    assert outside.exit_code == 1 and "不在错峰时段" in outside.output


def test_custody_and_firms_commands(run, tmp_path):
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo")
    checks = [a for k in ("exterior", "quantity", "function", "packaging", "documents") for a in ("--check", f"{k}=好")]
    intake = run("custody", "intake", "--court", "浙1081", "--case-number", "（2025）浙1081执9号", "--kind", "movable",
                 "--description", "冰箱 3 台", "--location", "B-2", "--condition", "完好", "--tariff", "12.50",
                 "--intake-on", "2026-03-01", "--photo", photo, *checks)
    assert intake.exit_code == 0, intake.output
    assert run("custody", "slot", "1", "--start", "2026-03-05T14:00", "--end", "2026-03-05T15:00",
               "--capacity", "1").exit_code == 0
    assert run("custody", "book", "1", "--name", "甲", "--identity", "13800000000").exit_code == 0
    full = run("custody", "book", "1", "--name", "乙", "--identity", "13900000000")
    assert full.exit_code == 2 and "名额已满" in full.output
    costs = run("custody", "costs", "--item", "1", "--until", "2026-03-10")
    assert "保管 10 日，保管费 125.00元" in costs.output
    assert run("firms", "register", "甲仓储有限公司", "--service", "storage").exit_code == 0
    assert run("firms", "register", "乙仓储有限公司", "--service", "storage").exit_code == 0
    drawn = run("firms", "draw", "--service", "storage", "--court", "浙1081")
    assert "种子承诺" in drawn.output and "中选：" in drawn.output and "委派编号 1" in drawn.output
    assert "复核通过" in run("firms", "verify", "1").output
    assert run("firms", "task", "1", "--title", "入库拍照", "--due", "2026-03-02").exit_code == 0
    chased = run("firms", "overdue", "--today", "2026-03-05", "--remind")
    assert "逾期 3 日" in chased.output and "已催办" in chased.output


def test_sale_with_buyer_feeds_the_sale_documents(run, engine, tmp_path):
    write_sheet(tmp_path / "s.xlsx", demo_rows(1, date(2026, 12, 1)))
    run("lots", "import", tmp_path / "s.xlsx")
    run("lots", "publish", "V00001", "--platform", "ali", "--outbox", tmp_path / "o", "--no-documents")
    bad_id = run("lots", "outcome", "V00001", "--result", "sold", "--price", "100000.00", "--on", "2026-12-20",
                 "--buyer", "李四", "--buyer-id", "110105194912310021")
    assert bad_id.exit_code == 2 and "身份证号" in bad_id.output
    sold = run("lots", "outcome", "V00001", "--result", "sold", "--price", "100000.00", "--on", "2026-12-20",
               "--buyer", "李四", "--buyer-id", "11010519491231002X", "--bidder-code", "A1234", "--paid-on",
               "2026-12-28")
    assert sold.exit_code == 0, sold.output
    assert run("lots", "export", "V00001", "-o", tmp_path / "v1.json").exit_code == 0
    exported = json.loads((tmp_path / "v1.json").read_text(encoding="utf-8"))["lot"]
    assert exported["sale"]["buyer_name"] == "李四" and exported["sale"]["price_fen"] == 10_000_000
    documents = run("lots", "documents", tmp_path / "v1.json", "-o", tmp_path / "bare")
    assert documents.exit_code == 0, documents.output
    # no stored court profile yet: the ruling, which the panel and the clerk sign, is not made with "—" for them
    assert "未制作成交裁定书：法院信息缺少合议庭成员（至少三人，审判长在前）、书记员。" in documents.output
    assert "V00001-sale_confirmation.pdf" in {p.name for p in (tmp_path / "bare").iterdir()}
    with unit_scope(engine) as uow:  # the administrator saves it; the documents use it by default
        accounts_service.save_court(uow, code=COURT_CODE, name="浙江省温岭市人民法院", zones=[])
        lifecycle_service.save_court_profile(uow, COURT_CODE, actor="admin", actor_role="admin", actor_court=None,
                                             **PROFILE)
    documents = run("lots", "documents", tmp_path / "v1.json", "-o", tmp_path / "docs")
    assert documents.exit_code == 0 and "未制作" not in documents.output, documents.output
    names = {p.name for p in (tmp_path / "docs").iterdir()}
    assert {"V00001-sale_confirmation.pdf", "V00001-sale_ruling.docx"} <= names
