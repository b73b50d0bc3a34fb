"""The judge's vehicle screen (车辆估价): a vehicle as the clerk has it → its value with the breakdown, the
comparables and the price-history chart, a printable PDF and the verification code.

The checks of who may ask (案号, purpose, role, limits) and the ledger entries are the vehicle service's; this
module reads the form into a ``VehicleQuery`` (each unreadable field gets its Chinese message beside it, and
nothing is asked) and draws the recorded answer."""

from __future__ import annotations

import io

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from auction.case_number import InvalidCaseNumber
from auction.case_number import validate as validate_case_number
from tax_baseline.typed_dates import InvalidDate, parse_date
from vehicles import values as v
from vehicles.names import VehicleNameError, parse_vehicle_name
from vehicles.subject import VehicleQuery
from web import receipt_views
from web.database import uow
from web.security import authorize_court, deny, roles_required
from web.vehicle_chart import curve_png
from web.vehicle_pdf import vehicle_quote_pdf
from xunpai.services import vehicles as vehicle_service
from xunpai.services.inquiry import InquiryRefused
from xunpai.storage import ledger

bp = Blueprint("vehicles", __name__, url_prefix="/vehicles")

PURPOSES = ("确定财产处置参考价", "拍卖前核实价值", "执行和解参考", "财产保全参考")
GEARBOXES = ("", "自动", "手动")
FIELDS = ("name", "registration", "mileage", "city", "valuation_date", "new_price", "gearbox", "inspection",
          "case_number", "purpose")
# Which field a refusal of the service belongs beside (by its code, else by the start of its message).
_BY_CODE = {"unknown_series": "name", "unknown_brand": "name", "new_price_unknown": "new_price", "invalid_case_number": "case_number",
            "missing_purpose": "purpose"}
_BY_PREFIX = (("上牌时间", "registration"), ("里程", "mileage"), ("新车含税价", "new_price"), ("估价日期", "valuation_date"),
              ("无法识别“", "name"), ("车型名称", "name"), ("应为 自动 或 手动", "gearbox"), ("应为检测异常", "inspection"))


def read_query(form) -> tuple[VehicleQuery | None, dict, dict[str, str]]:
    """The form (or an API body of text values) read into a ``VehicleQuery``; each unreadable or missing field
    with its Chinese message, keyed by the field's name (the page shows it beside the field)."""
    values = {name: str(form.get(name) or "").strip() for name in FIELDS}
    errors: dict[str, str] = {}

    def check(field: str, reader, message: str) -> None:
        if not values[field]:
            return
        try:
            reader(values[field])
        except (v.ValueReadError, VehicleNameError) as exc:
            errors[field] = message.format(value=values[field], reason=exc)

    for field, label, example in (("name", "车型名称", "如“宝马5系 2020款 530Li 领先型”（登记证书或挂牌名称）"),
                                  ("registration", "上牌时间", "如 2021-03、2021年3月，未上牌写“未上牌”"),
                                  ("mileage", "表显里程", "如“4.5万公里”或“45000公里”")):
        if not values[field]:
            errors[field] = f"请填写{label}，{example}。"
    check("name", parse_vehicle_name, "{reason}")
    check("registration", v.parse_registration, "上牌时间“{value}”无法识别：{reason}")
    check("mileage", v.parse_mileage, "里程“{value}”无法识别：{reason}")
    check("new_price", v.parse_amount, "新车含税价“{value}”无法识别：{reason}")
    check("gearbox", v.parse_gearbox, "变速箱“{value}”无法识别：{reason}")
    check("inspection", v.parse_inspection, "检测结果“{value}”无法识别：{reason}")
    on = None
    if not values["valuation_date"]:
        errors["valuation_date"] = "请填写估价日期，如 2026-11-20。"
    else:
        try:
            on = parse_date(values["valuation_date"], "估价日期")
        except InvalidDate as exc:
            errors["valuation_date"] = str(exc)
    if not values["case_number"]:
        errors["case_number"] = "请填写案号，如（2026）宁0122执1234号。"
    else:
        try:
            values["case_number"] = validate_case_number(values["case_number"])
        except InvalidCaseNumber as exc:
            errors["case_number"] = str(exc)
    if not values["purpose"]:
        errors["purpose"] = "请填写询价用途。"
    if errors:
        return None, values, errors
    query = VehicleQuery(name=values["name"], registration=values["registration"], mileage=values["mileage"],
                         valuation_date=on, city=values["city"], new_price=values["new_price"] or None,
                         gearbox=values["gearbox"] or None, inspection=values["inspection"] or None)
    return query, values, {}


