"""`GET /`: the analysts' page, with its stylesheet and script.

The page is one Jinja template and two plain files in service/static/; the
browser does the rest by calling the JSON API. It needs no build step and
loads nothing from other hosts.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, send_from_directory
from werkzeug.exceptions import NotFound

STATIC = Path(__file__).resolve().parent / "static"
# Served as they are. The template sits in the same folder but is only rendered,
# never sent raw; anything else under static/ is not served either.
ASSETS = ("web.css", "web.js", "trends.js")

bp = Blueprint("web", __name__, template_folder=str(STATIC))


@bp.get("/")
def index() -> str:
    # /v1/model does not state the batch limit, so the page carries it.
    return render_template("index.html", batch_max=current_app.config["BATCH_MAX"])


@bp.get("/static/<name>")
def asset(name: str) -> Response:
    if name not in ASSETS:
        raise NotFound(f"no static file {name!r}")
    return send_from_directory(STATIC, name)
