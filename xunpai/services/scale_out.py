"""Province-scale batches (全省批量估价): a judge's batch inquiry on a Parquet dataset, and the administrator's
revaluation (批量重估) of a whole register at one valuation date, priced by parts on Dask
(:mod:`tax_baseline.scale_out`) and recorded as one ledger entry each, carrying the output's content hash.

The checks (case number, role, hours, the day's count) come before the pricing and the entry after it, in two
units of work in sequence; the ledger's lock is not held while the parts are priced, which may take an hour for a province (every inquiry of
every court would wait on it). A batch that fails writes nothing: no output folder, no entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path

from tax_baseline.limits import LimitRefused, check_count, check_hours, zone_allowed
from tax_baseline.scale_out import DatasetResult, Pricing, UnitSource, value_dataset
from xunpai.services import baseline as baseline_store
from xunpai.services.inquiry import (
    InquiryRefused,
    _active_engine,
    _policy_for,
    _used_today,
    checked_case,
    court_of,
    refuse,
)
from xunpai.storage import ledger
from xunpai.storage.models.accounts import User
from xunpai.storage.unit_of_work import UnitOfWork

TOP_REASONS = 20  # reasons kept in the ledger entry; all of them are in the output's _summary.json


def _revalue_summary(payload: dict) -> str:
    return (f"{payload.get('source', '')} 共 {payload.get('rows')} 套，估价时点 {payload.get('valuation_date')}，"
            f"成功 {payload.get('ok')} 套，拒绝 {payload.get('refused')} 套，总价合计 {payload.get('total_value')} 元"
            f"（基准表 {payload.get('version')}）")


ledger.register_kind("valuation.revalue", "批量重估", _revalue_summary)


@dataclass(frozen=True)
class DatasetBatch:
    """A priced dataset and its ledger entry."""

    result: DatasetResult
    version: str
    ledger_seq: int
    verification_code: str


def _payload(result: DatasetResult, version: str) -> dict:
    return {"ok": result.ok, "refused": result.refused, "total_value": result.total_value, "version": version,
            "output": str(result.out), "result_sha256": result.sha256, "files": len(result.files),
            "mode": result.mode,
            "reasons": [{"状态": s, "原因": r, "行数": n} for s, r, n in result.by_reason[:TOP_REASONS]]}


def quote_dataset_for_user(uow: UnitOfWork, user: User | int, source: UnitSource, out: Path, *, case_number: str,
                           purpose: str, now: datetime | None = None, scheduler: str | None = None,
                           workers: int | None = None, in_process: bool | None = None, progress=None,
                           on_start=None) -> DatasetBatch:
    """A batch inquiry (批量询价) on a dataset: checked as one query, priced by parts, one ``inquiry.batch`` entry.

    Same rules as ``inquiry.quote_batch_for_user``: a judge, a valid case number and purpose, within hours and
    the day's count; rows outside the user's zones are refused row by row (查询范围限制). Two blocks in sequence:
    the checks (under the ledger's lock, released when the block ends), then the entry after the pricing."""
    now = now or ledger.now_local()
    inputs = {"file": source.name, "rows": int(source.rows)}
    with uow:
        session = uow.session
        user = user if isinstance(user, User) else session.get(User, user)
        case_number = checked_case(uow, user, case_number, purpose, inputs, now)
        policy = _policy_for(session, user)
        try:
            engine = _active_engine(uow)
            ledger.lock(session)
            check_hours(policy, now)
            check_count(policy, _used_today(session, user, now), requested=max(1, int(source.rows)))
        except LimitRefused as exc:
            raise refuse(uow, user, case_number, purpose, inputs, exc.message, now, limit=exc.limit,
                          code="limit") from None
        except baseline_store.VersionError as exc:
            raise refuse(uow, user, case_number, purpose, inputs, str(exc), now, code="no_tables") from None
        actor, court = user.username, court_of(user, case_number)
    # left without commit: nothing was written, and the ledger's lock is released while the parts are priced
    pricing = Pricing(engine.tables, engine.version, today=now.date(), zone_filter=partial(zone_allowed, policy),
                      engine=engine)
    result = value_dataset(source, out, pricing, scheduler=scheduler, workers=workers, in_process=in_process,
                           progress=progress, on_start=on_start)
    with uow:
        entry = ledger.append(uow.session, "inquiry.batch", {**inputs, **_payload(result, engine.version)},
                              actor=actor, court_code=court, case_number=case_number, purpose=purpose,
                              recorded_at=now)
        uow.commit()
    return DatasetBatch(result, engine.version, entry.seq, ledger.verification_code(entry.hash))


def revalue(uow: UnitOfWork, user: User | int, source: UnitSource, out: Path, *, valuation_date: date,
            version_name: str | None = None, now: datetime | None = None, scheduler: str | None = None,
            workers: int | None = None, in_process: bool | None = None, progress=None,
            on_start=None) -> DatasetBatch:
    """批量重估: every unit of a register valued at ``valuation_date`` with a table version (default: the active
    one), as the yearly re-appraisal of a tax bureau does (Wenling: 每年委托评估部门对辖区内的不动产进行评估调整).

    An administrator's work, not a court's inquiry: it needs no case number and is not counted against the
    inquiry limits; it is recorded as one ``valuation.revalue`` entry."""
    now = now or ledger.now_local()
    with uow:
        user = user if isinstance(user, User) else uow.session.get(User, user)
        if user.role != "admin":
            raise InquiryRefused("只有管理员可以批量重估。", code="forbidden")
        try:
            version = baseline_store.get_version(uow, version_name).name
            tables = baseline_store.load_version(uow, version)
        except baseline_store.VersionError as exc:
            raise InquiryRefused(str(exc), code="no_tables") from None
        actor, court = user.username, user.court_code or ""
    pricing = Pricing(tables, version, valuation_date=valuation_date)
    result = value_dataset(source, out, pricing, scheduler=scheduler, workers=workers, in_process=in_process,
                           progress=progress, on_start=on_start)
    with uow:
        entry = ledger.append(uow.session, "valuation.revalue",
                              {"source": source.name, "rows": int(result.rows), "valuation_date": valuation_date,
                               **_payload(result, version)},
                              actor=actor, court_code=court, recorded_at=now)
        uow.commit()
    return DatasetBatch(result, version, entry.seq, ledger.verification_code(entry.hash))
