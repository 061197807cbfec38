"""`GET /metrics`: Prometheus counts of requests, latency, problems, articles and labels.

Under `tagger serve` the metrics are in prometheus_client's multiprocess mode:
`multiprocess_dir` (entered by `tagger serve` before the app is built and
gunicorn forks) makes a fresh ``PROMETHEUS_MULTIPROC_DIR``, every worker writes
its counts there, and a scrape adds them up, whichever worker answers it. In
one process (the test client, `flask run`) each app has its own registry.

The model version is the gauge ``tagger_model_info{model_version="..."} 1``,
not an Info metric: multiprocess mode does not support Info.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_PLAIN_0_0_4, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client import multiprocess as shared_files
from prometheus_client import values

from service.errors import PROBLEM_MIMETYPE
from service.tag_counts import label_counts

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNMATCHED = "unmatched"  # the endpoint label of a request no route matched (404, 405)

bp = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class Metrics:
    """The app's metrics; `registry` is None in multiprocess mode (scrapes read the files)."""

    registry: Any
    requests: Any
    latency: Any
    problems: Any
    articles: Any
    labels: Any


def multiprocess() -> bool:
    """True when the metrics are shared by the processes of a `tagger serve`."""
    return bool(os.environ.get(MULTIPROC_ENV))


@contextmanager
def multiprocess_dir() -> Iterator[Path]:
    """A fresh ``PROMETHEUS_MULTIPROC_DIR`` for this process and the workers it forks.

    The directory is removed, and the variable restored, when the block ends in
    this process; forked gunicorn workers leave through the same block when they
    exit, and must not remove it.
    """
    owner, previous = os.getpid(), os.environ.get(MULTIPROC_ENV)
    path = tempfile.mkdtemp(prefix="tagger-metrics-")
    os.environ[MULTIPROC_ENV] = path
    try:
        yield Path(path)
    finally:
        if os.getpid() == owner:
            shutil.rmtree(path, ignore_errors=True)
            if previous is None:
                os.environ.pop(MULTIPROC_ENV, None)
            else:
                os.environ[MULTIPROC_ENV] = previous


def mark_worker_dead(server: Any, worker: Any) -> None:
    """Gunicorn's ``child_exit`` hook: drop the live-gauge files of a worker that exited."""
    shared_files.mark_process_dead(worker.pid)


def build(model_version: str) -> Metrics:
    """The metrics of one app, with the model version set, in the mode the environment asks for."""
    shared = multiprocess()
    # prometheus_client picks how metrics store their values once, when it is
    # imported, and a multiprocess pick keeps its files open in the directory of
    # that moment; `tagger serve` sets the variable later (and a test process may
    # build several apps, each serve run with its own directory), so pick afresh.
    values.ValueClass = values.get_value_class()
    registry = None if shared else CollectorRegistry()
    metrics = Metrics(
        registry=registry,
        requests=Counter("tagger_http_requests", "HTTP requests answered, by endpoint (route) and status.",
                         ["endpoint", "status"], registry=registry),
        latency=Histogram("tagger_http_request_duration_seconds", "Seconds from a request to its response, "
                          "by endpoint (route).", ["endpoint"], buckets=LATENCY_BUCKETS, registry=registry),
        problems=Counter("tagger_problems", "Problem-details responses, by status and title (every problem's "
                         "type is about:blank).", ["status", "title"], registry=registry),
        articles=Counter("tagger_articles_tagged", "Articles tagged by /v1/tag and /v1/tag/batch.",
                         registry=registry),
        labels=Counter("tagger_labels_given", "Labels given: topics, cooperation, partner:XX and the countries "
                       "JP, KR, US, CN.", ["label"], registry=registry),
    )
    model = Gauge("tagger_model_info", "The loaded model (always 1; the version is the label).",
                  ["model_version"], registry=registry, multiprocess_mode="max")
    model.labels(model_version).set(1)
    return metrics


def count_tagged(records: Sequence[Mapping[str, Any]]) -> None:
    """Count `records` (result records just tagged) and their labels; nothing when metrics are off."""
    metrics: Metrics | None = current_app.extensions.get("metrics")
    if metrics is None or not records:
        return
    metrics.articles.inc(len(records))
    for label, n in label_counts(records).items():
        metrics.labels.labels(label).inc(n)


def _start() -> None:
    g.metrics_started = time.perf_counter()


def _finish(response: Response) -> Response:
    metrics: Metrics = current_app.extensions["metrics"]
    endpoint = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    metrics.requests.labels(endpoint, str(response.status_code)).inc()
    started = g.get("metrics_started")
    if started is not None:
        metrics.latency.labels(endpoint).observe(time.perf_counter() - started)
    if response.mimetype == PROBLEM_MIMETYPE:
        metrics.problems.labels(str(response.status_code), HTTPStatus(response.status_code).phrase).inc()
    return response


@bp.get("/metrics")
def metrics_text() -> Response:
    metrics: Metrics = current_app.extensions["metrics"]
    registry = metrics.registry
    if registry is None:  # a fresh registry each scrape, reading every process's files
        registry = CollectorRegistry()
        shared_files.MultiProcessCollector(registry)
    return Response(generate_latest(registry), headers={"Content-Type": CONTENT_TYPE_PLAIN_0_0_4})


def init_app(app: Flask) -> None:
    """Count `app`'s requests and serve /metrics, when ``METRICS`` is on (no /metrics otherwise)."""
    if not app.config["METRICS"]:
        return
    app.extensions["metrics"] = build(app.extensions["tagger"].version)
    app.register_blueprint(bp)
    app.before_request(_start)
    app.after_request(_finish)
