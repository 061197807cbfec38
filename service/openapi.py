"""`GET /openapi.json`: the OpenAPI 3.1 description of what the service does.

Limits in it (body bytes, batch size), whether `/v1/*` needs an API key and
whether /metrics exists are the running app's configuration. tests/api checks
real responses against these schemas.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify

from model.features import SHORT_BODY

bp = Blueprint("openapi", __name__)

PROBLEM = "application/problem+json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": _ref("Problem")}}}


def _strings() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "string"}}


def schemas() -> dict[str, Any]:
    """The component schemas: requests, results and the problem shape."""
    article = {
        "type": "object",
        "description": "One article. Unknown members are ignored; `body` is accepted as another name "
                       "for `text` (the data files use it).",
        "required": ["text"],
        "properties": {
            "id": {"type": ["string", "integer", "null"], "description": "Echoed back as a string."},
            "title": {"type": ["string", "null"]},
            "lead": {"type": ["string", "null"]},
            "text": {"type": "string", "minLength": 1, "description": "Body text; must not be blank."},
            "date": {"description": "Publication date, echoed in the result normalised to ISO 8601 "
                                    "(2025-08-14, 14/08/2025, 2019-05, RFC 2822...)."},
        },
    }
    result = {
        "type": "object",
        "required": ["id", "countries", "topics", "cooperation", "partners", "scores", "model_version"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": ["string", "null"]},
            "countries": {**_strings(), "description": "ISO 3166 alpha-2 codes (and EU)."},
            "topics": _strings(),
            "cooperation": {"type": "boolean", "description": "Reports technology cooperation between a "
                            "Vietnamese and an identifiable foreign party (LABELING.md)."},
            "partners": {**_strings(), "description": "The foreign side of the reported cooperation: ISO codes "
                         "(and EU), each also in `countries`; empty when `cooperation` is false."},
            "scores": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
                       "description": "Probability of every topic, of cooperation and of each country the text "
                                      "mentions, as a country and as a partner (`partner:<code>`: the probability "
                                      "that it is the foreign side of a reported cooperation); every other country "
                                      "scores 0.0. With ?scores=all, of every label."},
            "model_version": {"type": "string"},
            "date": {"description": "Only when the article has `date`: ISO 8601 (a date, a datetime with its "
                                    "offset, a year-month or a year), null when blank, or the value as given "
                                    "when it is not a date."},
            "evidence": {"type": "object", "additionalProperties": _strings(),
                         "description": "Only with ?explain=true: terms behind each given label."},
        },
    }
    problem = {
        "type": "object",
        "description": "RFC 9457 problem details: the body of every error.",
        "required": ["type", "title", "status", "detail"],
        "properties": {
            "type": {"type": "string"}, "title": {"type": "string"},
            "status": {"type": "integer"}, "detail": {"type": "string"},
            "instance": {"type": "string", "description": "The request id (the `X-Request-ID` response header)."},
            "limit": {"type": "integer", "description": "The limit that was exceeded, when one was."},
        },
    }
    article_problem = {**problem, "required": [*problem["required"], "index"],
                       "properties": {**problem["properties"], "index": {"type": "integer", "minimum": 0}},
                       "description": "A batch article that could not be tagged, at its place in the batch."}
    file_identity = {"type": "object", "required": ["name", "sha256"],
                     "properties": {"name": {"type": "string"}, "bytes": {"type": "integer"},
                                    "sha256": {"type": "string"}}}
    model = {
        "type": "object",
        "required": ["model_version", "labels", "thresholds", "versions", "lexicon"],
        "additionalProperties": False,
        "properties": {
            "model_version": {"type": "string"}, "labels": _strings(),
            "thresholds": {"type": "object", "additionalProperties": {"type": "number"},
                           "description": "Each label's threshold for whole articles."},
            "short_thresholds": {"type": "object", "additionalProperties": {"type": "number"},
                                 "description": "Each label's threshold for news-feed items (a `text` under "
                                                f"{SHORT_BODY} characters)."},
            "trained_at": {"type": "string"},
            "training_data": {"type": "array", "items": file_identity},
            "dev_metrics": {"type": "object", "description": "Scores on each held-out dev file (whole articles, "
                                                             "feed items), keyed by file name."},
            "cv_metrics": {"type": "object", "description": "Out-of-fold scores on the training file (the "
                           "predictions the thresholds were tuned on), whole articles and feed items."},
            "versions": {"type": "object", "additionalProperties": {"type": "string"}},
            "lexicon": {"type": "object", "required": ["trained", "running", "same"], "additionalProperties": False,
                        "description": "sha256 of the keyword tables and gazetteer the model was trained with and "
                                       "of those running now; `same` is false when they were edited since "
                                       "(null: not recorded)",
                        "properties": {"trained": {"type": ["string", "null"]}, "running": {"type": "string"},
                                       "same": {"type": ["boolean", "null"]}}},
        },
    }
    return {
        "Article": article, "TagResult": result, "Problem": problem, "ArticleProblem": article_problem,
        "BatchRequest": {"type": "object", "required": ["articles"],
                         "properties": {"articles": {"type": "array", "items": {}}}},
        "BatchResponse": {"type": "object", "required": ["results"], "additionalProperties": False,
                          "properties": {"results": {"type": "array", "items": {
                              "oneOf": [_ref("TagResult"), _ref("ArticleProblem")]}}}},
        "Model": model,
        "ReportRequest": report_request(),
        "ReportResponse": report_response(),
        "Health": {"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}},
        "Ready": {"type": "object", "required": ["status", "model_version"],
                  "properties": {"status": {"const": "ready"}, "model_version": {"type": "string"}}},
    }


def alert_schemas() -> dict[str, Any]:
    """The schemas of `GET /v1/alerts` (alerts raised by `tagger watch`)."""
    alert = {
        "type": "object",
        "required": ["alert_id", "rule", "created", "at", "status", "attempts", "item"],
        "properties": {
            "alert_id": {"type": "string", "description": "Rule name and item id: `rule|id`."},
            "rule": {"type": "string"}, "created": {"type": "string", "description": "When it was raised (UTC)."},
            "at": {"type": "string", "description": "When its status last changed (UTC)."},
            "status": {"type": "string", "enum": ["recorded", "pending", "delivered", "failed"],
                       "description": "recorded: the rule has no webhook; pending, delivered or failed: "
                                      "delivery to the rule's webhook."},
            "attempts": {"type": "integer", "minimum": 0}, "error": {"type": ["string", "null"]},
            "item": {"type": "object", "required": ["id", "countries", "topics", "cooperation"],
                     "description": "The archived record: the tags plus title, date, source and url."},
        },
    }
    return {"Alert": alert, "AlertList": {
        "type": "object", "required": ["alerts", "count"], "additionalProperties": False,
        "properties": {"alerts": {"type": "array", "items": _ref("Alert")}, "count": {"type": "integer"}}}}


def alerts_operation() -> dict[str, Any]:
    """`GET /v1/alerts`: the newest alerts first."""
    since = {"name": "since", "in": "query", "required": False, "schema": {"type": "string"},
             "description": "Only alerts raised at or after this ISO 8601 date or date-time (UTC if no offset)."}
    limit = {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}}
    return {"summary": "Alerts raised by `tagger watch`, newest first", "parameters": [since, limit], "responses": {
        "200": _json(_ref("AlertList"), "The alerts, each in its latest status."),
        "400": _problem("`since` is not an ISO 8601 date or date-time, or `limit` is out of range."),
        "404": _problem("The service reads no alerts file (TAGGER_ALERTS_PATH is unset)."),
        "default": _problem("Error in the problem shape.")}}


def report_request() -> dict[str, Any]:
    """The body of POST /v1/report: tagged records and optional filters (docs/report.md)."""
    date_bound = {"type": ["string", "null"], "pattern": r"^(19|20)\d\d(-(0[1-9]|1[0-2])(-(0[1-9]|1\d|2[0-8]))?)?$",
                  "description": "A year, year-month or date; 14/08/2025 and the other forms of `date` work too."}
    record = {"type": "object", "required": ["countries", "topics", "cooperation"],
              "properties": {"id": {"type": ["string", "integer", "null"]}, "date": {},
                             "title": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
                             "countries": _strings(), "topics": _strings(),
                             "partners": {"type": ["array", "null"], "items": {"type": "string"}},
                             "cooperation": {"type": "boolean"}}}
    return {"type": "object", "required": ["records"], "properties": {
        "records": {"type": "array", "items": record, "minItems": 1},
        "by": {"enum": ["month", "quarter", "year"]},
        "since": date_bound, "until": date_bound,
        "country": _strings(), "topic": _strings(), "cooperation": {"type": "boolean"},
        "top": {"type": "integer", "minimum": 1, "maximum": 100}}}


def report_response() -> dict[str, Any]:
    """The counts POST /v1/report returns."""
    text = {"type": ["string", "null"]}
    rise = {"type": "object", "properties": {"last": {"type": "integer"}, "mean": {"type": "number"},
                                             "score": {"type": "number"}}}
    rows = {"type": "array", "items": {"type": "object"}}
    return {"type": "object", "required": ["by", "periods", "total", "matched", "undated", "counts", "partners",
                                           "topics", "per_period", "rising"],
            "properties": {
                "by": {"type": "string"}, "periods": _strings(), "total": {"type": "integer"},
                "matched": {"type": "integer"}, "undated": {"type": "integer"},
                "counts": {"type": "array", "items": {"type": "object", "properties": {
                    "period": text, "country": text, "topic": text, "cooperation": {"type": "boolean"},
                    "articles": {"type": "integer"}}}},
                "partners": rows, "topics": rows, "per_period": rows,
                "rising": {"type": "object", "properties": {"cells": {"type": "array", "items": rise},
                                                            "partners": {"type": "array", "items": rise}}}}}


def spec(max_bytes: int, batch_max: int, report_max: int = 20_000, keys: bool = False,
         metrics: bool = True) -> dict[str, Any]:
    """The OpenAPI document for a service with these limits, API `keys` required or not, and
    /metrics or not."""
    explain = {"name": "explain", "in": "query", "required": False, "schema": {"type": "boolean", "default": False},
               "description": "Add `evidence` to each result."}
    scores = {"name": "scores", "in": "query", "required": False,
              "schema": {"type": "string", "enum": ["lean", "all"], "default": "lean"},
              "description": "`lean`: scores of the topics, cooperation and the countries the text mentions; "
                             "`all`: of every label."}
    guarded = {"security": [{"apiKey": []}]} if keys else {}
    challenge = {"WWW-Authenticate": {"required": True, "schema": {"type": "string", "pattern": "^Bearer"}}}
    denied = {"401": {**_problem("No `Authorization: Bearer <key>` header, or a key that is not valid."),
                      "headers": challenge}} if keys else {}
    body_errors = {
        "400": _problem("Body is not valid JSON, `explain` is not true/false, or `scores` not lean/all."),
        "413": _problem(f"Body is larger than {max_bytes} bytes (chunked bodies too)."),
        "415": _problem("Content-Type is not JSON."),
        "default": _problem("Any other error, e.g. 500, in the same shape."),
    }
    tag = {
        "summary": "Tag one article",
        "parameters": [explain, scores],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("Article")}}},
        "responses": {"200": _json(_ref("TagResult"), "The tags."),
                      "422": _problem("`text` missing, empty or not a string, or a field of the wrong type."),
                      **denied, **body_errors},
        **guarded,
    }
    batch = {
        "summary": f"Tag up to {batch_max} articles",
        "description": "A bad article gets a problem object (with its `index`) in its place; the others are "
                       "tagged. The request fails only when the batch itself is malformed or too long.",
        "parameters": [explain, scores],
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("BatchRequest")}}},
        "responses": {"200": _json(_ref("BatchResponse"), "One entry per article, in order."),
                      "422": _problem(f"No `articles` list, or more than {batch_max} articles (`limit` says how "
                                      "many are allowed)."),
                      **denied, **body_errors},
        **guarded,
    }
    report = {
        "summary": f"Count up to {report_max} tagged records per period, country, topic and partner",
        "description": "What `tagger report` counts, as JSON (docs/report.md); the page's Trends tab draws it.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ReportRequest")}}},
        "responses": {"200": _json(_ref("ReportResponse"), "The counts and the rising cells."),
                      "422": _problem(f"No `records` list, an empty one, more than {report_max} records (`limit` "
                                      "says how many), a record that is not tagged, or a bad filter."),
                      **{k: v for k, v in body_errors.items() if k != "400"},
                      "400": _problem("Body is not valid JSON.")},
    }
    default = {"default": _problem("Error in the problem shape.")}
    monitoring = {"/metrics": {"get": {"summary": "Prometheus metrics of all workers", "responses": {
        "200": {"description": "The Prometheus text format.",
                "content": {"text/plain": {"schema": {"type": "string"}}}}, **default}}}} if metrics else {}
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Vietnamese tech-news tagger", "version": "1",
                 "description": "Tags Vietnamese technology news with countries, topics, cooperation and partners. "
                                "Every error is an application/problem+json body (RFC 9457) whose `instance` is "
                                "the request id; every response carries that id in `X-Request-ID` (taken from the "
                                "request when it is printable ASCII of at most 128 characters, else made)."},
        "paths": {
            "/v1/tag": {"post": tag},
            "/v1/tag/batch": {"post": batch},
            "/v1/report": {"post": report},
            "/v1/model": {"get": {"summary": "Describe the loaded model", "responses": {
                "200": _json(_ref("Model"), "Labels, thresholds, version, training data, dev metrics."),
                **denied, **default}, **guarded}},
            "/healthz": {"get": {"summary": "The process is alive", "responses": {
                "200": _json(_ref("Health"), "Alive."), **default}}},
            "/readyz": {"get": {"summary": "The model is loaded and warmed", "responses": {
                "200": _json(_ref("Ready"), "Ready for requests."),
                "503": _problem("Not ready yet."), **default}}},
            "/v1/alerts": {"get": alerts_operation()},
            "/openapi.json": {"get": {"summary": "This document", "responses": {
                "200": _json({"type": "object", "required": ["openapi", "paths"]}, "OpenAPI 3.1."), **default}}},
            **monitoring,
        },
        "components": {"schemas": {**schemas(), **alert_schemas()}},
    }
    if keys:
        document["components"]["securitySchemes"] = {"apiKey": {
            "type": "http", "scheme": "bearer", "description": "One of the service's API keys."}}
    return document


@bp.get("/openapi.json")
def openapi_json() -> Response:
    config = current_app.config
    return jsonify(spec(config["MAX_CONTENT_LENGTH"], config["BATCH_MAX"], config["REPORT_MAX"],
                        keys=bool(current_app.extensions["api_keys"]), metrics="metrics" in current_app.extensions))
