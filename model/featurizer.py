"""The shared featuriser: prepared articles -> the text matrix every text head reads.

Head and body TF-IDF n-grams (the head weighted by `head_weight`), a latent
semantic (LSA) block learnt without labels, and the dense keyword and mention
cues. `TextFeatures` is mixed into `model.estimator.TaggerModel`, whose
parameters it reads; the TF-IDF transform it runs on every request is in `model.tfidf`.
"""
from __future__ import annotations

import copy
import weakref
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.decomposition import TruncatedSVD

from model.features import Prepared, cue_features, cue_names, is_short
from model.sparse_rows import CSRLike, Rows, dense_rows, product, rows_of
from model.tfidf import make_vectorizer, tfidf_rows

VECTORIZERS = ("head_vectorizer_", "body_vectorizer_")
# Learnt without labels, so shared with `short_model_` (and lent to cross-validation folds).
SHARED_FEATURES = (*VECTORIZERS, "lsa_columns_", "lsa_components_")
TERM_SEPARATOR = "\n"  # never inside a term: terms are whitespace-split tokens joined by spaces


class TextFeatures:
    """The text matrix of `TaggerModel` (mixed in; reads its parameters and fitted vectorisers)."""

    head_weight: float
    ngram_max: int
    min_df: int
    max_features: int | None
    lsa_components: int
    lsa_vocabulary: int
    lsa_weight: float
    cue_weight: float
    random_state: int

    def _text_matrix(self, docs: list[Prepared], head: sp.csr_matrix | None = None,
                     body: sp.csr_matrix | None = None) -> sp.csr_matrix:
        return sp.hstack([block.csr() for block in self._text_blocks(docs, head, body)], format="csr")

    def _text_blocks(self, docs: list[Prepared], head: CSRLike | None = None,
                     body: CSRLike | None = None) -> list[Rows]:
        """The blocks of the text matrix, left to right and weighted: head and body
        TF-IDF, LSA, cues (`_text_matrix` stacks them; `_text_proba` scores them as they are)."""
        head = tfidf_rows(self.head_vectorizer_, [d.head_tokens for d in docs]) if head is None else rows_of(head)
        body = tfidf_rows(self.body_vectorizer_, [d.body_tokens for d in docs]) if body is None else rows_of(body)
        blocks = [head.scaled(self.head_weight), body]
        if self.lsa_components_ is not None:
            z = np.asarray(product([self._lsa_block(body)], self._lsa_matrix()), dtype=np.float32)
            z /= np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-9)
            blocks.append(dense_rows(z * self.lsa_weight))
        if self.cue_weight:
            blocks.append(dense_rows(self._cues(docs)))
        return blocks

    def _cues(self, docs: list[Prepared]) -> np.ndarray:
        """The dense cue block, weighted; with `cue_split`, each cue again for
        short inputs only and for whole articles only (zero elsewhere)."""
        cues = np.asarray([cue_features(d) for d in docs], dtype=np.float32).reshape(len(docs), -1)
        if getattr(self, "cue_split", False):
            short = np.array([[is_short(d)] for d in docs], dtype=np.float32).reshape(len(docs), 1)
            cues = np.hstack([cues, cues * short, cues * (1 - short)])
        return cues * self.cue_weight

    def _lsa_block(self, body: CSRLike) -> Rows:
        """`body[:, self.lsa_columns_]`, by mapping each stored entry's column
        (`lsa_columns_` is sorted, so entries keep their order and the product
        its sums) instead of scipy's column slicing, which costs more per call."""
        cached = self.__dict__.get("_lsa_positions")
        if cached is None or cached[0] is not self.lsa_columns_ or cached[1].size != body.shape[1]:
            positions = np.full(body.shape[1], -1, dtype=np.int64)
            positions[self.lsa_columns_] = np.arange(len(self.lsa_columns_))
            cached = self.__dict__["_lsa_positions"] = (self.lsa_columns_, positions)
        mapped = cached[1][body.indices]
        keep = mapped >= 0
        indptr = np.concatenate([[0], np.cumsum(keep)])[body.indptr]
        return Rows(body.data[keep], mapped[keep], indptr, (body.shape[0], len(self.lsa_columns_)))

    def _lsa_matrix(self) -> np.ndarray:
        """`lsa_components_.T` in C order, shared by a model and its twin (`_transposed`)."""
        return _transposed(self.lsa_components_)

    def _fit_lsa(self, body: sp.csr_matrix) -> None:
        """Latent directions of the body TF-IDF over its most widespread n-grams."""
        self.lsa_columns_ = None
        self.lsa_components_ = None
        if not self.lsa_components:
            return
        df = np.asarray((body > 0).sum(axis=0)).ravel()
        columns = np.sort(np.argsort(-df, kind="stable")[: self.lsa_vocabulary])
        k = min(self.lsa_components, len(columns) - 1, body.shape[0] - 1)
        if k < 1:
            return
        svd = TruncatedSVD(k, random_state=self.random_state).fit(body[:, columns])
        self.lsa_columns_ = columns
        self.lsa_components_ = svd.components_.astype(np.float32)

    def _fit_features(self, docs: list[Prepared]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Fit the vectorisers and the LSA block; return the head and body matrices."""
        self.head_vectorizer_ = make_vectorizer(self.ngram_max, self.min_df, self.max_features)
        self.body_vectorizer_ = make_vectorizer(self.ngram_max, self.min_df, self.max_features)
        head = self.head_vectorizer_.fit_transform([d.head_tokens for d in docs])
        body = self.body_vectorizer_.fit_transform([d.body_tokens for d in docs])
        self._fit_lsa(body)
        return head.tocsr(), body.tocsr()

    @property
    def feature_names_(self) -> np.ndarray:
        """Names of the text matrix's columns: head and body n-grams, ``lsa:i``, ``cue:...``.

        Derived from the vectorisers on first use and cached, never pickled.
        """
        key = (self.head_vectorizer_.vocabulary_, self.body_vectorizer_.vocabulary_, self.lsa_components_,
               self.cue_weight, getattr(self, "cue_split", False))
        cached = self.__dict__.get("_feature_names")
        if cached is None or any(a is not b for a, b in zip(cached[0], key)):
            n_lsa = 0 if self.lsa_components_ is None else self.lsa_components_.shape[0]
            names = np.array([
                *self._terms("head_vectorizer_"),
                *self._terms("body_vectorizer_"),
                *(f"lsa:{i}" for i in range(n_lsa)),
                *(f"cue:{name}{copy}" for copy in self._cue_copies() for name in (cue_names() if self.cue_weight else [])),
            ], dtype=object)
            cached = self.__dict__["_feature_names"] = (key, names)
        return cached[1]

    def _cue_copies(self) -> tuple[str, ...]:
        """Suffixes of the cue block's copies in column order ("" is the shared one)."""
        return ("", "@short", "@article") if getattr(self, "cue_split", False) else ("",)

    def _terms(self, name: str) -> list[str]:
        """The terms of vectoriser `name` in column order, cached per vocabulary."""
        vocabulary = getattr(self, name).vocabulary_
        cached = self.__dict__.setdefault("_term_lists", {}).get(name)
        if cached is None or cached[0] is not vocabulary:
            cached = self._term_lists[name] = (vocabulary, column_terms(vocabulary))
        return cached[1]

    def _pack_vocabularies(self, state: dict[str, Any]) -> None:
        """Replace, in the pickled `state`, each vectoriser's vocabulary dict by one string of terms.

        A 100,000-term vocabulary dict makes joblib's pure-Python unpickler
        build 200,000 objects one opcode at a time; one string is one object.

        Raises
        ------
        ValueError
            If a vocabulary's indices are not 0..n-1 or a term holds `TERM_SEPARATOR`.
        """
        packed = {}
        for name in VECTORIZERS:
            vectorizer = state.get(name)
            if vectorizer is None or not hasattr(vectorizer, "vocabulary_"):
                continue
            packed[name] = TERM_SEPARATOR.join(self._terms(name))
            if packed[name].count(TERM_SEPARATOR) != max(len(vectorizer.vocabulary_) - 1, 0):
                raise ValueError(f"a term of {name} holds the separator {TERM_SEPARATOR!r}")
            state[name] = copy.copy(vectorizer)
            del state[name].vocabulary_
        state["_packed_vocabularies"] = packed

    def _unpack_vocabularies(self, packed: dict[str, str]) -> None:
        """Rebuild the vocabularies `_pack_vocabularies` packed (C-speed `split` and `dict`)."""
        for name, joined in packed.items():
            terms = joined.split(TERM_SEPARATOR) if joined else []
            vocabulary = getattr(self, name).vocabulary_ = dict(zip(terms, range(len(terms))))
            self.__dict__.setdefault("_term_lists", {})[name] = (vocabulary, terms)


# id(an LSA components array) -> its transpose in C order; the entry goes with the array.
_TRANSPOSED: dict[int, np.ndarray] = {}


def _transposed(components: np.ndarray) -> np.ndarray:
    """`components.T` as a C-ordered copy, made once per array however many models hold it
    (a model and its twin share the array, so they share the transpose)."""
    found = _TRANSPOSED.get(id(components))
    if found is None:
        found = _TRANSPOSED[id(components)] = np.ascontiguousarray(components.T)
        weakref.finalize(components, _TRANSPOSED.pop, id(components), None)
    return found


def column_terms(vocabulary: dict[str, int]) -> list[str]:
    """The terms of `vocabulary` in column order.

    Raises
    ------
    ValueError
        If its indices are not exactly 0..n-1.
    """
    terms: list[str | None] = [None] * len(vocabulary)
    for term, column in vocabulary.items():
        if not 0 <= column < len(terms) or terms[column] is not None:
            raise ValueError(f"vocabulary index {column} is out of range or repeated")
        terms[column] = term
    return terms  # type: ignore[return-value]  # every slot is filled: n distinct indices in 0..n-1
