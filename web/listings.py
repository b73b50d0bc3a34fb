"""Clerks' pages: lots (list, create from a case, bulk import from a spreadsheet), document preview, one-click
and bulk publishing with progress, custody and the viewing calendar, outcome statistics with charts.

Every rule (prices, deposits, periods, mandatory disclosures, idempotent publishing, custody fees, statistics)
is the publishing and custody engines' (``auction.*``, ``xunpai.services.publishing``,
``xunpai.services.custody``); the pages validate nothing themselves but the shape of a form."""

from __future__ import annotations

import io
import re
import tempfile
from datetime import timedelta
from pathlib import Path

from docx import Document
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user

from auction import lot_form, lot_sheet
from auction import media as media_rules
from auction.case_number import InvalidCaseNumber, validate
from auction.demo_lots import demo_rows
from auction.documents import DocumentError, DocumentKind, applicable_kinds, court_gaps, render_document
from auction.lot import CourtInfo, missing_disclosures
from auction.lot_kinds import AuctionRound, PropertyKind
from auction.lot_sheet import COLUMNS, read_sheet, write_sheet
from auction.platforms import PlatformError
from auction.reference_price import METHOD_NAMES
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
from xunpai.services import inquiry as inquiry_service
from xunpai.services import jobs as jobs_service
from xunpai.services import lifecycle as lifecycle_service
from xunpai.services import outcomes as outcomes_service
from xunpai.services import platform_results, procedure, publishing
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
    if current_user.role == "judge" and not publishing.judge_may_see(uow(), lot.id, current_user.username):
        deny("case", case_number=lot.case_number, detail="法官只能查看本人承办案件的标的")
    return lot


# ---------------------------------------------------------------- lots

@bp.route("/")
@roles_required("clerk", "judge")
def lots():
    """The court's lots: a clerk's to work on; a judge sees the lots of the court's cases (read only)."""
    models = _models()
    status = request.args.get("status", "")
    q = request.args.get("q", "").strip()[:100]
    rows = publishing.court_lots(uow(), current_user.court_code, status=status, text=q)
    if current_user.role == "judge":
        rows = [lot for lot in rows if publishing.judge_may_see(uow(), lot.id, current_user.username)]
    counts = publishing.lot_counts(uow(), current_user.court_code)
    drafts = publishing.court_drafts(uow(), current_user.court_code) if current_user.role == "clerk" else []
    return render_template("listings/lots.html", lots=rows, status=status, q=q, statuses=models.LOT_STATUSES,
                           outcomes=models.OUTCOMES, counts=counts, platforms=platform_choices(), drafts=drafts,
                           clerk=current_user.role == "clerk")


@bp.route("/<int:lot_id>")
@roles_required("clerk", "judge")
def lot_detail(lot_id: int):
    lot = _lot(lot_id)
    content = lot.lot
    missing = lot_form.disclosure_fields(list(missing_disclosures(content)))
    kinds = [(k.value, getattr(k, "label", k.value)) for k in applicable_kinds(content)]
    custody = custody_service.court_items(uow(), current_user.court_code, lot_id=lot.id)
    draft = publishing.lot_draft(uow(), lot.id)
    package_only = {code for code, _n in platform_choices() if code != "local"}
    return render_template("listings/lot.html", lot=lot, content=content, missing=missing, kinds=kinds,
                           platforms=platform_choices(), outcomes=_models().OUTCOMES, custody=custody,
                           publication_names=_models().PUBLICATION_STATUSES, statuses=_models().LOT_STATUSES,
                           today=ledger.now_local().date(), draft=draft, by_column=lot_form.BY_COLUMN,
                           package_only=package_only, clerk=current_user.role == "clerk",
                           round_name=AuctionRound(lot.round).label, kind_name=PropertyKind(lot.kind).label)


