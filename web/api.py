"""The JSON API: the same operations as the pages (quote, batch quote, objections, lots) for other systems,
authenticated by a bearer token (``Authorization: Bearer xp_...``, issued by an administrator), never by
the session cookie. Described by the OpenAPI document at /api/openapi.json (``web.openapi``).

Errors are JSON: ``{"error": {"code": ..., "message": <Chinese>}}`` with the HTTP status; refusals by the
engines keep their Chinese reason (and, for an ambiguous address, the ranked candidates).

Every request is checked against the OpenAPI document before any work (``_check_input``, one place for every
route of this blueprint, including those other modules register on it): the JSON body against its operation's
schema, path and query parameters against theirs, by validators compiled once (``web.openapi.validator``). A
body that fails answers 422 ``invalid_input`` with the field and a Chinese message saying what is wrong and what
is expected; a view reads the checked body with ``body()``.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date

import fastjsonschema
import pandas as pd
from flask import Blueprint, g, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException

import auction.objections as rules
from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from auction.platforms import PlatformError
from tax_baseline import batch as batch_engine
from tax_baseline.quote import QuoteRequest
from tax_baseline.typed_dates import InvalidDate, parse_date
from web.database import uow
from web.openapi import check_for, document, explain, validator
from web.platforms import choices, platform_for
from web.security import _record_denial, account_for, may_see_case
from xunpai.services import accounts as accounts_service
from xunpai.services import inquiry as inquiry_service
from xunpai.services import objections as objection_service
from xunpai.services import procedure as procedure_service
from xunpai.services import publishing as publishing_service
from xunpai.storage import ledger

bp = Blueprint("api", __name__, url_prefix="/api")
V1 = "/v1"
MAX_BATCH_ROWS = 10_000


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return jsonify({"error": {"code": exc.code, "message": exc.message, **exc.extra}}), exc.status


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException):
    messages = {400: "请求格式不正确。", 401: "未提供有效的接口令牌。", 403: "该令牌的账户无权进行此操作。",
                404: "未找到该资源。", 405: "不支持该请求方法。", 413: "请求内容过大。"}
    return jsonify({"error": {"code": exc.name.lower().replace(" ", "_"),
                              "message": messages.get(exc.code, exc.description)}}), exc.code


@bp.before_request
def _authenticate():
    if request.endpoint in ("api.openapi", None):
        return None
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else ""
    found = accounts_service.token_account(uow(), token) if token else None
    if found is None:
        raise ApiError(401, "unauthorized", "未提供有效的接口令牌：请在请求头中携带 Authorization: Bearer <令牌>。")
    g._login_user = account_for(found.user, found.party_accesses)  # the token's user, for this request only
    # The row itself stays referenced for the request: the session's identity map holds objects weakly, and a
    # service's session.get() of the same user then needs no query.
    g.xunpai_user_row = found.user
    g.xunpai_quote_context = found.quote_context  # read with the user: a quote reads it not again
    return None


def _deny(reason: str, status: int = 403, case_number: str = "", detail: str = ""):
    _record_denial(reason, detail, case_number)
    raise ApiError(status, "forbidden" if status == 403 else "not_found",
                   "该令牌的账户无权进行此操作。" if status == 403 else "未找到该资源。")


def _role(*roles: str) -> None:
    if current_user.role not in roles:
        _deny("role", detail=f"需要角色 {'/'.join(roles)}，实为 {current_user.role}")


_NOT_JSON = "请求体应为 JSON 对象（Content-Type: application/json）。"


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _json_body():
    """The request's JSON (NaN and Infinity refused, as JSON itself does), None when there is no body."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return None
    if not request.is_json:
        raise ApiError(400, "invalid_json", _NOT_JSON)
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise ApiError(400, "invalid_json", "请求体不是有效的 JSON：" + _NOT_JSON) from None


