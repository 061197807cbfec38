"""Structured request logs: one JSON line per request on stderr.

Each line has ``ts``, ``level``, ``event`` ("request"), ``method``, ``path``,
``status``, ``latency_ms``, ``request_id`` and, when the request named
articles, ``article_ids``. The request id comes from the client's
``X-Request-ID`` header when it is printable ASCII of at most 128 characters
(no leading or trailing space), else it is a fresh uuid4 hex; it is sent back
in the same header, is the ``instance`` of every problem body, and is in every
line logged during the request (the app's own error log is JSON lines too,
with the traceback under ``exc``). No request header is ever logged, so
neither is an API key.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterable

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_LOGGER = "service.requests"
REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[!-~](?:[ -~]{0,126}[!-~])?")  # printable ASCII, <= 128, not padded


class JsonLineFormatter(logging.Formatter):
    """Formats a record as one JSON object; its `fields` extra becomes members."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "event": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if "request_id" not in line and has_request_context() and g.get("request_id"):
            line["request_id"] = g.request_id
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to the current `sys.stderr`, whatever replaced it since start-up."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr


def note_articles(ids: Iterable[object]) -> None:
    """Record the ids of the articles in this request for its log line."""
    g.article_ids = [str(i) for i in ids if i is not None]


def _start() -> None:
    g.started = time.perf_counter()
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = incoming if _SAFE_ID.fullmatch(incoming) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.get("started")
    fields: dict[str, object] = {
        "method": request.method,
        "path": request.path,
        "status": response.status_code,
        "latency_ms": None if started is None else round((time.perf_counter() - started) * 1000, 1),
        "request_id": g.get("request_id"),
    }
    if g.get("article_ids"):
        fields["article_ids"] = g.article_ids
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    logging.getLogger(REQUEST_LOGGER).log(level, "request", extra={"fields": fields})
    if g.get("request_id"):
        response.headers[REQUEST_ID_HEADER] = g.request_id
    return response


def _json_lines(logger: logging.Logger) -> None:
    """Make `logger` write JSON lines to stderr (once, however many apps are built)."""
    logger.removeHandler(default_handler)
    if not any(isinstance(h, StderrHandler) for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonLineFormatter())
        logger.addHandler(handler)


def init_app(app: Flask) -> None:
    """Log every request of `app` as a JSON line at `app.config["LOG_LEVEL"]`, and
    the app's own log (exceptions behind a 500) as JSON lines with the request id."""
    logger = logging.getLogger(REQUEST_LOGGER)
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.propagate = False
    _json_lines(logger)
    _json_lines(app.logger)
    app.before_request(_start)
    app.after_request(_finish)