def _render(lot, kind: str, fmt: str) -> bytes:
    content = lot.lot
    # the stored court profile (account, panel, clerk, supervision phone; xunpai.services.lifecycle) when saved
    court = lifecycle_service.court_info(uow(), lot.court_code) or CourtInfo(name=content.court_name,
                                                                           contacts=content.contacts)
    document_kind = DocumentKind(kind)  # ValueError (shown) for an unknown kind
    gaps = court_gaps(content, court, [document_kind]).get(document_kind)
    if gaps:  # never "本院账户：—" or an unsigned ruling: say which court details are missing
        raise DocumentError(f"{document_kind.label_for(content.plan)}需要的法院信息缺少：{'、'.join(gaps)}；"
                            "请本院管理员在“法院信息”页填写后再制作。")
    return render_document(kind, content, content.plan, court, fmt=fmt, created_on=lot.created_at.date())


@bp.route("/<int:lot_id>/documents/<kind>.<fmt>")
@roles_required("clerk", "judge")
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
@roles_required("clerk", "judge")
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
    label = next((getattr(k, "label", "") for k in applicable_kinds(lot.lot) if k.value == kind), "") or "文书"
    return render_template("listings/preview.html", lot=lot, kind=kind, label=label, text="\n".join(paragraphs))


@bp.route("/<int:lot_id>/publish", methods=["POST"])
@roles_required("clerk")
def publish(lot_id: int):
    """Publishing asks first: the confirmation page says what will happen on that platform; only its button
    (confirm=1) publishes."""
    lot = _lot(lot_id)
    code = request.form.get("platform", "local")
    names = dict(platform_choices())
    if code not in names:
        flash(f"平台“{code}”不存在；请从列表中选择平台。", "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    when = "off_peak" if request.form.get("when") == "off_peak" else "now"
    documents = bool(request.form.get("documents"))
    missing = list(missing_disclosures(lot.lot))
    if missing:
        flash(f"标的 {lot.lot_code} 缺少 {len(missing)} 项必须披露的信息，不能发布（见下方清单）。", "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id) + "#missing")
    if request.form.get("confirm") != "1":
        return render_template("listings/confirm.html", lot=lot, code=code, platform_name=names[code], when=when,
                               documents=documents, package_only=code != "local",
                               photos=len(lot.lot.photos))
    try:
        if when == "off_peak":
            (result,) = publishing.queue_lots(uow(), [lot.id], code, off_peak_windows(),
                                              actor=current_user.username)
        else:
            result = publishing.publish_lot(uow(), lot.id, platform_for(code), actor=current_user.username,
                                            documents_for=publishing.documents_with_court_profile(uow())
                                            if documents else None)  # the stored court profile
    except (publishing.PublishingError, PlatformError) as exc:
        flash(str(exc), "error")
    else:
        extra = "请下载上传包，在平台上传后登记上传。" if result.stage == "ready" else (result.message or "")
        flash(f"{lot.lot_code}（{names[code]}）：{result.result_name}。{extra}", "success")
    return redirect(url_for("listings.lot_detail", lot_id=lot_id) + "#publishing")


@bp.route("/<int:lot_id>/packages/<code>.zip")
@roles_required("clerk")
def package(lot_id: int, code: str):
    """The upload package (or the 撤回 / 暂缓 notice) of a package-only platform, from the browser."""
    lot = _lot(lot_id)
    if code not in dict(platform_choices()):
        abort(404)
    action = request.args.get("action", "")
    if action not in ("", "withdraw", "suspend"):
        abort(404)
    try:
        path, name = publishing.package_file(uow(), lot.id, platform_for(code), court_code=current_user.court_code,
                                             action=action)
    except (publishing.PublishingError, PlatformError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/<int:lot_id>/uploads/<code>", methods=["POST"])
@roles_required("clerk")
def record_upload(lot_id: int, code: str):
    lot = _lot(lot_id)
    try:
        publishing.record_upload(uow(), lot.id, code, reference=request.form.get("reference", ""),
                                 url=request.form.get("url", ""), live=request.form.get("live") == "1",
                                 court_code=current_user.court_code, actor=current_user.username)
    except publishing.PublishingError as exc:
        flash(str(exc), "error")
    else:
        flash("已登记上传：" + ("标的已在平台上线。" if request.form.get("live") == "1" else "平台已受理，待上线。"),
              "success")
    return redirect(url_for("listings.lot_detail", lot_id=lot_id) + "#publishing")


@bp.route("/<int:lot_id>/withdraw", methods=["POST"])
@roles_required("clerk")
def withdraw(lot_id: int):
    """撤回 / 暂缓 on every platform (called or a notice package), then on the lot: the lifecycle's event when its
    state machine allows it (网拍规定 arts. 28-29), else the outcome as recorded before the lifecycle existed."""
    lot = _lot(lot_id)
    action = request.form.get("action", "")
    reason = request.form.get("reason", "")
    try:
        told = publishing.withdraw(uow(), lot.id, platform_for, action=action, reason=reason,
                                   court_code=current_user.court_code, actor=current_user.username)
        today = ledger.now_local().date()
        try:
            lifecycle_service.record_event(uow(), lot.id, action, today, data={"reason": reason.strip()},
                                           actor=current_user.username, court_code=current_user.court_code)
        except ValueError:  # the lifecycle has not followed this lot (no announcement recorded there)
            outcomes_service.record_outcome(uow(), lot.id, "withdrawn" if action == "withdraw" else "suspended",
                                            on=today, actor=current_user.username)
    except (publishing.PublishingError, PlatformError, ValueError) as exc:
        flash(str(exc), "error")
    else:
        names = dict(platform_choices())
        word = "撤回" if action == "withdraw" else "暂缓"
        flash(f"标的已{word}：{'、'.join(names.get(c, c) for c in told)}。仅有上传包的平台请下载{word}通知上传。",
              "success")
    return redirect(url_for("listings.lot_detail", lot_id=lot_id) + "#publishing")


@bp.route("/<int:lot_id>/next-round", methods=["POST"])
@roles_required("clerk")
def next_round(lot_id: int):
    """The next round in one step: the lifecycle's (xunpai.services.lifecycle.start_next_round: its rules, the
    reneging buyer barred) when it recorded the failure, else the listing plan's second-round rule from the
    recorded 流拍; the new lot keeps the photos and gets a draft to edit."""
    lot = _lot(lot_id)
    try:
        try:
            new_id = lifecycle_service.start_next_round(
                uow(), lot.id, announce_on=ledger.now_local().date(), actor=current_user.username,
                court_code=current_user.court_code).id
            publishing.carry_over(uow(), lot.id, new_id, court_code=current_user.court_code,
                                  actor=current_user.username)
        except lifecycle_service.LifecycleError:
            if lot.outcome != "unsold":
                raise
            new_id = publishing.next_round(uow(), lot.id, court_code=current_user.court_code,
                                           actor=current_user.username)
    except (publishing.PublishingError, lifecycle_service.LifecycleError) as exc:
        flash(str(exc), "error")
        return redirect(url_for("listings.lot_detail", lot_id=lot_id))
    flash("下一轮标的已建立（草稿），起拍价与日期已按规则计算，核对后即可发布。", "success")
    return redirect(url_for("listings.lot_detail", lot_id=new_id))


@bp.route("/results", methods=["GET", "POST"])
@roles_required("clerk")
def results():
    """Results back from the platforms: a platform's results file (标的编号, 结果, 成交价, 买受人 …), or the
    platforms with an interface asked directly; each becomes the lot's outcome."""
    report = None
    error = ""
    if request.method == "POST":
        if request.form.get("source") == "api":
            report = platform_results.fetch_results(uow(), platform_for, court_code=current_user.court_code,
                                                    actor=current_user.username)
        else:
            upload = request.files.get("file")
            error = upload_problem(upload, "请选择平台的结果文件（.xlsx 或 .csv）。")
            if not error:
                path = save_upload(upload, "results-in")
                report = platform_results.import_results(uow(), path, court_code=current_user.court_code,
                                                         actor=current_user.username)
    return render_template("listings/results.html", report=report, error=error,
                           headers=platform_results.RESULT_COLUMNS), (422 if error else 200)


@bp.route("/<int:lot_id>/outcome", methods=["POST"])
@roles_required("clerk")
def outcome(lot_id: int):
    lot = _lot(lot_id)
    try:
        price = parse_yuan(request.form.get("sale_price", ""))
        if price is not None and not 0 < price <= lot_form.MONEY_MAX_FEN:
            raise ValueError("“成交价”应在 0.01 元至 1,000 亿元之间。")
        on = parse_date(request.form.get("on") or ledger.now_local().date(), "结果日期")
        outcomes_service.record_outcome(uow(), lot.id, request.form.get("outcome", ""), sale_price_fen=price,
                                        on=on, actor=current_user.username,
                                        buyer_name=request.form.get("buyer_name", "").strip()[:100],
                                        bidder_code=request.form.get("bidder_code", "").strip()[:40],
                                        correction_reason=request.form.get("correction_reason", "").strip()[:500])
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


def _media_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "media"


def _prefill_from_case(case_number: str) -> dict[str, str]:
    """The fields a case already knows: number, court, parties, the lot, its reference price and basis, the
    clerk as contact; the round, the announcement date and the lot's number by default."""
    today = ledger.now_local().date()
    values: dict[str, str] = {"案号": case_number, "拍卖轮次": "first_auction", "标的物类型": "real_estate",
                              "公告日期": (today + timedelta(days=1)).isoformat(),
                              "联系人": current_user.display_name}
    court = accounts_service.get_court(uow(), current_user.court_code)
    if court:
        values["执行法院"] = court.name
    number = re.search(r"执(?:恢)?(\d+)号", case_number)
    values["标的编号"] = f"{case_number[1:5]}-{number.group(1) if number else '0'}-1"
    try:
        case = procedure.get_case(uow(), case_number)
    except Exception:  # an unregistered case: the clerk fills in the rest
        return values
    names = {"applicant": "申请执行人", "debtor": "被执行人"}
    for role, header in names.items():
        values[header] = "；".join(p.name for p in case.parties if p.role == role)
    for lot in case.lots:
        values["标的名称"] = lot.name
        # the property as the case registered it (its kind, address and building, when the procedure has them)
        kind = {"vehicle": "vehicle", "movable": "movable", "equity": "equity",
                "other": "other_right"}.get(getattr(lot, "kind", "") or "", "real_estate")
        values["标的物类型"] = kind
        if getattr(lot, "address", ""):
            values["所在地"] = lot.address
        if kind == "real_estate" and getattr(lot, "building_id", ""):
            values.update(_survey_of_building(lot.building_id))
        price = procedure.current_reference_price(uow(), lot.id)
        if price is not None:
            values["参考价（元）"] = yuan_text(price.value_fen)
            method = METHOD_NAMES.get(price.method, "参考价")
            values["参考价依据"] = f"{method}，{price.fixed_on:%Y年%m月%d日}确定" + (
                f"（{price.reason}）" if price.reason else "")
        break
    return values


def _survey_of_building(building_id: str) -> dict[str, str]:
    """What the baseline tables know of the flat's building for the survey sheet: total floors, year built."""
    try:
        building = inquiry_service.active_engine(uow()).buildings.get(str(building_id))
    except Exception:  # no active table version: the clerk types them
        return {}
    if building is None:
        return {}
    out = {}
    if getattr(building, "total_floors", None):
        out["总楼层"] = str(int(building.total_floors))
    if getattr(building, "year_built", None):
        out["建成年份"] = str(int(building.year_built))
    return out


def _form_values() -> dict[str, str]:
    return {c: request.form.get(c, "") for c in publishing.FORM_COLUMNS if c in request.form}


def _render_form(values: dict[str, str], *, draft=None, problems: dict[str, str] | None = None,
                 general: list[str] | None = None, missing=None, media_problems: list[str] | None = None,
                 status: int = 200):
    kind = values.get("标的物类型", "") or "real_estate"
    return render_template("listings/new.html", values=values, draft=draft, sections=lot_form.sections(""),
                           kind=kind, kinds=lot_form.KIND_CHOICES, problems=problems or {}, general=general or [],
                           missing=missing or [], media_problems=media_problems or [],
                           by_column=lot_form.BY_COLUMN), status


@bp.route("/new", methods=["GET", "POST"])
@roles_required("clerk")
def new():
    if request.method == "POST":
        return _save(None)
    values: dict[str, str] = {}
    general: list[str] = []
    if request.args.get("case"):
        try:
            case_number = validate(request.args["case"])
        except InvalidCaseNumber as exc:
            general.append(str(exc))
        else:
            if not _may_use_case(case_number):
                deny("case", case_number=case_number, detail="书记员无权为其他法院的案件建立标的")
            values = _prefill_from_case(case_number)
    return _render_form(values, general=general, status=422 if general else 200)


@bp.route("/drafts/<int:draft_id>", methods=["GET", "POST"])
@roles_required("clerk")
def draft(draft_id: int):
    if request.method == "POST":
        return _save(draft_id)
    try:
        found = publishing.get_draft(uow(), draft_id, current_user.court_code)
    except publishing.PublishingError:
        abort(404)
    problems, general, missing = {}, [], []
    if request.args.get("check"):
        check = lot_sheet.check_form(dict(found.values), today=ledger.now_local().date())
        problems, general = check.field_problems, check.general
        missing = check.missing
    return _render_form(dict(found.values), draft=found, problems=problems, general=general, missing=missing)


def _save(draft_id: int | None):
    """Every submit keeps what was typed first (a draft), then takes the uploads, then, for 建立标的, checks the
    whole form: all problems at once beside their fields, nothing typed is lost."""
    values = _form_values()
    try:
        draft_id = publishing.save_draft(uow(), values, court_code=current_user.court_code,
                                         actor=current_user.username, draft_id=draft_id)
    except publishing.PublishingError:
        abort(404)
    media_problems = []
    for upload in request.files.getlist("media"):
        if not upload or not upload.filename:
            continue
        content = upload.read(media_rules.VIDEO_MAX_BYTES + 1)
        try:
            publishing.add_media(uow(), draft_id, upload.filename, content, _media_dir(),
                                 court_code=current_user.court_code, actor=current_user.username)
        except media_rules.MediaRefused as exc:
            media_problems.append(str(exc))
    remove = request.form.get("remove_media", "")
    if remove.isdigit():
        publishing.remove_media(uow(), draft_id, int(remove), court_code=current_user.court_code,
                                actor=current_user.username)
    action = request.form.get("action", "draft")
    found = publishing.get_draft(uow(), draft_id, current_user.court_code)
    if action != "build":
        if media_problems:
            return _render_form(dict(found.values), draft=found, media_problems=media_problems, status=422)
        flash("草稿已保存。" if action == "draft" else "照片与视频已更新，草稿已保存。", "success")
        return redirect(url_for("listings.draft", draft_id=draft_id) + ("#section-7" if action != "draft" else ""))
    result = publishing.build_from_draft(uow(), draft_id, _media_dir(), court_code=current_user.court_code,
                                         actor=current_user.username, today=ledger.now_local().date())
    if result.lot_id is None or media_problems:
        check = result.check
        return _render_form(dict(found.values), draft=publishing.get_draft(uow(), draft_id, current_user.court_code),
                            problems=check.field_problems, general=check.general, missing=check.missing,
                            media_problems=media_problems, status=422)
    missing = result.check.missing
    if missing:
        flash(f"标的已建立（草稿），还缺 {len(missing)} 项必须披露的信息，补齐后才能发布。", "warning")
    else:
        flash("标的已建立，必须披露的信息齐全，可以发布。", "success")
    return redirect(url_for("listings.lot_detail", lot_id=result.lot_id))


@bp.route("/<int:lot_id>/edit")
@roles_required("clerk")
def edit(lot_id: int):
    lot = _lot(lot_id)
    try:
        draft_id = publishing.draft_for_lot(uow(), lot.id, current_user.court_code, actor=current_user.username)
    except publishing.PublishingError:
        abort(404)
    return redirect(url_for("listings.draft", draft_id=draft_id, check=1) + (
        f"#f-{request.args['field']}" if request.args.get("field") in lot_form.BY_KEY else ""))


@bp.route("/media/<int:media_id>")
@bp.route("/media/<int:media_id>/thumb", endpoint="media_thumb")
@roles_required("clerk", "judge")
def media(media_id: int):
    found = publishing.media_item(uow(), media_id)
    if found is None:
        abort(404)
    item, court = found
    authorize_court(court)
    thumb = request.endpoint == "listings.media_thumb" and item.kind == "photo"
    path = publishing.media_file(_media_dir(), item, thumb=thumb)
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg" if thumb else item.mime, download_name=item.name,
                     as_attachment=False)


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
        mode = request.form.get("mode", "import")
        error = upload_problem(upload, "请选择批量挂拍表（.xlsx 或 .csv，可先下载模板）。")
        if not error and code not in dict(platform_choices()):
            error = "请从列表中选择拍卖平台。"
        if not error and mode not in ("import", "publish", "off_peak"):
            error = "请从列表中选择方式。"
        if not error and mode != "import" and request.form.get("confirm_publish") != "1":
            error = "选择了发布：请勾选“我已核对，确认发布全部标的”，或改为只导入。"
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
                                            "documents": bool(request.form.get("documents")),
                                            "court": current_user.court_code, "total": total})
                return redirect(url_for("listings.bulk_job", job_id=job_id))
    recent = jobs_service.recent_jobs(uow(), current_user.id, "lots.bulk")
    return render_template("listings/bulk.html", error=error, problems=problems, platforms=platform_choices(),
                           recent=recent, status_text=jobs.status_text), (422 if error else 200)


