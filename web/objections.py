"""Objections (异议): parties see their case, file an objection (grounds checklist, facts and reasons,
evidence) and get a receipt (回执); judges review the inbox and decide; both follow the agenda of due dates.

Admissibility, routing, the state machine and the deadlines are the procedure engine's (参考价规定
arts. 21-26, 异议复议规定 arts. 1-3; ``auction.objections``, ``xunpai.services.objections``,
``xunpai.services.procedure``). A double submission is one objection: the form carries a submission key that
the engine keys the filing on, so a resubmitted or retried form (after a timeout or a server restart) finds
the first filing instead of creating a second.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from auction import objections as rules
from tax_baseline.money import parse_yuan
from tax_baseline.typed_dates import parse_date
from web.database import uow
from web.objection_views import case_or_none, now, objection_view, receipt_pdf, report_name, visible_objection
from web.security import authorize_case, roles_required
from xunpai.services import agenda as agenda_service
from xunpai.services import objections as objection_service
from xunpai.services import procedure

bp = Blueprint("objections", __name__)


# ================================================================ judges

@bp.route("/objections")
@roles_required("judge")
def inbox():
    state = request.args.get("state", "open")
    rows = objection_service.court_objections(uow(), current_user.court_code, open_only=state == "open")
    return render_template("objections/inbox.html", views=[objection_view(o) for o in rows], state=state)


@bp.route("/objections/case/<case_number>")
@roles_required("judge", "clerk")
def case_page(case_number: str):
    case_number = authorize_case(case_number)
    case = case_or_none(case_number)
    if case is None:
        abort(404)
    lots = []
    for lot in case.lots:
        lots.append({"lot": lot, "price": procedure.current_reference_price(uow(), lot.id),
                     "reports": [(r, report_name(r)) for r in lot.reports]})
    rows = objection_service.list_objections(uow(), case_number)
    return render_template("objections/case.html", case=case, lots=lots, views=[objection_view(o) for o in rows],
                           party_roles=procedure.PARTY_ROLES)


@bp.route("/objections/<int:objection_id>")
@roles_required("judge")
def detail(objection_id: int):
    view = objection_view(visible_objection(objection_id))
    return render_template("objections/detail.html", v=view, today=now().date(),
                           routes=[(r.value, name) for r, name in rules.ROUTE_NAMES.items()])


def _form_date(name: str, default: date | None = None) -> date | None:
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    return parse_date(text)


# What a judge's step on an objection may be refused with: the engine's refusal, a step the state does not allow,
# a date or an amount that does not read; each says in Chinese what is wrong, and the step changes nothing.
_REFUSALS = (procedure.ProcedureError, rules.IllegalTransition, ValueError)


@contextmanager
def _outcome_said(done: str) -> Iterator[None]:
    """Says on the objection's page what came of the judge's step taken in the block: ``done``, or the refusal."""
    try:
        yield
    except _REFUSALS as exc:
        flash(str(exc), "error")
    else:
        flash(done, "success")


def _back_to(objection):
    return redirect(url_for("objections.detail", objection_id=objection.id))


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@roles_required("judge")
def decide(objection_id: int):
    objection = visible_objection(objection_id)
    with _outcome_said("裁定已记录，当事人页面与期限日程已更新。"):
        today = now().date()
        kind = request.form.get("decision")
        if kind == "technical_confirms" or kind == "technical_correction":
            objection_service.record_technical_conclusion(
                uow(), objection.id, confirms=kind == "technical_confirms",
                decided_on=_form_date("decided_on", today), actor=current_user.username, now=now(),
                summary=request.form.get("summary", ""))
        elif kind in ("upheld", "rejected"):
            objection_service.decide(uow(), objection.id, upheld=kind == "upheld",
                                     decided_on=_form_date("decided_on", today), actor=current_user.username,
                                     now=now(), summary=request.form.get("summary", ""),
                                     served_on=_form_date("served_on"),
                                     corrected_value_fen=parse_yuan(request.form.get("corrected_value", "")))
        else:
            raise ValueError("请选择裁定结果。")
    return _back_to(objection)


@bp.route("/objections/<int:objection_id>/admission", methods=["POST"])
@roles_required("judge")
def admission(objection_id: int):
    """The judge's decision on admissibility: 立案 on a route, or a 不予受理 ruling with its reason."""
    objection = visible_objection(objection_id)
    accept = request.form.get("decision") == "accept"
    with _outcome_said("已立案。" if accept else "已裁定不予受理；送达之日起十日内可申请复议。"):
        objection_service.decide_admission(uow(), objection.id, accept=accept, route=request.form.get("route") or None,
                                           decided_on=_form_date("decided_on", now().date()),
                                           served_on=_form_date("served_on"), reason=request.form.get("reason", ""),
                                           actor=current_user.username, now=now())
    return _back_to(objection)


