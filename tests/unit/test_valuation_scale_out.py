"""The calibration's partitionable steps on Dask (valuation.scale_out) give what the single-machine functions give."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tax_baseline.demo_city import generate_city
from valuation.mapping import parse_mapping
from valuation.pipeline import study_version
from valuation.scale_out import import_files, screen_dataset, study_version_dataset
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
