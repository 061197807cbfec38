"""The one error shape of the service: RFC 9457 problem details.

`problem` builds every error body, whether it is a whole response
(`problem_response`) or one failed article inside a batch. Domain errors are
raised deep inside and translated to HTTP statuses only here.
"""
from __future__ import annotations

from http import HTTPStatus
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context
from werkzeug.exceptions import HTTPException, InternalServerError, RequestEntityTooLarge

from model.errors import InputError

PROBLEM_MIMETYPE = "application/problem+json"


def problem(status: int, detail: str, **extra: Any) -> dict[str, Any]:
    """The JSON body of every error the service returns.

    Always has the keys ``type`` (``"about:blank"``: the status says what kind
    of problem it is), ``title`` (the status phrase), ``status`` (the HTTP status
    as an int) and ``detail`` (a sentence for a human, never a stack trace or a
    local path); within a request, also ``instance``: the request's id (its
    ``X-Request-ID``, in every log line of the request too). `extra` adds
    members, such as ``index`` for a failed article in a batch or ``limit``
    for a limit that was exceeded.
    """
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    request_id = g.get("request_id") if has_request_context() else None
    if request_id:
        body["instance"] = request_id
    return {**body, **extra}


def problem_response(status: int, detail: str, **extra: Any) -> Response:
    """`problem` as a response with the application/problem+json content type."""
    response = current_app.json.response(problem(status, detail, **extra))
    response.status_code = status
    response.mimetype = PROBLEM_MIMETYPE
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if isinstance(exc, RequestEntityTooLarge):  # raised by Werkzeug with a generic text
        limit = current_app.config["MAX_CONTENT_LENGTH"]
        response = problem_response(413, f"the request body is larger than {limit} bytes", limit=limit)
    else:
        response = problem_response(status, exc.description or HTTPStatus(status).description)
    for name, value in exc.get_headers():  # keeps Allow on 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _input_error(exc: InputError) -> Response:
    return problem_response(422, str(exc))


def _server_error(exc: InternalServerError) -> Response:
    # Flask has already logged the original exception with its traceback.
    request_id = g.get("request_id")
    where = f" (request id {request_id})" if request_id else ""
    return problem_response(500, f"the server could not tag this request; the error was logged{where}")


def init_app(app: Flask) -> None:
    """Answer every error of `app` with a problem-details body."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InputError, _input_error)
    app.register_error_handler(InternalServerError, _server_error)
