"""Objections (异议): parties see their case, file an objection (grounds checklist, facts and reasons,
evidence) and get a receipt (回执); judges review the inbox and decide; both follow the agenda of due dates.

Admissibility, routing, the state machine and the deadlines are the procedure engine's (参考价规定
arts. 21-26, 异议复议规定 arts. 1-3; ``auction.objections``, ``xunpai.objection_service``,
``xunpai.procedure_service``). A double submission is one objection: the form carries a submission key that
the engine keys the filing on, so a resubmitted or retried form (after a timeout or a server restart) finds
the first filing instead of creating a second.
"""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select

from web.database import db
from web.security import authorize_case, deny, roles_required
from web.services import service
from xunpai import ledger
from xunpai.models.accounts import Court

bp = Blueprint("objections", __name__)


def _now():
    return ledger.now_local()


def _rules():
    import auction.objections as rules

    return rules


def _models():
    import xunpai.models.procedure as models

    return models


def _case_or_none(procedure, case_number: str):
    try:
        return procedure.get_case(db(), case_number)
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
    procedure = service("xunpai.procedure_service")
    session = db()
    report = session.get(models.ProcedureReport, objection.report_id)
    party = session.get(models.ProcedureParty, objection.party_id)
    case = session.get(models.ProcedureCase, objection.case_id)
    route = rules.Route(objection.route) if objection.route else None
    state = rules.State(objection.state)
    step = rules.open_step(state, route, filed_on=objection.filed_on, calendar=procedure.load_calendar(session),
                           entered_on=objection.state_entered_on, decision_served_on=objection.decision_served_on) \
        if state not in rules.FINAL_STATES else None
    decisions = session.execute(select(models.ObjectionDecision)
                                .where(models.ObjectionDecision.objection_id == objection.id)
                                .order_by(models.ObjectionDecision.id)).scalars().all()
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


# ================================================================ parties

@bp.route("/party")
@roles_required("party")
def party_home():
    if len(current_user.case_numbers) == 1:
        return redirect(url_for("objections.party_case", case_number=current_user.case_numbers[0]))
    return render_template("objections/party_cases.html", cases=current_user.case_numbers)


def _my_party_id(case_number: str) -> int | None:
    return current_user.party_ids.get(case_number)


@bp.route("/party/case/<case_number>")
@roles_required("party")
def party_case(case_number: str):
    case_number = authorize_case(case_number)
    procedure = service("xunpai.procedure_service")
    models = _models()
    rules = _rules()
    session = db()
    case = _case_or_none(procedure, case_number)
    party_id = _my_party_id(case_number)
    objections, reports = [], []
    if case is not None:
        calendar = procedure.load_calendar(session)
        for lot in case.lots:
            price = procedure.current_reference_price(session, lot.id)
            for report in lot.reports:
                sent_on = report.forwarded_on or report.published_on
                window = rules.objection_window(sent_on, calendar) if sent_on else None
                reports.append({"lot": lot, "report": report, "price": price,
                                "name": rules.REPORT_KIND_NAMES[rules.ReportKind(report.kind)],
                                "window": _deadline_view(window),
                                "may_object": report.kind in (rules.ReportKind.NETWORK_INQUIRY.value,
                                                              rules.ReportKind.APPRAISAL.value,
                                                              rules.ReportKind.DIRECTED_INQUIRY.value)})
        if party_id is not None:
            rows = session.execute(select(models.Objection).where(models.Objection.case_id == case.id,
                                                                  models.Objection.party_id == party_id)
                                   .order_by(models.Objection.id.desc())).scalars().all()
            objections = [_objection_view(o) for o in rows]
    viewings = _viewings_for_case(case_number)
    return render_template("objections/party_case.html", case_number=case_number, case=case, reports=reports,
                           objections=objections, party_id=party_id, viewings=viewings)


def _viewings_for_case(case_number: str) -> list[dict]:
    """Viewing slots of the seized items of this case (custody), with free seats."""
    try:
        from xunpai.custody_service import slot_bookings
        from xunpai.models.custody import CustodyItem, ViewingSlot
    except ImportError:
        return []
    session = db()
    out = []
    items = session.execute(select(CustodyItem).where(CustodyItem.case_number == case_number)).scalars().all()
    for item in items:
        slots = session.execute(select(ViewingSlot).where(ViewingSlot.item_id == item.id,
                                                          ViewingSlot.starts_at >= _now())
                                .order_by(ViewingSlot.starts_at)).scalars().all()
        for slot in slots:
            out.append({"item": item, "slot": slot, "free": slot.capacity - slot_bookings(session, slot.id)})
    return out


