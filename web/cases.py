"""The case screens (执行案件): the judge's home page with every open step of every case (期限日程), registering a
case with its parties and property, and the reference-price procedure of each item — 议价, 定向询价 from a quote
asked within the case (with its 询价函), 网络询价 reports, 委托评估 with the firm lottery — and fixing the reference
price, from which the clerk creates the lot.

Views parse the form, call one service of ``xunpai.services.procedure`` and redirect back with its Chinese
message; the rules (order of methods, art. 4, art. 13, art. 27) are the services' and ``auction``'s.
"""

from __future__ import annotations

import io
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from auction import lottery
from auction import objections as rules
from auction import reference_price as rp
from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from tax_baseline.money import InvalidAmount, parse_yuan
from tax_baseline.typed_dates import InvalidDate, parse_date
from web.database import uow
from web.objection_views import now, objection_view
from web.pdf import inquiry_letter_pdf
from web.security import authorize_case, may_see_case, roles_required
from xunpai.services import accounts as accounts_service
from xunpai.services import agenda as agenda_service
from xunpai.services import objections as objection_service
from xunpai.services import procedure, receipts
from xunpai.services.inquiry import CONTRACT_DATE_NOTE
from xunpai.storage.models.procedure import PARTY_ROLES, PROPERTY_KINDS

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.app_context_processor
def _contract_date_note() -> dict:
    """The one line on 立契时间 and 估价时点 every quote screen shows (the same as the CLI's)."""
    return {"contract_date_note": CONTRACT_DATE_NOTE}

PARTY_ROWS = 4
ERRORS = (procedure.ProcedureError, rules.IllegalTransition, rp.ReferencePriceError, InvalidDate, InvalidAmount,
          lottery.LotteryError)


def _date(name: str, default: date | None = None) -> date | None:
    text = (request.form.get(name) or "").strip()
    return parse_date(text) if text else default


def _fen(name: str, what: str, required: bool = True) -> int | None:
    value = parse_yuan(request.form.get(name, ""))
    if value is None and required:
        raise procedure.ProcedureError(f"请填写{what}（元，最多两位小数）。")
    if value is not None and value <= 0:
        raise procedure.ProcedureError(f"{what}应大于零。")
    return value


def _stage(case) -> str:
    """Where a case stands, in one phrase for the list."""
    names = []
    for lot in case.lots:
        found = procedure.price_state(uow(), lot.id)
        if found:
            names.append(f"{lot.name}：参考价已确定")
        elif lot.reports:
            names.append(f"{lot.name}：已有{len(lot.reports)}项结果")
        else:
            names.append(f"{lot.name}：待启动")
    return "；".join(names) or "尚未登记财产"


# ================================================================ home and list

@bp.route("")
@roles_required("judge", "clerk")
def home():
    """The judge's home page: every open step of every case of the court with its due date, and the cases."""
    today = now().date()
    items = agenda_service.court_agenda(uow(), today=today, court_code=current_user.court_code)
    rows = [(c, _stage(c)) for c in procedure.cases(uow(), current_user.court_code)]
    return render_template("cases/home.html", items=items, cases=rows, today=today)


@bp.route("/new", methods=["GET", "POST"])
@roles_required("judge", "clerk")
def new():
    form = request.form
    errors: list[str] = []
    if request.method == "POST":
        parties = []
        for i in range(PARTY_ROWS):
            name = (form.get(f"name{i}") or "").strip()
            if not name and not (form.get(f"id{i}") or "").strip():
                continue
            parties.append(procedure.PartyInput(form.get(f"role{i}", ""), name, form.get(f"id{i}", ""),
                                                form.get(f"address{i}", ""), form.get(f"contact{i}", "")))
        try:
            if not form.get("case_number", "").strip():
                raise procedure.ProcedureError("请填写案号，如（2026）浙1099执1234号。")
            try:
                case_number = validate_case_number(form["case_number"])
            except InvalidCaseNumber as exc:
                raise procedure.ProcedureError(str(exc)) from None
            if not may_see_case(current_user, case_number):
                raise procedure.ProcedureError(f"案号{case_number}不是本院（{current_user.court_code}）的案件，不能登记。")
            case = procedure.create_case(uow(), current_user.court_code, case_number, parties,
                                         actor=current_user.username, now=now(),
                                         judge=form.get("judge", "").strip() or current_user.username)
        except ERRORS as exc:
            errors.append(str(exc))
        else:
            flash(f"案件{case.case_number}已登记。", "success")
            return redirect(url_for("cases.case_page", case_number=case.case_number))
    users, _parties, _courts = accounts_service.staff_and_parties(uow())
    judges = [u for u in users if u.role == "judge" and u.court_code == current_user.court_code and u.active]
    return render_template("cases/new.html", form=form, errors=errors, rows=range(PARTY_ROWS), roles=PARTY_ROLES,
                           judges=judges), (422 if errors else 200)


