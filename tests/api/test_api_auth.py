"""API keys: /v1/* needs `Authorization: Bearer <key>` when keys are set; the rest stays open."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from api.checks import assert_problem
from api.test_api_openapi import check
from conftest import AppFactory
from service.auth import configured_keys, key_matches
from service.settings import SettingsError

KEYS = ("k-alpha-7f3e", "k-beta-91c2")
ARTICLE = {"id": "k1", "text": "Việt Nam và Nhật Bản hợp tác về 5G."}


@pytest.fixture
def keyed(make_app: AppFactory) -> FlaskClient:
    return make_app(API_KEYS=KEYS).test_client()


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.parametrize(("headers", "error"), [
    ({}, None),
    ({"Authorization": "Bearer "}, None),
    ({"Authorization": f"Basic {KEYS[0]}"}, None),
    ({"Authorization": KEYS[0]}, None),
    (_bearer("k-alpha-7f3"), "invalid_token"),
    (_bearer(KEYS[0] + "x"), "invalid_token"),
    (_bearer("ключ"), "invalid_token"),
])
def test_a_missing_or_wrong_key_is_a_401_problem_with_a_bearer_challenge(keyed: FlaskClient,
                                                                          headers: dict[str, str],
                                                                          error: str | None) -> None:
    for response in (keyed.post("/v1/tag", json=ARTICLE, headers=headers),
                     keyed.post("/v1/tag/batch", json={"articles": [ARTICLE]}, headers=headers),
                     keyed.get("/v1/model", headers=headers)):
        body = assert_problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert (f'error="{error}"' in response.headers["WWW-Authenticate"]) == (error is not None)
        assert body["instance"] == response.headers["X-Request-ID"]
        assert KEYS[0] not in response.get_data(as_text=True)


def test_each_configured_key_opens_v1(keyed: FlaskClient) -> None:
    for key in KEYS:
        assert keyed.post("/v1/tag", json=ARTICLE, headers=_bearer(key)).status_code == 200
        assert keyed.get("/v1/model", headers={"Authorization": f"bearer  {key} "}).status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/openapi.json", "/", "/static/web.js"])
def test_health_metrics_document_and_page_stay_open(keyed: FlaskClient, path: str) -> None:
    with keyed.get(path) as response:
        assert response.status_code == 200


def test_without_keys_v1_is_open(client: FlaskClient) -> None:
    assert client.post("/v1/tag", json=ARTICLE).status_code == 200
    assert "securitySchemes" not in client.get("/openapi.json").get_json()["components"]


def test_keys_come_from_the_file_too(make_app: AppFactory, tmp_path: Path) -> None:
    path = tmp_path / "keys.txt"
    path.write_text("\n  file-key-1  \n\nfile-key-2\n", encoding="utf-8")
    client = make_app(API_KEYS=("env-key",), API_KEYS_FILE=str(path)).test_client()
    for key in ("env-key", "file-key-1", "file-key-2"):
        assert client.get("/v1/model", headers=_bearer(key)).status_code == 200
    assert client.get("/v1/model", headers=_bearer("file-key-3")).status_code == 401


@pytest.mark.parametrize(("content", "message"), [(None, "cannot read it"), ("\n \n", "holds no key")])
def test_an_unusable_keys_file_stops_the_app(make_app: AppFactory, tmp_path: Path, content: str | None,
                                             message: str) -> None:
    path = tmp_path / "keys.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(SettingsError, match=message):
        make_app(API_KEYS_FILE=str(path))


def test_key_matching_compares_every_key() -> None:
    keys = configured_keys({"API_KEYS": ("a1", "b2", "a1")})
    assert keys == (b"a1", b"b2")
    assert key_matches(b"b2", keys) and key_matches(b"a1", keys)
    assert not key_matches(b"a", keys) and not key_matches(b"", keys) and not key_matches(b"b2 ", keys)
    assert not key_matches(b"a1", ())


def test_no_key_is_ever_logged(make_app: AppFactory, capsys: pytest.CaptureFixture[str],
                               caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    app: Flask = make_app(API_KEYS=KEYS, PROPAGATE_EXCEPTIONS=False)
    client = app.test_client()

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the tagger broke")

    capsys.readouterr()
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/tag", json=ARTICLE, headers=_bearer(KEYS[0]))
        client.post("/v1/tag", json=ARTICLE, headers=_bearer(KEYS[1] + "-wrong"))
        client.get("/v1/model", headers={"Authorization": KEYS[1]})
        monkeypatch.setattr(app.extensions["tagger"], "tag", broken)
        assert client.post("/v1/tag", json=ARTICLE, headers=_bearer(KEYS[0])).status_code == 500
    logged = capsys.readouterr().err + "\n".join(r.getMessage() + json.dumps(getattr(r, "fields", {}))
                                                  for r in caplog.records)
    assert logged.count('"event": "request"') == 4, logged
    assert "the tagger broke" in logged  # the 500's log line is there
    for key in KEYS:
        assert key not in logged
    assert "Authorization" not in logged and "Bearer" not in logged


def test_with_keys_the_document_says_so_and_401s_fit_it(keyed: FlaskClient) -> None:
    spec = keyed.get("/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["apiKey"] == {
        "type": "http", "scheme": "bearer", "description": "One of the service's API keys."}
    for path, method in (("/v1/tag", "post"), ("/v1/tag/batch", "post"), ("/v1/model", "get")):
        operation = spec["paths"][path][method]
        assert operation["security"] == [{"apiKey": []}]
        response = keyed.open(path, method=method.upper(), json={"articles": []})
        assert response.status_code == 401
        documented = operation["responses"]["401"]
        assert "WWW-Authenticate" in documented["headers"]
        schema = documented["content"][response.mimetype]["schema"]
        assert not check(response.get_json(), schema, spec)
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert "security" not in spec["paths"][path]["get"]
