"""Saving and loading bundles, and every refusal."""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import joblib
import pytest

from model.bundle import load_bundle, manifest_path, save_bundle
from model.errors import BundleError
from model.keywords import STOPS
from model.lexicon import lexicon_drift, lexicon_sha256, lexicon_state
from model.tagger import Tagger

ARTICLE = {"id": "a1", "title": "Nhật Bản hợp tác 5G với Việt Nam",
           "text": "Việt Nam và Nhật Bản ký kết hợp tác triển khai mạng 5G. Nhật Bản hỗ trợ Việt Nam."}


@pytest.fixture()
def bundle_copy(tiny_bundle_path: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny bundle and its manifest, safe to damage."""
    target = tmp_path / "copy.joblib"
    shutil.copy(tiny_bundle_path, target)
    shutil.copy(manifest_path(tiny_bundle_path), manifest_path(target))
    return target


def test_round_trip_gives_the_same_scores(tiny_tagger: Tagger, bundle_copy: Path) -> None:
    again = load_bundle(bundle_copy)
    assert again.tag(ARTICLE) == tiny_tagger.tag(ARTICLE)
    assert again.labels == tiny_tagger.labels
    assert again.thresholds == tiny_tagger.thresholds


def test_saving_a_loaded_bundle_again_keeps_its_new_version(bundle_copy: Path, tmp_path: Path) -> None:
    tagger = load_bundle(bundle_copy)
    tagger.version = "vntag-renamed"
    save_bundle(tagger, tmp_path / "again.joblib")
    again = load_bundle(tmp_path / "again.joblib")
    assert again.version == again.manifest["model_version"] == "vntag-renamed"
    assert again.manifest["training_data"] == tagger.manifest["training_data"]


def test_manifest_records_data_and_versions(tiny_tagger: Tagger) -> None:
    manifest = tiny_tagger.manifest
    assert manifest["training_data"][0]["name"] == "tiny.jsonl"
    assert len(manifest["training_data"][0]["sha256"]) == 64
    assert set(manifest["versions"]) == {"python", "scikit-learn", "underthesea"}
    assert manifest["model_version"] == tiny_tagger.version
    assert "trained_at" in manifest
    assert manifest["lexicon_sha256"] == lexicon_sha256()  # the keyword tables and gazetteer it learnt with


def test_the_lexicon_state_says_whether_the_running_words_are_those_it_learnt_with() -> None:
    running = lexicon_sha256()
    assert len(running) == 64
    assert lexicon_state({"lexicon_sha256": running}) == {"trained": running, "running": running, "same": True}
    assert lexicon_state({"lexicon_sha256": "0" * 64})["same"] is False
    assert lexicon_state({})["same"] is None  # a bundle older than the fingerprint: unknown, not a drift
    assert lexicon_drift({}) is None and lexicon_drift({"lexicon_sha256": running}) is None
    assert "model/keywords.py or model/gazetteer.json differ" in (lexicon_drift({"lexicon_sha256": "0" * 64}) or "")


def test_the_fingerprint_follows_the_tables_and_is_the_same_in_every_process(monkeypatch: pytest.MonkeyPatch) -> None:
    before = lexicon_sha256()
    script = "from model.lexicon import lexicon_sha256; print(lexicon_sha256())"
    for seed in ("0", "12345"):  # string hashing differs between these processes; the fingerprint must not
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed})
        assert out.stdout.strip() == before
    monkeypatch.setitem(STOPS, "ai", (*STOPS["ai"], "một cụm dừng mới"))  # a stop phrase added
    lexicon_sha256.cache_clear()
    try:
        assert lexicon_sha256() != before
    finally:
        monkeypatch.undo()
        lexicon_sha256.cache_clear()
    assert lexicon_sha256() == before


def test_loading_a_bundle_trained_with_other_words_warns_and_still_loads(bundle_copy: Path,
                                                                          caplog: pytest.LogCaptureFixture) -> None:
    path = manifest_path(bundle_copy)  # the manifest is not under the bundle's checksum
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), "lexicon_sha256": "0" * 64}),
                    encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="model.bundle"):
        tagger = load_bundle(bundle_copy)
    assert tagger.info()["lexicon"]["same"] is False
    assert any("differ from those this model was trained with" in r.getMessage() and bundle_copy.name in r.getMessage()
               for r in caplog.records)


def test_refuses_a_changed_file(bundle_copy: Path) -> None:
    data = bytearray(bundle_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    bundle_copy.write_bytes(bytes(data))
    with pytest.raises(BundleError, match="checksum"):
        load_bundle(bundle_copy)


def test_refuses_a_truncated_file(bundle_copy: Path) -> None:
    bundle_copy.write_bytes(bundle_copy.read_bytes()[:1000])
    with pytest.raises(BundleError, match="checksum"):
        load_bundle(bundle_copy)


def test_refuses_another_scikit_learn_version(bundle_copy: Path) -> None:
    mpath = manifest_path(bundle_copy)
    manifest = json.loads(mpath.read_text())
    manifest["versions"]["scikit-learn"] = "0.24.2"
    mpath.write_text(json.dumps(manifest))
    with pytest.raises(BundleError, match="scikit-learn 0.24.2"):
        load_bundle(bundle_copy)


def test_refuses_a_file_without_manifest(bundle_copy: Path) -> None:
    manifest_path(bundle_copy).unlink()
    with pytest.raises(BundleError, match="not a tagger bundle"):
        load_bundle(bundle_copy)


def test_refuses_a_foreign_manifest(bundle_copy: Path) -> None:
    manifest_path(bundle_copy).write_text('{"format": "something-else"}')
    with pytest.raises(BundleError, match="not a tagger bundle"):
        load_bundle(bundle_copy)


def test_refuses_a_pickle_that_is_not_a_bundle(bundle_copy: Path) -> None:
    # A joblib file whose manifest checksum matches but which holds no bundle.
    _dump_with_matching_manifest({"hello": "world"}, bundle_copy)
    with pytest.raises(BundleError, match="does not hold a tagger bundle"):
        load_bundle(bundle_copy)


def _dump_with_matching_manifest(payload: object, bundle: Path) -> None:
    """Pickle `payload` to `bundle` and make its manifest's checksum and size match it."""
    from model.bundle import _sha256

    joblib.dump(payload, bundle)
    mpath = manifest_path(bundle)
    manifest = json.loads(mpath.read_text())
    manifest["bundle_sha256"] = _sha256(bundle)
    manifest["bundle_bytes"] = bundle.stat().st_size
    mpath.write_text(json.dumps(manifest))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BundleError, match="no model bundle"):
        load_bundle(tmp_path / "nothing.joblib")


def test_refuses_a_bundle_that_does_not_run(bundle_copy: Path) -> None:
    # A bundle whose checksum matches but whose model fails at its first article
    # (as one pickled by older code would) is refused at load, not at the first request.
    payload = joblib.load(bundle_copy)
    del payload["pipeline"].named_steps["tag"].__dict__["text_models_"]
    _dump_with_matching_manifest(payload, bundle_copy)
    with pytest.raises(BundleError, match="does not run with this code"):
        load_bundle(bundle_copy)


def test_load_bundle_returns_a_warmed_tagger(tiny_bundle_path: Path) -> None:
    # Callers (the app factory, the batch command) rely on this and do not warm it again.
    model = load_bundle(tiny_bundle_path).pipeline.steps[-1][1]
    assert "_text_weights_cache" in vars(model)
    twin = getattr(model, "short_model_", None)
    if twin is not None:
        assert "_text_weights_cache" in vars(twin)
