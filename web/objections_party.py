"""Parties' pages (routes of the ``objections`` blueprint): the case with its reports and deadlines, filing an
objection (grounds checklist, facts and reasons, evidence with limits), the receipt (回执) as PDF, and viewing
appointments. Only the party's own case, and only their own objections, are shown (others: 404, logged)."""

from __future__ import annotations

import re
import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from auction import objections as rules
from tax_baseline.typed_dates import InvalidDate, parse_date
from web.database import uow
from web.objection_views import (
    case_or_none,
    deadline_view,
    my_party_id,
    now,
    objection_view,
    receipt_pdf,
    report_name,
    visible_objection,
)
from web.objections import bp
from web.security import authorize_case, deny, roles_required
from xunpai.services import custody, procedure
from xunpai.services import objections as objection_service

_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")

# ================================================================ parties

@bp.route("/party")
@roles_required("party")
def party_home():
    if len(current_user.case_numbers) == 1:
        return redirect(url_for("objections.party_case", case_number=current_user.case_numbers[0]))
    return render_template("objections/party_cases.html", cases=current_user.case_numbers)


@bp.route("/party/case/<case_number>")
@roles_required("party")
def party_case(case_number: str):
    case_number = authorize_case(case_number)
    case = case_or_none(case_number)
    party_id = my_party_id(case_number)
    objections, reports = [], []
    if case is not None:
        calendar = procedure.load_calendar(uow())
        for lot in case.lots:
            price = procedure.current_reference_price(uow(), lot.id)
            for report in lot.reports:
                sent_on = report.forwarded_on or report.published_on
                window = rules.objection_window(sent_on, calendar) if sent_on else None
                reports.append({"lot": lot, "report": report, "price": price,
                                "name": report_name(report),
                                "window": deadline_view(window),
                                "may_object": report.kind in (rules.ReportKind.NETWORK_INQUIRY.value,
                                                              rules.ReportKind.APPRAISAL.value,
                                                              rules.ReportKind.DIRECTED_INQUIRY.value)})
        if party_id is not None:
            rows = objection_service.party_objections(uow(), [party_id], case_id=case.id, newest_first=True)
            objections = [objection_view(o) for o in rows]
    viewings = _viewings_for_case(case_number)
    return render_template("objections/party_case.html", case_number=case_number, case=case, reports=reports,
                           objections=objections, party_id=party_id, viewings=viewings)


def _viewings_for_case(case_number: str) -> list[dict]:
    """Viewing slots of the seized items of this case (custody), with free seats."""
    return [{"item": item, "slot": slot, "free": free}
            for item, slot, free in custody.open_viewings(uow(), case_number, after=now())]


@bp.route("/party/case/<case_number>/viewing/<int:slot_id>", methods=["POST"])
@roles_required("party")
def party_book_viewing(case_number: str, slot_id: int):
    case_number = authorize_case(case_number)
    if custody.case_of_slot(uow(), slot_id) != case_number:
        deny("viewing", status=404, case_number=case_number, detail=f"看样时段 {slot_id} 不属于该案件")
    try:
        custody.book_viewing(uow(), slot_id, visitor_name=request.form.get("visitor_name", "").strip(),
                             identity=request.form.get("identity", "").strip(),
                             phone=request.form.get("phone", "").strip(), actor=current_user.username)
    except ValueError as exc:
        flash(str(exc), "error")
    else:
        flash("看样预约成功。请按预约时间携带身份证件到场。", "success")
    return redirect(url_for("objections.party_case", case_number=case_number) + "#viewing")


def _party_report(case_number: str, report_id: int):
    case = case_or_none(case_number)
    found = objection_service.report_of_case(uow(), case_number, report_id) if case is not None else None
    if found is None:
        deny("report", status=404, case_number=case_number, detail=f"报告 {report_id} 不属于该案件")
    lot, report = found
    return case, lot, report


