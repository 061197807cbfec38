"""The country head: one gradient-boosting model over every (article, mentioned country) pair.

Shared by all countries over gazetteer-mention features
(`model.features.PAIR_FEATURES`), so every country in the gazetteer gets a
score, even one rare in training; a country the text does not mention scores 0.
"""
from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.ensemble._gradient_boosting import predict_stages

from model.features import Prepared, country_pairs

Pairs = tuple[list[tuple[int, str]], list[np.ndarray]]


def mentioned_pairs(docs: list[Prepared]) -> Pairs:
    """(article index, country code) of every foreign country each article mentions, and its feature row."""
    index, blocks = [], []
    for i, doc in enumerate(docs):
        codes, rows = country_pairs(doc)
        for code, row in zip(codes, rows):
            index.append((i, code))
            blocks.append(row)
    return index, blocks


def boosted_proba(model: GradientBoostingClassifier, X: np.ndarray, owner: dict) -> np.ndarray:
    """`model.predict_proba(X)[:, 1]` without its per-call checks (the same float32 input,
    trees and link). The init estimator's raw score is the same for every row (the
    default prior), so it is computed once and cached in `owner["_boost_init"]` (`owner`: an instance `__dict__`);
    any other init goes through `predict_proba`.
    """
    if model.init is not None or model.n_trees_per_iteration_ != 1:
        return model.predict_proba(X)[:, 1]
    X = np.ascontiguousarray(X, dtype=np.float32)
    inits = owner.setdefault("_boost_init", {})
    cached = inits.get(id(model))
    if cached is None or cached[0] is not model:
        cached = inits[id(model)] = (model, model._raw_predict_init(X[:1]))
    raw = np.repeat(cached[1], X.shape[0], axis=0)
    predict_stages(model.estimators_, X, model.learning_rate, raw)
    return model._loss.predict_proba(raw)[:, 1]


class CountryHead:
    """Fitting and scoring the countries (mixed into `TaggerModel`)."""

    country_min_support: int
    random_state: int
    labels_: list[str]

    def _fit_countries(self, docs: list[Prepared], Y: np.ndarray, weights: np.ndarray,
                       index: list[tuple[int, str]], blocks: list[np.ndarray]) -> None:
        """Fit on the pairs (`mentioned_pairs(docs)`: `index`, `blocks`) whose country label is
        known in `Y` (columns `labels_`)."""
        col = {label: j for j, label in enumerate(self.labels_)}
        known = [k for k, (i, code) in enumerate(index) if Y[i, col[code]] >= 0]
        index, blocks = [index[k] for k in known], [blocks[k] for k in known]
        y = np.array([Y[i, col[code]] for i, code in index], dtype=int)
        if y.size == 0 or y.min() == y.max():
            # No contrast to learn from (a small fold): score every mention the prior.
            self.country_indicators_ = []
            self.country_model_ = float(y.mean()) if y.size else 0.0
            return
        support = Counter(code for (i, code), yy in zip(index, y) if yy)
        self.country_indicators_ = sorted(c for c, n in support.items() if n >= self.country_min_support)
        Xp = self._country_pair_matrix(index, blocks)
        # Plain gradient boosting, not the histogram variant: its OpenMP pool
        # deadlocks in workers forked after a prediction (gunicorn --preload,
        # multiprocessing), and on a few dozen pairs per article it is no slower.
        self.country_model_ = GradientBoostingClassifier(
            n_estimators=200, learning_rate=0.05, max_depth=3, min_samples_leaf=20,
            subsample=0.8, random_state=self.random_state,
        ).fit(Xp, y, sample_weight=np.array([weights[i] for i, _ in index]))

    def _country_scores(self, index: list[tuple[int, str]], blocks: list[np.ndarray]) -> np.ndarray:
        """The country probability of each mentioned pair."""
        model = self.country_model_
        if isinstance(model, float):
            return np.full(len(index), model)
        return self._country_proba(self._country_pair_matrix(index, blocks))

    def _country_pair_matrix(self, index: list[tuple[int, str]], blocks: list[np.ndarray]) -> np.ndarray:
        """The country model's input for every (article, country) pair: the pair's
        features, then a one-hot indicator of its country among `country_indicators_` (all
        zero for a country without one); filled in one array, not built pair by pair."""
        features = np.vstack(blocks)
        width = features.shape[1]
        Xp = np.zeros((len(index), width + len(self.country_indicators_)))
        Xp[:, :width] = features
        for k, (_, code) in enumerate(index):
            if code in self.country_indicators_:
                Xp[k, width + self.country_indicators_.index(code)] = 1.0
        return Xp

    def _country_proba(self, Xp: np.ndarray) -> np.ndarray:
        """The country model's positive-class probability: `predict_proba(Xp)[:, 1]`
        without its per-call checks (see `boosted_proba`)."""
        return boosted_proba(self.country_model_, Xp, self.__dict__)
