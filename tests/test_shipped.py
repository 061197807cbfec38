"""The committed bundle on the reference articles (needs ../shared/data)."""
from __future__ import annotations

import json

import numpy as np
import pytest

from model.bundle import DEFAULT_BUNDLE, load_bundle
from model.labels import country_labels
from model.lexicon import lexicon_sha256
from training.data import load_labelled

from conftest import SHARED_DATA, TEST_DATA
from scipy_reference import (assert_same_csr, country_proba_with_sklearn, sklearn_text_proba,
                             text_matrix_with_scipy)

SEEDS = SHARED_DATA / "seeds.jsonl"

pytestmark = [
    pytest.mark.shipped,
    pytest.mark.skipif(not SEEDS.is_file(), reason=f"{SEEDS} is absent: the shared data folder is not beside the repo"),
]


def _seeds() -> list[dict]:
    return [json.loads(line) for line in SEEDS.read_text(encoding="utf-8").splitlines() if line.strip()]


def _seeds_and_tiny(shipped) -> list:
    """The seeds and the tests' tiny sentences, prepared by `shipped`."""
    return shipped.prepare(_seeds() + load_labelled(TEST_DATA / "tiny.jsonl"))


@pytest.fixture(scope="module")
def shipped():
    return load_bundle(DEFAULT_BUNDLE)


@pytest.mark.parametrize("index", range(5))
def test_seed_article_is_tagged_exactly(shipped, index: int) -> None:
    seed = _seeds()[index]
    result = shipped.tag(seed, explain=True)
    got = (sorted(result["countries"]), sorted(result["topics"]), result["cooperation"], sorted(result["partners"]))
    want = (sorted(seed["countries"]), sorted(seed["topics"]), seed["cooperation"], sorted(seed["partners"]))
    assert got == want, f"{seed['title']}: scores {result['scores']}"
    assert all(result["evidence"][f"partner:{code}"] for code in result["partners"])


@pytest.mark.parametrize("index", range(5))
def test_seed_countries_and_cooperation(shipped, index: int) -> None:
    seed = _seeds()[index]
    result = shipped.tag(seed)
    assert sorted(result["countries"]) == sorted(seed["countries"])
    assert result["cooperation"] is seed["cooperation"]
    assert set(result["topics"]) <= set(seed["topics"])  # no topic the seed does not have


def test_shipped_manifest_names_its_training_data(shipped) -> None:
    names = [f["name"] for f in shipped.manifest["training_data"]]
    assert names[:2] == ["train.jsonl", "train_short.jsonl"]
    assert set(shipped.manifest["dev_metrics"]) == {"dev.jsonl", "dev_short.jsonl"}
    assert shipped.short_thresholds is not None
    assert DEFAULT_BUNDLE.stat().st_size <= 25 * 1024 * 1024
    # trained with the keyword tables and gazetteer running now: an edit to them needs a retrain (model.lexicon)
    assert shipped.manifest["lexicon_sha256"] == lexicon_sha256()


def test_text_hot_path_equals_scipy_and_scikit_learn(shipped) -> None:
    # The full-size model: 200,000 n-gram columns, an LSA over a subset of the body's.
    docs = _seeds_and_tiny(shipped)
    model = shipped.model
    slow = text_matrix_with_scipy(model, docs)
    assert_same_csr(model._text_matrix(docs), slow)
    fast = model._text_proba(model._text_blocks(docs))
    np.testing.assert_array_equal(fast, model._text_proba([slow]), strict=True)
    np.testing.assert_allclose(fast, sklearn_text_proba(model, slow), rtol=0, atol=1e-9)
    one_by_one = np.vstack([model.predict_proba([d]) for d in docs])
    np.testing.assert_array_equal(model.predict_proba(docs), one_by_one)


def test_country_hot_path_equals_scikit_learn(shipped) -> None:
    docs = _seeds_and_tiny(shipped)
    model = shipped.model
    assert model.country_indicators_, "the shipped model should have country indicators"
    codes = country_labels(model.labels_)
    countries = model._own_proba(docs)[:, [model.labels_.index(code) for code in codes]]  # no twin
    np.testing.assert_array_equal(countries, country_proba_with_sklearn(model, docs))
    assert countries.any()
