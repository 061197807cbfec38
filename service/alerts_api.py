"""`GET /v1/alerts`: the alerts `tagger watch` raised, read from its alerts file.

The file is ARCHIVE.alerts.jsonl, named by the TAGGER_ALERTS_PATH setting; the
service only reads it (the watcher may be appending at the same time: a torn
last line is skipped). Without the setting the endpoint answers 404.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, NotFound

from service.watch.alerts import alerts_since

bp = Blueprint("alerts", __name__)

DEFAULT_LIMIT, MAX_LIMIT = 100, 1000


def since_param(raw: str | None) -> dt.datetime | None:
    """The `since` query parameter as an aware datetime (a date or a naive time is UTC).

    Raises BadRequest (400) if it is not an ISO 8601 date or date-time.
    """
    if raw is None or not raw.strip():
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip().replace(" ", "+"))  # '+' arrives as a space when unescaped
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):  # overflow: year 1 with a positive offset is before the earliest time
        raise BadRequest(f"query parameter 'since' must be an ISO 8601 date or date-time, not {raw!r}") from None


def limit_param(raw: str | None) -> int:
    """The `limit` query parameter; raises BadRequest unless it is a whole number from 1 to MAX_LIMIT."""
    if raw is None:
        return DEFAULT_LIMIT
    try:
        value = int(raw) if raw.strip().isascii() else 0
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_LIMIT:
        raise BadRequest(f"query parameter 'limit' must be a whole number from 1 to {MAX_LIMIT}, not {raw!r}")
    return value


@bp.get("/v1/alerts")
def list_alerts() -> Response:
    path = current_app.config.get("ALERTS_PATH")
    if not path:
        raise NotFound("this service reads no alerts file; start it with TAGGER_ALERTS_PATH=ARCHIVE.alerts.jsonl")
    since, limit = since_param(request.args.get("since")), limit_param(request.args.get("limit"))
    alerts = alerts_since(Path(path), since, limit)
    return jsonify({"alerts": alerts, "count": len(alerts)})
