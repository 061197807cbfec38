"""The HTTP endpoints: tag one article, tag a batch, describe the model, health."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge, ServiceUnavailable, UnsupportedMediaType

from model.article import Article, to_article
from model.errors import InputError
from model.tagger import Tagger
from service.dates import normalise_date
from service.errors import problem, problem_response
from service.logs import note_articles
from service.metrics import count_tagged
from service.scores import scores_choice, shape

bp = Blueprint("api", __name__)

TRUE, FALSE = ("true", "1", "yes"), ("false", "0", "no", "")
# What GET /v1/model shows of `Tagger.info()`; the rest (training config...) stays private.
MODEL_KEYS = ("model_version", "labels", "thresholds", "short_thresholds", "trained_at", "training_data", "dev_metrics", "cv_metrics",
              "versions", "lexicon")
FILE_KEYS = ("name", "bytes", "sha256")


def tagger() -> Tagger:
    """The app's loaded and warmed tagger; raises ServiceUnavailable (503) before it is ready."""
    loaded = current_app.extensions.get("tagger")
    if loaded is None:
        raise ServiceUnavailable("the model is not loaded and warmed yet")
    return loaded


def json_body() -> Any:
    """The request's JSON body.

    Raises
    ------
    UnsupportedMediaType
        If the content type is not JSON (415).
    RequestEntityTooLarge
        If the body is larger than MAX_CONTENT_LENGTH, chunked or not (413).
    BadRequest
        If the body is empty or not valid JSON (400).
    """
    if not request.is_json:
        raise UnsupportedMediaType("send JSON with the header 'Content-Type: application/json'")
    try:
        data = request.get_data(cache=True)
    except HTTPException:
        raise
    except Exception:  # e.g. the server's reader rejects a malformed chunked body
        raise BadRequest("the request body could not be read (malformed chunked encoding?)") from None
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        # A streamed (chunked) body is cut at the limit without an error (Werkzeug 3
        # reads up to it and stops), so reaching the limit means the rest was refused.
        raise RequestEntityTooLarge()
    if not data.strip():
        raise BadRequest("the request body is empty; send a JSON object")
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise BadRequest(f"the request body is not valid JSON: {exc}") from None


def explain_flag() -> bool:
    """The `explain` query parameter; raises BadRequest unless it is a yes/no word."""
    raw = request.args.get("explain", "").strip().lower()
    if raw not in TRUE + FALSE:
        raise BadRequest(f"query parameter 'explain' must be true or false, not {raw!r}")
    return raw in TRUE


def with_date(result: dict[str, Any], record: Any) -> dict[str, Any]:
    """`result` with the request record's `date` normalised by `service.dates`
    (an unreadable one as given), when the record has a `date` member."""
    if isinstance(record, dict) and "date" in record:
        return {**result, "date": normalise_date(record["date"]).value}
    return result


@bp.post("/v1/tag")
def tag_one() -> Response:
    body = json_body()
    article = to_article(body)  # InputError -> 422
    note_articles([article.id])
    explain, choice = explain_flag(), scores_choice()
    record = with_date(tagger().tag(article, explain=explain), body)
    count_tagged([record])
    return jsonify(shape([record], choice)[0])


@bp.post("/v1/tag/batch")
def tag_batch() -> Response:
    body = json_body()
    explain, choice = explain_flag(), scores_choice()
    if not isinstance(body, dict) or not isinstance(body.get("articles"), list):
        raise InputError("send a JSON object with a list under 'articles'")
    records = body["articles"]
    limit = current_app.config["BATCH_MAX"]
    if len(records) > limit:
        return problem_response(422, f"a batch holds at most {limit} articles, this one has {len(records)}; "
                                "split it", limit=limit)
    results: list[dict[str, Any] | None] = [None] * len(records)
    good: list[tuple[int, Article]] = []
    for i, record in enumerate(records):
        try:
            good.append((i, to_article(record)))
        except InputError as exc:
            results[i] = problem(422, f"article {i}: {exc}", index=i)
    note_articles(a.id for _, a in good)
    if good:
        tagged = tagger().tag_many([a for _, a in good], explain=explain)
        count_tagged(tagged)
        dated = [with_date(record, records[i]) for (i, _), record in zip(good, tagged)]
        for (i, _), record in zip(good, shape(dated, choice)):
            results[i] = record
    return jsonify({"results": results})


@bp.get("/v1/model")
def model_info() -> Response:
    info = tagger().info()
    public = {k: info[k] for k in MODEL_KEYS if k in info}
    if "training_data" in public:  # names and checksums, never where the files were
        public["training_data"] = [{k: f[k] for k in FILE_KEYS if k in f} for f in public["training_data"]]
    return jsonify(public)


@bp.get("/healthz")
def healthz() -> Response:
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    return jsonify({"status": "ready", "model_version": tagger().version})
