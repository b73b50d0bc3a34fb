"""Judges' pages: the instant inquiry (即时询价) with its result, breakdown and printable PDF, batch
inquiries with progress, and the inquiry ledger (台账), searchable and exportable.

The limits (zones, daily count, hours) and the ledger entries are the inquiry service's; this module only
translates the form to a ``QuoteRequest`` and the answer to a page."""

from __future__ import annotations

import io
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from flask import (
    Blueprint,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from tax_baseline import batch as batch_engine
from tax_baseline.batch import write_results
from tax_baseline.quote import QuoteRequest
from tax_baseline.typed_dates import InvalidDate, parse_date
from web import jobs, receipt_views
from web.database import uow
from web.security import roles_required
from web.uploads import SHEET_SUFFIXES, header_row, measure, save_upload, setting, upload_problem
from xunpai.services import inquiry as inquiry_service
from xunpai.services import jobs as jobs_service
from xunpai.services import receipts as quote_receipts
from xunpai.storage import ledger

bp = Blueprint("inquiry", __name__, url_prefix="/inquiry")

PURPOSES = ("确定财产处置参考价", "拍卖前核实价值", "执行和解参考", "财产保全参考")
ORIENTATIONS = ("", "南北", "南", "东南", "西南", "东", "西", "东西", "北", "东北", "西北")
FIELDS = ("address", "building_id", "floor", "orientation", "area", "contract_date", "valuation_date",
          "case_number", "purpose")
PAGE_SIZE = 50


def _parse_date(text: str, label: str, errors: list[str]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_date(text, label)
    except InvalidDate as exc:
        errors.append(str(exc))
        return None


# The longest a field of the form may be (what the ledger's columns hold; the API's schema says the same).
FIELD_LIMITS = {"address": ("坐落", 200), "building_id": ("楼幢编号", 64), "floor": ("所在层", 40),
                "orientation": ("朝向", 20), "area": ("建筑面积", 24), "case_number": ("案号", 60),
                "purpose": ("查询用途", 200)}


def _request_from_form(form) -> tuple[object | None, dict, list[str]]:
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    errors: list[str] = []
    for name, (label, limit) in FIELD_LIMITS.items():
        if len(values[name]) > limit:
            errors.append(f"{label}太长：最多 {limit} 个字符，收到 {len(values[name])} 个。")
            values[name] = values[name][:limit]
    if errors:
        return None, values, errors
    if not values["address"] and not values["building_id"]:
        errors.append("请填写坐落地址（或从候选中选择楼幢）。")
    if not values["floor"]:
        errors.append("请填写所在楼层，如 5、5/18、中楼层(共18层)。")
    if not values["area"]:
        errors.append("请填写建筑面积（平方米），如 89.5。")
    contract = _parse_date(values["contract_date"], "立契时间", errors)
    if contract is None and not any("立契时间" in e for e in errors):
        errors.append("请填写立契时间（不动产权证或合同上的日期）。")
    valuation = _parse_date(values["valuation_date"], "估价时点", errors)
    if not values["case_number"]:
        errors.append("请填写案号，如（2026）浙1081执1234号。")
    else:
        try:
            values["case_number"] = validate_case_number(values["case_number"])
        except InvalidCaseNumber as exc:
            errors.append(str(exc))
    if not values["purpose"]:
        errors.append("请填写询价用途。")
    if errors:
        return None, values, errors
    quote_request = QuoteRequest(floor=values["floor"], area=values["area"], contract_date=contract,
                                 building_id=values["building_id"] or None, address=values["address"] or None,
                                 orientation=values["orientation"] or None, valuation_date=valuation)
    return quote_request, values, []


def _candidates(exc) -> list[dict]:
    out = []
    for candidate in getattr(exc, "candidates", []) or []:
        out.append({"building_id": getattr(candidate, "building_id", str(candidate)),
                    "address": getattr(candidate, "matched_text", str(candidate)),
                    "score": round(float(getattr(candidate, "score", 0) or 0))})
    return out


@bp.route("/", methods=["GET", "POST"])
@roles_required("judge")
def form():
    values = {name: request.args.get(name, "") for name in FIELDS}
    values["valuation_date"] = values["valuation_date"] or ledger.now_local().date().isoformat()
    errors: list[str] = []
    candidates: list[dict] = []
    if request.method == "POST":
        quote_request, values, errors = _request_from_form(request.form)
        if quote_request is not None:
            try:
                inquiry = inquiry_service.quote_for_user(uow(), current_user.id, quote_request,
                                                        case_number=values["case_number"],
                                                        purpose=values["purpose"],
                                                        context=g.get("xunpai_quote_context"))
            except inquiry_service.InquiryRefused as exc:  # logged in the ledger by the service
                errors = [exc.reason]
                candidates = _candidates(exc)
            else:
                return redirect(url_for("inquiry.result", code=inquiry.verification_code))
    return render_template("inquiry/form.html", values=values, errors=errors, candidates=candidates,
                           purposes=PURPOSES, orientations=ORIENTATIONS), (422 if errors else 200)


@bp.route("/result/<code>")
@roles_required("judge")
def result(code: str):
    return receipt_views.result_page("inquiry/result.html", receipt_views.receipt_for_me(quote_receipts.detail, code))


@bp.route("/result/<code>.pdf")
@roles_required("judge")
def result_pdf(code: str):
    # start-up: web.pdf loads fpdf and fontTools, 0.35-0.8 s measured, which every xunpai command (xunpai --help
    # included) would pay, since the web package is imported by `xunpai serve`'s module; loaded for the first PDF
    from web.pdf import quote_pdf

    return receipt_views.result_pdf(quote_pdf, receipt_views.receipt_for_me(quote_receipts.detail, code), "询价结果单")


@bp.route("/suggest")
@roles_required("judge")
def suggest():
    """Address candidates for the form (JSON, for the suggestion list)."""
    text = request.args.get("q", "").strip()
    if len(text) < 2:
        return jsonify({"candidates": []})
    candidates = inquiry_service.active_engine(uow()).suggest(text, limit=8)
    return jsonify({"candidates": [
        {"building_id": c.building_id, "address": c.matched_text, "label": f"{c.matched_text}（{c.building_id}）"}
        for c in candidates]})


# ---------------------------------------------------------------- batch

BATCH_SUFFIXES = SHEET_SUFFIXES


@bp.route("/batch", methods=["GET", "POST"])
@roles_required("judge")
def batch():
    error = ""
    values = {"case_number": request.form.get("case_number", ""), "purpose": request.form.get("purpose", "")}
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            case_number = validate_case_number(values["case_number"])
        except InvalidCaseNumber as exc:
            error = str(exc)
        else:
            error = upload_problem(upload, "请选择要上传的 Excel（.xlsx）或 CSV 文件。", BATCH_SUFFIXES)
            if not error and not values["purpose"].strip():
                error = "请填写询价用途。"
        if not error:
            source = save_upload(upload, "batch-in")
            shown = Path(upload.filename).name
            size = measure(source, shown)  # bytes, zip, rows and cells before anything parses it
            error = size.problem
            try:
                if not error and size.rows > setting("BACKGROUND_ROWS"):
                    check_columns(header_row(source, shown))  # the rest is read by the job, not in the request
                    total = size.rows
                elif not error:
                    total = len(read_units(source, shown))
            except ValueError as exc:
                error = str(exc)
            if error:
                source.unlink(missing_ok=True)
            else:
                job_id = jobs.start("inquiry.batch", user_id=current_user.id, court_code=current_user.court_code,
                                    total=total, task="inquiry.batch",
                                    params={"user_id": current_user.id, "source": str(source),
                                            "case_number": case_number, "purpose": values["purpose"].strip(),
                                            "stem": Path(upload.filename).stem, "name": shown})
                return redirect(url_for("inquiry.batch_job", job_id=job_id))
    recent = jobs_service.recent_jobs(uow(), current_user.id, "inquiry.batch")
    return render_template("inquiry/batch.html", error=error, values=values, purposes=PURPOSES, recent=recent,
                           status_text=jobs.status_text), (422 if error else 200)


def check_columns(headers) -> None:
    """Refuse (ValueError, Chinese) a file without the columns the batch engine needs."""
    names = {batch_engine.COLUMNS.get(h, h) for h in (str(c).strip() for c in headers)}
    missing = [h for h, name in batch_engine.COLUMNS.items() if name in batch_engine.REQUIRED and name not in names]
    if not ({"building_id", "address"} & names):
        missing.insert(0, "坐落（或楼幢编号）")
    if missing:
        raise ValueError(f"文件缺少列：{'、'.join(missing)}。应有列：{'、'.join(batch_engine.COLUMNS)}。")


def read_units(path: Path, name: str | None = None):
    """The uploaded file as a table of units, with the columns the batch engine needs (checked here so
    that a wrong file is refused at once, before any job starts). ``name``: the file's own name, for messages."""
    units = batch_engine.read_units(path, name=name)
    check_columns(units.columns)
    if units.empty:
        raise ValueError("文件中没有任何数据行。")
    return units


RESULT_XLSX_ROWS = 100_000  # a larger result is written as CSV (an .xlsx of a million rows takes minutes to write)


@jobs.task("inquiry.batch")
def batch_work(progress: jobs.Progress, out_dir: Path, *, user_id: int, source: str, case_number: str,
               purpose: str, stem: str, name: str | None = None) -> tuple[str, str]:
    """The batch inquiry job: the service prices the file and writes its one ledger entry (or its refusal's)
    in its own transaction; the result file goes to the job's staging folder and is offered only if the whole
    job succeeds."""
    unit = progress.work_uow()
    try:
        rows = read_units(Path(source), name)
        total = len(rows)
        try:
            outcome = inquiry_service.quote_batch_for_user(
                unit, user_id, rows, case_number=case_number, purpose=purpose, source_name=stem,
                progress=lambda done, *_: progress(int(done), 0, total))
        except inquiry_service.InquiryRefused as exc:
            raise RuntimeError(exc.reason) from None
        suffix = ".xlsx" if total <= RESULT_XLSX_ROWS else ".csv"
        write_results(outcome.results, out_dir / f"result{suffix}")
    finally:
        Path(source).unlink(missing_ok=True)
    progress(total, outcome.refused, total, force=True)
    return (f"{stem}-询价结果{suffix}",
            f"共 {total} 条，成功 {outcome.ok} 条，未成功 {outcome.refused} 条（原因见结果文件）。"
            f"台账校验码 {outcome.verification_code}。")


jobs.add_job_pages(bp, "/batch", "batch", role="judge", title="批量询价", back="inquiry.batch")


# ---------------------------------------------------------------- the ledger (台账)

def _ledger_filters() -> tuple[dict, dict, list[str]]:
    args = request.args
    shown = {k: args.get(k, "").strip() for k in ("case_number", "kind", "actor", "since", "until")}
    errors: list[str] = []
    filters: dict = {"court_code": current_user.court_code}
    if shown["case_number"]:
        try:
            filters["case_number"] = validate_case_number(shown["case_number"])
        except InvalidCaseNumber as exc:
            errors.append(str(exc))
    if shown["kind"]:
        filters["kind"] = shown["kind"]
    if shown["actor"]:
        filters["actor"] = shown["actor"]
    since = _parse_date(shown["since"], "起始日期", errors)
    until = _parse_date(shown["until"], "截止日期", errors)
    if since:
        filters["since"] = datetime.combine(since, datetime.min.time())
    if until:
        filters["until"] = datetime.combine(until + timedelta(days=1), datetime.min.time())
    return filters, shown, errors


MAX_PAGE = 10_000


@bp.route("/ledger", endpoint="ledger")
@roles_required("judge")
def ledger_page():
    filters, shown, errors = _ledger_filters()
    page = request.args.get("page", 1, type=int)
    if not 1 <= page <= MAX_PAGE:
        return render_template("error.html", status=400, title="页码不正确",
                               message=f"页码应为 1 至 {MAX_PAGE} 之间的整数。"), 400
    rows = [] if errors else quote_receipts.ledger_entries(uow(), newest_first=True, limit=PAGE_SIZE * page + 1,
                                                         **filters)
    has_more = len(rows) > PAGE_SIZE * page
    rows = rows[PAGE_SIZE * (page - 1):PAGE_SIZE * page]
    kinds = sorted(ledger.KIND_NAMES.items(), key=lambda kv: kv[0])
    return render_template("inquiry/ledger.html", rows=rows, shown=shown, errors=errors, page=page,
                           has_more=has_more, kinds=kinds)


@bp.route("/ledger.xlsx")
@roles_required("judge")
def ledger_export():
    filters, _shown, errors = _ledger_filters()
    if errors:
        flash("；".join(errors), "error")
        return redirect(url_for("inquiry.ledger", **request.args))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        quote_receipts.export_ledger(uow(), handle.name, **filters)
        data = Path(handle.name).read_bytes()
    stamp = ledger.now_local().strftime("%Y%m%d-%H%M")
    return send_file(io.BytesIO(data), as_attachment=True, download_name=f"信息查询台账-{stamp}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
