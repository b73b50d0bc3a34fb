"""``xunpai calibrate`` and ``xunpai ratio-study`` on a folder of sales files, on a two-worker LocalCluster started by
the command (--workers 2) or by a scheduler named (--scheduler), on SQLite and PostgreSQL: the same version and the
same study as the commands give for one file holding every sale; refusals in Chinese that change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from xunpai.services import baseline as baseline_store

MAPPING = ("fields:\n  building: building_id\n  community: community_code\n  zone: zone_code\n  floor: floor\n"
           "  total_floors: total_floors\n  elevator: elevator\n  orientation: orientation\n  area: area\n"
           "  price: price\n  date: date\n  remarks: remarks\n"
           "  arms_length: {column: arms_length, true_values: [是], false_values: [否]}\n")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The demo city's sales as one CSV and as a folder of three files (two CSV, one Parquet) in the same order."""
    city = generate_city(seed=8, n_zones=2, communities_per_zone=2, buildings_per_community=5, sales_per_building=24)
    sales = city.sales.drop(columns=["true_value"]).assign(
        arms_length=city.sales["arms_length"].map({True: "是", False: "否"}))
    sales = sales.astype({"area": object})
    sales.loc[3, "area"] = "九十"  # a row the import refuses, in the first file
    root = tmp_path_factory.mktemp("sales")
    sales.to_csv(root / "all.csv", index=False)
    folder = root / "by_month"
    folder.mkdir()
    third = len(sales) // 3
    sales.iloc[:third].to_csv(folder / "a.csv", index=False)
    sales.iloc[third:2 * third].to_csv(folder / "b.csv", index=False)
    sales.iloc[2 * third:].astype(str).to_parquet(folder / "c.parquet", index=False)
    (root / "m.yaml").write_text(MAPPING, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def scheduler():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as local:
        yield local.scheduler_address


def run(database_url, tmp_path, *args):
    env = {**os.environ, "XUNPAI_DATABASE_URL": database_url, "XUNPAI_DATA_DIR": str(tmp_path)}
    return subprocess.run([sys.executable, "-m", "xunpai", *args], env=env, capture_output=True, text=True,
                          timeout=600)


def test_a_folder_calibrates_on_two_workers_to_the_version_of_one_file(database_url, uow, files, tmp_path):
    common = ["--mapping", str(files / "m.yaml"), "--as-of", "2026-01-31", "--no-holdouts", "--json"]
    one = run(database_url, tmp_path, "calibrate", "--sales", str(files / "all.csv"), "--version", "v-one", *common)
    assert one.returncode == 0, one.stderr
    parts = run(database_url, tmp_path, "calibrate", "--sales", str(files / "by_month"), "--version", "v-parts",
                "--workers", "2", *common)
    assert parts.returncode == 0, parts.stderr
    assert "本机 LocalCluster（2 个工作进程）；监控页面 http" in parts.stderr and "按分区筛选" in parts.stderr
    assert "文件 a.csv 第 5 行" in parts.stderr  # the refused row named by its file and its line in it
    a, b = json.loads(one.stdout), json.loads(parts.stdout)
    assert a["import"] == b["import"] == {"rows_read": 460, "rows_refused": 1, "rows_skipped": 0}
    for stats in (a, b):
        del stats["version"], stats["import"]
    assert b == a  # screening, fit, the in-sample study with its bootstrap intervals
    uow.session.commit()
    one_tables, parts_tables = (baseline_store.load_version(uow, v) for v in ("v-one", "v-parts"))
    for table, frame in one_tables.frames.items():
        pd.testing.assert_frame_equal(parts_tables[table], frame)
    assert not list(tmp_path.glob(".xunpai-sales-*"))  # the imported sales are removed


def test_a_folder_studied_on_a_named_scheduler_is_the_study_of_one_file(database_url, uow, files, tmp_path,
                                                                         scheduler):
    done = run(database_url, tmp_path, "calibrate", "--sales", str(files / "all.csv"), "--mapping",
               str(files / "m.yaml"), "--as-of", "2026-01-31", "--version", "v1", "--no-holdouts")
    assert done.returncode == 0, done.stderr
    study = ["--mapping", str(files / "m.yaml"), "--version", "v1", "--bootstrap", "80", "--json"]
    one = run(database_url, tmp_path, "ratio-study", "--sales", str(files / "all.csv"), *study)
    assert one.returncode == 0, one.stderr
    report = tmp_path / "报告.html"
    parts = run(database_url, tmp_path, "ratio-study", "--sales", str(files / "by_month"), "--scheduler", scheduler,
                "--work-dir", str(tmp_path), "--report", str(report), *study)
    assert parts.returncode == 0, parts.stderr
    assert f"Dask 调度器 {scheduler}" in parts.stderr and "按分区筛选、估价" in parts.stderr  # the progress bar
    assert json.loads(parts.stdout) == json.loads(one.stdout)  # every statistic, interval, stratum and count
    assert "比率研究报告" in report.read_text(encoding="utf-8")
    text = run(database_url, tmp_path, "ratio-study", "--sales", str(files / "by_month"), "--mapping",
               str(files / "m.yaml"), "--version", "v1", "--bootstrap", "0")
    assert text.returncode == 0, text.stderr
    assert "数据量小，在本机进程内" in text.stderr and "成交 459 笔" in text.stdout


def test_refusals_name_what_is_wrong_in_chinese_and_store_nothing(database_url, uow, files, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "odd").mkdir()
    pd.DataFrame({"楼幢": ["B1"]}).to_csv(tmp_path / "odd" / "x.csv", index=False)
    base = ["calibrate", "--mapping", str(files / "m.yaml"), "--as-of", "2026-01-31", "--version", "v-bad"]
    cases = [(["--sales", str(tmp_path / "empty")], "中没有成交数据文件"),
             (["--sales", str(tmp_path / "odd")], "文件 x.csv："),
             (["--sales", str(files / "by_month"), "--scheduler", "tcp://127.0.0.1:1"], "无法连接 Dask 调度器"),
             (["--sales", str(tmp_path / "missing")], "找不到数据文件")]
    for extra, message in cases:
        done = run(database_url, tmp_path, *base, *extra)
        assert done.returncode == 2, (extra, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
    uow.session.commit()
    with pytest.raises(baseline_store.VersionError):
        baseline_store.get_version(uow, "v-bad")