@bp.route("/party/case/<case_number>/viewing/<int:slot_id>", methods=["POST"])
@roles_required("party")
def party_book_viewing(case_number: str, slot_id: int):
    case_number = authorize_case(case_number)
    custody = service("xunpai.custody_service")
    from xunpai.models.custody import CustodyItem, ViewingSlot

    session = db()
    slot = session.get(ViewingSlot, slot_id)
    item = session.get(CustodyItem, slot.item_id) if slot else None
    if item is None or item.case_number != case_number:
        deny("viewing", status=404, case_number=case_number, detail=f"看样时段 {slot_id} 不属于该案件")
    try:
        custody.book_viewing(session, slot_id, visitor_name=request.form.get("visitor_name", "").strip(),
                             identity=request.form.get("identity", "").strip(),
                             phone=request.form.get("phone", "").strip(), actor=current_user.username)
    except ValueError as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash("看样预约成功。请按预约时间携带身份证件到场。", "success")
    return redirect(url_for("objections.party_case", case_number=case_number) + "#viewing")


def _party_report(case_number: str, report_id: int):
    models = _models()
    procedure = service("xunpai.procedure_service")
    session = db()
    case = _case_or_none(procedure, case_number)
    report = session.get(models.ProcedureReport, report_id)
    lot = session.get(models.ProcedureLot, report.lot_id) if report else None
    if case is None or lot is None or lot.case_id != case.id:
        deny("report", status=404, case_number=case_number, detail=f"报告 {report_id} 不属于该案件")
    return case, lot, report


@bp.route("/party/case/<case_number>/objections/new", methods=["GET", "POST"])
@roles_required("party")
def party_file(case_number: str):
    case_number = authorize_case(case_number)
    procedure = service("xunpai.procedure_service")
    objection_service = service("xunpai.objection_service")
    rules = _rules()
    models = _models()
    session = db()
    report_id = request.values.get("report", type=int)
    if report_id is None:
        abort(404)
    case, lot, report = _party_report(case_number, report_id)
    party_id = _my_party_id(case_number)
    party = session.get(models.ProcedureParty, party_id) if party_id else None
    if party is None:
        flash("您的查询码未关联案件登记的当事人身份，不能在线提出异议。请联系执行法官。", "error")
        return redirect(url_for("objections.party_case", case_number=case_number))
    errors: list[str] = []
    form = request.form
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
                result = objection_service.file_objection(
                    session, case_number=case_number, report_id=report.id, id_number=party.id_number,
                    grounds=form.getlist("grounds"), facts=form.get("facts", ""), reasons=form.get("reasons", ""),
                    address_for_service=form.get("address_for_service", ""), evidence=uploads,
                    submission_key=_submission_key(party.id, report.id), now=_now(), actor=current_user.username)
            except procedure.ProcedureError as exc:
                session.rollback()
                errors.append(str(exc))
            else:
                session.commit()
                if result.created:
                    flash("异议已提交。请下载回执留存；法院将在法定期限内审查并告知结果。", "success")
                else:
                    flash("该异议此前已提交成功，未重复登记。", "info")
                return redirect(url_for("objections.party_objection", case_number=case_number,
                                        objection_id=result.objection.id))
    grounds = [(g.value, rules.GROUND_NAMES[g], _ground_article(rules, g)) for g in rules.Ground]
    return render_template("objections/party_file.html", case_number=case_number, lot=lot, report=report,
                           report_name=rules.REPORT_KIND_NAMES[rules.ReportKind(report.kind)], party=party,
                           grounds=grounds, errors=errors, form=form, chosen=set(form.getlist("grounds")),
                           submission_key=_submission_key(party.id, report.id),
                           max_files=procedure.EVIDENCE_MAX_FILES,
                           max_mb=procedure.EVIDENCE_MAX_BYTES // (1024 * 1024),
                           types="、".join(ext for _m, (_p, exts) in procedure.EVIDENCE_TYPES.items() for ext in exts)
                           ), (422 if errors else 200)


def _submission_key(party_id: int, report_id: int) -> str:
    """The key of a party's filing against one report: the same for every submission of the form — a double
    click, the back button and a resubmit, a retry after a timeout or a server restart — so the engine stores
    one objection. All grounds against one act are raised together (异议复议规定 art. 15); once an earlier
    objection was not accepted or withdrawn, the key changes and a new filing is possible."""
    import hashlib
    import hmac

    models = _models()
    closed = db().scalar(select(func.count()).select_from(models.Objection).where(
        models.Objection.party_id == party_id, models.Objection.report_id == report_id,
        models.Objection.state.in_(("not_accepted", "withdrawn"))))
    message = f"objection:{party_id}:{report_id}:{closed}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:40]