@bp.route("/objections/<int:objection_id>/review", methods=["POST"])
@roles_required("judge")
def review(objection_id: int):
    """An application for 复议, refused with its reason when late."""
    objection = visible_objection(objection_id)
    with _outcome_said("复议申请已登记，报送上一级人民法院审查。"):
        objection_service.apply_for_review(uow(), objection.id, applied_on=_form_date("applied_on", now().date()),
                                           mailed_on=_form_date("mailed_on"), actor=current_user.username, now=now())
    return _back_to(objection)


@bp.route("/objections/<int:objection_id>/extend", methods=["POST"])
@roles_required("judge")
def extend(objection_id: int):
    objection = visible_objection(objection_id)
    text = (request.form.get("days") or "").strip()
    if not text.isdecimal():  # isdigit() would let "²" through to int(), which refuses it
        flash("延长天数应为 1 至 30 的整数。", "error")
        return _back_to(objection)
    days = int(text)
    with _outcome_said("复议审查期限的延长已登记。"):
        objection_service.extend_review(uow(), objection.id, days=days,
                                        approved_on=_form_date("approved_on", now().date()),
                                        approved_by=request.form.get("approved_by", ""),
                                        actor=current_user.username, now=now())
    return _back_to(objection)


@bp.route("/objections/<int:objection_id>/advance", methods=["POST"])
@roles_required("judge")
def advance(objection_id: int):
    objection = visible_objection(objection_id)
    with _outcome_said("已记录。"):
        event = request.form.get("event", "")
        if event == "decision_served":
            objection_service.record_service_of_decision(uow(), objection.id,
                                                         served_on=_form_date("on", now().date()),
                                                         actor=current_user.username, now=now())
        else:
            objection_service.advance(uow(), objection.id, event, on=_form_date("on", now().date()),
                                      actor=current_user.username, now=now(), note=request.form.get("note", ""))
    return _back_to(objection)


@bp.route("/objections/<int:objection_id>/evidence/<int:evidence_id>")
@roles_required("judge", "party")
def evidence(objection_id: int, evidence_id: int):
    objection = visible_objection(objection_id)
    item = objection_service.evidence_of(uow(), objection.id, evidence_id)
    if item is None:
        abort(404)
    return send_file(io.BytesIO(item.content), mimetype=item.content_type, as_attachment=True,
                     download_name=item.filename)


@bp.route("/objections/<int:objection_id>/receipt.pdf")
@roles_required("judge")
def receipt(objection_id: int):
    return receipt_pdf(objection_view(visible_objection(objection_id)))


# ================================================================ the agenda

@bp.route("/agenda")
@roles_required("judge", "clerk")
def agenda():
    today = now().date()
    items = agenda_service.court_agenda(uow(), today=today, court_code=current_user.court_code)
    only = request.args.get("show", "")
    if only == "overdue":
        items = [i for i in items if i.overdue]
    current_app.logger.debug("agenda of %s: %d items", current_user.court_code, len(items))
    return render_template("objections/agenda.html", items=items, today=today, show=only)