@bp.route("/party/case/<case_number>/objections/new", methods=["GET", "POST"])
@roles_required("party")
def party_file(case_number: str):
    case_number = authorize_case(case_number)
    report_id = request.values.get("report", type=int)
    if report_id is None:
        abort(404)
    case, lot, report = _party_report(case_number, report_id)
    party_id = my_party_id(case_number)
    party = objection_service.get_party(uow(), party_id) if party_id else None
    if party is None:
        flash("您的查询码未关联案件登记的当事人身份，不能在线提出异议。请联系执行法官。", "error")
        return redirect(url_for("objections.party_case", case_number=case_number))
    errors: list[str] = []
    form = request.form
    # The client's token: made when the form is shown, sent back with it and stored with the record, so a double
    # click, back-and-resubmit or a retry after a server restart finds the first filing (one record, one receipt).
    token = form.get("submission_key", "") if _TOKEN.fullmatch(form.get("submission_key", "")) else ""
    token = token or secrets.token_urlsafe(24)
    if request.method == "POST":
        uploads = []
        limit_files = procedure.EVIDENCE_MAX_FILES
        files = [f for f in request.files.getlist("evidence") if f and f.filename]
        if len(files) > limit_files:
            errors.append(f"证据文件最多 {limit_files} 个，您选择了 {len(files)} 个。")
        for upload in files:
            uploads.append(procedure.EvidenceUpload(filename=upload.filename, content=upload.read(),
                                                    content_type=upload.mimetype))
        if not errors:
            try:
                received = parse_date(form.get("received_on", ""), "收到报告日期") \
                    if (form.get("received_on") or "").strip() else None
                if received is None:
                    raise procedure.InvalidFiling("请填写收到报告的日期（以签收或送达回证上的日期为准）。")
                result = objection_service.file_objection(
                    uow(), case_number=case_number, report_id=report.id, id_number=party.id_number,
                    grounds=form.getlist("grounds"), facts=form.get("facts", ""), reasons=form.get("reasons", ""),
                    address_for_service=form.get("address_for_service", ""), evidence=uploads,
                    submission_key=token, received_report_on=received, now=now(), actor=current_user.username)
            except (procedure.ProcedureError, InvalidDate) as exc:
                errors.append(str(exc))
            else:
                if result.created:
                    flash("异议已提交。请下载回执留存；法院将在法定期限内审查并告知结果。", "success")
                else:
                    flash("该异议此前已提交成功，未重复登记。", "info")
                return redirect(url_for("objections.party_objection", case_number=case_number,
                                        objection_id=result.objection.id))
    policy = procedure.get_policy(uow(), case.court_code)
    admitted = rules.admitted_grounds(rules.ReportKind(report.kind), policy=policy,
                                      first_auction_announced=lot.first_auction_announced_on is not None)
    grounds = [(g.value, rules.GROUND_NAMES[g], rules.ground_article(g), ok, why) for g, ok, why in admitted]
    return render_template("objections/party_file.html", case_number=case_number, lot=lot, report=report,
                           report_name=report_name(report), party=party,
                           grounds=grounds, errors=errors, form=form, chosen=set(form.getlist("grounds")),
                           submission_key=token,
                           max_files=procedure.EVIDENCE_MAX_FILES,
                           max_mb=procedure.EVIDENCE_MAX_BYTES // (1024 * 1024),
                           types="、".join(ext for _m, (_p, exts) in procedure.EVIDENCE_TYPES.items() for ext in exts)
                           ), (422 if errors else 200)


@bp.route("/party/case/<case_number>/objections/<int:objection_id>")
@roles_required("party")
def party_objection(case_number: str, objection_id: int):
    case_number = authorize_case(case_number)
    view = objection_view(visible_objection(objection_id, case_number))
    return render_template("objections/party_objection.html", v=view, case_number=case_number)


@bp.route("/party/case/<case_number>/objections/<int:objection_id>/receipt.pdf")
@roles_required("party")
def party_receipt(case_number: str, objection_id: int):
    case_number = authorize_case(case_number)
    return receipt_pdf(objection_view(visible_objection(objection_id, case_number)))
