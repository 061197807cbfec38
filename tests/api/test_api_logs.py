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