@jobs.task("lots.bulk")
def bulk_work(progress: jobs.Progress, out_dir: Path, *, sheet: str, code: str, mode: str, stem: str, actor: str,
              court: str, total: int, documents: bool = False) -> tuple[str, str]:
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
        counts: dict[str, int] = {}
        ids = publishing.import_sheet(unit, Path(sheet), actor=actor, counts=counts)
        progress(len(ids), 0, total, force=True)
        return "", (f"已导入 {len(ids)} 个标的（草稿，未发布）：新建 {counts['new']} 个，更新 {counts['changed']} 个，"
                    f"内容未变 {counts['unchanged']} 个。")
    report = publishing.bulk_publish(unit, Path(sheet), platform_for(code), actor=actor, court_code=court,
                                     on_progress=on_progress, queue_windows=windows,
                                     documents_for=publishing.documents_with_court_profile(unit) if documents else None)
    failed = sum(1 for r in report.results if r.result in ("failed", "not_sent", "refused", "blocked"))
    progress(len(report.results), failed, total, force=True)
    publishing.write_results(out_dir / "result.xlsx", report.results)
    summary = publishing.summary_of(report.results, imported=report.total)
    if report.stopped:
        summary += f"中途停止：{report.stopped}（重新上传同一文件即可续发，已交平台的不会重复）。"
    return f"{stem}-发布结果.xlsx", summary


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
        except publishing.DisclosuresMissing as exc:
            results.append(publishing.LotResult(lot_id, "", "", "blocked", message=str(exc)))
        except publishing.PublishingError as exc:
            results.append(publishing.LotResult(lot_id, "", "", "failed", message=str(exc)))
        progress(n, sum(1 for r in results if r.result in ("failed", "blocked")), len(ids))
    publishing.fill_codes(unit, results)
    publishing.write_results(out_dir / "result.xlsx", results)
    return "发布结果.xlsx", publishing.summary_of(results) + "（每个标的的结果与原因见结果文件）"

