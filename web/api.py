"""The JSON API (token authentication): quote, batch, objections, lots; described at /api/openapi.json."""

from __future__ import annotations

from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.route("/openapi.json")
def openapi():
    from web.openapi import document

    return jsonify(document())
