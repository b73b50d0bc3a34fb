"""Product QA of the tax baseline: problems a judge or an administrator met using xunpai from the command line."""

from datetime import date

import pandas as pd

from tax_baseline.quote import QuoteEngine
from tax_baseline.tables import ALL_ZONES, BaselineTables
from tests.unit.test_quote import request, small_tables


def _with(tables: BaselineTables, name: str, frame: pd.DataFrame) -> BaselineTables:
    frames = {k: v.copy() for k, v in tables.frames.items()}
    frames[name] = frame
    return BaselineTables(frames, name=tables.name)


def test_index_line_of_the_breakdown_names_the_rows_it_read():
    # The small tables only have 全部 index rows; the building is in zone Z1. The breakdown must name the
    # rows used (全部), not the building's zone, or the judge cannot find them in the table.
    result = QuoteEngine(small_tables()).quote(request(valuation_date=date(2025, 3, 20)))
    index = next(f for f in result.breakdown if f.name == "价格指数")
    assert index.row["估价分区"] == ALL_ZONES


def test_index_line_names_the_zone_when_the_zone_has_its_own_rows():
    tables = small_tables()
    own = pd.DataFrame([("Z1", "2025-02", 100.5), ("Z1", "2025-03", 101.0)], columns=["zone_code", "month", "index"])
    result = QuoteEngine(_with(tables, "price_index", own)).quote(request())
    index = next(f for f in result.breakdown if f.name == "价格指数")
    assert index.row["估价分区"] == "Z1"
