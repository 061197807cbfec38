"""The partner head: which mentioned countries are the foreign side of the reported cooperation.

A partner's score is P(cooperation) x P(the country is a partner | the text
reports cooperation), the second from a small gradient-boosting model over
each (article, mentioned country) pair: the country features of the country
head plus where the country meets Vietnam and cooperation words. It is fitted
on the pairs of the cooperation articles only, where `partners` says which
countries are the partners.
"""
from __future__ import annotations

import bisect
import math

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier

from model.features import Prepared, is_short
from model.gazetteer import HOME
from model.heads.countries import boosted_proba
from model.keywords import keyword_matcher
from model.labels import COOPERATION, partner_label

CONTEXT_FEATURES = ("sentences_with_cooperation", "sentences_with_VN", "sentences_with_VN_and_cooperation",
                    "cooperation_share", "in_head", "head_cooperation", "head_VN", "short")


def partner_context(doc: Prepared, codes: list[str]) -> np.ndarray:
    """One row of `CONTEXT_FEATURES` per country of `codes`: how often its body sentences
    also name Vietnam and a cooperation word, and whether the title and lead name it
    beside a cooperation word or Vietnam."""
    ends = doc.body_ends
    coop = set(doc.cooperation_sentences)
    home: set[int] = set()
    by_code: dict[str, set[int]] = {}
    in_head: set[str] = set()
    head_home = False
    for fm in doc.mentions:
        code = fm.mention.code
        if fm.field != "body":
            head_home |= code == HOME
            in_head.add(code)
        elif code == HOME:
            home.add(bisect.bisect_right(ends, fm.mention.start))
        else:
            by_code.setdefault(code, set()).add(bisect.bisect_right(ends, fm.mention.start))
    head_coop = float(doc.head_keywords[keyword_matcher().labels.index(COOPERATION)] > 0)
    rows = []
    for code in codes:
        sentences = by_code.get(code, set())
        with_coop = sentences & coop
        rows.append([math.log1p(len(with_coop)), math.log1p(len(sentences & home)),
                     math.log1p(len(with_coop & home)), len(with_coop) / max(1, len(sentences)),
                     float(code in in_head), head_coop * (code in in_head), float(head_home) * (code in in_head),
                     float(is_short(doc))])
    return np.asarray(rows, dtype=float).reshape(len(codes), len(CONTEXT_FEATURES))


class PartnerHead:
    """Fitting and scoring the partners (mixed into `TaggerModel`)."""

    random_state: int
    labels_: list[str]

    def _partner_matrix(self, docs: list[Prepared], index: list[tuple[int, str]],
                        blocks: list[np.ndarray]) -> np.ndarray:
        """The partner model's input for the pairs `index` (with their country rows `blocks`)."""
        rows = np.vstack(blocks)
        context = np.zeros((len(index), len(CONTEXT_FEATURES)))
        by_doc: dict[int, list[int]] = {}
        for k, (i, _) in enumerate(index):
            by_doc.setdefault(i, []).append(k)
        for i, ks in by_doc.items():
            context[ks] = partner_context(docs[i], [index[k][1] for k in ks])
        return np.hstack([rows, context])

    def _fit_partners(self, docs: list[Prepared], Y: np.ndarray, weights: np.ndarray,
                      index: list[tuple[int, str]], blocks: list[np.ndarray]) -> None:
        """Fit P(partner | cooperation, pair) on the pairs of the cooperation articles of `Y`."""
        col = {label: j for j, label in enumerate(self.labels_)}
        cooperation = Y[:, col[COOPERATION]]
        keep = [k for k, (i, code) in enumerate(index) if cooperation[i] == 1 and Y[i, col[partner_label(code)]] >= 0]
        y = np.array([Y[index[k][0], col[partner_label(index[k][1])]] for k in keep], dtype=int)
        if y.size == 0 or y.min() == y.max():
            self.partner_model_ = float(y.mean()) if y.size else 0.0
            return
        X = self._partner_matrix(docs, [index[k] for k in keep], [blocks[k] for k in keep])
        self.partner_model_ = GradientBoostingClassifier(
            n_estimators=150, learning_rate=0.05, max_depth=2, min_samples_leaf=10,
            subsample=0.8, random_state=self.random_state,
        ).fit(X, y, sample_weight=np.array([weights[index[k][0]] for k in keep]))

    def _add_partners(self, docs: list[Prepared], index: list[tuple[int, str]], blocks: list[np.ndarray],
                      out: np.ndarray) -> None:
        """Fill, in place, each mentioned country's partner score: P(cooperation) x P(partner | cooperation)."""
        model = getattr(self, "partner_model_", None)
        if model is None or not index:
            return
        if isinstance(model, float):
            given = np.full(len(index), model)
        else:
            given = boosted_proba(model, self._partner_matrix(docs, index, blocks), self.__dict__)
        col = {label: j for j, label in enumerate(self.labels_)}
        rows = [i for i, _ in index]
        out[rows, [col[partner_label(code)] for _, code in index]] = out[rows, col[COOPERATION]] * given
