"""The inquiry on SQLite and PostgreSQL: versions, quotes and refusals in the ledger, limits, the CLI."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal

import pandas as pd
import pytest
from sqlalchemy import func, select, text

from tax_baseline.quote import QuoteEngine
from tests.unit.test_quote import request, small_tables
from xunpai.services import baseline as baseline_store
from xunpai.services.accounts import AccountError, create_user, set_inquiry_limits
from xunpai.services.inquiry import InquiryRefused, quote_batch_for_user, quote_for_user, used_today
from xunpai.storage import ledger
from xunpai.storage.models.accounts import Court, InquiryLimit
from xunpai.storage.models.baseline import TableVersion
from xunpai.storage.models.ledger import LedgerEntry

CASE = "(2026)浙1099执1234号"
NOON = datetime(2026, 3, 2, 12, 0)


@pytest.fixture
def judge(uow):
    uow.session.add(Court(code="浙1099", name="示范市人民法院", zones=["Z1"], policy={}))
    uow.session.flush()
    user = create_user(uow, username="judge", display_name="王法官", role="judge", court_code="浙1099",
                       password="secret-pass-1")
    limit = uow.session.get(InquiryLimit, user.id)
    limit.daily_count, limit.hour_from, limit.hour_to = 3, 8, 18
    baseline_store.save_version(uow, small_tables(), "v1", source="test", created_by="admin")
    baseline_store.activate(uow, "v1", actor="admin")
    uow.session.commit()
    return user


def count(uow, kind):
    return uow.session.execute(select(func.count()).select_from(LedgerEntry).where(LedgerEntry.kind == kind)).scalar_one()


def test_saved_version_prices_exactly_as_in_memory(uow):
    baseline_store.save_version(uow, small_tables(), "v1", source="t", created_by="admin")
    uow.session.commit()
    loaded = baseline_store.load_version(uow, "v1")
    for kw in ({}, {"floor": "1"}, {"building_id": "B3", "floor": "17/18", "area": "120.5"}):
        assert QuoteEngine(loaded).quote(request(**kw)).total_price == QuoteEngine(small_tables()).quote(
            request(**kw)).total_price


def test_a_version_is_used_only_after_explicit_activation(uow, judge):
    baseline_store.save_version(uow, small_tables(), "v2", source="t", created_by="admin")
    uow.session.commit()
    assert baseline_store.get_version(uow).name == "v1"
    baseline_store.activate(uow, "v2", actor="admin")
    uow.session.commit()
    assert baseline_store.get_version(uow).name == "v2"
    assert uow.session.execute(select(TableVersion.status).where(TableVersion.name == "v1")).scalar_one() == "retired"
    entry = list(ledger.entries(uow.session, kind="tables.activate"))[-1]
    assert json.loads(entry.payload) == {"version": "v2", "previous": "v1"} and entry.actor == "admin"


def test_duplicate_version_name_is_refused_and_stores_nothing(uow, judge):
    with pytest.raises(baseline_store.VersionError, match="已存在"):
        baseline_store.save_version(uow, small_tables(), "v1", source="t")
    uow.session.rollback()
    assert baseline_store.version_count(uow) == 1


def test_quote_is_written_to_the_ledger_with_case_and_result(uow, judge):
    inquiry = quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    assert inquiry.result.total_price == Decimal("1016183.70")
    assert inquiry.case_number == "（2026）浙1099执1234号"
    entry = list(ledger.entries(uow.session, kind="inquiry.quote"))[-1]
    payload = json.loads(entry.payload)
    assert payload["result"]["total_price"] == "1016183.70" and payload["inputs"]["area"] == "88.88"
    assert (entry.actor, entry.court_code, entry.case_number) == ("judge", "浙1099", "（2026）浙1099执1234号")
    assert ledger.find_by_verification_code(uow.session, inquiry.verification_code).seq == entry.seq
    assert ledger.verify(uow.session).ok


def test_refusals_are_logged_too(uow, judge):
    with pytest.raises(InquiryRefused, match="案号"):
        quote_for_user(uow, judge, request(), case_number="浙1099执1234", purpose="执行询价", now=NOON)
    with pytest.raises(InquiryRefused, match="高于总层数"):
        quote_for_user(uow, judge, request(floor="9"), case_number=CASE, purpose="执行询价", now=NOON)
    assert count(uow, "inquiry.refused") == 2 and count(uow, "inquiry.quote") == 0


def test_daily_count_boundary(uow, judge):
    for _ in range(3):  # the third query is the last allowed one
        quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    with pytest.raises(InquiryRefused) as info:
        quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    assert info.value.limit == "count"
    assert count(uow, "inquiry.quote") == 3 and count(uow, "inquiry.refused") == 1


def test_a_batch_counts_one_query_per_row_and_the_refusal_says_how_many_remain(uow, judge):
    units = pd.DataFrame({"楼幢编号": ["B1", "B1"], "所在层": ["2", "3"], "建筑面积": ["80", "90"],
                          "立契时间": ["2025-01-01", "2025-01-01"]})
    quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    quote_batch_for_user(uow, judge, units, case_number=CASE, purpose="批量", now=NOON, source_name="a.csv")
    assert used_today(uow, judge, NOON) == 3  # 1 quote + 2 rows: the daily limit of 3 is used up
    with pytest.raises(InquiryRefused) as info:
        quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    assert info.value.limit == "count" and "还可查询 0 次" in info.value.reason
    # the next day: 3 remain, a batch of 4 rows is refused saying so, a batch of 3 passes
    tomorrow = NOON + timedelta(days=1)
    four = pd.concat([units, units], ignore_index=True)
    with pytest.raises(InquiryRefused) as info:
        quote_batch_for_user(uow, judge, four, case_number=CASE, purpose="批量", now=tomorrow, source_name="b.csv")
    assert "还可查询 3 次" in info.value.reason and "本批共 4 条" in info.value.reason
    quote_batch_for_user(uow, judge, four.iloc[:3], case_number=CASE, purpose="批量", now=tomorrow,
                         source_name="c.csv")
    assert used_today(uow, judge, tomorrow) == 3


def test_hours_and_zone_limits(uow, judge):
    with pytest.raises(InquiryRefused) as info:
        quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价",
                       now=datetime(2026, 3, 2, 18, 0))
    assert info.value.limit == "hours"
    quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=datetime(2026, 3, 2, 17, 59))
    limit = uow.session.get(InquiryLimit, judge.id)
    limit.allowed_zones = ["Z9"]
    uow.session.commit()
    with pytest.raises(InquiryRefused) as info:
        quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    assert info.value.limit == "zone"


def test_batch_counts_once_and_reports_each_row(uow, judge):
    units = pd.DataFrame({"楼幢编号": ["B1", "B1", ""], "坐落": ["", "", "东辉公寓3栋"], "所在层": ["3", "9", "中楼层(共6层)"],
                          "朝向": ["南", "南", "北"], "建筑面积": ["88.88", "70", "60"],
                          "立契时间": ["2025-03-10", "2025-03-10", "2025-03-10"], "估价时点": ["2025-03-20", "", ""]})
    batch = quote_batch_for_user(uow, judge, units, case_number=CASE, purpose="批量询价", now=NOON)
    assert list(batch.results["状态"]) == ["成功", "拒绝", "成功"]
    assert batch.results.at[0, "总价(元)"] == "1016183.70"
    assert "总层数" in batch.results.at[1, "原因"] and batch.results.at[2, "楼幢编号(匹配)"] == "B1"
    assert count(uow, "inquiry.batch") == 1


def test_ledger_tampering_is_found_by_the_command(uow, judge, engine, database_url, tmp_path):
    quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    quote_for_user(uow, judge, request(floor="2"), case_number=CASE, purpose="执行询价", now=NOON)
    env = {**os.environ, "XUNPAI_DATABASE_URL": database_url, "XUNPAI_DATA_DIR": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "xunpai", "ledger", "verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    seq = uow.session.execute(select(func.max(LedgerEntry.seq))).scalar_one()
    uow.session.commit()  # end the read (on SQLite a transaction holds the write lock)
    with engine.begin() as conn:
        conn.execute(text("update ledger_entries set payload = replace(payload, '1016183.70', '916183.70') "
                          "where seq = :s"), {"s": seq - 1})
    bad = subprocess.run([sys.executable, "-m", "xunpai", "ledger", "verify"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and f"第 {seq - 1} 条记录的内容被修改" in bad.stderr


def test_cli_import_with_a_bad_cell_imports_nothing(uow, engine, database_url, tmp_path):
    from openpyxl import load_workbook

    from tax_baseline.workbook import write_xlsx

    path = tmp_path / "2026-01.xlsx"
    write_xlsx(small_tables(), path)
    book = load_workbook(path)
    book["楼层系数"]["E2"] = "九十七"
    book.save(path)
    env = {**os.environ, "XUNPAI_DATABASE_URL": database_url, "XUNPAI_DATA_DIR": str(tmp_path)}
    uow.session.commit()
    run = subprocess.run([sys.executable, "-m", "xunpai", "tables", "import", str(path)], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 2 and "“楼层系数”表第 2 行“系数(%)”列：应为数字" in run.stderr
    assert baseline_store.version_count(uow) == 0
    uow.session.commit()
    book["楼层系数"]["E2"] = 97
    book.save(path)
    run = subprocess.run([sys.executable, "-m", "xunpai", "tables", "import", str(path)], env=env,
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert baseline_store.get_version(uow, "2026-01").status == "draft"


def test_a_refilled_database_never_gets_the_previous_tables(uow, engine):
    # A database emptied and refilled (a restored backup, or the test suite) may reuse a version's id.
    from tests.conftest import _clean

    def fill(price: float):
        uow.session.add(Court(code="浙1099", name="示范市人民法院", zones=[], policy={}))
        uow.session.flush()
        user = create_user(uow, username="judge", display_name="王法官", role="judge", court_code="浙1099",
                           password="secret-pass-1")
        tables = small_tables()
        tables.frames["base_prices"].loc[1, "price"] = price
        baseline_store.save_version(uow, tables, "v1", source="t", created_by="admin")
        baseline_store.activate(uow, "v1", actor="admin")
        uow.session.commit()
        return user

    first = quote_for_user(uow, fill(10000.0), request(), case_number=CASE, purpose="执行询价", now=NOON)
    uow.session.close()
    _clean(engine)
    second = quote_for_user(uow, fill(20000.0), request(), case_number=CASE, purpose="执行询价", now=NOON)
    assert first.result.breakdown[0].value == Decimal("10000.00")
    assert second.result.breakdown[0].value == Decimal("20000.00")


def test_ledger_export_reads_like_a_ledger(uow, judge, tmp_path):
    from openpyxl import load_workbook

    quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=NOON)
    with pytest.raises(InquiryRefused):
        quote_for_user(uow, judge, request(floor="9"), case_number=CASE, purpose="执行询价", now=NOON)
    out = tmp_path / "台账.xlsx"
    ledger.export_xlsx(uow.session, out, kind="inquiry")
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    header = rows[0]
    summary = header.index("摘要")
    assert [r[2] for r in rows[1:]] == ["询价", "询价被拒绝"]
    assert rows[1][summary] == ("温岭市太平街道东辉公寓3幢，第 3/6 层，88.88 ㎡，单价 11433.21 元/㎡，"
                                "总价 1016183.70 元（基准表 v1）")
    assert rows[2][summary].startswith("拒绝：") and "高于总层数" in rows[2][summary] and "楼幢 B1" in rows[2][summary]


def test_limits_set_through_the_accounts_service_apply_and_a_bad_one_changes_nothing(uow, judge):
    with pytest.raises(AccountError, match="询价时段 18-8 时不成立"):
        set_inquiry_limits(uow, judge, daily_count=5, hour_from=18, hour_to=8, actor="admin")
    with pytest.raises(AccountError, match="每日询价次数 0 不成立"):
        set_inquiry_limits(uow, judge, daily_count=0, hour_from=0, hour_to=24, actor="admin")
    assert count(uow, "account.limits") == 0
    with pytest.raises(InquiryRefused) as info:
        quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=datetime(2026, 3, 2, 20, 0))
    assert info.value.limit == "hours"
    set_inquiry_limits(uow, judge, daily_count=5, hour_from=0, hour_to=24, actor="admin")
    assert count(uow, "account.limits") == 1
    quote_for_user(uow, judge, request(), case_number=CASE, purpose="执行询价", now=datetime(2026, 3, 2, 20, 0))
