"""Spreadsheets in and out: the tax bureau's template (one sheet per table, Chinese headers).

``read_workbook`` validates everything before anything is used: every bad cell is reported with its
sheet, row, column and reason, and the caller imports nothing when the list is not empty.
A CSV file holds one table; its file name is the sheet name (``楼层系数.csv``) or the table's English
name (``floor_coefficients.csv``).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from tax_baseline.cells import neutralize
from tax_baseline.tables import (
    SPEC_BY_NAME,
    SPEC_BY_SHEET,
    SPECS,
    BaselineTables,
    CellError,
    TableSpec,
    coerce_frame,
    validate,
)

REQUIRED_SHEETS = ("zones", "communities", "buildings", "base_prices", "floor_coefficients")
README_SHEET = "说明"


class WorkbookError(ValueError):
    """The file cannot be imported; ``errors`` lists every problem found."""

    def __init__(self, errors: list[CellError], path: str = ""):
        self.errors = errors
        head = f"文件“{Path(path).name}”有 {len(errors)} 处错误，未导入任何数据：" if path else ""
        # The cross-table checks run on typed cells only: when a cell is wrong they have not run yet, and the
        # administrator should know that fixing these may not be the last round.
        later = "" if any(e.cross_table for e in errors) or not any(e.row >= 1 for e in errors) else (
            "\n改正以上错误后，导入时还将检查重复行、跨表引用（分区、小区、楼幢）、楼层和面积/房龄区间。")
        super().__init__(head + "\n" + "\n".join(str(e) for e in errors[:200]) +
                         (f"\n……另有 {len(errors) - 200} 处" if len(errors) > 200 else "") + later)


def _rename(spec: TableSpec, raw: pd.DataFrame) -> tuple[pd.DataFrame, list[CellError]]:
    errors = []
    mapping = {}
    for header in raw.columns:
        text = str(header).strip()
        if text in spec.headers:
            mapping[header] = spec.headers[text]
        elif text in {c.name for c in spec.columns}:
            mapping[header] = text
        elif text and not text.startswith("Unnamed"):
            errors.append(CellError(spec.sheet, 1, text, None,
                                    "不是本表的列；应为：" + "、".join(c.header for c in spec.columns)))
    return raw.rename(columns=mapping), errors


def _sheet_frame(rows: list[tuple]) -> pd.DataFrame:
    if not rows:
        return pd.DataFrame()
    header = [("" if h is None else str(h)) for h in rows[0]]
    body = [r for r in rows[1:] if any(v not in (None, "") for v in r)]
    return pd.DataFrame([list(r)[: len(header)] for r in body], columns=header, dtype=object)


def read_xlsx(path: str | Path) -> tuple[BaselineTables, list[CellError]]:
    file_name = Path(path).name
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a spreadsheet at all: say so (openpyxl and zipfile speak English)
        raise WorkbookError([CellError(file_name, 0, "", None, "无法作为 Excel 文件打开：文件已损坏，或不是 .xlsx 格式（例如只改了"
                                                          "扩展名）；请用 Excel 或 WPS 另存为 .xlsx 后再导入")],
                            str(path)) from exc
    raw: dict[str, pd.DataFrame] = {}
    errors: list[CellError] = []
    sheet_title = file_name
    try:
        for sheet in workbook.worksheets:
            sheet_title = sheet.title
            if sheet.title == README_SHEET:
                continue
            spec = SPEC_BY_SHEET.get(sheet.title.strip())
            if spec is None:
                errors.append(CellError(sheet.title, 0, "", None,
                                        "不认识的工作表；应为：" + "、".join(s.sheet for s in SPECS)))
                continue
            raw[spec.name] = _sheet_frame(list(sheet.iter_rows(values_only=True)))
    except Exception as exc:  # read lazily: a file cut short (an upload or a copy broken off) fails mid-sheet
        raise WorkbookError([CellError(sheet_title, 0, "", None, "读取到此工作表时出错：文件不完整或已损坏（例如上传、复制"
                                                                 "中断）；请用 Excel 或 WPS 重新另存为 .xlsx 后再导入")],
                            str(path)) from exc
    finally:
        workbook.close()
    for name in REQUIRED_SHEETS:
        if name not in raw:
            errors.append(CellError(SPEC_BY_NAME[name].sheet, 0, "", None, "缺少此工作表"))
    tables, more = _typed(raw)
    return tables, errors + more


def _typed(raw: dict[str, pd.DataFrame]) -> tuple[BaselineTables, list[CellError]]:
    frames: dict[str, pd.DataFrame] = {}
    errors: list[CellError] = []
    for name, frame in raw.items():
        spec = SPEC_BY_NAME[name]
        renamed, header_errors = _rename(spec, frame)
        typed, cell_errors = coerce_frame(spec, renamed)
        errors += header_errors + cell_errors
        frames[name] = typed
    tables = BaselineTables(frames)
    if not errors:
        errors = validate(tables)
    return tables, errors


def spec_for_csv(path: str | Path) -> TableSpec:
    stem = Path(path).stem
    spec = SPEC_BY_SHEET.get(stem) or SPEC_BY_NAME.get(stem)
    if spec is None:
        raise WorkbookError([CellError(Path(path).name, 0, "", None,
                                       "CSV 文件名应为表名，如：" + "、".join(f"{s.sheet}.csv" for s in SPECS))],
                            str(path))
    return spec


def read_csv_table(path: str | Path) -> tuple[TableSpec, pd.DataFrame, list[CellError]]:
    """One table from a CSV (UTF-8, with or without BOM, or GBK as Excel in China writes it)."""
    spec = spec_for_csv(path)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            with open(path, newline="", encoding=encoding) as handle:
                rows = [tuple(r) for r in csv.reader(handle)]
            break
        except UnicodeDecodeError:
            continue
    else:
        raise WorkbookError([CellError(spec.sheet, 0, "", None, "文件编码无法识别，应为 UTF-8 或 GBK")], str(path))
    renamed, header_errors = _rename(spec, _sheet_frame(rows))
    typed, cell_errors = coerce_frame(spec, renamed)
    return spec, typed, header_errors + cell_errors


def replace_table(base: BaselineTables, spec: TableSpec, frame: pd.DataFrame) -> tuple[BaselineTables, list[CellError]]:
    """A new version: ``base`` with one table replaced, checked as a whole."""
    frames = {name: f.copy() for name, f in base.frames.items()}
    frames[spec.name] = frame
    tables = BaselineTables(frames)
    return tables, validate(tables)


def _cell(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def write_xlsx(tables: BaselineTables, path: str | Path) -> None:
    """Write every table as a sheet with Chinese headers, plus a 说明 sheet documenting each column."""
    workbook = Workbook()
    readme = workbook.active
    readme.title = README_SHEET
    readme.append(["工作表", "列名", "类型", "必填", "说明"])
    kinds = {"text": "文本", "choice": "选项", "int": "整数", "decimal": "数字(两位小数)", "percent": "百分数(两位小数)",
             "date": "日期 YYYY-MM-DD", "month": "月份 YYYY-MM"}
    for spec in SPECS:
        readme.append([spec.sheet, "", "", "", spec.description])
        for col in spec.columns:
            note = col.note
            if col.choices:
                note = ("可选：" + "、".join(col.choices) + "。" + note).strip("。") + "。"
            readme.append(["", col.header, kinds[col.kind], "是" if col.required else "否", note])
    readme.column_dimensions["A"].width = 14
    readme.column_dimensions["B"].width = 16
    readme.column_dimensions["E"].width = 80
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for spec in SPECS:
        sheet = workbook.create_sheet(spec.sheet)
        sheet.append([c.header for c in spec.columns])
        for cell in sheet[1]:
            cell.font, cell.fill, cell.alignment = head_font, head_fill, Alignment(horizontal="center")
        frame = tables[spec.name]
        for row in frame.itertuples(index=False):
            sheet.append([neutralize(_cell(v)) for v in row])
        for i, col in enumerate(spec.columns, start=1):
            sheet.column_dimensions[get_column_letter(i)].width = max(12, len(col.header) * 2 + 4)
            if col.kind == "date":
                for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                    cell.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    workbook.save(path)


def write_template(path: str | Path) -> None:
    """The empty template a tax bureau fills in (headers and the 说明 sheet)."""
    write_xlsx(BaselineTables({}), path)