# ================================================================ one case

def _case(case_number: str):
    case_number = authorize_case(case_number)
    try:
        return procedure.get_case(uow(), case_number)
    except procedure.NotFound:
        abort(404)


def _lot_view(lot) -> dict:
    found = procedure.price_state(uow(), lot.id)
    record, state = found if found else (None, None)
    window = None
    if state and state.objection_window_due:
        window = None if state.objection_window_due == date.max else state.objection_window_due
    results = []
    for r in lot.reports:
        results.append({"r": r, "name": rules.REPORT_KIND_NAMES[rules.ReportKind(r.kind)],
                        "value": r.corrected_value_fen or r.value_fen})
    network = [r for r in lot.reports if r.kind == "network_inquiry"]
    outcome = None
    if network and any(r.commissioned_on for r in network):
        try:
            outcome = procedure.network_outcome(uow(), lot.id, today=now().date())
        except procedure.ProcedureError:
            outcome = None
    return {"lot": lot, "price": record, "state": state, "window": window, "results": results,
            "network": outcome, "kind_name": PROPERTY_KINDS.get(lot.kind, lot.kind),
            "method_name": rp.METHOD_NAMES[rp.Method(record.method)] if record else ""}


@bp.route("/<case_number>")
@roles_required("judge", "clerk")
def case_page(case_number: str):
    case = _case(case_number)
    lots = [_lot_view(lot) for lot in case.lots]
    quotes = receipts.case_quote_receipts(uow(), case.case_number) if current_user.role == "judge" else []
    objections_ = [objection_view(o) for o in objection_service.list_objections(uow(), case.case_number)]
    steps = [i for i in agenda_service.court_agenda(uow(), today=now().date(), court_code=current_user.court_code)
             if i.step.case_number == case.case_number]
    return render_template("cases/case.html", case=case, lots=lots, quotes=quotes, objections=objections_,
                           steps=steps, roles=PARTY_ROLES, kinds=PROPERTY_KINDS, today=now().date(),
                           contract_note=CONTRACT_DATE_NOTE)


def _back(case, lot_id: int | None = None):
    return redirect(url_for("cases.case_page", case_number=case.case_number) + (f"#lot{lot_id}" if lot_id else ""))


def _act(case, lot_id: int | None, call, done: str):
    try:
        result = call()
    except ERRORS as exc:
        flash(str(exc), "error")
    else:
        flash(done if isinstance(done, str) else done(result), "success")
    return _back(case, lot_id)


@bp.route("/<case_number>/property", methods=["POST"])
@roles_required("judge", "clerk")
def add_property(case_number: str):
    case = _case(case_number)
    form = request.form
    return _act(case, None, lambda: procedure.add_lot(
        uow(), case.case_number, form.get("name", ""), seized_on=_date("seized_on"), actor=current_user.username,
        now=now(), kind=form.get("kind", "real_estate"), address=form.get("address", ""),
        building_id=form.get("building_id", ""), unit_label=form.get("unit_label", "")),
        lambda lot: f"已登记财产“{lot.name}”" + (f"，已关联基准表楼幢 {lot.building_id}。" if lot.building_id else "。"))


def _lot(case, lot_id: int):
    try:
        return procedure.lot_of_case(uow(), case.case_number, lot_id)
    except procedure.NotFound:
        abort(404)


@bp.route("/<case_number>/property/<int:lot_id>/negotiate", methods=["POST"])
@roles_required("judge")
def negotiate(case_number: str, lot_id: int):
    case = _case(case_number)
    lot = _lot(case, lot_id)

    def call():
        values = {p.id: _fen(f"party{p.id}", f"{p.name}的议价结果", required=False)
                  for p in case.parties if p.role in ("applicant", "debtor")}
        return procedure.record_negotiation(uow(), lot.id, values, agreed_on=_date("agreed_on", now().date()),
                                            valid_until=_date("valid_until"), actor=current_user.username, now=now())
    return _act(case, lot.id, call, lambda r: f"议价成功：议价结果 {rp.yuan(r.value_fen)} 元。")


@bp.route("/<case_number>/property/<int:lot_id>/directed", methods=["POST"])
@roles_required("judge")
def directed(case_number: str, lot_id: int):
    case = _case(case_number)
    lot = _lot(case, lot_id)
    code = (request.form.get("receipt_code") or request.form.get("receipt_typed") or "").strip()
    return _act(case, lot.id, lambda: procedure.record_directed_inquiry(
        uow(), lot.id, code, valid_until=_date("valid_until"), actor=current_user.username, now=now()),
        lambda r: f"已登记定向询价结果：{r.source} {rp.yuan(r.value_fen)} 元，有效期至 {r.valid_until.isoformat()}。")