@bp.before_request
def _check_input():
    """Check the request against the OpenAPI document before the view does any work (see the module docstring)."""
    rule = request.url_rule
    if rule is None or request.endpoint == "api.openapi":
        return None
    check = check_for(rule.rule[len(bp.url_prefix):], request.method)
    if check is None:
        return None  # not described by the document (tests/web/test_web_api.py requires every route to be)
    if check.roles:
        _role(*check.roles)
    for name, _schema, validate in check.path_params:
        try:
            validate((request.view_args or {}).get(name))
        except fastjsonschema.JsonSchemaValueException as exc:
            raise ApiError(404, "not_found", "未找到该资源：" + explain(exc, name)[1]) from None
    for name, schema, validate in check.query_params:
        if name not in request.args:
            continue
        value = request.args[name]
        if "integer" in (schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]):
            try:
                value = int(value)
            except ValueError:
                raise ApiError(422, "invalid_input", f"查询参数 {name} 应为整数，收到“{value[:40]}”。",
                               field=name) from None
        try:
            validate(value)
        except fastjsonschema.JsonSchemaValueException as exc:
            field, message = explain(exc, name)
            raise ApiError(422, "invalid_input", "查询参数" + message, field=field) from None
    if check.body is None:
        return None
    data = _json_body()
    if data is None:
        if check.body_required:
            raise ApiError(400, "invalid_json", _NOT_JSON)
        data = {}
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _NOT_JSON)
    try:
        validator(check.body)(data)
    except fastjsonschema.JsonSchemaValueException as exc:
        field, message = explain(exc)
        raise ApiError(422, "invalid_input", message, field=field) from None
    g.api_body = data
    return None


def body() -> dict:
    """The request's JSON body, checked against its operation's schema by ``_check_input``."""
    if "api_body" in g:
        return g.api_body
    data = _json_body()
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _NOT_JSON)
    return data


_body = body


def _date(value, name: str, required: bool = True) -> date | None:
    if value in (None, ""):
        if required:
            raise ApiError(422, "invalid_input", f"缺少 {name}（年-月-日）。")
        return None
    try:
        return parse_date(value, name)
    except InvalidDate as exc:
        raise ApiError(422, "invalid_input", str(exc)) from None


@bp.route("/openapi.json")
def openapi():
    return jsonify(document())


# ---------------------------------------------------------------- quote

@bp.route(V1 + "/quote", methods=["POST"])
def quote():
    _role("judge")

    data = _body()
    for name in ("floor", "area"):
        if data.get(name) in (None, ""):
            raise ApiError(422, "invalid_input", f"缺少 {name}。")
    quote_request = QuoteRequest(floor=str(data["floor"]), area=str(data["area"]),
                                 contract_date=_date(data.get("contract_date"), "contract_date"),
                                 building_id=data.get("building_id") or None, address=data.get("address") or None,
                                 orientation=data.get("orientation") or None,
                                 valuation_date=_date(data.get("valuation_date"), "valuation_date", False))
    try:
        inquiry = inquiry_service.quote_for_user(uow(), current_user.id, quote_request,
                                                 case_number=str(data.get("case_number") or ""),
                                                 purpose=str(data.get("purpose") or ""),
                                                 context=g.get("xunpai_quote_context"))
    except inquiry_service.InquiryRefused as exc:
        candidates = [{"building_id": c.building_id, "address": c.matched_text, "score": round(float(c.score), 1)}
                      for c in exc.candidates]
        extra = {"candidates": candidates} if candidates else {}
        if exc.limit:
            extra["limit"] = exc.limit
        raise ApiError(422, exc.code, exc.reason, **extra) from None
    return jsonify({"verification_code": inquiry.verification_code, "ledger_seq": inquiry.ledger_seq,
                    "case_number": inquiry.case_number, "purpose": inquiry.purpose,
                    "recorded_at": inquiry.recorded_at.isoformat(), "result": inquiry.result.to_dict()})


@bp.route(V1 + "/quote-batch", methods=["POST"])
def quote_batch():
    _role("judge")
    data = _body()
    units = data.get("units")
    if not isinstance(units, list) or not units:
        raise ApiError(422, "invalid_input", "units 应为非空数组，每项一套房产。")
    if len(units) > MAX_BATCH_ROWS:
        raise ApiError(413, "too_many_rows", f"一次最多 {MAX_BATCH_ROWS} 条；更大的文件请用网页批量询价或命令行。")
    headers = {name: header for header, name in batch_engine.COLUMNS.items()}
    frame = pd.DataFrame([{headers[k]: ("" if v is None else str(v)) for k, v in unit.items() if k in headers}
                          for unit in units])
    try:
        outcome = inquiry_service.quote_batch_for_user(uow(), current_user.id, frame,
                                                       case_number=str(data.get("case_number") or ""),
                                                       purpose=str(data.get("purpose") or ""), source_name="api")
    except inquiry_service.InquiryRefused as exc:
        raise ApiError(422, exc.code, exc.reason) from None
    except batch_engine.BatchFileError as exc:
        raise ApiError(422, "invalid_input", str(exc)) from None
    rows = [{str(k): ("" if v is None or (isinstance(v, float) and v != v) else str(v)) for k, v in row.items()}
            for row in outcome.results.to_dict(orient="records")]
    return jsonify({"ok": outcome.ok, "refused": outcome.refused, "ledger_seq": outcome.ledger_seq,
                    "verification_code": outcome.verification_code, "rows": rows})


