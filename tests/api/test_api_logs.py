"""One JSON line per request on stderr."""
from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient


def _lines(err: str) -> list[dict]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_one_json_line_per_request(client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    client.get("/healthz")
    client.post("/v1/tag", json={"id": "x1", "text": "Việt Nam"})
    client.get("/nope")
    lines = _lines(capsys.readouterr().err)
    assert [(l["method"], l["path"], l["status"]) for l in lines] == [
        ("GET", "/healthz", 200), ("POST", "/v1/tag", 200), ("GET", "/nope", 404)]
    for line in lines:
        assert {"ts", "level", "event", "latency_ms", "request_id"} <= set(line)
        assert isinstance(line["latency_ms"], float) and line["latency_ms"] >= 0
    assert lines[1]["article_ids"] == ["x1"]
    assert "article_ids" not in lines[0]


def test_batch_logs_the_ids_of_its_good_articles(client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    client.post("/v1/tag/batch", json={"articles": [{"id": 1, "text": "a"}, {"id": 2}, {"text": "c"}]})
    (line,) = _lines(capsys.readouterr().err)
    assert line["article_ids"] == ["1"]


def test_request_id_is_taken_from_the_client_or_made(client: FlaskClient, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    given = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    made = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    lines = _lines(capsys.readouterr().err)
    assert given.headers["X-Request-ID"] == "abc-123" == lines[0]["request_id"]
    assert made.headers["X-Request-ID"] == lines[1]["request_id"]
    assert " " not in made.headers["X-Request-ID"] and made.headers["X-Request-ID"]


def test_log_level_hides_info_lines(make_app, capsys: pytest.CaptureFixture[str]) -> None:
    client = make_app(LOG_LEVEL="WARNING").test_client()
    capsys.readouterr()
    client.get("/healthz")
    assert _lines(capsys.readouterr().err) == []


@pytest.mark.parametrize(("given", "kept"), [
    ("a" * 128, True), ("a" * 129, False), ("req 42/α", False), ("req 42/x=y", True), (" padded", False),
    ("", False), ("tab\there", False),
])
def test_request_id_is_printable_ascii_of_at_most_128(client: FlaskClient, given: str, kept: bool) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": given})
    returned = response.headers["X-Request-ID"]
    if kept:
        assert returned == given
    else:
        assert returned != given and len(returned) == 32 and int(returned, 16) >= 0


@pytest.mark.parametrize(("method", "path", "kwargs", "status"), [
    ("GET", "/nowhere", {}, 404),
    ("DELETE", "/v1/tag", {}, 405),
    ("POST", "/v1/tag", {"data": b"{", "content_type": "application/json"}, 400),
    ("POST", "/v1/tag", {"data": b"x", "content_type": "text/plain"}, 415),
    ("POST", "/v1/tag", {"json": {"text": ""}}, 422),
    ("POST", "/v1/tag", {"json": {"text": "x"}, "query_string": {"scores": "few"}}, 400),
])
def test_every_problem_names_the_request_id_as_its_instance(client: FlaskClient, capsys: pytest.CaptureFixture[str],
                                                            method: str, path: str, kwargs: dict, status: int) -> None:
    capsys.readouterr()
    given = client.open(path, method=method, headers={"X-Request-ID": "trace-7"}, **kwargs)
    made = client.open(path, method=method, **kwargs)
    assert (given.status_code, made.status_code) == (status, status)
    assert given.get_json()["instance"] == "trace-7"
    assert made.get_json()["instance"] == made.headers["X-Request-ID"]
    assert [line["request_id"] for line in _lines(capsys.readouterr().err)] == ["trace-7", made.headers["X-Request-ID"]]


def test_a_batch_article_problem_carries_the_request_id(client: FlaskClient) -> None:
    response = client.post("/v1/tag/batch", json={"articles": [{"text": 1}]}, headers={"X-Request-ID": "b-1"})
    assert response.get_json()["results"][0]["instance"] == "b-1"


def test_the_error_log_line_of_a_500_is_json_with_the_request_id(make_app, capsys: pytest.CaptureFixture[str],
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("tagger broke")

    monkeypatch.setattr(app.extensions["tagger"], "tag", broken)
    capsys.readouterr()
    response = app.test_client().post("/v1/tag", json={"text": "x"}, headers={"X-Request-ID": "r-500"})
    assert response.status_code == 500 and response.get_json()["instance"] == "r-500"
    lines = _lines(capsys.readouterr().err)
    assert [(line["level"], line["request_id"]) for line in lines] == [("error", "r-500"), ("error", "r-500")]
    assert "RuntimeError: tagger broke" in lines[0]["exc"]
