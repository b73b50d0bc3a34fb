"""Public pages (no sign-in): checking a printed quote by its verification code."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from web.database import uow
from xunpai.services import accounts as accounts_service
from xunpai.services import receipts as quote_receipts
from xunpai.services import vehicles as vehicle_service

bp = Blueprint("public", __name__)


@bp.route("/verify", methods=["GET"])
def verify_form():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("public.verify", code=code))
    return render_template("public/verify.html", check=None)


@bp.route("/verify/<code>")
def verify(code: str):
    result = quote_receipts.check(uow(), code)
    if not result.found:  # a vehicle quote's code (xunpai/services/vehicles.py)
        vehicle = vehicle_service.check(uow(), code)
        if vehicle.found:
            court = accounts_service.get_court(uow(), vehicle.court_code) if vehicle.court_code else None
            return render_template("vehicles/verify.html", check=vehicle, court=court)
    court = accounts_service.get_court(uow(), result.court_code) if result.court_code else None
    status = 200 if result.found else 404
    return render_template("public/verify.html", check=result, court=court), status
