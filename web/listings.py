"""Clerks' pages: lots, documents, publishing, custody and viewing, outcomes."""

from __future__ import annotations

from flask import Blueprint, render_template

from web.security import roles_required
from web.services import service

bp = Blueprint("listings", __name__, url_prefix="/lots")


@bp.route("/")
@roles_required("clerk")
def lots():
    service("xunpai.publishing_service")
    return render_template("error.html", status=503, title="建设中", message="")


@bp.route("/bulk")
@roles_required("clerk")
def bulk():
    service("xunpai.publishing_service")
    return render_template("error.html", status=503, title="建设中", message="")


@bp.route("/custody")
@roles_required("clerk")
def custody():
    service("xunpai.publishing_service")
    return render_template("error.html", status=503, title="建设中", message="")


@bp.route("/outcomes")
@roles_required("clerk")
def outcomes():
    service("xunpai.publishing_service")
    return render_template("error.html", status=503, title="建设中", message="")
