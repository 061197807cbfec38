"""`TaggerModel`'s pickled state (format 2), its derived feature names, and the
text hot path that replaces the logistic regressions' own predict_proba."""
from __future__ import annotations

import copy
import json
import pickle
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import CountVectorizer
from hypothesis import given, settings
from hypothesis import strategies as st

from model.heads.countries import mentioned_pairs
from model.heads.text import TEXT_LABELS
from model.bundle import FORMAT_VERSION, _sha256, load_bundle, manifest_path
from model.errors import BundleError
from model.estimator import TaggerModel
from model.heads.topics import names_technology
from model.labels import country_labels
from model.featurizer import column_terms as _column_terms
from model.tfidf import count_rows as _count_rows, make_vectorizer as _vectorizer, tfidf_rows as _tfidf_rows
from model.tagger import Tagger

from conftest import TEST_DATA
from scipy_reference import (assert_same_csr, country_matrix_pair_by_pair, country_proba_with_sklearn,
                             sklearn_text_proba, text_matrix_with_scipy)

ARTICLES = [
    {"title": "Nhật Bản hợp tác 5G với Việt Nam",
     "text": "Việt Nam và Nhật Bản ký kết hợp tác triển khai mạng 5G. Nhật Bản hỗ trợ Việt Nam."},
    {"title": "Mỹ siết xuất khẩu chip bán dẫn",
     "text": "Chính phủ Mỹ hạn chế xuất khẩu chip bán dẫn. Nvidia và Intel bị ảnh hưởng."},
    {"text": "Giá rau xanh tại chợ tăng mạnh do mưa lớn, tiểu thương lo lắng."},
]