def _ground_article(rules, ground) -> str:
    if ground in rules.ART22_GROUNDS:
        return "参考价规定第二十二条"
    if ground in rules.ART23_GROUNDS:
        return "参考价规定第二十三条（仅评估报告）"
    return "参考价规定第二十五条（执行监督，需有证据，首次拍卖公告前提出）"


def _party_objection(case_number: str, objection_id: int):
    models = _models()
    objection = db().get(models.Objection, objection_id)
    case = db().get(models.ProcedureCase, objection.case_id) if objection else None
    if (objection is None or case is None or case.case_number != case_number
            or objection.party_id != _my_party_id(case_number)):
        deny("objection", status=404, case_number=case_number, detail=f"异议 {objection_id} 不属于该当事人")
    return objection


@bp.route("/party/case/<case_number>/objections/<int:objection_id>")
@roles_required("party")
def party_objection(case_number: str, objection_id: int):
    case_number = authorize_case(case_number)
    service("xunpai.objection_service")
    view = _objection_view(_party_objection(case_number, objection_id))
    return render_template("objections/party_objection.html", v=view, case_number=case_number)


@bp.route("/party/case/<case_number>/objections/<int:objection_id>/receipt.pdf")
@roles_required("party")
def party_receipt(case_number: str, objection_id: int):
    case_number = authorize_case(case_number)
    service("xunpai.objection_service")
    view = _objection_view(_party_objection(case_number, objection_id))
    return _receipt(view)


def _receipt(view: dict):
    from web.pdf import objection_receipt_pdf

    o = view["o"]
    court = db().get(Court, view["case"].court_code)
    deadlines = []
    if view["step"] and view["step"]["deadline"]:
        d = view["step"]["deadline"]
        deadlines.append({"label": view["step"]["name"], "due": d["label"],
                          "note": (d["article"] + ("；" + d["reason"] if d["provisional"] else ""))})
    detail = {"reference": view["reference"], "case_number": view["case"].case_number,
              "party_name": view["party"].name, "party_role": view["party_role"],
              "report": f"{view['report'].source}{view['report_name']}",
              "filed_at": o.filed_at.strftime("%Y-%m-%d %H:%M"), "status": view["state_name"],
              "grounds": view["grounds"], "text": f"事实：{o.facts}\n理由：{o.reasons}",
              "evidence": [{"name": e.filename, "size": e.size, "sha256": e.sha256} for e in o.evidence],
              "deadlines": deadlines}
    data = objection_receipt_pdf(detail, court_name=court.name if court else "")
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"异议回执-{view['reference']}.pdf")


# ================================================================ judges

def _judge_objection(objection_id: int):
    models = _models()
    objection = db().get(models.Objection, objection_id)
    if objection is None:
        abort(404)
    case = db().get(models.ProcedureCase, objection.case_id)
    authorize_case(case.case_number)
    return objection


@bp.route("/objections")
@roles_required("judge")
def inbox():
    service("xunpai.objection_service")
    models = _models()
    rules = _rules()
    state = request.args.get("state", "open")
    query = (select(models.Objection).join(models.ProcedureCase, models.ProcedureCase.id == models.Objection.case_id)
             .where(models.ProcedureCase.court_code == current_user.court_code))
    if state == "open":
        query = query.where(models.Objection.state.not_in([s.value for s in rules.FINAL_STATES]))
    rows = db().execute(query.order_by(models.Objection.filed_at.desc()).limit(200)).scalars().all()
    return render_template("objections/inbox.html", views=[_objection_view(o) for o in rows], state=state)


@bp.route("/objections/case/<case_number>")
@roles_required("judge", "clerk")
def case_page(case_number: str):
    case_number = authorize_case(case_number)
    procedure = service("xunpai.procedure_service")
    models = _models()
    rules = _rules()
    session = db()
    case = _case_or_none(procedure, case_number)
    if case is None:
        abort(404)
    lots = []
    for lot in case.lots:
        lots.append({"lot": lot, "price": procedure.current_reference_price(session, lot.id),
                     "reports": [(r, rules.REPORT_KIND_NAMES[rules.ReportKind(r.kind)]) for r in lot.reports]})
    rows = session.execute(select(models.Objection).where(models.Objection.case_id == case.id)
                           .order_by(models.Objection.id)).scalars().all()
    return render_template("objections/case.html", case=case, lots=lots, views=[_objection_view(o) for o in rows],
                           party_roles=models.PARTY_ROLES)


