"""GET /v1/model, /healthz and /readyz."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from model.tagger import Tagger


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def test_model_describes_the_loaded_bundle(client: FlaskClient, tiny_tagger: Tagger) -> None:
    response = client.get("/v1/model")
    assert response.status_code == 200
    body = response.get_json()
    assert body["model_version"] == tiny_tagger.version
    assert body["labels"] == tiny_tagger.labels
    assert body["thresholds"] == tiny_tagger.thresholds
    assert body["short_thresholds"] == tiny_tagger.short_thresholds != tiny_tagger.thresholds
    assert body["training_data"] == [{"name": f["name"], "bytes": f["bytes"], "sha256": f["sha256"]}
                                     for f in tiny_tagger.manifest["training_data"]]
    assert [f["name"] for f in body["training_data"]] == ["tiny.jsonl", "tiny_whole.jsonl"]
    assert set(body["versions"]) >= {"python", "scikit-learn", "underthesea"}
    assert "dev_metrics" not in body  # the tiny bundle was trained without a dev file
    assert body["cv_metrics"] == tiny_tagger.manifest["cv_metrics"]  # but cross-validated on its training file
    assert body["lexicon"] == {"trained": tiny_tagger.manifest["lexicon_sha256"],
                               "running": tiny_tagger.manifest["lexicon_sha256"], "same": True}


def test_model_shows_dev_metrics_and_hides_paths_and_private_keys(client: FlaskClient, tiny_tagger: Tagger,
                                                                 tiny_bundle_path: Path) -> None:
    tagger: Tagger = client.application.extensions["tagger"]
    dev = {name: {"file": {"name": name, "sha256": "ab"}, "topics": {"micro_f1": 0.9}, "ece": 0.1}
           for name in ("dev.jsonl", "dev_short.jsonl")}  # keyed by dev file, as `training.train` writes it
    tagger.manifest = {**tagger.manifest, "dev_metrics": dev,
                       "training_data": [{"name": "train.jsonl", "sha256": "cd", "path": "/home/me/train.jsonl"}],
                       "config": {"output": str(tiny_bundle_path)}}
    body = client.get("/v1/model").get_json()
    assert body["dev_metrics"] == dev
    assert body["training_data"] == [{"name": "train.jsonl", "sha256": "cd"}]
    assert "config" not in body
    text = json.dumps(body)
    assert str(tiny_bundle_path.parent) not in text
    assert not [s for s in _strings(body) if s.startswith("/")], "no absolute path in /v1/model"


def test_healthz(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})


def test_readyz_names_the_model(client: FlaskClient, tiny_tagger: Tagger) -> None:
    response = client.get("/readyz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready",
                                                                  "model_version": tiny_tagger.version})


def test_model_of_a_bundle_without_cv_metrics_leaves_them_out(client: FlaskClient) -> None:
    tagger: Tagger = client.application.extensions["tagger"]
    tagger.manifest = {k: v for k, v in tagger.manifest.items() if k != "cv_metrics"}  # bundles before they existed
    response = client.get("/v1/model")
    assert response.status_code == 200
    assert "cv_metrics" not in response.get_json()
