"""Pricing a register by parts (tax_baseline.scale_out): the same fen as the single-machine batch, the same bytes
in process and on a two-worker LocalCluster, the input's layout kept, nothing left behind by a failure."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tax_baseline.batch import BatchFileError, price_batch
from tax_baseline.demo_city import generate_city
from tax_baseline.quote import QuoteEngine
from tax_baseline.scale_out import DASK_MISSING, SUMMARY_FILE, Pricing, open_source, value_dataset

ROOT = Path(__file__).resolve().parents[2]
TODAY = date(2026, 6, 1)


@pytest.fixture(scope="module")
def city():
    return generate_city(seed=17, n_zones=3, communities_per_zone=2, buildings_per_community=12)


@pytest.fixture(scope="module")
def units(city) -> pd.DataFrame:
    """The demo city's units as a court's file would name them, with a few rows every batch refuses."""
    u = city.units.rename(columns={"building_id": "楼幢编号", "floor": "所在层", "orientation": "朝向",
                                   "area": "建筑面积"})
    u["立契时间"] = pd.to_datetime("2023-02-01") + pd.to_timedelta(u.index % 700, "D")
    u.loc[u.index % 89 == 0, "建筑面积"] = -1.0
    u.loc[u.index % 97 == 1, "楼幢编号"] = "B999999"
    u.loc[u.index % 101 == 2, "立契时间"] = pd.Timestamp("2030-01-01")  # still to come: refused
    zone = city.tables["buildings"].merge(city.tables["communities"], on="community_code").set_index(
        "building_id")["zone_code"]
    u["zone_code"] = u["楼幢编号"].map(zone).fillna("Z00")
    return u


def hive_dataset(units: pd.DataFrame, root: Path, row_group_size: int = 10**9) -> Path:
    for zone, rows in units.groupby("zone_code"):
        folder = root / f"zone_code={zone}"
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(rows.drop(columns="zone_code"), preserve_index=False),
                       folder / "part-0.parquet", row_group_size=row_group_size)
    return root


def read_dataset(out: Path) -> pd.DataFrame:
    return pd.read_parquet(out).sort_values("room", kind="stable")


def test_parts_give_the_fen_of_the_single_machine_batch(city, units, tmp_path):
    source = open_source(hive_dataset(units, tmp_path / "in", row_group_size=100), part_rows=250)
    assert len(source.parts) > 4 and source.rows == len(units)  # files split by their row groups
    result = value_dataset(source, tmp_path / "out", Pricing(city.tables, "v1", today=TODAY))
    single = price_batch(QuoteEngine(city.tables), units.drop(columns="zone_code"), today=TODAY, valuation_default=TODAY)
    # part by part in the order of the dataset's files, each file in its rows' order
    expected = pd.concat([single[units["zone_code"].to_numpy() == z] for z in sorted(units["zone_code"].unique())])
    got = pd.concat(pd.read_parquet(tmp_path / "out" / p.out) for p in source.parts)
    columns = ["楼幢编号(匹配)", "单价(元/㎡)", "总价(元)", "状态", "原因", "提示"]
    assert got[columns].reset_index(drop=True).equals(expected[columns].reset_index(drop=True))
    assert result.rows == len(units) and result.ok == int((single["状态"] == "成功").sum())
    assert result.total_fen == int(single.loc[single["状态"] == "成功", "总价(元)"].str.replace(".", "").astype(int).sum())
    reasons = {(s, r): n for s, r, n in result.by_reason}
    assert reasons == single[single["状态"] == "拒绝"].groupby(["状态", "原因"]).size().to_dict()
    assert reasons[("拒绝", "建筑面积应为大于 0 的数字")] >= 15 and any("晚于今天" in r for _s, r in reasons)
    assert sum(reasons.values()) == result.refused


def test_the_output_keeps_the_layout_and_its_hash_is_recomputed_from_the_files(city, units, tmp_path):
    source = open_source(hive_dataset(units, tmp_path / "in"))
    result = value_dataset(source, tmp_path / "out", Pricing(city.tables, "v1", today=TODAY))
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.parquet"))
    assert written == [p.path for p in source.parts] == ["zone_code=Z00/part-0.parquet", "zone_code=Z01/part-0.parquet",
                                                         "zone_code=Z02/part-0.parquet", "zone_code=Z03/part-0.parquet"]
    assert "zone_code" not in pq.read_schema(tmp_path / "out" / written[0]).names  # the key stays in the folder
    lines = "".join(f"{p}\t{len(pd.read_parquet(tmp_path / 'out' / p))}\t"
                    f"{hashlib.sha256((tmp_path / 'out' / p).read_bytes()).hexdigest()}\n" for p in written)
    assert result.sha256 == hashlib.sha256(lines.encode()).hexdigest()
    summary = json.loads((tmp_path / "out" / SUMMARY_FILE).read_text(encoding="utf-8"))
    assert summary["sha256"] == result.sha256 and summary["rows"] == len(units)
    assert sum(r["行数"] for r in summary["by_status_reason"]) == summary["refused"]
    assert set(read_dataset(tmp_path / "out")["zone_code"].astype(str)) == {"Z00", "Z01", "Z02", "Z03"}


def test_revaluation_prices_every_unit_at_the_one_date_and_keeps_the_registers_dates(city, units, tmp_path):
    register = units.drop(columns="zone_code")
    register.to_parquet(tmp_path / "register.parquet", index=False)
    on = date(2025, 12, 31)
    value_dataset(open_source(tmp_path / "register.parquet"), tmp_path / "out",
                  Pricing(city.tables, "v1", valuation_date=on))
    got = pd.read_parquet(tmp_path / "out" / "register.parquet")
    same_day = register.assign(立契时间=on.isoformat(), 估价时点=on.isoformat())
    expected = price_batch(QuoteEngine(city.tables), same_day)
    assert got["总价(元)"].equals(expected["总价(元)"]) and got["状态"].equals(expected["状态"])
    assert got["立契时间"].equals(register["立契时间"])  # the register's column as it was
    assert (got["状态"] == "成功").sum() > 0.95 * len(got)  # a contract date to come does not matter here


def test_a_two_worker_local_cluster_writes_the_same_bytes_as_the_process(city, units, tmp_path):
    source = open_source(hive_dataset(units, tmp_path / "in", row_group_size=200), part_rows=400)
    here = value_dataset(source, tmp_path / "here", Pricing(city.tables, "v1", today=TODAY), in_process=True)
    started = []
    cluster = value_dataset(source, tmp_path / "cluster", Pricing(city.tables, "v1", today=TODAY), workers=2,
                            in_process=False, on_start=started.append)
    assert "LocalCluster（2 个工作进程）" in cluster.mode and "LocalCluster" in started[0]
    assert [f["sha256"] for f in cluster.files] == [f["sha256"] for f in here.files]
    assert cluster.sha256 == here.sha256 and cluster.total_fen == here.total_fen
    assert cluster.by_reason == here.by_reason
    # a CSV on the cluster is read in blocks by Dask and priced the same
    units.drop(columns="zone_code").to_csv(tmp_path / "units.csv", index=False, encoding="gb18030")
    by_blocks = value_dataset(open_source(tmp_path / "units.csv"), tmp_path / "csv", Pricing(city.tables, "v1",
                              today=TODAY), workers=2, in_process=False)
    in_one = value_dataset(open_source(tmp_path / "units.csv"), tmp_path / "csv1", Pricing(city.tables, "v1",
                           today=TODAY), in_process=True)
    assert (by_blocks.rows, by_blocks.ok, by_blocks.total_fen) == (in_one.rows, in_one.ok, in_one.total_fen) == (
        len(units), here.ok, here.total_fen)


def test_a_full_output_folder_is_refused_and_a_failed_part_leaves_nothing(city, units, tmp_path):
    source = open_source(hive_dataset(units, tmp_path / "in"))
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.txt").write_text("x")
    with pytest.raises(BatchFileError, match="已存在且不为空"):
        value_dataset(source, tmp_path / "full", Pricing(city.tables, "v1"))
    with pytest.raises(BatchFileError, match="文件夹路径"):
        value_dataset(source, tmp_path / "out.xlsx", Pricing(city.tables, "v1"))
    # the last zone's file has no floor column: its part fails after the others were written
    bad = tmp_path / "in" / "zone_code=Z03" / "part-0.parquet"
    pd.read_parquet(bad).drop(columns="所在层").to_parquet(bad, index=False)
    with pytest.raises(BatchFileError, match="缺少列：所在层"):
        value_dataset(open_source(tmp_path / "in"), tmp_path / "out", Pricing(city.tables, "v1"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "in"]


def test_an_empty_folder_and_an_excel_file_are_refused_in_chinese(tmp_path):
    with pytest.raises(BatchFileError, match="没有 Parquet 文件"):
        open_source(tmp_path)
    (tmp_path / "units.xlsx").write_bytes(b"")
    with pytest.raises(BatchFileError, match="另存为 CSV"):
        open_source(tmp_path / "units.xlsx")


def test_without_dask_a_large_batch_says_how_to_install_it(tmp_path):
    code = ("import sys; sys.modules['dask'] = None\n"  # as if not installed: importing it raises ImportError
            "from tax_baseline.scale_out import require_dask, DaskMissing\n"
            "try:\n    require_dask()\nexcept DaskMissing as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.stdout.strip() == DASK_MISSING and "pip install 'xunpai[dask]'" in done.stdout
