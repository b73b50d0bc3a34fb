"""price_batch reads each unit's building through the engine's building index, once per distinct building: the
refusals and notes that depend on the building (unknown, outside the court's zones, an inferred total floors, a
base price estimated from the community) row by row, and one index for every batch priced by one engine."""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd

from tax_baseline.batch import price_batch
from tax_baseline.quote import QuoteEngine, QuoteRequest
from tax_baseline.tables import BaselineTables
from tests.unit.test_quote import small_tables


def two_zone_tables() -> BaselineTables:
    """The hand-worked tables plus a second zone: B4 in Z2 (priced by its community), and B2's 6 floors
    inferred from sales, B3's price estimated from its community."""
    f = {k: v.copy() for k, v in small_tables().frames.items()}
    f["zones"] = pd.concat([f["zones"], pd.DataFrame({"zone_code": ["Z2"], "zone_name": ["城西片区"]})])
    f["communities"] = pd.concat([f["communities"], pd.DataFrame(
        {"community_code": ["C3"], "community_name": ["西湖小区"], "zone_code": ["Z2"]})], ignore_index=True)
    b = f["buildings"]
    b = pd.concat([b, pd.DataFrame({"building_id": ["B4"], "community_code": ["C3"], "address": ["城西西湖小区1幢"],
                                    "total_floors": [6], "elevator": ["无"], "house_type": ["普通住宅"],
                                    "structure": ["钢混"], "year_built": [2012], "use": ["住宅"]})], ignore_index=True)
    b["total_floors_source"] = ["登记", "推断", "登记", "登记"]
    b["price_source"] = ["楼幢", "楼幢", "小区", "小区"]
    f["buildings"] = b
    f["base_prices"] = pd.concat([f["base_prices"], pd.DataFrame(
        {"scope": ["楼幢", "小区"], "key": ["B2", "C3"], "effective_date": [date(2024, 1, 1)] * 2,
         "price": [9500.0, 8000.0]})], ignore_index=True)
    return BaselineTables(f, name="两区样表")


def allow(zones: set[str], zone: str) -> bool:
    return zone in zones


UNITS = pd.DataFrame({"楼幢编号": ["B1", "B2", "B1", "B4", "B9", "B3", "B2", "B4"],
                      "所在层": ["3", "7", "7", "2", "3", "5", "2", "5"],
                      "建筑面积": ["88.88"] * 8, "立契时间": ["2025-03-10"] * 8, "朝向": ["南"] * 8})


def test_every_building_dependent_rule_holds_row_by_row():
    engine = QuoteEngine(two_zone_tables())
    out = price_batch(engine, UNITS, zone_filter=partial(allow, {"Z1"}))
    status, reason, notes = list(out["状态"]), list(out["原因"]), list(out["提示"])
    assert status == ["成功", "成功", "拒绝", "拒绝", "拒绝", "成功", "成功", "拒绝"]
    # B2's total is inferred: floor 7 is read on its own and priced, with the note; B1's is registered: refused
    assert "总层数系由成交推断" in notes[1] and "总层数系由成交推断" not in notes[6]
    assert "7" in reason[2] and "总层数" in reason[2]
    assert reason[3] == reason[7] == "查询范围限制：该房产不在本院辖区内"  # B4 is in Z2
    assert reason[4] == "楼幢编号不在当前启用的基准表中" and list(out["楼幢编号(匹配)"])[4] == ""
    assert "基准价由所属小区的水平" in notes[5] and "基准价由所属" not in notes[0]
    single = engine.quote(QuoteRequest(building_id="B1", floor="3", orientation="南", area="88.88",
                                       contract_date=date(2025, 3, 10)))
    assert out["总价(元)"][0] == str(single.total_price)  # the single quote's fen
    # without a zone limit B4 is priced at its community's price
    everywhere = price_batch(engine, UNITS)
    assert list(everywhere["状态"])[3] == "成功" and "基准价由所属小区的水平" in list(everywhere["提示"])[3]


def test_one_engine_builds_its_building_index_once_for_all_its_batches():
    engine = QuoteEngine(two_zone_tables())
    first = price_batch(engine, UNITS)
    index = engine._compiled.building_index
    table = index._engine  # pandas' hash table of the index, built on the first lookup and cached on it
    second = price_batch(engine, UNITS.iloc[::-1].reset_index(drop=True))
    assert engine._compiled.building_index is index and index._engine is table
    assert list(second["总价(元)"]) == list(first["总价(元)"])[::-1]
