"""Objections (异议): parties see their case, file an objection and get a receipt; judges review the inbox,
decide, and follow the agenda of due dates. Admissibility, routing and deadlines are the procedure
service's (参考价规定 arts. 22-25); this module only translates forms to its calls."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.security import roles_required
from web.services import service

bp = Blueprint("objections", __name__)


@bp.route("/party")
@roles_required("party")
def party_home():
    service("xunpai.procedure_service")
    return render_template("error.html", status=503, title="建设中", message="")


@bp.route("/objections")
@roles_required("judge")
def inbox():
    service("xunpai.procedure_service")
    return render_template("error.html", status=503, title="建设中", message="")


@bp.route("/agenda")
@roles_required("judge", "clerk")
def agenda():
    service("xunpai.procedure_service")
    return render_template("error.html", status=503, title="建设中", message="")
