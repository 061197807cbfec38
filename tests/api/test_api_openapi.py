"""GET /openapi.json describes what the service really does.

jsonschema is not installed, so `check` below is a small recursive checker for
the JSON Schema keywords the document uses; it has its own tests so it can fail.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from model.features import SHORT_BODY

from conftest import AppFactory

Schema = dict[str, Any]
TYPES: dict[str, tuple[type, ...]] = {"object": (dict,), "array": (list,), "string": (str,), "boolean": (bool,),
                                      "integer": (int,), "number": (int, float), "null": (type(None),)}
ARTICLE = {"id": "o1", "title": "Nhật Bản", "text": "Việt Nam và Nhật Bản hợp tác về 5G và bán dẫn."}


def _is(value: Any, kind: str) -> bool:
    if isinstance(value, bool) and kind in ("integer", "number"):
        return False
    return isinstance(value, TYPES[kind])


def check(value: Any, schema: Schema, root: Schema, where: str = "$") -> list[str]:
    """Where `value` breaks `schema` (refs resolved against `root`); empty when it fits."""
    if "$ref" in schema:
        node: Any = root
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        return check(value, node, root, where)
    errors: list[str] = []
    if "oneOf" in schema:
        fits = [s for s in schema["oneOf"] if not check(value, s, root, where)]
        if len(fits) != 1:
            errors.append(f"{where}: fits {len(fits)} of the oneOf schemas, not exactly one")
    kinds = schema.get("type")
    if kinds is not None:
        kinds = [kinds] if isinstance(kinds, str) else kinds
        if not any(_is(value, k) for k in kinds):
            return errors + [f"{where}: {type(value).__name__} is not {'/'.join(kinds)}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            errors.append(f"{where}: {value} is out of range")
    if isinstance(value, str) and len(value) < schema.get("minLength", 0):
        errors.append(f"{where}: string is too short")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += check(item, schema["items"], root, f"{where}[{i}]")
    if isinstance(value, dict):
        errors += [f"{where}: missing {k!r}" for k in schema.get("required", []) if k not in value]
        properties = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        for key, item in value.items():
            if key in properties:
                errors += check(item, properties[key], root, f"{where}.{key}")
            elif extra is False:
                errors.append(f"{where}: unexpected {key!r}")
            elif isinstance(extra, dict):
                errors += check(item, extra, root, f"{where}.{key}")
    return errors


@pytest.fixture
def spec(client: FlaskClient) -> Schema:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _check_response(spec: Schema, path: str, method: str, response: Any) -> int:
    operation = spec["paths"][path][method.lower()]
    responses = operation["responses"]
    documented = responses.get(str(response.status_code)) or responses.get("default")
    assert documented, f"{method} {path} answered {response.status_code}, which is not documented"
    assert response.mimetype in documented["content"], (response.mimetype, list(documented["content"]))
    schema = documented["content"][response.mimetype]["schema"]
    errors = check(response.get_json() if response.is_json else response.get_data(as_text=True), schema, spec)
    assert not errors, f"{method} {path} {response.status_code}: {errors}"
    return response.status_code


TAGGED = {"id": "t1", "date": "14/08/2025", "title": "Việt Nam – Nhật Bản", "url": "https://example.test/t1",
          "countries": ["JP", "VN"], "topics": ["semiconductors"], "cooperation": True}


def test_every_real_response_fits_the_document(make_app: AppFactory, alerts_file: Path) -> None:
    app = make_app(BATCH_MAX=2, MAX_CONTENT_LENGTH=3_000, ALERTS_PATH=str(alerts_file))
    client = app.test_client()
    spec = client.get("/openapi.json").get_json()
    calls = [
        ("POST", "/v1/tag", {"json": ARTICLE}),
        ("POST", "/v1/tag", {"json": ARTICLE, "query_string": {"explain": "true"}}),
        ("POST", "/v1/tag", {"json": ARTICLE, "query_string": {"scores": "all"}}),
        ("POST", "/v1/tag", {"json": ARTICLE, "query_string": {"scores": "some"}}),
        ("POST", "/v1/tag", {"json": ARTICLE, "query_string": {"explain": "perhaps"}}),
        ("POST", "/v1/tag", {"data": b"{", "content_type": "application/json"}),
        ("POST", "/v1/tag", {"json": {"text": "x" * 4_000}}),
        ("POST", "/v1/tag", {"data": b"text", "content_type": "text/plain"}),
        ("POST", "/v1/tag", {"json": {"text": 1}}),
        ("POST", "/v1/tag/batch", {"json": {"articles": [ARTICLE, {"text": ""}]}}),
        ("POST", "/v1/tag/batch", {"json": {"articles": [ARTICLE], "x": 1}, "query_string": {"explain": "1"}}),
        ("POST", "/v1/tag/batch", {"json": {"articles": [ARTICLE] * 3}}),
        ("POST", "/v1/tag/batch", {"json": {"articles": [ARTICLE]}, "query_string": {"explain": "?"}}),
        ("POST", "/v1/tag/batch", {"data": b"[[", "content_type": "application/json"}),
        ("POST", "/v1/tag/batch", {"json": {"articles": [{"text": "x" * 4_000}]}}),
        ("POST", "/v1/tag/batch", {"data": b"{}", "content_type": "text/csv"}),
        ("POST", "/v1/report", {"json": {"records": [TAGGED, {**TAGGED, "date": "2025-09-02", "partners": ["JP"]}]}}),
        ("POST", "/v1/report", {"json": {"records": [TAGGED], "country": ["FR"]}}),  # 200, nothing matched
        ("POST", "/v1/report", {"json": {"records": []}}),
        ("POST", "/v1/report", {"data": b"{", "content_type": "application/json"}),
        ("POST", "/v1/report", {"json": {"records": [{"title": "x" * 4_000}]}}),
        ("POST", "/v1/report", {"data": b"{}", "content_type": "text/csv"}),
        ("GET", "/v1/model", {}),
        ("GET", "/healthz", {}),
        ("GET", "/readyz", {}),
        ("GET", "/openapi.json", {}),
        ("GET", "/metrics", {}),
        ("GET", "/v1/alerts", {"query_string": {"since": "2026-01-01"}}),
        ("GET", "/v1/alerts", {"query_string": {"since": "last week"}}),
    ]
    seen: set[tuple[str, str, str]] = set()
    for method, path, kwargs in calls:
        status = _check_response(spec, path, method, client.open(path, method=method, **kwargs))
        seen.add((path, method.lower(), str(status)))
    app.config["ALERTS_PATH"] = ""
    seen.add(("/v1/alerts", "get", str(_check_response(spec, "/v1/alerts", "GET", client.get("/v1/alerts")))))
    app.extensions.pop("tagger")
    seen.add(("/readyz", "get", str(_check_response(spec, "/readyz", "GET", client.get("/readyz")))))
    documented = {(p, m, s) for p, ops in spec["paths"].items() for m, op in ops.items()
                  for s in op["responses"] if s != "default"}
    assert documented == seen, f"documented but never seen: {documented - seen}; seen: {seen - documented}"


def test_errors_outside_the_paths_fit_the_problem_schema(spec: Schema, client: FlaskClient) -> None:
    for response in (client.get("/nowhere"), client.delete("/v1/tag")):
        assert response.mimetype == "application/problem+json"
        assert not check(response.get_json(), spec["components"]["schemas"]["Problem"], spec)


def test_every_route_is_documented_with_its_methods(app: Flask, spec: Schema) -> None:
    routes = {rule.rule: {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}} for rule in app.url_map.iter_rules()
              if not rule.endpoint.startswith("web.")}  # the HTML page is not part of the API
    assert routes == {path: set(ops) for path, ops in spec["paths"].items()}


def test_the_document_is_openapi_3_with_resolvable_refs(spec: Schema) -> None:
    assert spec["openapi"].startswith("3.")

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            return ([node["$ref"]] if "$ref" in node else []) + [r for v in node.values() for r in refs(v)]
        return [r for v in node for r in refs(v)] if isinstance(node, list) else []

    for ref in refs(spec):
        name = ref.removeprefix("#/components/schemas/")
        assert name in spec["components"]["schemas"], ref


def test_the_document_shows_the_configured_limits(make_app: AppFactory) -> None:
    spec = make_app(BATCH_MAX=5, MAX_CONTENT_LENGTH=1234).test_client().get("/openapi.json").get_json()
    batch = spec["paths"]["/v1/tag/batch"]["post"]
    assert "5 articles" in batch["summary"]
    assert "1234 bytes" in batch["responses"]["413"]["description"]
    short = spec["components"]["schemas"]["Model"]["properties"]["short_thresholds"]["description"]
    assert f"under {SHORT_BODY} characters" in short  # the model's own bound for a news-feed item


@pytest.mark.parametrize(
    ("value", "schema_name", "fragment"),
    [
        ({"id": None, "countries": [], "topics": [], "cooperation": True, "scores": {}}, "TagResult", "missing"),
        ({"id": 3, "countries": [], "topics": [], "cooperation": True, "scores": {}, "model_version": "v"},
         "TagResult", "int is not string/null"),
        ({"id": "a", "countries": [1], "topics": [], "cooperation": True, "scores": {}, "model_version": "v"},
         "TagResult", "$.countries[0]"),
        ({"id": "a", "countries": [], "topics": [], "cooperation": 1, "scores": {"ai": 2}, "model_version": "v",
          "extra": 1}, "TagResult", "unexpected 'extra'"),
        ({"type": "about:blank", "title": "t", "status": "422", "detail": "d"}, "Problem", "$.status"),
        ({"results": [{"type": "about:blank", "title": "t", "status": 422, "detail": "d"}]}, "BatchResponse", "oneOf"),
        ({"status": "up"}, "Health", "is not 'ok'"),
    ],
)
def test_the_checker_rejects_what_does_not_fit(spec: Schema, value: Any, schema_name: str, fragment: str) -> None:
    errors = check(value, spec["components"]["schemas"][schema_name], spec)
    assert any(fragment in e for e in errors), errors
