"""Uploaded spreadsheets (批量询价表, 批量挂拍表): the check of the chosen file, its limits, and where it is kept for
the job that reads it. One helper for every page that takes a sheet, so they refuse and store files alike.

Limits (issue 18): a small file can still be a large job (7.5 MB of 3 million one-cell rows, a zip bomb), so
before anything parses a sheet its size is measured the cheap way: the bytes (``MAX_CONTENT_LENGTH``, the whole
request), for an .xlsx the zip's entries and their decompressed size (read from the zip's directory, nothing
unpacked), then its rows and cells counted while streaming (openpyxl read-only mode, stopping at the first row past
the limit), for a CSV its lines. A refusal names the limit in Chinese. A sheet with more rows than
``BACKGROUND_ROWS`` is not read in the request at all: its job reads and checks it in the background.

Uploads are kept under ``UPLOAD_DIR`` for ``UPLOAD_RETENTION_DAYS`` (the administrator's setting), then deleted by
``purge_expired`` (the job worker runs it hourly), each deletion written to the ledger.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from openpyxl import load_workbook
from werkzeug.datastructures import FileStorage

from xunpai.storage import ledger

SHEET_SUFFIXES = (".xlsx", ".csv")
LIMITS = {  # app.config keys and defaults; an administrator may set each as XUNPAI_<KEY>
    "UPLOAD_MAX_ROWS": 1_000_000,  # a batch of one million units is the largest a court sends
    "UPLOAD_MAX_CELLS": 30_000_000,
    "UPLOAD_MAX_UNZIPPED_MB": 300,
    "UPLOAD_MAX_ZIP_ENTRIES": 1_000,
    "LOT_SHEET_MAX_ROWS": 20_000,
    "BACKGROUND_ROWS": 2_000,  # more rows than this: read and checked only by the background job
}
_UNSAFE = re.compile(r"[^\w.\-\u4e00-\u9fff（）()]+")


def setting(name: str) -> int:
    return int(current_app.config.get(name) or LIMITS[name])


def upload_problem(upload: FileStorage | None, missing: str, suffixes: tuple[str, ...] = SHEET_SUFFIXES) -> str:
    """The Chinese reason a file upload is refused (``missing`` when no file was chosen), or "" when it may go on."""
    if upload is None or not upload.filename:
        return missing
    if Path(upload.filename).suffix.lower() not in suffixes:
        return f"文件“{upload.filename}”类型不支持，应为 {' 或 '.join(suffixes)}。"
    return ""


def safe_name(filename: str) -> str:
    """A user's file name reduced to its last part and to characters safe in a path (no ``..``, no separators)."""
    name = Path((filename or "").replace("\\", "/")).name
    name = _UNSAFE.sub("_", name).strip("._") or "upload"
    return name[-120:]


def save_upload(upload: FileStorage, folder: str) -> Path:
    """Keep the file under the upload folder's ``folder``, named by the time and its (sanitised) name."""
    directory = Path(current_app.config["UPLOAD_DIR"]) / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{ledger.now_local():%Y%m%d%H%M%S%f}-{safe_name(upload.filename)}"
    upload.save(path)
    return path


@dataclass(frozen=True)
class SheetSize:
    rows: int  # data rows (the header not counted)
    problem: str = ""


def measure(path: Path, shown: str, *, max_rows: int | None = None) -> SheetSize:
    """Rows of a stored sheet, counted without loading it, or the Chinese reason it is refused (a limit it passes,
    or a file that is not what its extension says)."""
    max_rows = max_rows or setting("UPLOAD_MAX_ROWS")
    max_cells = setting("UPLOAD_MAX_CELLS")
    if path.stat().st_size == 0:
        return SheetSize(0, f"“{shown}”是空文件：没有表头，也没有数据行。")
    if Path(shown).suffix.lower() == ".csv":
        return _measure_csv(path, shown, max_rows, max_cells)
    return _measure_xlsx(path, shown, max_rows, max_cells)


def _too_many_rows(shown: str, max_rows: int) -> str:
    return f"“{shown}”超过 {max_rows:,} 行的上限，未处理；请分成几个文件上传。"


def _too_many_cells(shown: str, max_cells: int) -> str:
    return f"“{shown}”超过 {max_cells:,} 个单元格的上限，未处理；请删去多余的列或分成几个文件上传。"


