"""A quote receipt (询价结果) as the signed-in judge sees it, for the house quote (``web.inquiry``) and the vehicle
quote (``web.vehicles``): the recorded answer looked up by its verification code (校验码), the result page and
the printable PDF (结果单) with the court's name and the public verification address."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Response, abort, render_template, send_file, url_for

from web.database import uow
from web.security import authorize_court
from xunpai.services import accounts as accounts_service


def receipt_for_me(load: Callable[..., dict | None], code: str) -> dict:
    """The receipt ``load(uow, code)`` finds; 404 when there is none, refused when it is another court's."""
    detail = load(uow(), code)
    if detail is None:
        abort(404)
    authorize_court(detail.get("court_code"))
    return detail


def _court_name(detail: dict) -> str:
    court = accounts_service.get_court(uow(), detail.get("court_code") or "")
    return court.name if court else ""


def result_page(template: str, detail: dict) -> str:
    """The result page, with the address where anyone can check the receipt against the ledger, and the court's
    name that heads the page when it is printed for the case file."""
    verify_url = url_for("public.verify", code=detail["code"], _external=True)
    return render_template(template, d=detail, r=detail["result"], verify_url=verify_url,
                           court_name=_court_name(detail))


def result_pdf(draw: Callable[..., bytes], detail: dict, title: str) -> Response:
    """The printable ``title`` (询价结果单, 车辆估价结果单) drawn by ``draw``, headed with the court's name."""
    data = draw(detail, code=detail["code"], verify_url=url_for("public.verify_form", _external=True),
                court_name=_court_name(detail))
    return send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False,
                     download_name=f"{title}-{detail['code']}.pdf")