# ---------------------------------------------------------------- objections

def _objection_json(objection) -> dict:
    case = objection_service.objection_record(uow(), objection).case
    state = rules.State(objection.state)
    route = rules.Route(objection.route) if objection.route else None
    step = rules.open_step(state, route, filed_on=objection.filed_on,
                           calendar=procedure_service.load_calendar(uow()), entered_on=objection.state_entered_on,
                           decision_served_on=objection.decision_served_on,
                           review_extension_days=objection.review_extension_days or 0) \
        if state not in rules.FINAL_STATES else None
    deadline = step.deadline if step else None
    return {
        "id": objection.id, "case_number": case.case_number, "report_id": objection.report_id,
        "grounds": list(objection.grounds), "state": objection.state, "state_name": rules.STATE_NAMES[state],
        "admissible": bool(objection.admissible), "route": objection.route, "assessment": objection.assessment,
        "filed_at": objection.filed_at.isoformat(),
        "next_step": None if step is None else {
            "name": step.name, "due": deadline.due.isoformat() if deadline else None,
            "provisional": bool(deadline.provisional) if deadline else False,
            "reason": deadline.reason if deadline else "", "article": deadline.article if deadline else ""},
        "evidence": [{"filename": e.filename, "size": e.size, "sha256": e.sha256} for e in objection.evidence],
    }


def _objection_for_me(objection_id: int):
    found = objection_service.get_objection(uow(), objection_id)
    if found is None:
        raise ApiError(404, "not_found", f"异议 {objection_id} 不存在。")
    objection, case = found
    if not may_see_case(current_user, case.case_number) or (
            current_user.role == "party" and objection.party_id != current_user.party_ids.get(case.case_number)):
        _deny("objection", status=404 if current_user.role == "party" else 403, case_number=case.case_number)
    return objection


@bp.route(V1 + "/objections", methods=["GET"])
def objections_list():
    _role("judge", "party")
    case_number = None
    if request.args.get("case_number"):
        try:
            case_number = validate_case_number(request.args["case_number"])
        except InvalidCaseNumber as exc:
            raise ApiError(422, "invalid_case_number", str(exc)) from None
    if current_user.role == "judge":
        rows = objection_service.court_objections(uow(), current_user.court_code, newest_first=False,
                                                  case_number=case_number, limit=500)
    else:
        rows = objection_service.party_objections(uow(), [pid for pid in current_user.party_ids.values() if pid],
                                                  case_number=case_number)
    return jsonify({"objections": [_objection_json(o) for o in rows]})


@bp.route(V1 + "/objections/<int:objection_id>", methods=["GET"])
def objection_get(objection_id: int):
    _role("judge", "party")
    return jsonify(_objection_json(_objection_for_me(objection_id)))


@bp.route(V1 + "/objections", methods=["POST"])
def objection_file():
    """A party files an objection; ``submission_key`` makes a retry return the first filing (200, not 201)."""
    _role("party")

    data = _body()
    try:
        case_number = validate_case_number(str(data.get("case_number") or ""))
    except InvalidCaseNumber as exc:
        raise ApiError(422, "invalid_case_number", str(exc)) from None
    if case_number not in current_user.case_numbers:
        _deny("case", status=404, case_number=case_number)
    party_id = current_user.party_ids.get(case_number)
    party = objection_service.get_party(uow(), party_id) if party_id else None
    if party is None:
        raise ApiError(422, "not_a_registered_party", "该查询码未关联案件登记的当事人身份，不能提出异议。")
    evidence = []
    for item in data.get("evidence") or []:
        try:
            content = base64.b64decode(str(item.get("content_base64", "")), validate=True)
        except (binascii.Error, AttributeError):
            raise ApiError(422, "invalid_evidence", "证据文件内容应为 base64 编码。") from None
        evidence.append(procedure_service.EvidenceUpload(str(item.get("filename", "")), content,
                                                         item.get("content_type")))
    try:
        result = objection_service.file_objection(
            uow(), case_number=case_number, report_id=int(data.get("report_id") or 0), id_number=party.id_number,
            grounds=list(data.get("grounds") or []), facts=str(data.get("facts") or ""),
            reasons=str(data.get("reasons") or ""), address_for_service=str(data.get("address_for_service") or ""),
            evidence=evidence, submission_key=data.get("submission_key") or None, now=ledger.now_local(),
            received_report_on=_date(data.get("received_report_on"), "received_report_on", False),
            mailed_on=_date(data.get("mailed_on"), "mailed_on", False), actor=current_user.username)
    except procedure_service.ProcedureError as exc:
        raise ApiError(422, type(exc).__name__, str(exc)) from None
    return jsonify({"created": result.created, "objection": _objection_json(result.objection)}), \
        (201 if result.created else 200)


