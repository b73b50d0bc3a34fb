"""Clerks' pages: lots (list, create from a case, bulk import from a spreadsheet), document preview, one-click
and bulk publishing with progress, custody and the viewing calendar, outcome statistics with charts.

Every rule (prices, deposits, periods, mandatory disclosures, idempotent publishing, custody fees, statistics)
is the publishing and custody engines' (``auction.*``, ``xunpai.services.publishing``,
``xunpai.services.custody``); the pages validate nothing themselves but the shape of a form."""

from __future__ import annotations

import functools
import io
import tempfile
from datetime import timedelta
from pathlib import Path

from docx import Document
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from auction.case_number import InvalidCaseNumber, validate
from auction.demo_lots import demo_rows
from auction.documents import applicable_kinds, render_document
from auction.lot import CourtInfo, missing_disclosures
from auction.lot_sheet import COLUMNS, read_sheet, write_sheet
from auction.platforms import PlatformError
from tax_baseline.money import parse_yuan, yuan_text
from tax_baseline.typed_dates import parse_date
from web import jobs
from web.database import uow
from web.platforms import choices as platform_choices
from web.platforms import off_peak_windows, platform_for
from web.security import authorize_court, deny, may_see_case, roles_required
from web.uploads import measure, save_upload, setting, upload_problem
from xunpai.services import accounts as accounts_service
from xunpai.services import custody as custody_service
from xunpai.services import jobs as jobs_service
from xunpai.services import lifecycle as lifecycle_service
from xunpai.services import outcomes as outcomes_service
from xunpai.services import procedure, publishing
from xunpai.storage import ledger
from xunpai.storage.models import lots as lot_models

bp = Blueprint("listings", __name__, url_prefix="/lots")


def _models():
    return lot_models


def _lot(lot_id: int):
    lot = publishing.get_lot(uow(), lot_id)
    if lot is None:
        abort(404)
    authorize_court(lot.court_code)
    return lot


# ---------------------------------------------------------------- lots

@bp.route("/")
@roles_required("clerk")
def lots():
    models = _models()
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()
    rows = publishing.court_lots(uow(), current_user.court_code, status=status, text=q)
    counts = publishing.lot_counts(uow(), current_user.court_code)
    return render_template("listings/lots.html", lots=rows, status=status, q=q, statuses=models.LOT_STATUSES,
                           outcomes=models.OUTCOMES, counts=counts, platforms=platform_choices())


@bp.route("/<int:lot_id>")
@roles_required("clerk")
def lot_detail(lot_id: int):
    lot = _lot(lot_id)
    content = lot.lot
    missing = list(missing_disclosures(content))
    kinds = [(k.value, getattr(k, "label", k.value)) for k in applicable_kinds(content)]
    custody = custody_service.court_items(uow(), current_user.court_code, lot_id=lot.id)
    return render_template("listings/lot.html", lot=lot, content=content, missing=missing, kinds=kinds,
                           platforms=platform_choices(), outcomes=_models().OUTCOMES, custody=custody,
                           publication_names=_models().PUBLICATION_STATUSES, statuses=_models().LOT_STATUSES,
                           today=ledger.now_local().date())


def _render(lot, kind: str, fmt: str) -> bytes:
    content = lot.lot
    # the stored court profile (account, panel, clerk, supervision phone; xunpai.services.lifecycle) when saved
    court = lifecycle_service.court_info(uow(), lot.court_code) or CourtInfo(name=content.court_name,
                                                                           contacts=content.contacts)
    return render_document(kind, content, content.plan, court, fmt=fmt, created_on=lot.created_at.date())


@bp.route("/<int:lot_id>/documents/<kind>.<fmt>")
@roles_required("clerk")
def document(lot_id: int, kind: str, fmt: str):
    if fmt not in ("pdf", "docx"):
        abort(404)
    lot = _lot(lot_id)
    try:
        data = _render(lot, kind, fmt)
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    mimetype = "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=fmt == "docx",
                     download_name=f"{lot.lot_code}-{kind}.{fmt}")


