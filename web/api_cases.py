"""The JSON API of the reference-price procedure (routes of ``web.api``'s blueprint, described in the
``CASE_SCHEMAS`` / ``CASE_PATHS`` block of ``web.openapi``): cases and their property, 议价, 定向询价 from a quote
receipt, reports, fixing the reference price, whether a lot may be sold on it, the judge's admissibility and
review decisions on objections, and the agenda. The same services as the CLI and the pages.

Money: integer fen in ``*_fen`` fields, and the same amount in yuan with separators in ``*_yuan`` for people.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import jsonify, request
from flask_login import current_user

import auction.objections as rules
from auction import reference_price as rp
from web.api import V1, ApiError, _body, _date, _deny, _objection_for_me, _objection_json, _role, bp
from web.database import uow
from web.security import may_see_case
from xunpai.services import agenda as agenda_service
from xunpai.services import objections as objection_service
from xunpai.services import procedure
from xunpai.storage import ledger
from xunpai.storage.models.procedure import PARTY_ROLES, PROPERTY_KINDS

_REFUSED = (procedure.ProcedureError, rp.ReferencePriceError)


@contextmanager
def _refusals(missing: int = 422) -> Iterator[None]:
    """The services' refusals as the API's answers, nothing changed: a step the objection's state does not allow
    409 ``illegal_step``; any other refusal 422 with its kind as the code (``NegotiationFailed`` …); a record
    that is not there the same 422 ``NotFound``, or with ``missing=404`` the plain 404 ``not_found`` of a
    resource in the path."""
    try:
        yield
    except rules.IllegalTransition as exc:
        raise ApiError(409, "illegal_step", str(exc)) from None
    except procedure.NotFound as exc:
        if missing == 404:
            raise ApiError(404, "not_found", str(exc)) from None
        raise ApiError(422, type(exc).__name__, str(exc)) from None
    except _REFUSED as exc:
        raise ApiError(422, type(exc).__name__, str(exc)) from None


def _case(case_number: str):
    if not may_see_case(current_user, case_number):
        _deny("case", case_number=case_number)
    with _refusals(missing=404):
        return procedure.get_case(uow(), case_number)


def _property(lot_id: int):
    with _refusals(missing=404):
        case = procedure.case_of_lot(uow(), lot_id)
    if not may_see_case(current_user, case.case_number):
        _deny("case", case_number=case.case_number)
    return case, procedure.lot_of_case(uow(), case.case_number, lot_id)


def _price_json(lot_id: int) -> dict | None:
    found = procedure.price_state(uow(), lot_id)
    if found is None:
        return None
    record, state = found
    window = state.objection_window_due
    return {"id": record.id, "method": record.method, "method_name": rp.METHOD_NAMES[rp.Method(record.method)],
            "value_fen": record.value_fen, "value_yuan": rp.yuan(record.value_fen), "fixed_on": record.fixed_on.isoformat(),
            "fixed_by": record.fixed_by, "valid_until": record.valid_until.isoformat() if record.valid_until else None,
            "basis": list(record.basis or []), "reason": record.reason,
            "objection_window_due": window.isoformat() if window and window.year < 9999 else None,
            "open_objections": state.open_objections, "replaced_by": state.replaced_by}


def _report_json(r) -> dict:
    value = r.corrected_value_fen or r.value_fen
    return {"id": r.id, "kind": r.kind, "kind_name": rules.REPORT_KIND_NAMES[rules.ReportKind(r.kind)],
            "source": r.source, "value_fen": value, "value_yuan": rp.yuan(value) if value else None,
            "original_value_fen": r.value_fen,
            "issued_on": r.issued_on.isoformat() if r.issued_on else None,
            "received_on": r.received_on.isoformat() if r.received_on else None,
            "valid_until": r.valid_until.isoformat() if r.valid_until else None,
            "forwarded_on": r.forwarded_on.isoformat() if r.forwarded_on else None,
            "receipt_code": r.receipt_code or None}


def _property_json(lot) -> dict:
    return {"id": lot.id, "name": lot.name, "kind": lot.kind, "kind_name": PROPERTY_KINDS.get(lot.kind, lot.kind),
            "address": lot.address, "building_id": lot.building_id or None,
            "seized_on": lot.seized_on.isoformat() if lot.seized_on else None,
            "appraisal_firms": list(lot.appraisal_firms or []),
            "results": [_report_json(r) for r in lot.reports], "reference_price": _price_json(lot.id)}


def _case_json(case) -> dict:
    return {"case_number": case.case_number, "court_code": case.court_code, "judge": case.judge,
            "parties": [{"id": p.id, "role": p.role, "role_name": PARTY_ROLES[p.role], "name": p.name,
                         "contact": p.contact, "address_for_service": p.address_for_service} for p in case.parties],
            "properties": [_property_json(lot) for lot in case.lots]}


# ---------------------------------------------------------------- cases and property

@bp.route(V1 + "/cases", methods=["GET"])
def cases_list():
    _role("judge", "clerk")
    return jsonify({"cases": [_case_json(c) for c in procedure.cases(uow(), current_user.court_code)]})


@bp.route(V1 + "/cases", methods=["POST"])
def case_register():
    _role("judge", "clerk")
    data = _body()
    parties = []
    for item in data.get("parties") or []:
        if not isinstance(item, dict):
            raise ApiError(422, "invalid_input", "parties 的每一项应为对象（role、name、id_number …）。")
        parties.append(procedure.PartyInput(str(item.get("role") or ""), str(item.get("name") or ""),
                                            str(item.get("id_number") or ""), str(item.get("address_for_service") or ""),
                                            str(item.get("contact") or "")))
    case_number = str(data.get("case_number") or "")
    if case_number and not may_see_case(current_user, case_number):
        _deny("case", case_number=case_number, detail="只能登记本院的案件")
    with _refusals():
        case = procedure.create_case(uow(), current_user.court_code, case_number, parties,
                                     actor=current_user.username, now=ledger.now_local(),
                                     judge=str(data.get("judge") or ""))
    return jsonify(_case_json(case)), 201


@bp.route(V1 + "/cases/<case_number>", methods=["GET"])
def case_get(case_number: str):
    _role("judge", "clerk")
    return jsonify(_case_json(_case(case_number)))


@bp.route(V1 + "/cases/<case_number>/properties", methods=["POST"])
def property_add(case_number: str):
    _role("judge", "clerk")
    case = _case(case_number)
    data = _body()
    with _refusals():
        lot = procedure.add_lot(uow(), case.case_number, str(data.get("name") or ""),
                                seized_on=_date(data.get("seized_on"), "seized_on", False),
                                actor=current_user.username, now=ledger.now_local(),
                                kind=str(data.get("kind") or "real_estate"), address=str(data.get("address") or ""),
                                building_id=str(data.get("building_id") or ""))
    return jsonify(_property_json(lot)), 201


# ---------------------------------------------------------------- the four methods and the price

@bp.route(V1 + "/properties/<int:lot_id>/negotiation", methods=["POST"])
def property_negotiation(lot_id: int):
    _role("judge")
    case, lot = _property(lot_id)
    data = _body()
    raw = data.get("submissions")
    if not isinstance(raw, dict):
        raise ApiError(422, "invalid_input", "submissions 应为对象：当事人编号 → 议价结果（整数分，未提交为 null）。")
    try:
        values = {int(k): (None if v is None else int(v)) for k, v in raw.items()}
    except (TypeError, ValueError):
        raise ApiError(422, "invalid_input", "submissions 的键应为当事人编号，值应为整数分或 null。") from None
    with _refusals():
        report = procedure.record_negotiation(uow(), lot.id, values,
                                              agreed_on=_date(data.get("agreed_on"), "agreed_on"),
                                              valid_until=_date(data.get("valid_until"), "valid_until", False),
                                              actor=current_user.username, now=ledger.now_local())
    return jsonify(_report_json(report)), 201


@bp.route(V1 + "/properties/<int:lot_id>/directed-inquiry", methods=["POST"])
def property_directed(lot_id: int):
    _role("judge")
    _case, lot = _property(lot_id)
    data = _body()
    with _refusals(missing=404):
        report = procedure.record_directed_inquiry(uow(), lot.id, str(data.get("receipt_code") or ""),
                                                   valid_until=_date(data.get("valid_until"), "valid_until", False),
                                                   actor=current_user.username, now=ledger.now_local())
    return jsonify(_report_json(report)), 201


@bp.route(V1 + "/properties/<int:lot_id>/reports", methods=["POST"])
def property_report(lot_id: int):
    _role("judge", "clerk")
    _case, lot = _property(lot_id)
    data = _body()
    kind = str(data.get("kind") or "")
    if kind not in ("network_inquiry", "appraisal", "correction"):
        raise ApiError(422, "invalid_input", "kind 应为 network_inquiry、appraisal 或 correction。")
    value = data.get("value_fen")
    if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
        raise ApiError(422, "invalid_input", "value_fen 应为整数分。")
    with _refusals():
        report = procedure.record_report(
            uow(), lot.id, kind, str(data.get("source") or ""), value,
            received_on=_date(data.get("received_on"), "received_on", False),
            commissioned_on=_date(data.get("commissioned_on"), "commissioned_on", False),
            issued_on=_date(data.get("issued_on"), "issued_on", False),
            valid_until=_date(data.get("valid_until"), "valid_until", False),
            extension_requested=bool(data.get("extension_requested")),
            corrects_report_id=data.get("corrects_report_id"), actor=current_user.username, now=ledger.now_local())
        if data.get("forwarded_on"):
            report = procedure.mark_report_sent(uow(), report.id, forwarded_on=_date(data["forwarded_on"], "forwarded_on"),
                                                actor=current_user.username, now=ledger.now_local())
    return jsonify(_report_json(report)), 201


@bp.route(V1 + "/properties/<int:lot_id>/reference-price", methods=["POST"])
def property_fix(lot_id: int):
    _role("judge")
    _case, lot = _property(lot_id)
    data = _body()
    today = ledger.now_local().date()
    with _refusals():
        if data.get("network"):
            procedure.fix_network_reference_price(uow(), lot.id, today=today, actor=current_user.username,
                                                  now=ledger.now_local())
        else:
            report_id = data.get("report_id")
            if report_id not in {r.id for r in lot.reports}:
                raise ApiError(422, "invalid_input", "report_id 应为该财产的一项结果；网络询价用 network: true。")
            procedure.fix_reference_price(uow(), report_id, today=today, actor=current_user.username,
                                          now=ledger.now_local())
    return jsonify(_price_json(lot.id)), 201


@bp.route(V1 + "/properties/<int:lot_id>/reference-price", methods=["GET"])
def property_price(lot_id: int):
    """The price in force, and with ``announce_on`` and ``bidding_end`` whether a lot may be sold on it."""
    _role("judge", "clerk")
    _case, lot = _property(lot_id)
    price = _price_json(lot.id)
    if price is None:
        raise ApiError(404, "not_found", f"财产“{lot.name}”尚未确定参考价。")
    usable = None
    if request.args.get("announce_on") and request.args.get("bidding_end"):
        try:
            procedure.reference_price_for_lot(uow(), lot.id, announce_on=_date(request.args["announce_on"], "announce_on"),
                                              bidding_end=_date(request.args["bidding_end"], "bidding_end"),
                                              today=ledger.now_local().date())
            usable = {"ok": True, "reason": ""}
        except procedure.PriceNotUsable as exc:
            usable = {"ok": False, "reason": str(exc)}
    return jsonify({**price, "usable": usable})


# ---------------------------------------------------------------- the judge's decisions on an objection

@bp.route(V1 + "/objections/<int:objection_id>/admission", methods=["POST"])
def objection_admission(objection_id: int):
    _role("judge")
    objection = _objection_for_me(objection_id)
    data = _body()
    if not isinstance(data.get("accept"), bool):
        raise ApiError(422, "invalid_input", "accept 应为 true（立案）或 false（裁定不予受理）。")
    with _refusals():
        objection_service.decide_admission(uow(), objection.id, accept=data["accept"], route=data.get("route"),
                                           reason=str(data.get("reason") or ""),
                                           decided_on=_date(data.get("decided_on"), "decided_on", False)
                                           or ledger.now_local().date(),
                                           served_on=_date(data.get("served_on"), "served_on", False),
                                           actor=current_user.username, now=ledger.now_local())
    return jsonify(_objection_json(objection))


@bp.route(V1 + "/objections/<int:objection_id>/review", methods=["POST"])
def objection_review(objection_id: int):
    _role("judge")
    objection = _objection_for_me(objection_id)
    data = _body()
    with _refusals():
        objection_service.apply_for_review(uow(), objection.id, applied_on=_date(data.get("applied_on"), "applied_on"),
                                           mailed_on=_date(data.get("mailed_on"), "mailed_on", False),
                                           actor=current_user.username, now=ledger.now_local())
    return jsonify(_objection_json(objection))


@bp.route(V1 + "/agenda", methods=["GET"])
def agenda():
    _role("judge", "clerk")
    today = ledger.now_local().date()
    items = agenda_service.court_agenda(uow(), today=today, court_code=current_user.court_code)
    return jsonify({"today": today.isoformat(), "items": [i.as_dict() for i in items]})