@bp.route(V1 + "/objections/<int:objection_id>/decision", methods=["POST"])
def objection_decide(objection_id: int):
    _role("judge")

    objection = _objection_for_me(objection_id)
    data = _body()
    if not isinstance(data.get("upheld"), bool):
        raise ApiError(422, "invalid_input", "upheld 应为 true（异议成立）或 false（驳回）。")
    try:
        objection_service.decide(uow(), objection.id, upheld=data["upheld"],
                                 decided_on=_date(data.get("decided_on"), "decided_on", False)
                                 or ledger.now_local().date(),
                                 actor=current_user.username, now=ledger.now_local(),
                                 summary=str(data.get("summary") or ""),
                                 served_on=_date(data.get("served_on"), "served_on", False))
    except (procedure_service.ProcedureError, rules.IllegalTransition) as exc:
        raise ApiError(409, "illegal_step", str(exc)) from None
    return jsonify(_objection_json(objection))


# ---------------------------------------------------------------- lots

def _lot_json(lot) -> dict:
    return {"id": lot.id, "court_code": lot.court_code, "lot_code": lot.lot_code, "case_number": lot.case_number,
            "title": lot.title, "kind": lot.kind, "round": lot.round, "status": lot.status, "outcome": lot.outcome,
            "reference_price_fen": lot.reference_price_fen, "starting_price_fen": lot.starting_price_fen,
            "deposit_fen": lot.deposit_fen, "sale_price_fen": lot.sale_price_fen,
            "publications": [{"platform": p.platform, "status": p.status, "remote_id": p.remote_id, "url": p.url,
                              "stage": p.stage, "stage_name": p.stage_name} for p in lot.publications]}


def _lot_for_me(lot_id: int):
    lot = publishing_service.get_lot(uow(), lot_id)
    if lot is None:
        raise ApiError(404, "not_found", f"标的 {lot_id} 不存在。")
    if lot.court_code != current_user.court_code:
        _deny("court", detail=f"标的属于 {lot.court_code}")
    return lot


@bp.route(V1 + "/lots", methods=["GET"])
def lots_list():
    _role("clerk")

    rows = publishing_service.court_lots(uow(), current_user.court_code, status=request.args.get("status", ""),
                                         newest_first=False, limit=1000)
    return jsonify({"lots": [_lot_json(lot) for lot in rows]})


@bp.route(V1 + "/lots/<int:lot_id>", methods=["GET"])
def lot_get(lot_id: int):
    _role("clerk")
    return jsonify(_lot_json(_lot_for_me(lot_id)))


@bp.route(V1 + "/lots/<int:lot_id>/publish", methods=["POST"])
def lot_publish(lot_id: int):
    _role("clerk")
    lot = _lot_for_me(lot_id)
    data = body()
    code = str(data.get("platform") or "local")
    if code not in dict(choices()):
        raise ApiError(422, "unknown_platform", f"平台“{code}”不存在。应为：{'、'.join(dict(choices()))}。")
    try:
        result = publishing_service.publish_lot(uow(), lot.id, platform_for(code), actor=current_user.username)
    except (publishing_service.PublishingError, PlatformError) as exc:
        raise ApiError(422, "not_published", str(exc)) from None
    return jsonify({"lot_id": result.lot_id, "lot_code": result.lot_code, "result": result.result,
                    "result_name": result.result_name, "remote_id": result.remote_id, "url": result.url,
                    "idempotency_key": result.idempotency_key, "message": result.message, "stage": result.stage})


@bp.route(V1 + "/me")
def me():
    return jsonify({"username": current_user.username, "role": current_user.role,
                    "court_code": current_user.court_code, "case_numbers": current_user.case_numbers})