@bp.route("/<int:lot_id>/documents/<kind>")
@roles_required("clerk")
def document_preview(lot_id: int, kind: str):
    """The document's text, read back from the generated DOCX, for checking before publishing."""
    lot = _lot(lot_id)
    try:
        data = _render(lot, kind, "docx")
    except ValueError as exc:
        flash(str(exc), "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    document_ = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document_.paragraphs]
    for table in document_.tables:
        for row in table.rows:
            paragraphs.append(" | ".join(cell.text for cell in row.cells))
    return render_template("listings/preview.html", lot=lot, kind=kind, text="\n".join(paragraphs))


@bp.route("/<int:lot_id>/publish", methods=["POST"])
@roles_required("clerk")
def publish(lot_id: int):
    lot = _lot(lot_id)
    code = request.form.get("platform", "local")
    if code not in dict(platform_choices()):
        flash(f"平台“{code}”不存在；请从列表中选择平台。", "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    try:
        if request.form.get("when") == "off_peak":
            (result,) = publishing.queue_lots(uow(), [lot.id], code, off_peak_windows(),
                                              actor=current_user.username)
        else:
            profile = lifecycle_service.court_info(uow(), lot.court_code)  # the stored court profile, if any
            result = publishing.publish_lot(uow(), lot.id, platform_for(code), actor=current_user.username,
                                            documents_for=functools.partial(publishing.render_documents, court=profile)
                                            if request.form.get("documents") else None)
    except (publishing.PublishingError, PlatformError) as exc:
        flash(str(exc), "error")
    else:
        flash(f"{lot.lot_code}：{result.result_name}。{result.message or ''}", "success")
    return redirect(url_for("listings.lot_detail", lot_id=lot_id))


@bp.route("/<int:lot_id>/outcome", methods=["POST"])
@roles_required("clerk")
def outcome(lot_id: int):
    lot = _lot(lot_id)
    try:
        price = parse_yuan(request.form.get("sale_price", ""))
        on = parse_date(request.form.get("on") or ledger.now_local().date(), "结果日期")
        outcomes_service.record_outcome(uow(), lot.id, request.form.get("outcome", ""), sale_price_fen=price,
                                        on=on, actor=current_user.username,
                                        buyer_name=request.form.get("buyer_name", "").strip(),
                                        bidder_code=request.form.get("bidder_code", "").strip(),
                                        correction_reason=request.form.get("correction_reason", "").strip())
    except ValueError as exc:
        flash(str(exc), "error")
    except publishing.PublishingError as exc:
        flash(str(exc), "error")
    else:
        flash("拍卖结果已登记。", "success")
    return redirect(url_for("listings.lot_detail", lot_id=lot_id))




# ---------------------------------------------------------------- create from a case, bulk import and publish

def _sheet_columns() -> list[str]:
    return [c for c in COLUMNS if c != "内容JSON"]


def _prefill_from_case(case_number: str) -> dict[str, str]:
    """The fields a case already knows: number, court, parties, the lot and its reference price."""
    values: dict[str, str] = {"案号": case_number, "拍卖轮次": "first_auction", "标的物类型": "real_estate",
                              "公告日期": (ledger.now_local().date() + timedelta(days=1)).isoformat()}
    court = accounts_service.get_court(uow(), current_user.court_code)
    if court:
        values["执行法院"] = court.name
    try:
        case = procedure.get_case(uow(), case_number)
    except Exception:  # an unregistered case: the clerk fills in the rest
        return values
    names = {"applicant": "申请执行人", "debtor": "被执行人"}
    for role, header in names.items():
        values[header] = "；".join(p.name for p in case.parties if p.role == role)
    for lot in case.lots:
        values["标的名称"] = lot.name
        price = procedure.current_reference_price(uow(), lot.id)
        if price is not None:
            values["参考价（元）"] = yuan_text(price.value_fen)
            values["参考价依据"] = price.reason or f"参考价（{price.method}）"
        break
    return values


@bp.route("/new", methods=["GET", "POST"])
@roles_required("clerk")
def new():
    columns = _sheet_columns()
    problems: list[str] = []
    values = {c: request.form.get(c, "") for c in columns} if request.method == "POST" else {}
    if request.method == "GET" and request.args.get("case"):
        try:
            case_number = validate(request.args["case"])
        except InvalidCaseNumber as exc:
            problems.append(str(exc))
        else:
            if not _may_use_case(case_number):
                deny("case", case_number=case_number, detail="书记员无权为其他法院的案件建立标的")
            values = _prefill_from_case(case_number)
    if request.method == "POST":
        try:
            lot_id = publishing.create_lot(uow(), values,
                                           actor=current_user.username, court_code=current_user.court_code)
        except publishing.FormInvalid as exc:
            problems = [p.reason for p in exc.problems]
        else:
            flash("标的已建立（草稿）。核对文书后即可发布。", "success")
            return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    return render_template("listings/new.html", columns=columns, values=values, problems=problems), \
        (422 if problems else 200)


def _may_use_case(case_number: str) -> bool:
    return may_see_case(current_user, case_number)


@bp.route("/template.xlsx")
@roles_required("clerk")
def template():
    demo = min(max(request.args.get("demo", 0, type=int), 0), 1000)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lots.xlsx"
        start = ledger.now_local().date() + timedelta(days=1)
        write_sheet(path, demo_rows(demo, start, court_code=current_user.court_code) if demo else [])
        data = path.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name="批量挂拍表.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.route("/bulk", methods=["GET", "POST"])
@roles_required("clerk")
def bulk():
    error = ""
    problems = []
    if request.method == "POST":
        upload = request.files.get("file")
        code = request.form.get("platform", "local")
        mode = request.form.get("mode", "publish")
        error = upload_problem(upload, "请选择批量挂拍表（.xlsx 或 .csv，可先下载模板）。")
        if not error and code not in dict(platform_choices()):
            error = f"平台“{code}”不存在。"
        if not error:
            sheet = save_upload(upload, "lots-in")
            size = measure(sheet, Path(upload.filename).name, max_rows=setting("LOT_SHEET_MAX_ROWS"))
            error = size.problem  # a limit passed, or not a sheet: refused before anything parses it
            prepared, found = [], []
            if not error and size.rows <= setting("BACKGROUND_ROWS"):
                prepared, found = read_sheet(sheet)  # everything is checked before anything starts
                # every row's court (from its case number) against the clerk's: refused rows named, logged once
                found += publishing.court_problems(uow(), prepared, current_user.username)
                if not found:
                    found = publishing.check_against_database(uow(), prepared)
            # a large sheet is read and checked by its job in the background (refused whole there), not here
            if found:
                problems = sorted(found, key=lambda p: p.row)
                error = f"批量挂拍表有 {len(problems)} 处问题，未导入、未发布任何标的："
            if error:
                sheet.unlink(missing_ok=True)
            else:
                total = len(prepared) if prepared else size.rows
                job_id = jobs.start("lots.bulk", user_id=current_user.id, court_code=current_user.court_code,
                                    total=total, task="lots.bulk",
                                    params={"sheet": str(sheet), "code": code, "mode": mode,
                                            "stem": Path(upload.filename).stem, "actor": current_user.username,
                                            "court": current_user.court_code, "total": total})
                return redirect(url_for("listings.bulk_job", job_id=job_id))
    recent = jobs_service.recent_jobs(uow(), current_user.id, "lots.bulk")
    return render_template("listings/bulk.html", error=error, problems=problems, platforms=platform_choices(),
                           recent=recent, status_text=jobs.status_text), (422 if error else 200)


@jobs.task("lots.bulk")
def bulk_work(progress: jobs.Progress, out_dir: Path, *, sheet: str, code: str, mode: str, stem: str, actor: str,
              court: str, total: int) -> tuple[str, str]:
    """The bulk job: import the sheet, or publish it now or in the off-peak windows (idempotent: a re-run
    publishes nothing twice)."""
    unit = progress.uow  # the job's own unit of work
    done = {"n": 0}

    def on_progress(n: int) -> None:
        done["n"] += n
        progress(done["n"], 0, total)

    windows = None
    if mode == "off_peak":
        windows = off_peak_windows()
    if mode == "import":
        ids = publishing.import_sheet(unit, Path(sheet), actor=actor)
        progress(len(ids), 0, total, force=True)
        return "", f"已导入 {len(ids)} 个标的（草稿，未发布）。"
    report = publishing.bulk_publish(unit, Path(sheet), platform_for(code), actor=actor, court_code=court,
                                     on_progress=on_progress, queue_windows=windows)
    failed = sum(1 for r in report.results if r.result in ("failed", "not_sent", "refused"))
    progress(len(report.results), failed, total, force=True)
    publishing.write_results(out_dir / "result.xlsx", report.results)
    counts: dict[str, int] = {}
    for r in report.results:
        counts[r.result_name] = counts.get(r.result_name, 0) + 1
    summary = "，".join(f"{k} {v} 个" for k, v in counts.items())
    if report.stopped:
        summary += f"。中途停止：{report.stopped}（重新上传同一文件即可续发，已发布的不会重复）"
    return f"{stem}-发布结果.xlsx", summary + "。"


jobs.add_job_pages(bp, "/bulk", "bulk", role="clerk", title="批量发布", back="listings.lots")


@bp.route("/publish-selected", methods=["POST"])
@roles_required("clerk")
def publish_selected():
    """Publish the lots ticked on the list (a background job with progress)."""
    ids = [int(i) for i in request.form.getlist("lot") if i.isdigit()]
    code = request.form.get("platform", "local")
    if code not in dict(platform_choices()):
        flash(f"平台“{code}”不存在；请从列表中选择平台。", "error")
        return redirect(url_for("listings.lots"))
    if not ids:
        flash("请先勾选要发布的标的。", "error")
        return redirect(url_for("listings.lots"))
    if not publishing.all_of_court(uow(), ids, current_user.court_code):
        deny("court", detail="勾选的标的中有其他法院的标的")
    job_id = jobs.start("lots.bulk", user_id=current_user.id, court_code=current_user.court_code, total=len(ids),
                        task="lots.publish_selected",
                        params={"ids": ids, "code": code, "actor": current_user.username})
    return redirect(url_for("listings.bulk_job", job_id=job_id))


@jobs.task("lots.publish_selected")
def publish_selected_work(progress: jobs.Progress, out_dir: Path, *, ids: list[int], code: str,
                          actor: str) -> tuple[str, str]:
    """Publish the ticked lots one by one (each publication is idempotent)."""
    unit = progress.uow  # the job's own unit of work
    platform = platform_for(code)
    results = []
    for n, lot_id in enumerate(ids, start=1):
        try:
            results.append(publishing.publish_lot(unit, lot_id, platform, actor=actor))
        except publishing.PublishingError as exc:
            results.append(publishing.LotResult(lot_id, "", "", "failed", message=str(exc)))
        progress(n, sum(1 for r in results if r.result == "failed"), len(ids))
    publishing.fill_codes(unit, results)
    publishing.write_results(out_dir / "result.xlsx", results)
    ok = sum(1 for r in results if r.result != "failed")
    return "发布结果.xlsx", f"{ok} 个已发布（或此前已发布），{len(results) - ok} 个未发布（原因见结果文件）。"

