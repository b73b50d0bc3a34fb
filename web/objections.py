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
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tax_baseline.money import parse_yuan
from tax_baseline.typed_dates import parse_date
from web.database import uow
from web.security import authorize_case, roles_required
from xunpai.services import objections as objection_service
from xunpai.services import procedure
from xunpai.storage import ledger

bp = Blueprint("objections", __name__)


def _now():
    return ledger.now_local()


def _rules():
    import auction.objections as rules

    return rules


def _models():
    import xunpai.storage.models.procedure as models

    return models


def _case_or_none(procedure, case_number: str):
    try:
        return procedure.get_case(uow(), case_number)
    except procedure.NotFound:
        return None


def _deadline_view(deadline) -> dict | None:
    if deadline is None:
        return None
    return {"due": deadline.due, "label": deadline.label(), "provisional": deadline.provisional,
            "reason": deadline.reason, "article": deadline.article, "overdue": deadline.is_overdue(_now())}


def _objection_view(objection) -> dict:
    """What the pages show of an objection: names, route, the open step and its deadline, the decisions."""
    rules = _rules()
    models = _models()
    record = objection_service.objection_record(uow(), objection)
    report, party, case = record.report, record.party, record.case
    route = rules.Route(objection.route) if objection.route else None
    state = rules.State(objection.state)
    step = rules.open_step(state, route, filed_on=objection.filed_on, calendar=procedure.load_calendar(uow()),
                           entered_on=objection.state_entered_on, decision_served_on=objection.decision_served_on) \
        if state not in rules.FINAL_STATES else None
    decisions = record.decisions
    return {
        "o": objection, "case": case, "report": report, "party": party,
        "reference": f"YY{objection.filed_at:%Y%m%d}-{objection.id:05d}",
        "report_name": rules.REPORT_KIND_NAMES[rules.ReportKind(report.kind)],
        "state_name": rules.STATE_NAMES[state], "final": state in rules.FINAL_STATES,
        "route_name": rules.ROUTE_NAMES[route] if route else "—",
        "grounds": [rules.GROUND_NAMES[rules.Ground(g)] for g in objection.grounds],
        "party_role": models.PARTY_ROLES.get(party.role, party.role),
        "step": {"name": step.name, "deadline": _deadline_view(step.deadline)} if step else None,
        "decisions": decisions,
        "events": [{"on": e.happened_on, "actor": e.actor, "note": e.note,
                    "event": rules.EVENT_NAMES.get(e.event) or {"decision_served": "登记裁定送达"}.get(e.event, e.event),
                    "from": rules.STATE_NAMES.get(e.from_state, e.from_state),
                    "to": rules.STATE_NAMES.get(e.to_state, e.to_state)}
                   for e in sorted(objection.events, key=lambda e: e.id)],
        "allowed": [(e.value, rules.EVENT_NAMES[e]) for e in rules.allowed_events(state, route)],
    }


# ================================================================ judges

def _judge_objection(objection_id: int):
    found = objection_service.get_objection(uow(), objection_id)
    if found is None:
        abort(404)
    objection, case = found
    authorize_case(case.case_number)
    return objection


@bp.route("/objections")
@roles_required("judge")
def inbox():
    state = request.args.get("state", "open")
    rows = objection_service.court_objections(uow(), current_user.court_code, open_only=state == "open")
    return render_template("objections/inbox.html", views=[_objection_view(o) for o in rows], state=state)


@bp.route("/objections/case/<case_number>")
@roles_required("judge", "clerk")
def case_page(case_number: str):
    case_number = authorize_case(case_number)
    models = _models()
    rules = _rules()
    case = _case_or_none(procedure, case_number)
    if case is None:
        abort(404)
    lots = []
    for lot in case.lots:
        lots.append({"lot": lot, "price": procedure.current_reference_price(uow(), lot.id),
                     "reports": [(r, rules.REPORT_KIND_NAMES[rules.ReportKind(r.kind)]) for r in lot.reports]})
    rows = objection_service.list_objections(uow(), case_number)
    return render_template("objections/case.html", case=case, lots=lots, views=[_objection_view(o) for o in rows],
                           party_roles=models.PARTY_ROLES)


