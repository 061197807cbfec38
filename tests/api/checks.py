"""The one check of the error shape, used by every test that expects an error."""
from __future__ import annotations

import tempfile
from http import HTTPStatus
from pathlib import Path
from typing import Any

from werkzeug.test import TestResponse

REPO = Path(__file__).resolve().parents[2]
LEAKS = ("Traceback", 'File "', "site-packages", str(REPO), tempfile.gettempdir())


def assert_problem(response: TestResponse, status: int, fragment: str | None = None) -> dict[str, Any]:
    """Assert `response` is an RFC 9457 problem with `status` (and `fragment` in
    its detail), leaking no traceback or local path; return the body."""
    text = response.get_data(as_text=True)
    assert response.status_code == status, text
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert isinstance(body, dict), text
    assert_problem_body(body, status, fragment)
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} leaked into {text}"
    return body


def assert_problem_body(body: dict[str, Any], status: int, fragment: str | None = None) -> None:
    """Assert `body` has the problem members with the right types and values."""
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["type"] == "about:blank"
    assert body["status"] == status
    assert body["title"] == HTTPStatus(status).phrase
    assert isinstance(body["detail"], str) and body["detail"], body
    if fragment is not None:
        assert fragment in body["detail"], body["detail"]
