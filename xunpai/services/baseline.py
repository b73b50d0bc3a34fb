"""Table versions in the database: save a validated version as a draft, load one, activate one.

A version is immutable once saved. Quotes use the active version only; a version becomes active only by
an explicit activation, recorded in the ledger with who did it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tax_baseline.tables import SPECS, BaselineTables, validate
from tax_baseline.workbook import WorkbookError, read_csv_table, read_xlsx, replace_table
from xunpai.services import authority
from xunpai.storage import ledger
from xunpai.storage.models.baseline import TableVersion
from xunpai.storage.repositories import baseline as baseline_repo
from xunpai.storage.unit_of_work import UnitOfWork


class VersionError(ValueError):
    """A version that does not exist, already exists, or cannot be activated."""


ADMINS = ("admin",)  # who imports and activates table versions (an administrator's task, not a court's)


def _record(value):
    if isinstance(value, float) and pd.isna(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float):
        return Decimal(str(round(value, 2)))
    return value


def save_version(uow: UnitOfWork, tables: BaselineTables, name: str, *, source: str = "", created_by: str = "",
                 fit_statistics: dict | None = None, note: str = "") -> TableVersion:
    """Store a complete, validated set of tables as a new draft version (nothing stored on any error).
    ``created_by`` must be an administrator (``authority.require``; the command line's operator is recorded)."""
    with uow:
        authority.require(uow, created_by, None, what="导入基准表", roles=ADMINS)
        session = uow.session
        name = (name or "").strip()
        if not name:
            raise VersionError("请为基准表版本命名，如 2026-01。")
        errors = validate(tables)
        if errors:
            raise WorkbookError(errors, source)
        if baseline_repo.version_exists(session, name):
            raise VersionError(f"版本“{name}”已存在；版本一经导入不可修改，请换一个版本名。")
        version = TableVersion(name=name, status="draft", source=source, note=note, created_by=created_by,
                               created_at=ledger.now_local(), row_counts=tables.row_counts(),
                               fit_statistics=fit_statistics)
        session.add(version)
        session.flush()
        for spec in SPECS:
            frame = tables[spec.name]
            if frame.empty:
                continue
            columns = [c.name for c in spec.columns]
            records = [{"version_id": version.id, **{c: _record(v) for c, v in zip(columns, row, strict=True)}}
                       for row in frame[columns].itertuples(index=False, name=None)]
            baseline_repo.insert_table_rows(session, spec.name, records)
        ledger.append(session, "tables.import", {"version": name, "source": source, "rows": version.row_counts},
                      actor=created_by, purpose="导入基准表")
        uow.commit()
        return version


def import_file(uow: UnitOfWork, path: str | Path, name: str, *, actor: str, source: str = "",
                base: str | None = None, progress: Callable[[int], None] | None = None) -> TableVersion:
    """The tables import of every entry point (the administrator's page through its background job, ``xunpai
    tables import``): read a full workbook (.xlsx) or one table (.csv, replacing that table of version ``base``,
    default the active one), check every cell, then store the draft version and its ``tables.import`` ledger
    entry in one transaction: any error stores nothing (``WorkbookError`` lists every cell, ``VersionError`` names
    the version). ``actor`` must be an administrator: the check comes first, a refusal is logged once as
    ``web.denied`` and nothing is read. The file is read outside any transaction (nothing is locked meanwhile);
    ``progress(step)`` is told 1 when it has been read and checked, 2 when the version is stored."""
    path = Path(path)
    source = source or path.name
    authority.require(uow, actor, None, what="导入基准表", roles=ADMINS)
    if path.suffix.lower() == ".xlsx":
        tables, errors = read_xlsx(path)
    elif path.suffix.lower() == ".csv":
        spec, frame, errors = read_csv_table(path)
        if not errors:
            tables, errors = replace_table(load_version(uow, base), spec, frame)
    else:
        raise VersionError(f"基准表文件应为 .xlsx（全套）或 .csv（单张表），收到“{source}”。")
    if errors:
        raise WorkbookError(errors, source)
    if progress:
        progress(1)
    version = save_version(uow, tables, name, source=source, created_by=actor)  # one transaction, checked again
    if progress:
        progress(2)
    return version


def get_version(uow: UnitOfWork, name: str | None = None) -> TableVersion:
    with uow:
        session = uow.session
        if name is None:
            version = baseline_repo.active_version(session)
            if version is None:
                raise VersionError("还没有启用的基准表版本：请先导入（xunpai tables import）并启用（xunpai tables activate）。")
            return version
        version = baseline_repo.version_named(session, name)
        if version is None:
            known = "、".join(baseline_repo.version_names(session)) or "（无）"
            raise VersionError(f"没有名为“{name}”的基准表版本。现有版本：{known}")
        return version


def load_version(uow: UnitOfWork, name: str | None = None) -> BaselineTables:
    """The tables of a version (``None``: the active one) as DataFrames in the spec's shapes."""
    with uow:
        session = uow.session
        version = get_version(uow, name)
        frames = {}
        for spec in SPECS:
            rows = baseline_repo.table_rows(session, spec.name, [c.name for c in spec.columns], version.id)
            frame = pd.DataFrame(rows, columns=[c.name for c in spec.columns])
            for col in spec.columns:
                if col.kind in ("decimal", "percent") and len(frame):
                    frame[col.name] = frame[col.name].astype(float)
                elif col.kind == "date" and len(frame):
                    frame[col.name] = [v if isinstance(v, date) else pd.Timestamp(v).date() for v in frame[col.name]]
            frames[spec.name] = frame
        return BaselineTables(frames, name=version.name)


def activate(uow: UnitOfWork, name: str, actor: str) -> TableVersion:
    """Make ``name`` the version every quote uses (``actor`` an administrator, ``authority.require``)."""
    with uow:
        authority.require(uow, actor, None, what="启用基准表版本", roles=ADMINS)
        session = uow.session
        version = get_version(uow, name)
        if version.status == "active":
            raise VersionError(f"版本“{name}”已经是启用状态。")
        previous = baseline_repo.active_version(session)
        if previous is not None:
            previous.status = "retired"
        version.status = "active"
        version.activated_at = ledger.now_local()
        version.activated_by = actor
        session.flush()
        ledger.append(session, "tables.activate",
                      {"version": name, "previous": previous.name if previous else None}, actor=actor,
                      purpose="启用基准表版本")
        uow.commit()
        return version


def list_versions(uow: UnitOfWork) -> list[TableVersion]:
    with uow:
        return baseline_repo.all_versions(uow.session)


def version_count(uow: UnitOfWork) -> int:
    with uow:
        return baseline_repo.version_count(uow.session)


def is_empty(uow: UnitOfWork) -> bool:
    """No table version was ever imported (the demo builds only on such a database)."""
    with uow:
        return not baseline_repo.any_version(uow.session)
