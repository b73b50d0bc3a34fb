"""The vehicle quote of the JSON API (``POST /api/v1/vehicle-quote``, ``GET /api/v1/vehicle-quote/<code>``):
routes on the API blueprint of ``web.api`` (its token authentication and its JSON errors), described in the
vehicle block of ``web.openapi``.

The body is checked here before anything is asked: a body that is not a JSON object is a 400; a field that
is not known, or not a string (a number where one may be), and every value the judge's form would refuse,
are a 422 whose ``error.fields`` names each field with its Chinese message, and nothing is written. The
refusals of the service (case number, purpose, role, court, limits, an unknown brand, a missing new-car price)
are a 422 with the service's reason and its 台账 number, as the judge's page shows them. Never a 500 for what
a caller sent.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_login import current_user

from web.api import V1, ApiError, _deny, _role, bp
from web.database import uow
from web.vehicles import field_of, read_query
from xunpai.services import vehicles as vehicle_service
from xunpai.services.inquiry import InquiryRefused
from xunpai.storage import ledger

TEXT_FIELDS = ("name", "registration", "city", "valuation_date", "gearbox", "inspection", "case_number",
               "purpose")
NUMBER_OR_TEXT = ("mileage", "new_price")  # 45000 (km, yuan) or "4.5万公里", "34.17万"
LABELS = {"name": "车型名称", "registration": "上牌时间", "mileage": "表显里程", "city": "所在城市",
          "valuation_date": "估价日期", "new_price": "新车含税价", "gearbox": "变速箱", "inspection": "检测结果",
          "case_number": "案号", "purpose": "询价用途"}


def _invalid(fields: dict[str, str]) -> ApiError:
    first = next(iter(fields.values()))
    more = f"（另有 {len(fields) - 1} 项，见 fields）" if len(fields) > 1 else ""
    return ApiError(422, "invalid_input", first + more, fields=fields)


def _text_body() -> dict[str, str]:
    """The body as the form's text values; every wrong field named with its reason (nothing asked)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", "请求体应为 JSON 对象（Content-Type: application/json），"
                                            "如 {\"name\": \"宝马5系 2020款 530Li 领先型\", ...}。")
    fields: dict[str, str] = {}
    for key in data:
        if key not in LABELS:
            fields[str(key)[:60]] = f"不认识的字段“{str(key)[:60]}”：可用的字段为 {'、'.join(LABELS)}。"
    values: dict[str, str] = {}
    for key, label in LABELS.items():
        value = data.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float) or (
                key in TEXT_FIELDS and not isinstance(value, str)):
            kind = "字符串或数字" if key in NUMBER_OR_TEXT else "字符串"
            fields[key] = f"{label}（{key}）应为{kind}。"
            continue
        values[key] = str(value)
    if fields:
        raise _invalid(fields)
    if not values.get("valuation_date"):
        values["valuation_date"] = ledger.now_local().date().isoformat()
    return values


def _answer(code: str) -> dict:
    detail = vehicle_service.receipt(uow(), code)
    if detail is None:
        raise ApiError(404, "not_found", f"没有校验码为 {code} 的车辆估价。")
    if detail.get("court_code") != current_user.court_code:
        _deny("court", status=404, detail=f"车辆估价属于 {detail.get('court_code')}")
    return {"verification_code": detail["code"], "ledger_seq": detail["ledger_seq"],
            "case_number": detail["case_number"], "purpose": detail["purpose"],
            "recorded_at": detail["queried_at"].replace(" ", "T"), "issued_on": detail["issued_on"],
            "issuer": detail["issuer"], "value_fen": detail["value_fen"], "result": detail["result"]}


@bp.route(V1 + "/vehicle-quote", methods=["POST"])
def vehicle_quote():
    """Value one vehicle for a judge (written to the ledger with its verification code, as the page does)."""
    _role("judge")
    values = _text_body()
    query, values, errors = read_query(values)
    if errors:
        raise _invalid(errors)
    try:
        answer = vehicle_service.quote_for_user(uow(), current_user.id, query, case_number=values["case_number"],
                                                purpose=values["purpose"])
    except InquiryRefused as exc:  # written to the ledger by the service
        extra = {"ledger_seq": exc.ledger_seq}
        if exc.candidates:
            extra["candidates"] = [str(c) for c in exc.candidates]
        field = field_of(exc)
        if field:
            extra["fields"] = {field: exc.reason}
        if exc.limit:
            extra["limit"] = exc.limit
        raise ApiError(422, exc.code or "refused", exc.reason, **extra) from None
    return jsonify(_answer(answer.verification_code))


@bp.route(V1 + "/vehicle-quote/<code>", methods=["GET"])
def vehicle_quote_get(code: str):
    """A recorded vehicle quote of the token's court, by its verification code."""
    _role("judge", "clerk")
    return jsonify(_answer(code))