@bp.route("/objections/<int:objection_id>")
@roles_required("judge")
def detail(objection_id: int):
    view = _objection_view(_judge_objection(objection_id))
    return render_template("objections/detail.html", v=view, today=_now().date())


def _form_date(name: str, default: date | None = None) -> date | None:
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    return parse_date(text)


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@roles_required("judge")
def decide(objection_id: int):
    rules = _rules()
    objection = _judge_objection(objection_id)
    try:
        today = _now().date()
        kind = request.form.get("decision")
        if kind == "technical_confirms" or kind == "technical_correction":
            objection_service.record_technical_conclusion(
                uow(), objection.id, confirms=kind == "technical_confirms",
                decided_on=_form_date("decided_on", today), actor=current_user.username, now=_now(),
                summary=request.form.get("summary", ""))
        elif kind in ("upheld", "rejected"):
            objection_service.decide(uow(), objection.id, upheld=kind == "upheld",
                                     decided_on=_form_date("decided_on", today), actor=current_user.username,
                                     now=_now(), summary=request.form.get("summary", ""),
                                     served_on=_form_date("served_on"),
                                     corrected_value_fen=parse_yuan(request.form.get("corrected_value", "")))
        else:
            raise ValueError("请选择裁定结果。")
    except (procedure.ProcedureError, rules.IllegalTransition, ValueError) as exc:
        flash(str(exc), "error")
    else:
        flash("裁定已记录，当事人页面与期限日程已更新。", "success")
    return redirect(url_for("objections.detail", objection_id=objection.id))


@bp.route("/objections/<int:objection_id>/advance", methods=["POST"])
@roles_required("judge")
def advance(objection_id: int):
    rules = _rules()
    objection = _judge_objection(objection_id)
    try:
        event = request.form.get("event", "")
        if event == "decision_served":
            objection_service.record_service_of_decision(uow(), objection.id,
                                                         served_on=_form_date("on", _now().date()),
                                                         actor=current_user.username, now=_now())
        else:
            objection_service.advance(uow(), objection.id, event, on=_form_date("on", _now().date()),
                                      actor=current_user.username, now=_now(), note=request.form.get("note", ""))
    except (procedure.ProcedureError, rules.IllegalTransition, ValueError) as exc:
        flash(str(exc), "error")
    else:
        flash("已记录。", "success")
    return redirect(url_for("objections.detail", objection_id=objection.id))


@bp.route("/objections/<int:objection_id>/evidence/<int:evidence_id>")
@roles_required("judge", "party")
def evidence(objection_id: int, evidence_id: int):
    found = objection_service.get_objection(uow(), objection_id)
    if found is None:
        abort(404)
    objection, case = found
    if current_user.role == "party":
        from web.objections_party import _party_objection

        _party_objection(authorize_case(case.case_number), objection_id)
    else:
        authorize_case(case.case_number)
    item = objection_service.evidence_of(uow(), objection.id, evidence_id)
    if item is None:
        abort(404)
    return send_file(io.BytesIO(item.content), mimetype=item.content_type, as_attachment=True,
                     download_name=item.filename)


@bp.route("/objections/<int:objection_id>/receipt.pdf")
@roles_required("judge")
def receipt(objection_id: int):
    from web.objections_party import receipt_pdf

    return receipt_pdf(_objection_view(_judge_objection(objection_id)))


# ================================================================ the agenda

@bp.route("/agenda")
@roles_required("judge", "clerk")
def agenda():
    today = _now().date()
    items = procedure.agenda(uow(), today=today, court_code=current_user.court_code)
    only = request.args.get("show", "")
    if only == "overdue":
        items = [i for i in items if i.overdue]
    current_app.logger.debug("agenda of %s: %d items", current_user.court_code, len(items))
    return render_template("objections/agenda.html", items=items, today=today, show=only)


from web import objections_party  # noqa: E402,F401  (registers the parties' pages)
