"""``xunpai quote-batch`` on a Parquet dataset and ``xunpai revalue``, on SQLite and PostgreSQL: the same fen as the
single-file batch, one ledger entry carrying the output's content hash, refusals that change nothing."""

import hashlib
import json
import os
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import select

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
    judge = create_user(uow, username="judge", display_name="王法官", role="judge", court_code="浙1099",
                        password="secret-pass-1")
    limit = uow.session.get(InquiryLimit, judge.id)
    limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 100_000  # a batch counts per row
    create_user(uow, username="boss", display_name="管理员", role="admin", court_code="浙1099",
                password="secret-pass-1")
    baseline_store.save_version(uow, small_tables(), "v1", source="test", created_by="admin")
    baseline_store.activate(uow, "v1", actor="admin")
    uow.session.commit()
    return {**os.environ, "XUNPAI_DATABASE_URL": database_url, "XUNPAI_DATA_DIR": str(tmp_path)}


def run(env, *args):
    return subprocess.run([sys.executable, "-m", "xunpai", *args], env=env, capture_output=True, text=True)


def entries(uow, kind):
    uow.session.commit()
    rows = uow.session.execute(select(LedgerEntry).where(LedgerEntry.kind == kind)).scalars().all()
    payloads = [json.loads(e.payload) for e in rows]
    uow.session.commit()  # end the read (on SQLite a transaction holds the lock the command needs)
    return payloads


def units(n: int = 1200) -> pd.DataFrame:
    building = ["B1", "B2", "B3", "B9"]
    return pd.DataFrame({"楼幢编号": [building[i % 4] for i in range(n)], "所在层": [str(1 + i % 6) for i in range(n)],
                         "朝向": ["南", "南北", "", "北"] * (n // 4), "建筑面积": [f"{60 + (i % 70) * 1.37:.2f}" for i in range(n)],
                         "立契时间": ["2025-03-10", "2025-04-01", "2025-05-20"] * (n // 3)})


def test_a_dataset_batch_gives_the_fen_of_the_file_batch_and_one_entry_with_its_hash(uow, env, tmp_path):
    frame = units()
    frame.to_csv(tmp_path / "units.csv", index=False)
    for i, rows in enumerate((frame.iloc[:500], frame.iloc[500:])):
        (tmp_path / "ds" / f"batch={i}").mkdir(parents=True)
        rows.to_parquet(tmp_path / "ds" / f"batch={i}" / "units.parquet", index=False)
    done = run(env, "quote-batch", str(tmp_path / "units.csv"), "-o", str(tmp_path / "single.csv"),
               "--case-number", CASE, "--user", "judge")
    assert done.returncode == 0, done.stderr
    done = run(env, "quote-batch", str(tmp_path / "ds"), "-o", str(tmp_path / "out"), "--case-number", CASE,
               "--user", "judge")
    assert done.returncode == 0, done.stderr
    assert "共 1200 行" in done.stdout and "本机进程内" in done.stdout and "楼幢编号不在当前启用的基准表中" in done.stdout
    single = pd.read_csv(tmp_path / "single.csv", dtype=str, keep_default_na=False)
    parts = pd.concat([pd.read_parquet(tmp_path / "out" / f"batch={i}" / "units.parquet") for i in (0, 1)])
    assert list(parts["总价(元)"]) == list(single["总价(元)"]) and list(parts["原因"]) == list(single["原因"])
    (first, second) = entries(uow, "inquiry.batch")  # the file batch, then the dataset: one entry each
    summary = json.loads((tmp_path / "out" / "_summary.json").read_text(encoding="utf-8"))
    lines = "".join(f"{f['path']}\t{f['rows']}\t"
                    f"{hashlib.sha256((tmp_path / 'out' / f['path']).read_bytes()).hexdigest()}\n"
                    for f in summary["files"])
    assert second["result_sha256"] == summary["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    assert (second["rows"], second["ok"], second["refused"]) == (1200, first["ok"], first["refused"])
    assert second["total_value"] == first["total_value"] and second["version"] == "v1"


def test_a_dataset_batch_into_a_full_folder_is_refused_before_it_is_counted(uow, env, tmp_path):
    units().to_parquet(tmp_path / "units.parquet", index=False)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.parquet").write_bytes(b"x")
    done = run(env, "quote-batch", str(tmp_path / "units.parquet"), "-o", str(tmp_path / "out"),
               "--case-number", CASE, "--user", "judge")
    assert done.returncode == 2 and "已存在且不为空" in done.stderr and "Traceback" not in done.stderr
    done = run(env, "quote-batch", str(tmp_path / "units.parquet"), "-o", str(tmp_path / "out.xlsx"),
               "--case-number", CASE, "--user", "judge")
    assert done.returncode == 2 and "文件夹路径" in done.stderr
    assert entries(uow, "inquiry.batch") == []


def test_revalue_is_the_administrators_and_values_every_unit_at_the_date(uow, env, tmp_path):
    register = units().drop(columns="立契时间")
    register.to_parquet(tmp_path / "register.parquet", index=False)
    done = run(env, "revalue", str(tmp_path / "register.parquet"), "-o", str(tmp_path / "out"),
               "--valuation-date", "2025年6月1日", "--user", "judge")
    assert done.returncode == 3 and "只有管理员可以批量重估" in done.stderr
    assert not (tmp_path / "out").exists() and entries(uow, "valuation.revalue") == []
    done = run(env, "revalue", str(tmp_path / "register.parquet"), "-o", str(tmp_path / "out"),
               "--valuation-date", "2025年6月1日", "--user", "boss")
    assert done.returncode == 0, done.stderr
    assert "估价时点 2025-06-01" in done.stdout
    (entry,) = entries(uow, "valuation.revalue")
    assert entry["valuation_date"] == "2025-06-01" and entry["rows"] == 1200 and entry["version"] == "v1"
    assert {"状态": "拒绝", "原因": "楼幢编号不在当前启用的基准表中", "行数": 300} in entry["reasons"]
    assert entry["refused"] == sum(r["行数"] for r in entry["reasons"]) and entry["ok"] == 1200 - entry["refused"]
    # every unit as a single batch prices it with 立契时间 = 估价时点 = the date
    register.assign(立契时间="2025-06-01").to_csv(tmp_path / "same_day.csv", index=False)
    done = run(env, "quote-batch", str(tmp_path / "same_day.csv"), "-o", str(tmp_path / "same_day_out.csv"),
               "--case-number", CASE, "--user", "judge")
    assert done.returncode == 0, done.stderr
    single = pd.read_csv(tmp_path / "same_day_out.csv", dtype=str, keep_default_na=False)
    assert list(pd.read_parquet(tmp_path / "out" / "register.parquet")["总价(元)"]) == list(single["总价(元)"])
    assert entry["total_value"] == entries(uow, "inquiry.batch")[0]["total_value"]