@bp.route("/objections/<int:objection_id>")
@roles_required("judge")
def detail(objection_id: int):
    service("xunpai.objection_service")
    view = _objection_view(_judge_objection(objection_id))
    return render_template("objections/detail.html", v=view, today=_now().date())


def _form_date(name: str, default: date | None = None) -> date | None:
    text = (request.form.get(name) or "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"日期“{text}”格式不正确，应为 年-月-日。") from None


def _fen(text: str) -> int | None:
    from decimal import Decimal, InvalidOperation

    text = (text or "").replace(",", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额“{text}”不是数字，应以元为单位填写，如 1250000 或 1250000.50。") from None
    if value != value.quantize(Decimal("0.01")):
        raise ValueError(f"金额“{text}”最多两位小数（分）。")
    return int(value * 100)


@bp.route("/objections/<int:objection_id>/decide", methods=["POST"])
@roles_required("judge")
def decide(objection_id: int):
    objection_service = service("xunpai.objection_service")
    procedure = service("xunpai.procedure_service")
    rules = _rules()
    objection = _judge_objection(objection_id)
    session = db()
    try:
        today = _now().date()
        kind = request.form.get("decision")
        if kind == "technical_confirms" or kind == "technical_correction":
            objection_service.record_technical_conclusion(
                session, objection.id, confirms=kind == "technical_confirms",
                decided_on=_form_date("decided_on", today), actor=current_user.username, now=_now(),
                summary=request.form.get("summary", ""))
        elif kind in ("upheld", "rejected"):
            objection_service.decide(session, objection.id, upheld=kind == "upheld",
                                     decided_on=_form_date("decided_on", today), actor=current_user.username,
                                     now=_now(), summary=request.form.get("summary", ""),
                                     served_on=_form_date("served_on"),
                                     corrected_value_fen=_fen(request.form.get("corrected_value", "")))
        else:
            raise ValueError("请选择裁定结果。")
    except (procedure.ProcedureError, rules.IllegalTransition, ValueError) as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash("裁定已记录，当事人页面与期限日程已更新。", "success")
    return redirect(url_for("objections.detail", objection_id=objection.id))


@bp.route("/objections/<int:objection_id>/advance", methods=["POST"])
@roles_required("judge")
def advance(objection_id: int):
    objection_service = service("xunpai.objection_service")
    procedure = service("xunpai.procedure_service")
    rules = _rules()
    objection = _judge_objection(objection_id)
    session = db()
    try:
        event = request.form.get("event", "")
        if event == "decision_served":
            objection_service.record_service_of_decision(session, objection.id,
                                                         served_on=_form_date("on", _now().date()),
                                                         actor=current_user.username, now=_now())
        else:
            objection_service.advance(session, objection.id, event, on=_form_date("on", _now().date()),
                                      actor=current_user.username, now=_now(), note=request.form.get("note", ""))
    except (procedure.ProcedureError, rules.IllegalTransition, ValueError) as exc:
        session.rollback()
        flash(str(exc), "error")
    else:
        session.commit()
        flash("已记录。", "success")
    return redirect(url_for("objections.detail", objection_id=objection.id))


@bp.route("/objections/<int:objection_id>/evidence/<int:evidence_id>")
@roles_required("judge", "party")
def evidence(objection_id: int, evidence_id: int):
    models = _models()
    session = db()
    objection = session.get(models.Objection, objection_id)
    if objection is None:
        abort(404)
    case = session.get(models.ProcedureCase, objection.case_id)
    if current_user.role == "party":
        _party_objection(authorize_case(case.case_number), objection_id)
    else:
        authorize_case(case.case_number)
    item = session.get(models.EvidenceFile, evidence_id)
    if item is None or item.objection_id != objection.id:
        abort(404)
    return send_file(io.BytesIO(item.content), mimetype=item.content_type, as_attachment=True,
                     download_name=item.filename)


@bp.route("/objections/<int:objection_id>/receipt.pdf")
@roles_required("judge")
def receipt(objection_id: int):
    service("xunpai.objection_service")
    return _receipt(_objection_view(_judge_objection(objection_id)))


# ================================================================ the agenda

@bp.route("/agenda")
@roles_required("judge", "clerk")
def agenda():
    procedure = service("xunpai.procedure_service")
    today = _now().date()
    items = procedure.agenda(db(), today=today, court_code=current_user.court_code)
    only = request.args.get("show", "")
    if only == "overdue":
        items = [i for i in items if i.overdue]
    current_app.logger.debug("agenda of %s: %d items", current_user.court_code, len(items))
    return render_template("objections/agenda.html", items=items, today=today, show=only)
