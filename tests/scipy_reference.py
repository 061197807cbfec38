"""Reference computations done the slow way, with scikit-learn's and scipy's own objects,
for the tests of the hot paths that replace them."""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from model.heads.countries import mentioned_pairs
from model.estimator import TaggerModel
from model.heads.text import TEXT_LABELS
from model.labels import country_labels
from model.features import Prepared


def text_matrix_with_scipy(model: TaggerModel, docs: list[Prepared]) -> sp.csr_matrix:
    """The text matrix built with scikit-learn's `transform`, scipy's column slicing,
    products and `hstack` (what `_text_matrix` did before its blocks were kept as arrays)."""
    head = model.head_vectorizer_.transform([d.head_tokens for d in docs])
    body = model.body_vectorizer_.transform([d.body_tokens for d in docs])
    blocks = [head * model.head_weight, body]
    z = np.asarray(body[:, model.lsa_columns_] @ model.lsa_components_.T, dtype=np.float32)
    z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)
    blocks.append(sp.csr_matrix(z * model.lsa_weight))
    # The cue block itself (its length split included) is `_cues`'s job, tested on its own.
    blocks.append(sp.csr_matrix(model._cues(docs)))
    return sp.hstack(blocks, format="csr")


def sklearn_text_proba(model: TaggerModel, Xt: sp.csr_matrix) -> np.ndarray:
    """The text labels' probabilities the slow way: each LogisticRegression's own predict_proba."""
    columns = []
    for label in TEXT_LABELS:
        clf = model.text_models_[label]
        columns.append(np.full(Xt.shape[0], clf) if isinstance(clf, float) else clf.predict_proba(Xt)[:, 1])
    return np.column_stack(columns)


def assert_same_csr(fast: sp.csr_matrix, slow: sp.csr_matrix) -> None:
    """The same shape, dtypes and arrays, to the last bit."""
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    for a, b in ((fast.data, slow.data), (fast.indices, slow.indices), (fast.indptr, slow.indptr)):
        np.testing.assert_array_equal(a, b, strict=True)


def country_matrix_pair_by_pair(model: TaggerModel, index: list[tuple[int, str]],
                                blocks: list[np.ndarray]) -> np.ndarray:
    """`_country_pair_matrix` built the slow way: each pair's features beside its own
    one-hot row of `country_indicators_`, stacked."""
    stacked = []
    for (_, code), row in zip(index, blocks):
        onehot = np.zeros((1, len(model.country_indicators_)))
        if code in model.country_indicators_:
            onehot[:, model.country_indicators_.index(code)] = 1.0
        stacked.append(np.hstack([row[None, :], onehot]))
    return np.vstack(stacked)


def country_proba_with_sklearn(model: TaggerModel, docs: list[Prepared]) -> np.ndarray:
    """The country columns of `predict_proba` (in `country_labels(model.labels_)` order) the slow
    way: `country_matrix_pair_by_pair`, through the gradient boosting's own `predict_proba`; 0 where no pair."""
    codes = country_labels(model.labels_)
    out = np.zeros((len(docs), len(codes)))
    index, blocks = mentioned_pairs(docs)
    if index:
        Xp = country_matrix_pair_by_pair(model, index, blocks)
        for (i, code), p in zip(index, model.country_model_.predict_proba(Xp)[:, 1]):
            out[i, codes.index(code)] = p
    return out
