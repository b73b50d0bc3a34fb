"""Product QA of the inquiry command line, on SQLite and PostgreSQL: what a judge or administrator met."""

import os
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import func, select

from tax_baseline.workbook import write_xlsx
from tests.unit.test_quote import small_tables
from xunpai.services import baseline as baseline_store
from xunpai.services.accounts import create_user
from xunpai.storage.models.accounts import Court, InquiryLimit
from xunpai.storage.models.ledger import LedgerEntry

CASE = "(2026)浙1099执1234号"


@pytest.fixture
def env(uow, database_url, tmp_path):
    uow.session.add(Court(code="浙1099", name="示范市人民法院", zones=["Z1"], policy={}))
    uow.session.flush()
    user = create_user(uow, username="judge", display_name="王法官", role="judge", court_code="浙1099",
                       password="secret-pass-1")
    limit = uow.session.get(InquiryLimit, user.id)
    limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 100_000  # a batch counts per row
    baseline_store.save_version(uow, small_tables(), "v1", source="test", created_by="admin")
    baseline_store.activate(uow, "v1", actor="admin")
    uow.session.commit()
    return {**os.environ, "XUNPAI_DATABASE_URL": database_url, "XUNPAI_DATA_DIR": str(tmp_path)}


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "xunpai", *args], env=env, capture_output=True, text=True)


def batches(uow):
    uow.session.commit()
    count = uow.session.execute(select(func.count()).select_from(LedgerEntry)
                            .where(LedgerEntry.kind == "inquiry.batch")).scalar_one()
    uow.session.commit()  # end the read (on SQLite a transaction holds the lock the command needs)
    return count


def test_batch_into_a_missing_folder_is_refused_before_anything_is_priced(uow, env, tmp_path):
    units = tmp_path / "units.csv"
    pd.DataFrame({"楼幢编号": ["B1"], "所在层": ["3"], "建筑面积": ["88.88"], "立契时间": ["2025-03-10"]}).to_csv(
        units, index=False)
    done = run(env, "quote-batch", str(units), "-o", str(tmp_path / "无此文件夹" / "out.xlsx"),
               "--case-number", CASE, "--user", "judge")
    # before: a Python traceback after the batch had been counted and recorded, and the results were lost
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "文件夹" in done.stderr and "不存在" in done.stderr
    assert batches(uow) == 0
    done = run(env, "quote-batch", str(units), "-o", str(tmp_path / "out.xlsx"), "--case-number", CASE,
               "--user", "judge")
    assert done.returncode == 0, done.stderr
    assert batches(uow) == 1


def test_exports_into_a_missing_folder_say_so(env, tmp_path):
    for args in (("ledger", "export"), ("tables", "export", "--template")):
        done = run(env, *args, str(tmp_path / "无此文件夹" / "x.xlsx"))
        assert done.returncode == 2 and "Traceback" not in done.stderr and "不存在" in done.stderr, done.stderr


def test_import_reports_row_counts_by_the_chinese_sheet_names(env, tmp_path):
    path = tmp_path / "v2.xlsx"
    write_xlsx(small_tables(), path)
    done = run(env, "tables", "import", str(path))
    assert done.returncode == 0, done.stderr
    # before: “zones 1，communities 2，buildings 3 …” (the names in code) in a Chinese message
    assert "楼幢 3" in done.stdout and "楼层系数 24" in done.stdout
    assert "buildings" not in done.stdout and "floor_coefficients" not in done.stdout


def test_a_contract_date_still_to_come_is_refused_in_the_quote_and_in_the_batch(uow, env, tmp_path):
    # before: 2030-01-01 was priced (the index months after the last known one counted as 100), in the batch
    # without even a warning
    from datetime import datetime

    from tests.unit.test_quote import request
    from xunpai.services.inquiry import InquiryRefused, quote_batch_for_user, quote_for_user
    from xunpai.storage.models.accounts import User

    judge = uow.session.execute(select(User).where(User.username == "judge")).scalar_one()
    now = datetime(2026, 3, 2, 12, 0)
    with pytest.raises(InquiryRefused, match="立契时间 2026-03-03 晚于今天 2026-03-02"):
        quote_for_user(uow, judge, request(contract_date=datetime(2026, 3, 3).date(), valuation_date=None),
                       case_number=CASE, purpose="执行询价", now=now)
    assert quote_for_user(uow, judge, request(contract_date=now.date(), valuation_date=None),
                          case_number=CASE, purpose="执行询价", now=now).result.total_price > 0
    units = pd.DataFrame({"楼幢编号": ["B1", "B1"], "所在层": ["3", "3"], "建筑面积": ["88.88", "88.88"],
                          "立契时间": ["2026-03-02", "2026-03-03"]})
    batch = quote_batch_for_user(uow, judge, units, case_number=CASE, purpose="批量询价", now=now)
    assert list(batch.results["状态"]) == ["成功", "拒绝"]
    assert "晚于今天" in batch.results.at[1, "原因"]


def test_a_refusal_names_its_own_ledger_entry(uow, env):
    # before: “（已记入台账）” with no number, and the --json refusal had no ledger_seq, so the refused query
    # could not be found in the 台账 by the judge who made it
    import json

    done = run(env, "quote", "--building-id", "B1", "--floor", "9", "--area", "80", "--contract-date", "2025-03-10",
               "--case-number", CASE, "--user", "judge", "--json")
    assert done.returncode == 3
    data = json.loads(done.stdout)
    uow.session.commit()
    entry = uow.session.execute(select(LedgerEntry).where(LedgerEntry.seq == data["ledger_seq"])).scalar_one()
    uow.session.commit()
    assert entry.kind == "inquiry.refused" and data["reason"] in entry.payload
    assert f"已记入台账，序号 {data['ledger_seq']}" in done.stderr
