"""The vehicle pages that run as background jobs (routes of the ``vehicles`` blueprint): the judge's batch
(车辆批量估价: upload a sheet of vehicles, read the results workbook) and the administrator's vehicle tables
(车辆表: calibrate a version from a records file and its column mapping, list the versions, activate one).

Both go through the job queue of ``web.jobs`` like the flat's batch: the page checks what it can at once (case
number, purpose, the file's type and columns, the version name), keeps the upload and starts the job; the job
calls the vehicle service, which checks the court and role again and writes the ledger; its Chinese message
is read on the job page, its file offered only when it succeeded."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from tax_baseline.batch import write_results
from tax_baseline.typed_dates import InvalidDate, parse_date
from vehicles.batch import read_vehicle_file
from vehicles.records import bundled_vehicle_mapping
from web import jobs
from web.database import uow
from web.security import roles_required
from web.uploads import SHEET_SUFFIXES, save_upload, upload_problem
from web.vehicles import PURPOSES, bp
from xunpai.services import jobs as jobs_service
from xunpai.services import vehicles as vehicle_service
from xunpai.services.inquiry import InquiryRefused

MAPPINGS = {"guazi": "二手车挂牌数据（十城）", "sample": "合成成交样本（演示）"}
MAPPING_SUFFIXES = (".yaml", ".yml")
TEMPLATE_COLUMNS = ("车型名称", "上牌时间", "表显里程", "城市", "新车含税价", "估价日期")
TEMPLATE_EXAMPLE = ("宝马5系 2020款 530Li 领先型 M运动套装", "2021-03", "4.5万公里", "银川", "", "")


# ---------------------------------------------------------------- the judge's batch

def _optional_date(text: str, label: str) -> tuple[str, str]:
    text = (text or "").strip()
    if not text:
        return "", ""
    try:
        return parse_date(text, label).isoformat(), ""
    except InvalidDate as exc:
        return "", str(exc)


@bp.route("/batch", methods=["GET", "POST"])
@roles_required("judge")
def batch():
    values = {k: request.form.get(k, "").strip() for k in ("case_number", "purpose", "valuation_date")}
    error = ""
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            case_number = validate_case_number(values["case_number"])
        except InvalidCaseNumber as exc:
            error = str(exc)
        if not error and not values["purpose"]:
            error = "请填写询价用途，如 确定财产处置参考价。"
        on, date_error = _optional_date(values["valuation_date"], "估价日期")
        error = error or date_error
        error = error or upload_problem(upload, "请选择要上传的车辆表格（Excel .xlsx 或 CSV），模板见本页“下载模板”。",
                                        SHEET_SUFFIXES)
        if not error:
            source = save_upload(upload, "vehicle-batch-in")
            try:
                rows = read_vehicle_file(source)
            except ValueError as exc:
                source.unlink(missing_ok=True)
                error = str(exc) + "。"
            else:
                job_id = jobs.start("vehicles.batch", user_id=current_user.id, court_code=current_user.court_code,
                                    total=len(rows), task="vehicles.batch",
                                    params={"user_id": current_user.id, "source": str(source),
                                            "case_number": case_number, "purpose": values["purpose"],
                                            "valuation_date": on, "stem": Path(upload.filename).stem,
                                            "file_name": Path(upload.filename).name})
                return redirect(url_for("vehicles.batch_job", job_id=job_id))
    recent = jobs_service.recent_jobs(uow(), current_user.id, "vehicles.batch")
    return render_template("vehicles/batch.html", error=error, values=values, purposes=PURPOSES, recent=recent,
                           status_text=jobs.status_text, columns=TEMPLATE_COLUMNS), (422 if error else 200)


@bp.route("/batch/template.xlsx")
@roles_required("judge")
def batch_template():
    """The sheet to fill in: the columns the batch reads and one example row."""
    buffer = io.BytesIO()
    pd.DataFrame([TEMPLATE_EXAMPLE], columns=list(TEMPLATE_COLUMNS)).to_excel(buffer, index=False,
                                                                            sheet_name="车辆批量估价")
    buffer.seek(0)
    return send_file(buffer, as_attachment=True, download_name="车辆批量估价模板.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@jobs.task("vehicles.batch")
def batch_work(progress: jobs.Progress, out_dir: Path, *, user_id: int, source: str, case_number: str,
               purpose: str, valuation_date: str, stem: str, file_name: str) -> tuple[str, str]:
    """The vehicle batch job: the service prices the file and writes its one ledger entry (or its refusal's);
    the results workbook goes to the job's staging folder, offered only if the job succeeds."""
    unit = progress.work_uow()
    try:
        rows = read_vehicle_file(Path(source))
        total = len(rows)
        progress(0, 0, total, force=True)
        try:
            outcome = vehicle_service.batch_for_user(
                unit, user_id, rows, case_number=case_number, purpose=purpose, source_name=file_name,
                valuation_date=parse_date(valuation_date, "估价日期") if valuation_date else None)
        except InquiryRefused as exc:
            raise RuntimeError(exc.reason + (f"（已记入台账，序号 {exc.ledger_seq}）" if exc.ledger_seq else "")) from None
        write_results(outcome.results, out_dir / "result.xlsx")
    finally:
        Path(source).unlink(missing_ok=True)
        if unit is not progress.uow:
            unit.close()
    progress(total, outcome.refused, total, force=True)
    return (f"{stem}-车辆估价结果.xlsx",
            f"共 {total} 辆，已估价 {outcome.ok} 辆，未估价 {outcome.refused} 辆（原因见结果文件“原因”列；"
            f"“估价层级”为品牌的车辆按品牌水平估价，区间较宽）。台账校验码 {outcome.verification_code}。")


jobs.add_job_pages(bp, "/batch", "batch", role="judge", title="车辆批量估价", back="vehicles.batch")


# ---------------------------------------------------------------- the administrator's vehicle tables

def _interval_text(version) -> str:
    strata = ((version.statistics or {}).get("interval") or {}).get("strata") or {}
    parts = []
    for key, label in (("series", "车系"), ("series_few", "少记录车系"), ("brand", "品牌")):
        if key in strata:
            parts.append(f"{label} {strata[key]['low']:.3f}–{strata[key]['high']:.3f}")
    return "，".join(parts) if parts else "未估计（不按品牌水平估价）"


@bp.route("/tables", methods=["GET", "POST"])
@roles_required("admin")
def tables():
    errors: list[str] = []
    form = {k: request.form.get(k, "").strip() for k in ("name", "mapping", "as_of")}
    if request.method == "POST":
        action = request.form.get("action")
        if action == "activate":
            name = request.form.get("version", "")
            try:
                vehicle_service.activate(uow(), name, current_user.username)
            except vehicle_service.VehicleError as exc:
                errors = [str(exc)]
            else:
                flash(f"已启用车辆表版本“{name}”。此后的车辆估价均使用该版本（已记入台账）。", "success")
                return redirect(url_for("vehicles.tables"))
        elif action == "calibrate":
            job_id, errors = _start_calibration(form)
            if job_id:
                return redirect(url_for("vehicles.calibrate_job", job_id=job_id))
        else:
            errors = ["未知的操作：请使用本页的按钮。"]
    versions = vehicle_service.list_versions(uow())
    recent = jobs_service.recent_jobs(uow(), current_user.id, "vehicles.calibrate")
    return render_template("vehicles/tables.html", versions=versions, errors=errors, form=form, mappings=MAPPINGS,
                           statuses=vehicle_service.STATUS_NAMES, interval_text=_interval_text, recent=recent,
                           status_text=jobs.status_text), (422 if errors else 200)


def _start_calibration(form: dict) -> tuple[str, list[str]]:
    errors = []
    name = form["name"]
    if not name:
        errors.append("请填写新版本名，如 车辆-2026-10。")
    elif any(v.name == name for v in vehicle_service.list_versions(uow())):
        errors.append(f"车辆表版本“{name}”已存在；版本一经保存不可修改，请换一个版本名。")
    as_of, date_error = _optional_date(form["as_of"], "车辆表截止日期")
    if date_error:
        errors.append(date_error)
    records = request.files.get("records")
    problem = upload_problem(records, "请选择车辆成交或挂牌记录文件（.csv 或 .xlsx）。", SHEET_SUFFIXES)
    if problem:
        errors.append(problem)
    mapping_upload = request.files.get("mapping_file")
    if mapping_upload is not None and mapping_upload.filename:
        problem = upload_problem(mapping_upload, "", MAPPING_SUFFIXES)
        if problem:
            errors.append(problem)
    elif form["mapping"] not in MAPPINGS:
        errors.append(f"请选择随附的列映射（{'、'.join(MAPPINGS.values())}），或上传列映射文件（.yaml）。")
    if errors:
        return "", errors
    records_path = save_upload(records, "vehicle-calibrate-in")
    if mapping_upload is not None and mapping_upload.filename:
        mapping_path, own_mapping = str(save_upload(mapping_upload, "vehicle-calibrate-in")), True
    else:
        mapping_path, own_mapping = str(bundled_vehicle_mapping(form["mapping"])), False
    job_id = jobs.start("vehicles.calibrate", user_id=current_user.id, court_code=current_user.court_code or "",
                        total=1, task="vehicles.calibrate",
                        params={"actor": current_user.username, "records": str(records_path), "mapping": mapping_path,
                                "own_mapping": own_mapping, "name": name, "as_of": as_of,
                                "source": Path(records.filename).name})
    return job_id, []


@jobs.task("vehicles.calibrate")
def calibrate_work(progress: jobs.Progress, out_dir: Path, *, actor: str, records: str, mapping: str,
                   own_mapping: bool, name: str, as_of: str, source: str) -> tuple[str, str]:
    """Read the records through the mapping, fit the table with its intervals, store it as a draft (the service
    checks that ``actor`` is an administrator and writes the ledger); the refused rows, if any, as a workbook."""
    try:
        result = vehicle_service.calibrate(progress.uow, records, mapping, name=name, actor=actor, source=source,
                                           as_of=parse_date(as_of, "车辆表截止日期") if as_of else None)
    except vehicle_service.VehicleError as exc:
        raise RuntimeError(str(exc)) from None
    finally:
        Path(records).unlink(missing_ok=True)
        if own_mapping:
            Path(mapping).unlink(missing_ok=True)
    stats = result.table.statistics
    refused_rows = len({e.row for e in result.errors})
    file_name = ""
    if result.errors:
        write_results(pd.DataFrame([{"行号": e.row, "字段": e.label or e.field, "原值": "" if e.value is None else str(e.value),
                                    "原因": e.reason} for e in result.errors]),
                      out_dir / "refused.xlsx")
        file_name = f"{name}-未读入的行.xlsx"
    interval = _interval_text(result.version)
    progress(1, 0, 1, force=True)
    return (file_name,
            f"已校准草稿版本“{name}”：读取 {result.rows_read} 行，未读入 {refused_rows} 行，去重后 {result.records} 条记录；"
            f"车系 {stats['series']} 个，款型 {stats['models']} 个，价格指数 {len(stats['months'])} 个月，"
            f"样本内 MdAPE {stats['in_sample_mdape']:.2f}%；80% 区间（成交价/估价）：{interval}。"
            f"核对无误后请在“车辆表”页启用。")


jobs.add_job_pages(bp, "/tables/jobs", "calibrate", role="admin", title="校准车辆表", back="vehicles.tables")