def field_of(exc: InquiryRefused) -> str:
    """The field a refusal of the service belongs beside ("" for one about the whole request)."""
    if exc.code in _BY_CODE:
        return _BY_CODE[exc.code]
    for prefix, field in _BY_PREFIX:
        if exc.reason.startswith(prefix):
            return field
    return ""


@bp.route("/", methods=["GET", "POST"])
@roles_required("judge")
def form():
    return _form_page(None)


def _form_page(subject):
    """The vehicle form, empty or prefilled from a seized vehicle (``subject``); a judge's POST asks the quote."""
    if subject is not None:
        values = {name: subject.values.get(name, "") for name in FIELDS}
    else:
        values = {name: request.args.get(name, "") for name in FIELDS}
    values["valuation_date"] = values.get("valuation_date") or ledger.now_local().date().isoformat()
    errors: dict[str, str] = {}
    general: list[str] = []
    candidates: list[str] = []
    if request.method == "POST":
        if current_user.role != "judge":
            deny("role", detail="只有执行法官可以为车辆估价")
        query, values, errors = read_query(request.form)
        if query is not None:
            try:
                answer = vehicle_service.quote_for_user(uow(), current_user.id, query,
                                                        case_number=values["case_number"], purpose=values["purpose"],
                                                        subject=subject.as_ref() if subject else None)
            except InquiryRefused as exc:  # written to the ledger by the service
                field = field_of(exc)
                note = f"（已记入台账，序号 {exc.ledger_seq}）" if exc.ledger_seq else ""
                if field:
                    errors[field] = exc.reason + note
                else:
                    general.append(exc.reason + note)
                candidates = list(exc.candidates)
            else:
                return redirect(url_for("vehicles.result", code=answer.verification_code))
    status = 422 if (errors or general) else 200
    quotes = vehicle_service.subject_quotes(uow(), subject) if subject is not None else []
    action = url_for(request.endpoint, **(request.view_args or {}))
    return render_template("vehicles/form.html", values=values, errors=errors, general=general,
                           candidates=candidates, purposes=PURPOSES, gearboxes=GEARBOXES, subject=subject,
                           quotes=quotes, action=action), status


def _subject(kind: str, item_id: int):
    subject = vehicle_service.vehicle_subject(uow(), kind, item_id)
    if subject is None:
        abort(404)
    authorize_court(subject.court_code)
    return subject


@bp.route("/lots")
@roles_required("judge", "clerk")
def from_lots():
    """The court's seized vehicles (vehicle lots, vehicles in custody), each to be valued from its particulars."""
    subjects = vehicle_service.court_vehicle_subjects(uow(), current_user.court_code)
    return render_template("vehicles/lots.html", subjects=subjects)


@bp.route("/lot/<int:lot_id>", methods=["GET", "POST"])
@roles_required("judge", "clerk")
def from_lot(lot_id: int):
    return _form_page(_subject("lot", lot_id))


@bp.route("/custody/<int:item_id>", methods=["GET", "POST"])
@roles_required("judge", "clerk")
def from_custody(item_id: int):
    return _form_page(_subject("custody", item_id))


def _receipt_for_me(code: str) -> dict:
    return receipt_views.receipt_for_me(vehicle_service.receipt, code)


@bp.route("/result/<code>")
@roles_required("judge")
def result(code: str):
    return receipt_views.result_page("vehicles/result.html", _receipt_for_me(code))


@bp.route("/result/<code>/chart.png")
@roles_required("judge")
def chart(code: str):
    detail = _receipt_for_me(code)
    response = send_file(io.BytesIO(curve_png(detail["result"])), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/result/<code>.pdf")
@roles_required("judge")
def result_pdf(code: str):
    return receipt_views.result_pdf(vehicle_quote_pdf, _receipt_for_me(code), "车辆估价结果单")
