"""Fixtures for the reliability tests: live servers, articles."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from batch.helpers import articles
from reliability.live import LiveServer, serve

SHARED_MAX_BYTES = 20_000
API_KEY = "rel-key-5b1f0c93"  # the key of `keyed_server`


@pytest.fixture(scope="package")
def shared_server(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One `tagger serve` (2 workers, 20,000-byte body limit) for tests that only send requests."""
    log = tmp_path_factory.mktemp("shared-server") / "serve.log"
    with serve(tiny_bundle_path, log, workers=2, env=_server_env(log)) as server:
        yield server


def _server_env(log: Path) -> dict[str, str]:
    """The reliability servers' settings: the shared body limit, and an alerts file beside `log`
    holding one alert, so that GET /v1/alerts answers 200 (schemathesis tests it)."""
    alerts = log.with_name("news.jsonl.alerts.jsonl")
    alerts.write_text('{"alert_id": "r|a1", "rule": "r", "created": "2026-03-01T08:00:00+00:00", "at": '
                      '"2026-03-01T08:00:00+00:00", "status": "recorded", "attempts": 0, "error": null, "item": '
                      '{"id": "a1", "countries": [], "topics": [], "cooperation": false}}\n', encoding="utf-8")
    return {"TAGGER_MAX_BYTES": str(SHARED_MAX_BYTES), "TAGGER_ALERTS_PATH": str(alerts)}


@pytest.fixture(scope="package")
def keyed_server(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Like `shared_server`, with `API_KEY` required on /v1/*."""
    log = tmp_path_factory.mktemp("keyed-server") / "serve.log"
    with serve(tiny_bundle_path, log, workers=2, env={**_server_env(log), "TAGGER_API_KEYS": API_KEY}) as server:
        yield server


@pytest.fixture(scope="package")
def load_articles() -> list[dict[str, Any]]:
    """Realistic request bodies: the tiny articles, each with its own number."""
    return articles(97)
