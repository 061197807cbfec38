"""Every error status comes back in the one problem-details shape."""
from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app
from werkzeug.wrappers import Request

from api.checks import assert_problem
from conftest import AppFactory

ARTICLE = {"text": "Việt Nam và Nhật Bản hợp tác về 5G."}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{bad json", "not valid JSON"),
        (b'{"text": "unterminated', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b"[" * 100_000, "not valid JSON"),  # nested too deep for the parser
        (b"", "empty"),
        (b"  \n", "empty"),
    ],
)
@pytest.mark.parametrize("path", ["/v1/tag", "/v1/tag/batch"])
def test_malformed_json_is_400(client: FlaskClient, path: str, data: bytes, message: str) -> None:
    assert_problem(client.post(path, data=data, content_type="application/json"), 400, message)


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x"])
@pytest.mark.parametrize("path", ["/v1/tag", "/v1/tag/batch"])
def test_not_json_is_415(client: FlaskClient, path: str, content_type: str | None) -> None:
    response = client.post(path, data=b'{"text": "x"}', content_type=content_type)
    assert_problem(response, 415, "application/json")


def test_body_over_the_limit_is_413(make_app: AppFactory) -> None:
    client = make_app(MAX_CONTENT_LENGTH=2_000).test_client()
    assert client.post("/v1/tag", json=ARTICLE).status_code == 200
    body = assert_problem(client.post("/v1/tag", json={"text": "x" * 5_000}), 413, "larger than 2000 bytes")
    assert body["limit"] == 2_000


def test_default_limit_is_one_megabyte(client: FlaskClient) -> None:
    assert_problem(client.post("/v1/tag", json={"text": "x" * 1_000_001}), 413, "larger than 1000000 bytes")


def _chunked(app: Flask, payload: bytes) -> TestResponse:
    """Post `payload` as gunicorn hands a Transfer-Encoding: chunked body to the
    app: the decoded stream, no CONTENT_LENGTH, and wsgi.input_terminated set.
    (The test client always adds a Content-Length, so the environ is built here.)"""
    environ = EnvironBuilder("/v1/tag", method="POST", input_stream=io.BytesIO(payload),
                             headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"}).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["wsgi.input_terminated"] = True
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    return TestResponse(app_iter, status, headers, request=Request(environ))


def test_chunked_body_over_the_limit_is_413(make_app: AppFactory) -> None:
    response = _chunked(make_app(MAX_CONTENT_LENGTH=2_000), b'{"text": "' + b"x" * 5_000 + b'"}')
    assert_problem(response, 413, "larger than 2000 bytes")


def test_chunked_body_under_the_limit_is_tagged(make_app: AppFactory) -> None:
    response = _chunked(make_app(MAX_CONTENT_LENGTH=2_000), '{"id": "c", "text": "Việt Nam và Nhật Bản"}'.encode())
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["id"] == "c"


@pytest.mark.parametrize("path", ["/v1", "/v1/tags", "/v2/tag", "/static/x.js"])
def test_unknown_path_is_404(client: FlaskClient, path: str) -> None:
    assert_problem(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("GET", "/v1/tag", "POST"), ("PUT", "/v1/tag/batch", "POST"), ("DELETE", "/v1/model", "GET"),
     ("POST", "/healthz", "GET"), ("POST", "/openapi.json", "GET")],
)
def test_wrong_method_is_405_with_allow(client: FlaskClient, method: str, path: str, allowed: str) -> None:
    response = client.open(path, method=method)
    assert_problem(response, 405)
    assert allowed in response.headers["Allow"]


def test_unhandled_error_is_500_without_traceback_or_path(make_app: AppFactory) -> None:
    app: Flask = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError(f"secret failure in {__file__}")

    response = app.test_client().get("/boom", headers={"X-Request-ID": "req-500"})
    body = assert_problem(response, 500, "req-500")
    assert "secret" not in response.get_data(as_text=True)
    assert "RuntimeError" not in body["detail"]


def test_not_ready_is_503(app: Flask) -> None:
    app.extensions.pop("tagger")
    assert_problem(app.test_client().get("/readyz"), 503, "not loaded")


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/tag"), ("POST", "/v1/tag/batch"), ("GET", "/v1/model")])
def test_model_endpoints_are_503_until_ready(app: Flask, method: str, path: str) -> None:
    app.extensions.pop("tagger")
    response = app.test_client().open(path, method=method, json={"text": "x", "articles": [{"text": "x"}]})
    assert_problem(response, 503, "not loaded")
