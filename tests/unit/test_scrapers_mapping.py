"""The mapping shipped beside the housing scraper conforms to ``valuation.mapping`` and imports the scraper's
own output as is (no browser: the output is written from validated records)."""

from __future__ import annotations

import pytest

from scrapers.collector import RawRecord
from scrapers.fixture_site import data
from scrapers.fixture_site.app import wan
from scrapers.mappings import CALIBRATION_MAPPINGS, mapping_path
from scrapers.run import write_records
from scrapers.sources import SOURCES
from scrapers.sources.second_hand_housing import SecondHandHousing
from valuation.mapping import load_mapping
from valuation.transactions import import_transactions


@pytest.mark.parametrize("source", sorted(CALIBRATION_MAPPINGS))
def test_shipped_mappings_load_and_name_only_output_columns(source):
    mapping = load_mapping(mapping_path(CALIBRATION_MAPPINGS[source]))
    assert mapping.source_columns() <= {c.name for c in SOURCES[source].columns}


def test_the_scraper_output_imports_through_the_mapping_without_a_refused_row(tmp_path):
    deals = data.synthetic_housing_deals(40)
    rows = [SecondHandHousing.validate(RawRecord("housing", f"deal-{d['id']}", "http://site", 1, {
        "小区": d["community"], "楼层": d["floor"], "朝向": d["orientation"], "面积": f"{d['area']}㎡",
        "成交总价": wan(d["total_fen"]).removesuffix("元"), "成交单价": f"{d['unit_yuan']}元/平",
        "成交日期": d["date"].strftime("%Y.%m.%d")})) for d in deals]
    out = tmp_path / "housing.csv"
    write_records(SecondHandHousing, rows, out)
    imported = import_transactions(out, load_mapping(mapping_path("second_hand_housing")))
    assert imported.errors == [] and imported.rows_read == len(deals)
    sales = imported.sales
    assert list(sales["sale_id"]) == [f"deal-{d['id']}" for d in deals]
    assert list(sales["price"]) == [d["total_fen"] / 100 for d in deals]
    assert list(sales["building_id"]) == [d["community"] for d in deals]
    assert list(sales["floor_low"]) == [r["floor_low"] for r in rows]
    assert list(sales["total_floors"]) == [r["total_floors"] for r in rows]
    assert list(sales["orientation"]) == [r["orientation"] for r in rows]
    assert [d.date() for d in sales["date"]] == [d["date"] for d in deals]