@bp.route("/<case_number>/property/<int:lot_id>/report", methods=["POST"])
@roles_required("judge", "clerk")
def report(case_number: str, lot_id: int):
    case = _case(case_number)
    lot = _lot(case, lot_id)
    form = request.form
    kind = form.get("kind", "")
    if kind not in ("network_inquiry", "appraisal", "correction"):
        flash("请选择结果类型：网络询价报告、评估报告或补正说明。", "error")
        return _back(case, lot.id)

    def call():
        corrects = form.get("corrects", type=int)
        if corrects is not None and corrects not in {r.id for r in lot.reports}:
            raise procedure.ProcedureError("补正说明所针对的结果不属于该财产。")
        return procedure.record_report(
            uow(), lot.id, kind, form.get("source", ""), _fen("value", "结果金额", required=kind != "network_inquiry"),
            received_on=_date("received_on"), commissioned_on=_date("commissioned_on"),
            valid_until=_date("valid_until"), issued_on=_date("issued_on"),
            extension_requested=bool(form.get("extension_requested")), corrects_report_id=corrects,
            actor=current_user.username, now=now())
    return _act(case, lot.id, call, "结果已登记；请在收到之日起三日内发送当事人（参考价规定第二十一条）。")


@bp.route("/<case_number>/property/<int:lot_id>/sent/<int:report_id>", methods=["POST"])
@roles_required("judge", "clerk")
def sent(case_number: str, lot_id: int, report_id: int):
    case = _case(case_number)
    lot = _lot(case, lot_id)
    if report_id not in {r.id for r in lot.reports}:
        abort(404)
    return _act(case, lot.id, lambda: procedure.mark_report_sent(
        uow(), report_id, forwarded_on=_date("forwarded_on"), published_on=_date("published_on"),
        actor=current_user.username, now=now()), "已登记发送。")


@bp.route("/<case_number>/property/<int:lot_id>/firms", methods=["POST"])
@roles_required("judge")
def firms(case_number: str, lot_id: int):
    case = _case(case_number)
    lot = _lot(case, lot_id)
    form = request.form
    action = form.get("action", "")
    names = [n.strip() for n in (form.get("firms") or "").replace("，", ",").replace("\n", ",").split(",") if n.strip()]
    if action == "agreed":
        return _act(case, lot.id, lambda: procedure.set_agreed_firms(uow(), lot.id, names, actor=current_user.username,
                                                                     now=now()), "已按当事人协商确定评估机构顺序。")
    if action == "commit":
        return _act(case, lot.id, lambda: procedure.commit_firm_lottery(uow(), lot.id, names, form.get("seed", ""),
                                                                        actor=current_user.username, now=now()),
                    "已登记候选名单和种子承诺值；摇号时公开同一种子。")
    if action == "draw":
        return _act(case, lot.id, lambda: procedure.draw_firm_lottery(uow(), lot.id, form.get("seed", ""),
                                                                      actor=current_user.username, now=now()),
                    lambda drawn: "摇号结果：" + "、".join(drawn))
    flash("请选择操作。", "error")
    return _back(case, lot.id)


@bp.route("/<case_number>/property/<int:lot_id>/fix", methods=["POST"])
@roles_required("judge")
def fix(case_number: str, lot_id: int):
    case = _case(case_number)
    lot = _lot(case, lot_id)
    report_id = request.form.get("report_id", type=int)

    def call():
        if request.form.get("network"):
            return procedure.fix_network_reference_price(uow(), lot.id, today=now().date(),
                                                         actor=current_user.username, now=now())
        if report_id not in {r.id for r in lot.reports}:
            raise procedure.ProcedureError("请选择作为参考价的结果。")
        return procedure.fix_reference_price(uow(), report_id, today=now().date(), actor=current_user.username,
                                             now=now())
    return _act(case, lot.id, call, lambda rec: f"参考价已确定：{rp.yuan(rec.value_fen)} 元。应在十日内启动变价程序"
                                                f"（参考价规定第三十条）。")


@bp.route("/<case_number>/property/<int:lot_id>/letter.pdf")
@roles_required("judge", "clerk")
def letter(case_number: str, lot_id: int):
    """询价函 (参考价规定 art. 6): the inquiry's requirements and its term, to the body asked."""
    case = _case(case_number)
    lot = _lot(case, lot_id)
    court = accounts_service.get_court(uow(), case.court_code)
    data = inquiry_letter_pdf({"case_number": case.case_number, "property": lot.name, "address": lot.address,
                               "building_id": lot.building_id, "kind": PROPERTY_KINDS.get(lot.kind, lot.kind),
                               "date": now().date().isoformat(), "judge": case.judge},
                              court_name=court.name if court else case.court_code)
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"询价函-{lot.id}.pdf")
