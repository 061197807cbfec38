"""Logistic regressions over the text matrix: the topics' and cooperation's scores.

All text labels are scored in one product of the text matrix with their
stacked coefficients (`_text_proba`), the hot path of every request.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from model.features import Prepared
from model.keywords import keyword_matcher
from model.labels import COOPERATION, TOPICS
from model.sparse_rows import CSRLike, product

TEXT_LABELS = (*TOPICS, COOPERATION)


class TextHeads:
    """Fitting and scoring the text labels (mixed into `TaggerModel`)."""

    C: float
    labels_: list[str]

    def _fit_text(self, X, Y: np.ndarray, weights: np.ndarray) -> None:
        """One logistic regression per text label on the text matrix `X` (rows of `Y`);
        a label with one value only (a small fold) scores its prior.

        Raises
        ------
        ValueError
            If a text label has no known value (every entry -1).
        """
        self.text_models_ = {}
        for j, label in enumerate(TEXT_LABELS):
            known = Y[:, j] >= 0
            y = Y[known, j]
            if y.size == 0:
                raise ValueError(f"label {label!r} has no known value in the training data")
            if y.min() == y.max():
                self.text_models_[label] = float(y[0])
                continue
            clf = LogisticRegression(C=self.C, max_iter=2000)
            self.text_models_[label] = clf.fit(X[known], y, sample_weight=weights[known])

    def _text_proba(self, blocks: Sequence[CSRLike]) -> np.ndarray:
        """Probabilities of the text labels: the text matrix, given as its blocks side by side
        (`_text_blocks`, or `[_text_matrix(...)]`), times every coefficient at once, then the sigmoid.

        The same arithmetic as each `LogisticRegression.predict_proba` (float32
        product and sigmoid, column by column), without its per-call checks.
        """
        weights, intercepts, priors, fitted = self._text_weights()
        out = np.empty((blocks[0].shape[0], len(priors)))
        out[:] = priors
        if fitted.size:
            scores = product(blocks, weights)
            scores = scores + intercepts
            out[:, fitted] = expit(scores, out=scores)
        return out

    def _text_weights(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Stacked coefficients (features x fitted labels) and intercepts of the text
        models, each label's prior (used where no model was fitted), and the
        columns of the fitted ones; built once per `text_models_`, never pickled.

        Raises
        ------
        ValueError
            If a text model is neither a prior nor a binary 0/1 logistic regression.
        """
        cached = self.__dict__.get("_text_weights_cache")
        if cached is not None and cached[0] is self.text_models_:
            return cached[1]
        models = [self.text_models_[label] for label in TEXT_LABELS]
        fitted = [j for j, clf in enumerate(models) if not isinstance(clf, float)]
        for j in fitted:
            if list(models[j].classes_) != [0, 1] or models[j].coef_.shape[0] != 1:
                raise ValueError(f"text model {TEXT_LABELS[j]!r} is not a binary 0/1 logistic regression")
        weights = np.ascontiguousarray(np.hstack([models[j].coef_.T for j in fitted])) if fitted else np.empty((0, 0))
        intercepts = np.concatenate([models[j].intercept_ for j in fitted]) if fitted else np.empty(0)
        priors = np.array([clf if isinstance(clf, float) else 0.0 for clf in models])
        built = (weights, intercepts, priors, np.array(fitted, dtype=int))
        self.__dict__["_text_weights_cache"] = (self.text_models_, built)
        return built

    def text_evidence(self, doc: Prepared, label: str, k: int = 5) -> list[str]:
        """The `k` n-grams of `doc` that raise `label`'s score most."""
        check_is_fitted(self, "labels_")
        scorer = self._scorer(doc)
        if scorer is not self:
            return scorer.text_evidence(doc, label, k)
        clf = self.text_models_[label]
        if isinstance(clf, float):
            return []
        row = self._text_matrix([doc])
        contrib = row.multiply(clf.coef_.ravel()).tocsr()
        names = self.feature_names_
        idx, vals = contrib.indices, contrib.data
        terms: list[str] = []
        for i in np.argsort(-vals):
            if vals[i] <= 0 or len(terms) >= k:
                break
            for term in self._describe(str(names[idx[i]]), doc):
                if term not in terms and len(terms) < k:
                    terms.append(term)
        return terms

    @staticmethod
    def _describe(feature: str, doc: Prepared) -> list[str]:
        """Readable evidence for one feature: an n-gram, or the words behind a cue."""
        if feature.startswith("lsa:"):
            return []  # a latent direction has no single word to show
        if not feature.startswith("cue:"):
            return [feature.replace("_", " ")]
        kind, _, label = feature[4:].partition("@")[0].partition(":")
        if kind in ("mentions", "sentences", "head"):
            codes = sorted({fm.mention.surface for fm in doc.mentions
                            if (fm.mention.code == "VN") == (label in ("VN", "VN_and_foreign"))})
            return codes[:3]
        head = kind == "head_keywords"
        return keyword_terms(doc, label, head=head, body=not head)[:3]


def keyword_terms(doc: Prepared, label: str, head: bool, body: bool) -> list[str]:
    """`label`'s keywords found in the title and lead (`head`) and/or the body, first occurrence order, once each."""
    matcher = keyword_matcher()
    texts = ([doc.title + " \n" + doc.lead] if head else []) + ([doc.body] if body else [])
    return list(dict.fromkeys(m for t in texts for m in matcher.matches(t, label)))
