"""The calibration's partitionable steps on Dask (valuation.scale_out) give what the single-machine functions give."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from tax_baseline.quote import QuoteEngine
from valuation.calibration import (
    DEFAULT_AGE_EDGES,
    DEFAULT_AREA_EDGES,
    CalibrationConfig,
    _with_sources,
    prepare,
)
from valuation.hedonic import fit_hedonic
from valuation.mapping import parse_mapping
from valuation.pipeline import run_calibration, study_version
from valuation.registry import buildings_from_sales, lift_inferred_totals
from valuation.scale_out import (
    ClusterError,
    DatasetDesign,
    calibrate_dataset,
    cluster,
    import_files,
    screen_dataset,
    study_version_dataset,
)
from valuation.screening import screen
from valuation.transactions import import_transactions, normalize_sales


@pytest.fixture(scope="module")
def city():
    return generate_city(seed=5, n_zones=3, communities_per_zone=3, buildings_per_community=6, sales_per_building=25)


@pytest.fixture(scope="module")
def sales(city) -> pd.DataFrame:
    s = normalize_sales(city.sales.drop(columns=["true_value"]))
    s.loc[5] = s.loc[4]  # an exact duplicate
    s.loc[7, "price"] = s.loc[7, "price"] * 9  # far from its zone's median
    s.loc[11, "area"] = 1.0
    return s


def folder_of_files(sales: pd.DataFrame, root, pieces: int = 4):
    root.mkdir()
    for k, rows in enumerate(np.array_split(np.arange(len(sales)), pieces)):
        sales.iloc[rows].to_parquet(root / f"sales-{k}.parquet", index=False)
    return root


def test_the_ratio_study_of_a_dataset_is_the_ratio_study_of_all_its_sales(city, sales, tmp_path):
    alone = study_version(city.tables, sales, bootstrap=60, seed=3)
    by_parts = study_version_dataset(city.tables, folder_of_files(sales, tmp_path / "sales"), bootstrap=60, seed=3,
                                     scheduler="sync")
    assert by_parts.to_dict() == alone.to_dict()  # statistics, bootstrap intervals, strata, screening counts
    assert by_parts.frame["estimate"].equals(alone.frame["estimate"])
    assert alone.screening.summary()["excluded"]  # the file has sales that rules 1–6 leave out


def test_screening_by_zone_partitions_marks_every_sale_as_screening_all_at_once(city, sales):
    as_of = date(2025, 12, 31)
    alone = screen(sales, as_of=as_of)
    by_parts = screen_dataset(sales, as_of=as_of, scheduler="sync")
    for column in ("excluded", "reason_code", "reason"):
        assert by_parts.sales[column].tolist() == alone.sales[column].tolist()
    assert by_parts.outlier_fences == alone.outlier_fences
    assert by_parts.summary() == alone.summary()


def test_files_imported_through_the_mapping_name_their_file_in_every_error(tmp_path):
    mapping = parse_mapping({"fields": {"building": "楼幢", "floor": "楼层", "area": "面积", "price": "成交价",
                                        "date": "日期"}})
    (tmp_path / "in").mkdir()
    pd.DataFrame({"楼幢": ["B1", "B2"], "楼层": ["3", "5"], "面积": ["88", "九十"], "成交价": ["900000", "1000000"],
                  "日期": ["2025-03-01", "2025-04-01"]}).to_csv(tmp_path / "in" / "a.csv", index=False)
    pd.DataFrame({"楼幢": ["B3"], "楼层": ["2"], "面积": ["70"], "成交价": ["700000"],
                  "日期": ["2025-05-01"]}).to_csv(tmp_path / "in" / "b.csv", index=False)
    result = import_files(tmp_path / "in", mapping, tmp_path / "out", scheduler="sync")
    assert (result.rows_read, result.sales, result.rows_refused) == (3, 2, 1)
    assert result.errors == [f"文件 a.csv {e}" for e in import_transactions(tmp_path / "in" / "a.csv", mapping).errors]
    assert "第 3 行" in result.errors[0]
    imported = pd.read_parquet(tmp_path / "out")
    assert sorted(imported["sale_id"]) == ["a.csv:2", "b.csv:2"]


@pytest.fixture(scope="module")
def two_workers():
    """A LocalCluster of two single-threaded worker processes, as `xunpai calibrate --workers 2` starts one."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                  silence_logs=40) as local:
        yield local.scheduler_address


def test_the_calibration_of_a_dataset_on_two_workers_is_the_calibration_of_all_its_sales(city, sales, tmp_path,
                                                                                        two_workers):
    as_of = date(2025, 12, 31)
    alone = run_calibration(sales, as_of, name="v", seed=2, bootstrap=40)
    by_parts = calibrate_dataset(folder_of_files(sales, tmp_path / "sales", pieces=3), as_of, name="v", seed=2,
                                 bootstrap=40, scheduler=two_workers)
    assert by_parts.screening.summary() == alone.screening.summary()
    assert by_parts.screening.summary()["excluded"]  # rules 1–6 left sales out, rule 7 was run
    for table, frame in alone.calibration.tables.frames.items():
        pd.testing.assert_frame_equal(by_parts.calibration.tables[table].reset_index(drop=True),
                                      frame.reset_index(drop=True), check_dtype=False)
    assert by_parts.fit_statistics() == alone.fit_statistics()  # in sample, both holdouts, bootstrap intervals
    # the designs of rule 7's first pass, of the version and of its two holdout fits were built on the workers
    assert by_parts.design_passes == 2 * 4
    # the two versions price a unit of every building to the fen
    units = pd.DataFrame({"building_id": sales["building_id"].drop_duplicates().to_numpy(), "floor_low": 3,
                          "floor_high": 3, "area": 88.5, "contract_date": as_of, "valuation_date": as_of})
    fen = QuoteEngine(alone.calibration.tables).quote_frame(units)["total_price_fen"]
    assert QuoteEngine(by_parts.calibration.tables).quote_frame(units)["total_price_fen"].tolist() == fen.tolist()
    assert fen.notna().all()


