"""The committed bundle on the reference articles (needs ../shared/data)."""
from __future__ import annotations

import json

import pytest

from model.bundle import DEFAULT_BUNDLE, load_bundle

from conftest import SHARED_DATA

SEEDS = SHARED_DATA / "seeds.jsonl"

pytestmark = [
    pytest.mark.shipped,
    pytest.mark.skipif(not SEEDS.is_file(), reason=f"{SEEDS} is absent: the shared data folder is not beside the repo"),
]


def _seeds() -> list[dict]:
    return [json.loads(line) for line in SEEDS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def shipped():
    return load_bundle(DEFAULT_BUNDLE)


@pytest.mark.parametrize("index", range(5))
def test_seed_article_is_tagged_exactly(shipped, index: int) -> None:
    seed = _seeds()[index]
    result = shipped.tag(seed, explain=True)
    got = (sorted(result["countries"]), sorted(result["topics"]), result["cooperation"])
    want = (sorted(seed["countries"]), sorted(seed["topics"]), seed["cooperation"])
    assert got == want, f"{seed['title']}: scores {result['scores']}"


@pytest.mark.parametrize("index", range(5))
def test_seed_countries_and_cooperation(shipped, index: int) -> None:
    seed = _seeds()[index]
    result = shipped.tag(seed)
    assert sorted(result["countries"]) == sorted(seed["countries"])
    assert result["cooperation"] is seed["cooperation"]
    assert set(result["topics"]) <= set(seed["topics"])  # no topic the seed does not have


def test_shipped_manifest_names_its_training_data(shipped) -> None:
    names = [f["name"] for f in shipped.manifest["training_data"]]
    assert names[0] == "train.jsonl"
    assert shipped.manifest["dev_metrics"]["file"]["name"] == "dev.jsonl"
    assert DEFAULT_BUNDLE.stat().st_size <= 25 * 1024 * 1024