def test_pickled_state_has_packed_vocabularies_and_no_names(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    model.text_evidence(tiny_tagger.prepare(ARTICLES[:1])[0], "5g")  # fills the caches
    state = model.__getstate__()
    assert "feature_names_" not in state and "_feature_names" not in state and "_text_weights_cache" not in state
    assert "_lsa_positions" in model.__dict__ and "_lsa_positions" not in state
    assert all(v is not model._lsa_matrix() for v in state.values())  # the shared transpose is not pickled
    for name in ("head_vectorizer_", "body_vectorizer_"):
        assert isinstance(state["_packed_vocabularies"][name], str)
        assert not hasattr(state[name], "vocabulary_")
        assert hasattr(getattr(model, name), "vocabulary_")  # pickling does not strip the live model


def test_pickle_round_trip_keeps_vocabularies_names_and_scores(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    again = pickle.loads(pickle.dumps(model))
    for name in ("head_vectorizer_", "body_vectorizer_"):
        assert getattr(again, name).vocabulary_ == getattr(model, name).vocabulary_
    assert list(again.feature_names_) == list(model.feature_names_)
    docs = tiny_tagger.prepare(ARTICLES)
    assert np.array_equal(again.predict_proba(docs), model.predict_proba(docs))
    assert again.text_evidence(docs[1], "semiconductors") == model.text_evidence(docs[1], "semiconductors")


def test_feature_names_follow_the_text_matrix_columns(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    names = model.feature_names_
    head = model.head_vectorizer_.get_feature_names_out()
    body = model.body_vectorizer_.get_feature_names_out()
    assert list(names[: len(head)]) == list(head)
    assert list(names[len(head): len(head) + len(body)]) == list(body)
    assert len(names) == model._text_matrix(tiny_tagger.prepare(ARTICLES[:1])).shape[1]
    assert all(str(n).startswith(("lsa:", "cue:")) for n in names[len(head) + len(body):])


def test_feature_names_follow_a_new_vectorizer(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    before = model.feature_names_
    model.head_vectorizer_ = copy.deepcopy(model.head_vectorizer_)
    model.head_vectorizer_.vocabulary_ = {"zz": 0}
    assert model.feature_names_[0] == "zz" and len(model.feature_names_) == len(before) - len(
        tiny_tagger.model.head_vectorizer_.vocabulary_) + 1


def test_column_terms_refuses_gaps_and_repeats() -> None:
    assert _column_terms({"b": 1, "a": 0}) == ["a", "b"]
    with pytest.raises(ValueError, match="out of range or repeated"):
        _column_terms({"a": 0, "b": 2})
    with pytest.raises(ValueError, match="out of range or repeated"):
        _column_terms({"a": 1, "b": 1})


def test_pickling_refuses_a_term_with_the_separator(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    vocabulary = dict(model.body_vectorizer_.vocabulary_)
    term = next(iter(vocabulary))
    vocabulary[term + "\nx"] = vocabulary.pop(term)
    model.body_vectorizer_.vocabulary_ = vocabulary
    with pytest.raises(ValueError, match="separator"):
        pickle.dumps(model)


# --- the text hot path ----------------------------------------------------------

def test_text_hot_path_equals_the_logistic_regressions(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    Xt = model._text_matrix(tiny_tagger.prepare(ARTICLES))
    fast = model._text_proba([Xt])
    assert fast.shape == (len(ARTICLES), len(TEXT_LABELS))
    np.testing.assert_allclose(fast, sklearn_text_proba(model, Xt), rtol=0, atol=1e-9)
    cooperation = model.labels_.index("cooperation")  # later steps only zero it where no technology is named
    docs = tiny_tagger.prepare(ARTICLES)
    assert np.array_equal(model._own_proba(docs)[:, cooperation], fast[:, cooperation] * names_technology(docs))


def test_text_hot_path_scores_a_prior_where_no_model_was_fitted(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    model._text_proba([model._text_matrix(tiny_tagger.prepare(ARTICLES))])  # cache the fitted weights
    model.text_models_ = {**model.text_models_, "ai": 0.25}  # a new dict: the cache must not be used
    Xt = model._text_matrix(tiny_tagger.prepare(ARTICLES))
    fast = model._text_proba([Xt])
    assert np.all(fast[:, model.labels_.index("ai")] == 0.25)
    np.testing.assert_allclose(fast, sklearn_text_proba(model, Xt), rtol=0, atol=1e-9)


def test_text_hot_path_refuses_a_model_it_cannot_stack(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    clf = copy.deepcopy(model.text_models_["5g"])
    clf.classes_ = np.array([1, 2])
    model.text_models_ = {**model.text_models_, "5g": clf}
    with pytest.raises(ValueError, match="not a binary 0/1 logistic regression"):
        model._text_proba([model._text_matrix(tiny_tagger.prepare(ARTICLES))])


@pytest.mark.parametrize("name, tokens", [("head_vectorizer_", "head_tokens"), ("body_vectorizer_", "body_tokens")])
def test_tfidf_hot_path_equals_the_vectorizer(tiny_tagger: Tagger, name: str, tokens: str) -> None:
    vectorizer = getattr(tiny_tagger.model, name)
    docs = [getattr(d, tokens) for d in tiny_tagger.prepare(ARTICLES)] + [""]
    fast, slow = _tfidf_rows(vectorizer, docs).csr(), vectorizer.transform(docs)
    assert type(fast) is type(slow) and fast.dtype == slow.dtype
    assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
    assert np.array_equal(fast.data, slow.data)


def test_lsa_block_equals_the_column_slice(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    # The tiny model's LSA reads every column; read every third, as a large vocabulary does.
    model.lsa_columns_ = model.lsa_columns_[::3]
    model.lsa_components_ = np.ascontiguousarray(model.lsa_components_[:, ::3])
    docs = [d.body_tokens for d in tiny_tagger.prepare(ARTICLES)] + [""]
    body = _tfidf_rows(model.body_vectorizer_, docs).csr()
    fast, slow = model._lsa_block(body), body[:, model.lsa_columns_]
    assert fast.shape == slow.shape and np.array_equal(fast.indptr, slow.indptr)
    assert np.array_equal(fast.indices, slow.indices) and np.array_equal(fast.data, slow.data)
    assert np.array_equal(fast.csr() @ model.lsa_components_.T, slow @ model.lsa_components_.T)


def _variants(tagger: Tagger) -> list[TaggerModel]:
    """The tiny model, and copies with other block weights and with an LSA that reads every third column."""
    every_third = copy.deepcopy(tagger.model)
    every_third.lsa_columns_ = every_third.lsa_columns_[::3]
    every_third.lsa_components_ = np.ascontiguousarray(every_third.lsa_components_[:, ::3])
    weighted = copy.deepcopy(every_third)
    weighted.head_weight, weighted.lsa_weight, weighted.cue_weight = 0.7, 1.3, 0.25
    return [tagger.model, every_third, weighted]


def _real_looking_docs(tagger: Tagger) -> list:
    rows = [json.loads(line) for line in (TEST_DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines()]
    unknown = {"title": "", "text": "Qwx zzv kkj."}  # no known n-gram: empty TF-IDF rows
    return tagger.prepare([*ARTICLES, *rows, unknown])


def test_text_matrix_equals_the_scipy_built_one(tiny_tagger: Tagger) -> None:
    docs = _real_looking_docs(tiny_tagger)
    for model in _variants(tiny_tagger):
        for batch in ([d] for d in docs) if model is tiny_tagger.model else [docs]:
            assert_same_csr(model._text_matrix(batch), text_matrix_with_scipy(model, batch))


def test_text_blocks_score_as_the_stacked_matrix(tiny_tagger: Tagger) -> None:
    docs = _real_looking_docs(tiny_tagger)
    for model in _variants(tiny_tagger):
        for batch in [docs, docs[:1], docs[-1:]]:
            slow = text_matrix_with_scipy(model, batch)
            fast = model._text_proba(model._text_blocks(batch))
            np.testing.assert_array_equal(fast, model._text_proba([slow]), strict=True)
            np.testing.assert_allclose(fast, sklearn_text_proba(model, slow), rtol=0, atol=1e-9)
    one_by_one = np.vstack([tiny_tagger.model.predict_proba([d]) for d in docs])
    np.testing.assert_array_equal(tiny_tagger.model.predict_proba(docs), one_by_one)


_WORDS = st.lists(st.sampled_from(["a", "b", "c", "5g", "chip", "việt", "nam"]), max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(fit_docs=st.lists(_WORDS, min_size=1, max_size=6), docs=st.lists(_WORDS, max_size=6),
       ngram_max=st.integers(1, 3))
def test_counts_equal_count_vectorizer(fit_docs: list[str], docs: list[str], ngram_max: int) -> None:
    vectorizer = _vectorizer(ngram_max, 1, None)
    try:
        vectorizer.fit(fit_docs)
    except ValueError:
        return  # an empty vocabulary: scikit-learn refuses to fit, nothing to compare
    fast, slow = _count_rows(vectorizer, docs).csr(), CountVectorizer.transform(vectorizer, docs)
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    assert np.array_equal(fast.indptr, slow.indptr) and np.array_equal(fast.indices, slow.indices)
    assert np.array_equal(fast.data, slow.data)


def test_counts_leave_other_settings_to_count_vectorizer() -> None:
    vectorizer = _vectorizer(2, 1, None).set_params(lowercase=True).fit(["Chip chip", "5G"])
    docs = ["CHIP chip 5g", "x"]
    np.testing.assert_array_equal(_count_rows(vectorizer, docs).csr().toarray(),
                                  CountVectorizer.transform(vectorizer, docs).toarray())
    assert _count_rows(vectorizer, docs).csr()[0, vectorizer.vocabulary_["chip"]] == 2


@pytest.mark.parametrize("setting", [{"binary": True}, {"norm": "l1"}, {"sublinear_tf": False}])
def test_tfidf_hot_path_follows_other_settings(tiny_tagger: Tagger, setting: dict) -> None:
    vectorizer = copy.deepcopy(tiny_tagger.model.body_vectorizer_).set_params(**setting)
    vectorizer._tfidf.set_params(**{k: v for k, v in setting.items() if k != "binary"})
    docs = [d.body_tokens for d in tiny_tagger.prepare(ARTICLES)]
    np.testing.assert_array_equal(_tfidf_rows(vectorizer, docs).csr().toarray(), vectorizer.transform(docs).toarray())


def _country_rows(tagger: Tagger) -> np.ndarray:
    model = tagger.model
    index, blocks = mentioned_pairs(tagger.prepare(ARTICLES))
    return country_matrix_pair_by_pair(model, index, blocks)


def test_country_hot_path_equals_predict_proba(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    assert not isinstance(model.country_model_, float), "the tiny model should have a country model"
    Xp = _country_rows(tiny_tagger)
    assert len(Xp) > 1
    for _ in range(2):  # the second call uses the cached init score
        np.testing.assert_array_equal(model._country_proba(Xp), model.country_model_.predict_proba(Xp)[:, 1])
    np.testing.assert_array_equal(model._country_proba(Xp[:1]), model.country_model_.predict_proba(Xp[:1])[:, 1])


def test_country_pair_matrix_stacks_the_country_matrices(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    docs = _real_looking_docs(tiny_tagger)
    index, blocks = mentioned_pairs(docs)
    codes = sorted({code for _, code in index})
    assert len(codes) > 2
    columns = [model.labels_.index(code) for code in country_labels(model.labels_)]
    np.testing.assert_array_equal(model._own_proba(docs)[:, columns], country_proba_with_sklearn(model, docs))
    for indicators in ([], codes[::2], ["ZZ", *codes[::-1]]):  # the tiny model has none of its own
        model.country_indicators_ = indicators
        expected = country_matrix_pair_by_pair(model, index, blocks)
        np.testing.assert_array_equal(model._country_pair_matrix(index, blocks), expected, strict=True)


def test_country_hot_path_leaves_another_init_to_predict_proba(tiny_tagger: Tagger) -> None:
    model = copy.deepcopy(tiny_tagger.model)
    Xp = _country_rows(tiny_tagger)
    expected = model.country_model_.predict_proba(Xp)[:, 1] * 0.5
    model.country_model_.predict_proba = lambda X: np.column_stack([1 - expected, expected])  # type: ignore
    model.country_model_.init = "zero"
    np.testing.assert_array_equal(model._country_proba(Xp), expected)


# --- bundle format ----------------------------------------------------------------

def _write_format_1(tiny_tagger: Tagger, tiny_bundle_path: Path, target: Path, monkeypatch) -> Path:
    """A bundle pickled the way format 1 was: plain vocabulary dicts and `feature_names_`."""
    payload = joblib.load(tiny_bundle_path)
    model = payload["pipeline"].steps[-1][1]
    model.__dict__["feature_names_"] = np.array(list(tiny_tagger.model.feature_names_), dtype=object)
    with monkeypatch.context() as patch:
        patch.setattr(TaggerModel, "__getstate__", BaseEstimator.__getstate__)
        joblib.dump(payload, target, compress=("zlib", 3))
    manifest = json.loads(manifest_path(tiny_bundle_path).read_text())
    manifest.update(format_version=1, bundle_sha256=_sha256(target), bundle_bytes=target.stat().st_size)
    manifest_path(target).write_text(json.dumps(manifest))
    return target


def test_an_older_format_bundle_is_refused_with_a_clear_message(tiny_tagger: Tagger, tiny_bundle_path: Path,
                                                           tmp_path: Path, monkeypatch) -> None:
    old = _write_format_1(tiny_tagger, tiny_bundle_path, tmp_path / "old.joblib", monkeypatch)
    with pytest.raises(BundleError, match=f"bundle format 1, this code reads {FORMAT_VERSION}"):
        load_bundle(old)

