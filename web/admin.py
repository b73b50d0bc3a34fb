"""Administrators' pages: users (create, unlock, deactivate, party access codes, API tokens), courts and
their zones and policy, table versions (import, compare, activate), calendar overrides (State Council
notices for years the calendar package does not cover), platforms and service firms."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from auction.case_number import validate as validate_case_number
from auction.platforms import catalog
from tax_baseline.tables import SPEC_BY_NAME, SPECS
from tax_baseline.typed_dates import parse_date
from tax_baseline.workbook import WorkbookError, read_xlsx
from web import jobs
from web.database import uow
from web.platforms import local_platform_url
from web.security import roles_required
from web.uploads import SheetSize, save_upload, setting, upload_problem, workbook_rows, zip_problem
from xunpai.services import accounts as accounts_service
from xunpai.services import baseline as store
from xunpai.services import jobs as jobs_service
from xunpai.services import procedure, providers
from xunpai.services.baseline_compare import compare
from xunpai.storage.models.accounts import ROLES

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@roles_required("admin")
def _only_admins():
    return None


def _zones(text: str) -> list[str]:
    return [z for z in (p.strip() for p in text.replace("，", ",").replace("、", ",").split(",")) if z]


# ---------------------------------------------------------------- users

@bp.route("/users", methods=["GET", "POST"])
def users():
    error = ""
    issued = None
    form = request.form
    if request.method == "POST":
        action = form.get("action")
        try:
            if action == "create":
                accounts_service.create_user(
                    uow(), username=form.get("username", ""), display_name=form.get("display_name", ""),
                    role=form.get("role", ""), court_code=form.get("court_code") or None,
                    password=form.get("password", ""), actor=current_user.username)
                flash(f"已创建账户“{form.get('username')}”。", "success")
            elif action == "party":
                user, code = accounts_service.issue_party_access(
                    uow(), case_number=form.get("case_number", ""), party_role=form.get("party_role", ""),
                    party_name=form.get("party_name", ""), id_number=form.get("id_number", ""),
                    actor=current_user.username)
                issued = {"case_number": validate_case_number(form.get("case_number", "")),
                          "name": user.display_name, "code": code}
            elif action in ("unlock", "deactivate", "activate"):
                user = accounts_service.update_user(uow(), form.get("user_id", type=int),
                                                    unlock=action == "unlock",
                                                    active={"deactivate": False, "activate": True}.get(action),
                                                    actor=current_user.username)
                flash(f"账户“{user.username}”已更新。", "success")
            elif action == "token":
                user_id = form.get("user_id", type=int)
                token = accounts_service.issue_api_token(uow(), user_id, label=form.get("label", ""),
                                                         actor=current_user.username)
                issued = {"token": token, "username": accounts_service.username_of(uow(), user_id)}
            else:
                abort(400)
        except accounts_service.UnknownUser:
            abort(404)
        except (accounts_service.AccountError, ValueError) as exc:
            error = str(exc)
        else:
            if not issued:
                return redirect(url_for("admin.users"))
    staff, parties, courts = accounts_service.staff_and_parties(uow())
    return render_template("admin/users.html", staff=staff, parties=parties, courts=courts, roles=ROLES,
                           party_roles=accounts_service.PARTY_ROLES, error=error, issued=issued, form=form,
                           now=accounts_service.ledger.now_local()), (422 if error else 200)


# ---------------------------------------------------------------- courts

@bp.route("/courts", methods=["GET", "POST"])
def courts():
    error = ""
    if request.method == "POST":
        try:
            accounts_service.save_court(uow(), code=request.form.get("code", ""),
                                        name=request.form.get("name", ""),
                                        zones=_zones(request.form.get("zones", "")),
                                        policy={"objection_policy": request.form.get("objection_policy",
                                                                                     "statutory")},
                                        actor=current_user.username)
        except accounts_service.AccountError as exc:
            error = str(exc)
        else:
            flash("法院信息已保存。", "success")
            return redirect(url_for("admin.courts"))
    rows = accounts_service.list_courts(uow())
    return render_template("admin/courts.html", courts=rows, error=error, form=request.form), \
        (422 if error else 200)


# ---------------------------------------------------------------- table versions

@bp.route("/tables", methods=["GET", "POST"])
def tables():
    errors: list[str] = []
    if request.method == "POST":
        action = request.form.get("action")
        if action == "activate":
            try:
                store.activate(uow(), request.form.get("name", ""), current_user.username)
            except store.VersionError as exc:
                errors = [str(exc)]
            else:
                flash(f"已启用基准表版本“{request.form.get('name')}”。此后的询价均使用该版本。", "success")
                return redirect(url_for("admin.tables"))
        elif action == "import":
            job_id, errors = _start_import()
            if job_id:
                return redirect(url_for("admin.tables_job", job_id=job_id))
        else:
            abort(400)
    versions = store.list_versions(uow())
    recent = jobs_service.recent_jobs(uow(), current_user.id, "admin.tables")
    return render_template("admin/tables.html", versions=versions, errors=errors, form=request.form,
                           table_names={spec.name: spec.sheet for spec in SPECS}, recent=recent,
                           status_text=jobs.status_text), \
        (422 if errors else 200)


def _start_import() -> tuple[str, list[str]]:
    """Check what can be checked at once and start the import job: the name, the file's type, a zip bomb (from
    the zip's directory, nothing unpacked), then its rows, counted no further than ``BACKGROUND_ROWS``. A small
    workbook is read and checked here, so its cell errors are listed on this page at once; a larger one is read
    only by the job (as the judges' batch is). Either way the version is stored by the job, never in the request.
    Returns (job id, []) or ("", the Chinese reasons)."""
    upload = request.files.get("file")
    name = request.form.get("name", "").strip()
    problem = upload_problem(upload, "请选择基准表文件（.xlsx，模板见“xunpai tables template”）。", (".xlsx",))
    if problem:
        return "", [problem]
    if not name:
        return "", ["请为基准表版本命名，如 2026-07。"]
    if any(v.name == name for v in store.list_versions(uow())):
        return "", [f"版本“{name}”已存在；版本一经导入不可修改，请换一个版本名。"]
    shown = Path(upload.filename).name
    source = save_upload(upload, "tables-in")
    size = SheetSize(0, zip_problem(source, shown))  # a zip bomb is refused before openpyxl opens it
    if not size.problem:
        size = workbook_rows(source, shown, stop_after=setting("BACKGROUND_ROWS"))
    errors = [size.problem] if size.problem else []
    if not errors and size.rows <= setting("BACKGROUND_ROWS"):
        try:
            _tables, cell_errors = read_xlsx(source)
        except WorkbookError as exc:
            cell_errors = exc.errors
        if cell_errors:
            errors = [f"文件“{shown}”有 {len(cell_errors)} 处错误，未导入任何数据："] + \
                [str(e) for e in cell_errors[:200]]
    if errors:
        source.unlink(missing_ok=True)
        return "", errors
    job_id = jobs.start("admin.tables", user_id=current_user.id, court_code="", total=2, task="admin.tables",
                        params={"actor": current_user.username, "source": str(source), "name": name,
                                "file_name": shown})
    return job_id, []


SHOWN_ERRORS = 30  # cell errors named in a failed job's message (the page lists up to 200 of a small file)


@jobs.task("admin.tables")
def import_work(progress: jobs.Progress, out_dir: Path, *, actor: str, source: str, name: str,
                file_name: str) -> tuple[str, str]:
    """The tables import job, as the administrator who uploaded it: the service checks again that ``actor`` may
    import (an administrator, still active: a refusal is logged as ``web.denied``), reads and checks every cell
    and stores the draft version with its ledger entry in one transaction, or nothing."""
    try:
        version = store.import_file(progress.uow, source, name, actor=actor, source=file_name,
                                    progress=lambda step: progress(step, 0, 2, force=True))
    except WorkbookError as exc:
        more = f"等，共 {len(exc.errors)} 处" if len(exc.errors) > SHOWN_ERRORS else ""
        raise RuntimeError(f"文件“{file_name}”有 {len(exc.errors)} 处错误，未导入任何数据："
                           + "；".join(str(e) for e in exc.errors[:SHOWN_ERRORS]) + more) from None
    except store.VersionError as exc:
        raise RuntimeError(str(exc)) from None
    finally:
        Path(source).unlink(missing_ok=True)
    counts = "，".join(f"{SPEC_BY_NAME[k].sheet if k in SPEC_BY_NAME else k} {n} 行"
                      for k, n in (version.row_counts or {}).items() if n)
    return "", (f"已导入基准表版本“{name}”（草稿；{counts}），已记入台账。核对无误后请在“基准表版本”页启用，"
                "此后的询价才使用该版本。")


jobs.add_job_pages(bp, "/tables/jobs", "tables", role="admin", title="导入基准表", back="admin.tables")


@bp.route("/tables/compare")
def tables_compare():
    old, new = request.args.get("old", ""), request.args.get("new", "")
    try:
        diffs = compare(uow(), old, new)
    except store.VersionError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.tables"))
    return render_template("admin/compare.html", diffs=diffs, old=old, new=new)


# ---------------------------------------------------------------- calendar, platforms, firms

def _dates(text: str, label: str) -> list[date]:
    """Dates typed one by one or as ranges: ``2027-01-01, 2027-02-05~2027-02-13``."""
    out: list[date] = []
    for part in (p.strip() for p in text.replace("，", ",").replace("、", ",").replace("\n", ",").split(",")):
        if not part:
            continue
        try:
            if "~" in part or "至" in part:
                first, last = (parse_date(x, label) for x in part.replace("至", "~").split("~", 1))
                if last < first:
                    raise ValueError
                out += [first + timedelta(days=n) for n in range((last - first).days + 1)]
            else:
                out.append(parse_date(part, label))
        except ValueError:
            raise ValueError(f"{label}中的“{part}”不是日期或日期区间，应为 2027-01-01 或 2027-02-05~2027-02-13。") \
                from None
    return out


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    error = ""
    if request.method == "POST":
        try:
            year = request.form.get("year", type=int)
            if year is None:
                raise ValueError("请填写年份。")
            procedure.set_calendar_year(uow(), year, _dates(request.form.get("holidays", ""), "放假日期"),
                                        _dates(request.form.get("workdays", ""), "调休上班日期"),
                                        source=request.form.get("source", ""), actor=current_user.username,
                                        now=accounts_service.ledger.now_local())
        except ValueError as exc:
            error = str(exc)
        else:
            flash("节假日安排已保存；此后计算的期限按该安排执行。", "success")
            return redirect(url_for("admin.calendar"))
    notices = procedure.calendar_notices(uow())
    return render_template("admin/calendar.html", notices=notices, error=error, form=request.form), \
        (422 if error else 200)


@bp.route("/platforms")
def platforms():
    return render_template("admin/platforms.html", platforms=list(catalog().values()),
                           local_url=local_platform_url())


@bp.route("/firms", methods=["GET", "POST"])
def firms():
    error = ""
    if request.method == "POST":
        try:
            providers.register(uow(), name=request.form.get("name", ""),
                               services=request.form.getlist("services"),
                               credit_code=request.form.get("credit_code") or None,
                               contact=request.form.get("contact", ""), phone=request.form.get("phone", ""),
                               actor=current_user.username)
        except providers.ProviderError as exc:
            error = str(exc)
        else:
            flash("辅助机构已登记。", "success")
            return redirect(url_for("admin.firms"))
    rows = providers.list_providers(uow())
    return render_template("admin/firms.html", firms=rows, services=providers.SERVICES, error=error,
                           form=request.form), (422 if error else 200)