def _measure_csv(path: Path, shown: str, max_rows: int, max_cells: int) -> SheetSize:
    with open(path, "rb") as handle:
        head = handle.readline()
        try:
            columns = len(next(csv.reader([head.decode("utf-8-sig")])))
        except (UnicodeDecodeError, StopIteration):
            try:
                columns = len(next(csv.reader([head.decode("gb18030")])))
            except (UnicodeDecodeError, StopIteration):
                return SheetSize(0, f"“{shown}”的编码无法识别，应为 UTF-8 或 GBK 的 CSV 文件。")
        rows = 0
        for _line in handle:
            rows += 1
            if rows > max_rows:
                return SheetSize(rows, _too_many_rows(shown, max_rows))
    if rows * max(columns, 1) > max_cells:
        return SheetSize(rows, _too_many_cells(shown, max_cells))
    return SheetSize(rows)


def _not_xlsx(shown: str) -> str:
    return f"“{shown}”不是有效的 Excel（.xlsx）文件：文件已损坏，或只是改了扩展名；请用 Excel 或 WPS 另存为 .xlsx 后再上传。"


def zip_problem(path: Path, shown: str) -> str:
    """The Chinese reason an .xlsx is refused before it is opened: not a zip, too many parts, or too large once
    decompressed (the sizes are read from the zip's directory, nothing is unpacked); "" when it may be opened."""
    if not zipfile.is_zipfile(path):
        return _not_xlsx(shown)
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return _not_xlsx(shown)
    if len(entries) > setting("UPLOAD_MAX_ZIP_ENTRIES"):
        return (f"“{shown}”内部包含 {len(entries)} 个部件，超过 {setting('UPLOAD_MAX_ZIP_ENTRIES')} 个的上限，"
                "不像是普通的表格文件，未处理。")
    unzipped = sum(e.file_size for e in entries)
    limit_mb = setting("UPLOAD_MAX_UNZIPPED_MB")
    if unzipped > limit_mb * 1024 * 1024:
        return (f"“{shown}”解压后约 {unzipped // (1024 * 1024):,} MB，超过 {limit_mb} MB 的上限，未处理；"
                "请删去无关的工作表、图片或分成几个文件上传。")
    return ""


def _measure_xlsx(path: Path, shown: str, max_rows: int, max_cells: int) -> SheetSize:
    not_xlsx = _not_xlsx(shown)
    problem = zip_problem(path, shown)
    if problem:
        return SheetSize(0, problem)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (KeyError, ValueError, zipfile errors), all in English
        return SheetSize(0, not_xlsx)
    try:
        sheet = book.worksheets[0]
        rows = cells = 0
        for row in sheet.iter_rows(values_only=True):
            rows += 1
            cells += len(row)
            if rows - 1 > max_rows:
                return SheetSize(rows - 1, _too_many_rows(shown, max_rows))
            if cells > max_cells:
                return SheetSize(rows - 1, _too_many_cells(shown, max_cells))
    except Exception:
        return SheetSize(0, not_xlsx)
    finally:
        book.close()
    return SheetSize(max(rows - 1, 0))


def header_row(path: Path, shown: str) -> list[str]:
    """The first row of a stored sheet (its column headers), read without loading the rest."""
    if Path(shown).suffix.lower() == ".csv":
        with open(path, "rb") as handle:
            line = handle.readline(1 << 20)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return next(csv.reader(io.StringIO(line.decode(encoding).rstrip("\r\n"))))
            except (UnicodeDecodeError, StopIteration):
                continue
        return []
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        for row in book.worksheets[0].iter_rows(values_only=True, max_row=1):
            return ["" if v is None else str(v) for v in row]
        return []
    finally:
        book.close()


def workbook_rows(path: Path, shown: str, *, stop_after: int) -> SheetSize:
    """Data rows of every sheet of a stored workbook (each sheet's header not counted), streamed, and no further
    than ``stop_after`` + 1 rows: enough to tell a small file (read at once in the request) from a large one (read
    only by its background job). Call after ``zip_problem``; a file openpyxl cannot open is refused."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds, all in English
        return SheetSize(0, _not_xlsx(shown))
    rows = 0
    try:
        for sheet in book.worksheets:
            for index, _row in enumerate(sheet.iter_rows(values_only=True)):
                rows += index > 0
                if rows > stop_after:
                    return SheetSize(rows)
    except Exception:
        return SheetSize(0, _not_xlsx(shown))
    finally:
        book.close()
    return SheetSize(rows)
