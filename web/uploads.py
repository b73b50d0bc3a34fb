"""Uploaded spreadsheets (批量询价表, 批量挂拍表): the check of the chosen file and where it is kept for the job
that reads it. One helper for every page that takes a sheet, so they refuse and store files alike."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage

from xunpai.storage import ledger

SHEET_SUFFIXES = (".xlsx", ".csv")


def upload_problem(upload: FileStorage | None, missing: str, suffixes: tuple[str, ...] = SHEET_SUFFIXES) -> str:
    """The Chinese reason a file upload is refused (``missing`` when no file was chosen), or "" when it may go on."""
    if upload is None or not upload.filename:
        return missing
    if Path(upload.filename).suffix.lower() not in suffixes:
        return f"文件“{upload.filename}”类型不支持，应为 {' 或 '.join(suffixes)}。"
    return ""


def save_upload(upload: FileStorage, folder: str) -> Path:
    """Keep the file under the upload folder's ``folder``, named by the time and its own name (a job reads it)."""
    directory = Path(current_app.config["UPLOAD_DIR"]) / folder
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{ledger.now_local():%Y%m%d%H%M%S%f}-{Path(upload.filename).name}"
    upload.save(path)
    return path