def test_the_design_built_partition_by_partition_is_the_design_of_all_the_sales(city, sales):
    """calibration.prepare of the kept sales, and the same design from four shuffled partitions (DatasetDesign):
    every block's levels, pairs and codes are the same, and so is the fit."""
    kept = screen(sales, outliers=False).kept
    register = lift_inferred_totals(_with_sources(buildings_from_sales(kept)[0]), kept)
    config = CalibrationConfig()
    args = (register, config, DEFAULT_AREA_EDGES, DEFAULT_AGE_EDGES, False, date(2025, 12, 31))
    whole, keys = prepare(kept, *args)
    dd = pytest.importorskip("dask.dataframe")
    import dask

    shuffled = kept.assign(_position=np.arange(len(kept))).sample(frac=1, random_state=1)  # rows out of order
    with dask.config.set(scheduler="sync"):
        design = DatasetDesign(dd.from_pandas(shuffled, npartitions=4), None)
        part = kept.assign(_position=np.arange(len(kept)))
        blocks, part_keys = design(part, *args)
    assert design.passes == 2
    assert [b.name for b in blocks] == [b.name for b in whole]
    for mine, theirs in zip(blocks, whole, strict=True):
        assert mine.levels.equals(theirs.levels), mine.name
        assert np.array_equal(mine.codes, theirs.codes), mine.name
        assert (mine.pairs is None) == (theirs.pairs is None) and (
            mine.pairs is None or np.array_equal(mine.pairs, theirs.pairs)), mine.name
        assert (mine.weights is None) == (theirs.weights is None) and (
            mine.weights is None or np.array_equal(mine.weights, theirs.weights)), mine.name
    assert part_keys["orientation"].tolist() == keys["orientation"].tolist()
    y = np.log(kept["price"].to_numpy(dtype=float) / kept["area"].to_numpy(dtype=float))
    assert np.array_equal(fit_hedonic(y, blocks).fitted, fit_hedonic(y, whole).fitted)


def test_the_ratio_study_and_the_screening_on_two_workers(city, sales, tmp_path, two_workers):
    folder = folder_of_files(sales, tmp_path / "sales")
    alone = study_version(city.tables, sales, bootstrap=30, seed=4)
    assert study_version_dataset(city.tables, folder, bootstrap=30, seed=4,
                                 scheduler=two_workers).to_dict() == alone.to_dict()
    as_of = date(2025, 12, 31)
    screened = screen_dataset(folder, as_of=as_of, scheduler=two_workers)
    assert screened.summary() == screen(sales, as_of=as_of).summary()


def test_csv_files_are_imported_one_task_each_on_two_workers(tmp_path, two_workers):
    mapping = parse_mapping({"fields": {"building": "楼幢", "floor": "楼层", "area": "面积", "price": "成交价",
                                        "date": "日期"}})
    (tmp_path / "in").mkdir()
    for k in range(3):
        pd.DataFrame({"楼幢": [f"B{k}", "B7"], "楼层": ["3", "x"], "面积": ["88", "70"], "成交价": ["900000", "800000"],
                      "日期": ["2025-03-01", "2025-04-01"]}).to_csv(tmp_path / "in" / f"m{k}.csv", index=False)
    result = import_files(tmp_path / "in", mapping, tmp_path / "out", scheduler=two_workers)
    assert (result.files, result.rows_read, result.sales, result.rows_refused) == (3, 6, 3, 3)
    assert [e.split(" ")[1] for e in result.errors] == ["m0.csv", "m1.csv", "m2.csv"]
    assert sorted(pd.read_parquet(tmp_path / "out")["building_id"]) == ["B0", "B1", "B2"]


def test_an_unreachable_scheduler_is_named_in_chinese():
    with pytest.raises(ClusterError, match="无法连接 Dask 调度器“tcp://127.0.0.1:1”.*tcp://主机:端口"):
        with cluster("tcp://127.0.0.1:1"):
            pass


def test_with_a_prior_version_the_dataset_calibrates_on_its_register_as_run_calibration_does(city, sales, tmp_path,
                                                                                            two_workers):
    as_of = date(2025, 12, 31)
    sold = sales[sales["building_id"] != sales["building_id"].iloc[0]]  # a building of the prior left unsold
    alone = run_calibration(sold, as_of, prior=city.tables, name="v2", holdouts=False, bootstrap=0)
    by_parts = calibrate_dataset(folder_of_files(sold, tmp_path / "sales", pieces=2), as_of, prior=city.tables,
                                 name="v2", holdouts=False, bootstrap=0, scheduler=two_workers)
    assert by_parts.fit_statistics() == alone.fit_statistics()
    assert by_parts.calibration.tables["base_prices"].equals(alone.calibration.tables["base_prices"])
    assert sales["building_id"].iloc[0] in set(by_parts.calibration.tables["buildings"]["building_id"])
