"""`TaggerModel`: prepared articles in, one probability per label out."""
from __future__ import annotations

import copy
import itertools
import weakref
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.decomposition import TruncatedSVD
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.ensemble._gradient_boosting import predict_stages
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2
from sklearn.utils.validation import check_is_fitted

from model.features import Prepared, country_pairs, cue_features, cue_names, is_short
from model.keywords import keyword_matcher
from model.gazetteer import load_gazetteer
from model.sparse_rows import CSRLike, Rows, dense_rows, product, rows_of
from model.text import split_tokens

TOPICS = ("5g", "ai", "semiconductors", "cybersecurity")
COOPERATION = "cooperation"
VECTORIZERS = ("head_vectorizer_", "body_vectorizer_")
# Learnt without labels, so shared with `short_model_` (and lent to cross-validation folds).
SHARED_FEATURES = (*VECTORIZERS, "lsa_columns_", "lsa_components_")
CACHES = ("_feature_names", "_term_lists", "_text_weights_cache", "_country_init", "_lsa_positions")
TERM_SEPARATOR = "\n"  # never inside a term: terms are whitespace-split tokens joined by spaces


def _vectorizer(ngram_max: int, min_df: int, max_features: int | None) -> TfidfVectorizer:
    return TfidfVectorizer(
        tokenizer=split_tokens,
        token_pattern=None,
        lowercase=False,
        ngram_range=(1, ngram_max),
        min_df=min_df,
        max_features=max_features,
        sublinear_tf=True,
        dtype=np.float32,
    )


def _tfidf_rows(vectorizer: TfidfVectorizer, docs: list[str]) -> Rows:
    """The arrays of `vectorizer.transform(docs)`, without its TF-IDF step's input checks.

    The same counts, sublinear tf, idf weights and l2 norm, in the same float32
    operations (`TfidfTransformer.transform`'s), so the same numbers; the
    checks cost as much as the counting on one article. Other settings than
    this module's (`_vectorizer`) go through `transform` itself.
    """
    tfidf = vectorizer._tfidf  # the fitted step `transform` ends with: its settings are the ones applied
    if vectorizer.binary or not tfidf.use_idf or tfidf.norm not in ("l2", None):
        return rows_of(vectorizer.transform(docs))
    X = _count_rows(vectorizer, docs)
    data = X.data  # changed in place: `Rows` is a tuple, its fields cannot be assigned
    if tfidf.sublinear_tf:
        np.log(data, data)
        data += 1.0
    data *= tfidf.idf_[X.indices]
    if tfidf.norm == "l2":
        inplace_csr_row_normalize_l2(X)  # reads only the arrays and the shape, which `Rows` has
    return X


def _count_rows(vectorizer: CountVectorizer, docs: list[str]) -> Rows:
    """The arrays of `CountVectorizer.transform(vectorizer, docs)`: for this module's settings,
    n-grams of space-split tokens counted with `Counter` over the vocabulary (C loops), not
    scikit-learn's per-n-gram Python loop; the same matrix, indices sorted. Other settings
    go through `CountVectorizer.transform` itself.
    """
    min_n, max_n = vectorizer.ngram_range
    plain = (vectorizer.analyzer == "word" and vectorizer.tokenizer is split_tokens and not vectorizer.lowercase
             and vectorizer.preprocessor is None and vectorizer.stop_words is None and vectorizer.input == "content"
             and vectorizer.strip_accents is None and not vectorizer.binary and min_n == 1)
    if not plain:
        return rows_of(CountVectorizer.transform(vectorizer, docs))
    vocabulary = vectorizer.vocabulary_
    indices: list[int] = []
    values: list[int] = []
    indptr = [0]
    for doc in docs:
        tokens = doc.split()
        grams = itertools.chain(tokens, *(map(" ".join, zip(*(tokens[k:] for k in range(n))))
                                          for n in range(2, max_n + 1)))
        counts = Counter(map(vocabulary.get, grams))
        counts.pop(None, None)
        found = sorted(counts)
        indices.extend(found)
        values.extend(map(counts.__getitem__, found))
        indptr.append(len(indices))
    return Rows(np.fromiter(values, dtype=vectorizer.dtype, count=len(values)),
                np.fromiter(indices, dtype=np.int32, count=len(indices)),
                np.fromiter(indptr, dtype=np.int32, count=len(indptr)), (len(docs), len(vocabulary)))


class TaggerModel(ClassifierMixin, BaseEstimator):
    """Multi-label tagger over `Prepared` articles.

    Topics and cooperation are logistic regressions over TF-IDF n-grams of
    the title+lead ("head", weighted by `head_weight`) and of the body.
    Countries are scored by one model shared by all countries over
    gazetteer-mention features (`model.features.PAIR_FEATURES`), so every
    country in the gazetteer gets a score, even one rare in training.

    Parameters
    ----------
    head_weight : float
        Weight of the title+lead TF-IDF block relative to the body block.
    ngram_max : int
        Longest n-gram of tokens.
    min_df : int
        Minimum document frequency of an n-gram.
    max_features : int or None
        Vocabulary cap per block.
    C : float
        Inverse regularisation of the text logistic regressions.
    lsa_components : int
        Size of a latent semantic (TruncatedSVD) block learnt from the body
        TF-IDF of every article passed to `fit`, labelled or not; 0 turns it
        off. This is how the unlabelled pool teaches the text models which
        words go together.
    lsa_vocabulary : int
        The LSA block reads the body n-grams found in most articles, this
        many (kept small: it sets the bundle size).
    lsa_weight : float
        Weight of the LSA block.
    country_min_support : int
        Countries with at least this many positive training pairs get an
        indicator feature of their own in the country model.
    cue_weight : float
        Weight of the dense keyword and mention cues (`cue_features`).
    cue_split : bool
        Give each cue a weight shared by all inputs plus one for short inputs
        (a body under `model.features.SHORT_BODY` characters: a headline with a
        summary) and one for whole articles. A feed item's labels come from its
        whole article, so on short inputs cues such as cooperation words stand
        in for topics the summary does not name; split, that lesson stays with
        short inputs instead of leaking into whole articles.
    short_models : bool
        When the training data holds both short inputs (`model.features.is_short`:
        news-feed items) and whole articles, whole articles are scored by
        classifiers fitted on the whole articles alone, and short inputs by a
        twin (`short_model_`) fitted on every row, sharing the vectorisers and
        LSA. The short views' labels come from their whole articles, which a
        summary often does not show; kept apart, they cannot blur the whole
        articles' models.
    cooperation_areas : bool
        A topic named once in a list of cooperation areas counts
        (LABELING.md: "hợp tác về 5G, AI, bán dẫn" tags all three), but a bag
        of n-grams scores a single mention low. When on, a topic's
        probability is combined (noisy-OR) with P(cooperation) x
        `area_precision_` wherever the topic is named as an area: in a
        sentence that also names another topic or a cooperation word
        (`model.features.named_areas`). `area_precision_` is learnt in `fit`
        from the labelled cooperation articles.
    random_state : int
        Seed of the country model.

    Attributes
    ----------
    labels_ : list of str
        Topic labels, then ``"cooperation"``, then country codes.
    short_model_ : TaggerModel or None
        The twin that scores short inputs (see `short_models`), or None.
    area_precision_ : float
        Share of (cooperation article, topic named as an area) pairs of the
        training data whose topic is labelled, with a Beta(1, 1) prior; 0
        when `cooperation_areas` is off.
    """

    def __init__(
        self,
        head_weight: float = 1.0,
        ngram_max: int = 2,
        min_df: int = 2,
        max_features: int | None = 100_000,
        C: float = 10.0,
        lsa_components: int = 150,
        lsa_vocabulary: int = 20_000,
        lsa_weight: float = 1.0,
        country_min_support: int = 15,
        cue_weight: float = 1.0,
        cue_split: bool = True,
        short_models: bool = True,
        cooperation_areas: bool = True,
        random_state: int = 0,
    ):
        self.head_weight = head_weight
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_features = max_features
        self.C = C
        self.lsa_components = lsa_components
        self.lsa_vocabulary = lsa_vocabulary
        self.lsa_weight = lsa_weight
        self.country_min_support = country_min_support
        self.cue_weight = cue_weight
        self.cue_split = cue_split
        self.short_models = short_models
        self.cooperation_areas = cooperation_areas
        self.random_state = random_state

    # -- text part ------------------------------------------------------------
    def _text_matrix(self, docs: list[Prepared], head: sp.csr_matrix | None = None,
                     body: sp.csr_matrix | None = None) -> sp.csr_matrix:
        return sp.hstack([block.csr() for block in self._text_blocks(docs, head, body)], format="csr")

    def _text_blocks(self, docs: list[Prepared], head: CSRLike | None = None,
                     body: CSRLike | None = None) -> list[Rows]:
        """The blocks of the text matrix, left to right and weighted: head and body
        TF-IDF, LSA, cues (`_text_matrix` stacks them; `_text_proba` scores them as they are)."""
        head = _tfidf_rows(self.head_vectorizer_, [d.head_tokens for d in docs]) if head is None else rows_of(head)
        body = _tfidf_rows(self.body_vectorizer_, [d.body_tokens for d in docs]) if body is None else rows_of(body)
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
        """`lsa_components_.T` in C order (its rows are gathered per entry), made once per
        components array, and shared by a model and its twin, which share the array."""
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

    def _pairs(self, docs: list[Prepared]) -> tuple[list[tuple[int, str]], list[np.ndarray]]:
        index, blocks = [], []
        for i, doc in enumerate(docs):
            codes, rows = country_pairs(doc)
            for code, row in zip(codes, rows):
                index.append((i, code))
                blocks.append(row)
        return index, blocks

    def fit(self, X: list[Prepared], Y: np.ndarray, sample_weight: np.ndarray | None = None,
            features_from: "TaggerModel | None" = None) -> "TaggerModel":
        """Fit on prepared articles `X` and indicator matrix `Y` (columns: `labels`).

        `Y` columns must follow ``TOPICS + ("cooperation",) + countries`` where
        countries are the gazetteer's foreign codes (see `label_names`). An
        entry of -1 means "unknown": that article does not train that label
        (unlabelled pool articles), but still adds to the vocabulary and LSA.
        `features_from`, a fitted `TaggerModel`, lends its vectorisers and LSA
        block instead of fitting new ones (cross-validation folds share them:
        they are learnt without labels).

        Raises
        ------
        ValueError
            If `Y` has the wrong shape or a label has no known value.
        """
        docs = list(X)
        Y = np.asarray(Y)
        self.labels_ = label_names()
        if Y.shape != (len(docs), len(self.labels_)):
            raise ValueError(f"Y must have shape ({len(docs)}, {len(self.labels_)}), got {Y.shape}")
        weights = np.ones(len(docs)) if sample_weight is None else np.asarray(sample_weight, float)
        n_text = len(TOPICS) + 1
        short = np.array([is_short(d) for d in docs], dtype=bool)
        labelled = (Y >= 0).any(axis=1)
        split = self.short_models and (short & labelled).any() and (~short & labelled).any()
        own = ~short if split else np.ones(len(docs), dtype=bool)  # the rows this model's classifiers learn from
        rows = np.flatnonzero((Y[:, :n_text] >= 0).any(axis=1) & own)
        if features_from is None:
            head, body = self._fit_features(docs)
            Xt = self._text_matrix([docs[i] for i in rows], head[rows], body[rows])
        else:
            for name in SHARED_FEATURES:
                setattr(self, name, getattr(features_from, name))
            Xt = self._text_matrix([docs[i] for i in rows])
        self.text_models_ = {}
        for j, label in enumerate(self.labels_[:n_text]):
            known = Y[rows, j] >= 0
            y = Y[rows[known], j]
            if y.size == 0:
                raise ValueError(f"label {label!r} has no known value in the training data")
            if y.min() == y.max():
                # A cross-validation fold without positives: score the prior.
                self.text_models_[label] = float(y[0])
                continue
            clf = LogisticRegression(C=self.C, max_iter=2000)
            self.text_models_[label] = clf.fit(Xt[known], y, sample_weight=weights[rows[known]])
        kept = [docs[i] for i in np.flatnonzero(own)]
        self.area_precision_ = self._fit_area_precision(kept, Y[own]) if self.cooperation_areas else 0.0
        self._fit_countries(kept, Y[own], weights[own])
        self.short_model_ = None
        if split:
            twin = TaggerModel(**{**self.get_params(), "short_models": False})
            self.short_model_ = twin.fit(docs, Y, weights, features_from=self)
        return self

    @staticmethod
    def _fit_area_precision(docs: list[Prepared], Y: np.ndarray) -> float:
        """P(topic labelled | cooperation article names it as an area), pooled over topics."""
        n_topics = len(TOPICS)
        cooperating = np.flatnonzero(Y[:, n_topics] == 1)
        named = topic_areas([docs[i] for i in cooperating])
        Yt = Y[cooperating, :n_topics]
        pairs = named.astype(bool) & (Yt >= 0)
        return float((Yt[pairs].sum() + 1) / (pairs.sum() + 2))

    def _fit_features(self, docs: list[Prepared]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Fit the vectorisers and the LSA block; return the head and body matrices."""
        self.head_vectorizer_ = _vectorizer(self.ngram_max, self.min_df, self.max_features)
        self.body_vectorizer_ = _vectorizer(self.ngram_max, self.min_df, self.max_features)
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
            cached = self._term_lists[name] = (vocabulary, _column_terms(vocabulary))
        return cached[1]

    def _fit_countries(self, docs: list[Prepared], Y: np.ndarray, weights: np.ndarray) -> None:
        col = {label: j for j, label in enumerate(self.labels_)}
        first_country = len(TOPICS) + 1
        # Only articles with known country labels can teach the country model.
        labelled = np.flatnonzero((Y[:, first_country:] >= 0).any(axis=1))
        index, blocks = self._pairs([docs[i] for i in labelled])
        index = [(int(labelled[i]), code) for i, code in index]
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

    def predict_proba(self, X: list[Prepared]) -> np.ndarray:
        """Probability of every label in `labels_` for each prepared article
        (short inputs through `short_model_` when there is one)."""
        check_is_fitted(self, "labels_")
        docs = list(X)
        short = np.array([self._scorer(d) is not self for d in docs], dtype=bool)
        if not short.any():
            return self._own_proba(docs)
        out = np.zeros((len(docs), len(self.labels_)))
        for rows, model in ((np.flatnonzero(short), self.short_model_), (np.flatnonzero(~short), self)):
            if rows.size:
                out[rows] = model._own_proba([docs[i] for i in rows])
        return out

    def _scorer(self, doc: Prepared) -> "TaggerModel":
        """The model that scores `doc`: `short_model_` for a short input, else this one."""
        twin = getattr(self, "short_model_", None)
        return twin if twin is not None and is_short(doc) else self

    def _own_proba(self, docs: list[Prepared]) -> np.ndarray:
        """`predict_proba` by this model's own classifiers, whatever the inputs' length."""
        out = np.zeros((len(docs), len(self.labels_)))
        if not docs:
            return out
        out[:, : len(TOPICS) + 1] = self._text_proba(self._text_blocks(docs))
        self._add_cooperation_areas(docs, out)
        index, blocks = self._pairs(docs)
        if index:
            model = self.country_model_
            probs = np.full(len(index), model) if isinstance(model, float) else self._country_proba(
                self._country_pair_matrix(index, blocks))
            out[[i for i, _ in index], [self.labels_.index(code) for _, code in index]] = probs
        return out

    def _country_pair_matrix(self, index: list[tuple[int, str]], blocks: list[np.ndarray]) -> np.ndarray:
        """The country model's input for every (article, country) pair of `_pairs`: the pair's
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

    def _add_cooperation_areas(self, docs: list[Prepared], out: np.ndarray) -> None:
        """Raise, in place, the topics a probable cooperation story names (noisy-OR)."""
        precision = getattr(self, "area_precision_", 0.0)
        if not precision:
            return
        n_topics = len(TOPICS)
        area = out[:, n_topics : n_topics + 1] * precision * topic_areas(docs)
        out[:, :n_topics] = 1.0 - (1.0 - out[:, :n_topics]) * (1.0 - area)

    def predict(self, X: list[Prepared]) -> np.ndarray:
        """Indicator matrix at a 0.5 threshold (the `Tagger` applies tuned ones)."""
        return (self.predict_proba(X) >= 0.5).astype(int)

    # -- evidence -------------------------------------------------------------
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
        coef = clf.coef_.ravel()
        contrib = row.multiply(coef).tocsr()
        names = self.feature_names_
        idx, vals = contrib.indices, contrib.data
        order = np.argsort(-vals)
        terms: list[str] = []
        for i in order:
            if vals[i] <= 0 or len(terms) >= k:
                break
            for term in self._describe(str(names[idx[i]]), doc):
                if term not in terms and len(terms) < k:
                    terms.append(term)
        return terms

    def area_terms(self, doc: Prepared, label: str, k: int = 3) -> list[str]:
        """The keywords by which `doc` names topic `label` as a cooperation area
        (empty when `cooperation_areas` is off)."""
        scorer = self._scorer(doc)
        if scorer is not self:
            return scorer.area_terms(doc, label, k)
        if not getattr(self, "area_precision_", 0.0) or label not in TOPICS or not doc.areas[TOPICS.index(label)]:
            return []
        return _keyword_terms(doc, label, head=True, body=True)[:k]

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
        return _keyword_terms(doc, label, head=head, body=not head)[:3]

    # -- hot paths: the fitted models' arithmetic without their per-call checks --
    def _country_proba(self, Xp: np.ndarray) -> np.ndarray:
        """The country model's positive-class probability: `predict_proba(Xp)[:, 1]`
        without its per-call checks (the same float32 input, trees and link).

        The init estimator's raw score is the same for every row (the default
        prior), so it is computed once; any other init goes through `predict_proba`.
        """
        model = self.country_model_
        if model.init is not None or model.n_trees_per_iteration_ != 1:
            return model.predict_proba(Xp)[:, 1]
        X = np.ascontiguousarray(Xp, dtype=np.float32)
        cached = self.__dict__.get("_country_init")
        if cached is None or cached[0] is not model:
            cached = self.__dict__["_country_init"] = (model, model._raw_predict_init(X[:1]))
        raw = np.repeat(cached[1], X.shape[0], axis=0)
        predict_stages(model.estimators_, X, model.learning_rate, raw)
        return model._loss.predict_proba(raw)[:, 1]

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
        models = [self.text_models_[label] for label in self.labels_[: len(TOPICS) + 1]]
        fitted = [j for j, clf in enumerate(models) if not isinstance(clf, float)]
        for j in fitted:
            if list(models[j].classes_) != [0, 1] or models[j].coef_.shape[0] != 1:
                raise ValueError(f"text model {self.labels_[j]!r} is not a binary 0/1 logistic regression")
        weights = np.ascontiguousarray(np.hstack([models[j].coef_.T for j in fitted])) if fitted else np.empty((0, 0))
        intercepts = np.concatenate([models[j].intercept_ for j in fitted]) if fitted else np.empty(0)
        priors = np.array([clf if isinstance(clf, float) else 0.0 for clf in models])
        built = (weights, intercepts, priors, np.array(fitted, dtype=int))
        self.__dict__["_text_weights_cache"] = (self.text_models_, built)
        return built

    # -- pickled state ----------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        """What is pickled: each vocabulary as one string of terms, and no caches.

        A 100,000-term vocabulary dict makes joblib's pure-Python unpickler
        build 200,000 objects one opcode at a time; one string is one object.

        Raises
        ------
        ValueError
            If a vocabulary's indices are not 0..n-1 or a term holds `TERM_SEPARATOR`.
        """
        state = {k: v for k, v in super().__getstate__().items() if k not in CACHES}
        twin = state.pop("short_model_", None)
        if twin is not None:
            # The twin shares this model's vectorisers and LSA: pickle them once, here.
            state["_short_model_state"] = {k: v for k, v in BaseEstimator.__getstate__(twin).items()
                                           if k not in CACHES and k not in SHARED_FEATURES}
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
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild the vocabularies packed by `__getstate__` (C-speed `split` and `dict`)."""
        state = dict(state)
        packed = state.pop("_packed_vocabularies", {})
        twin_state = state.pop("_short_model_state", None)
        super().__setstate__(state)
        for name, joined in packed.items():
            terms = joined.split(TERM_SEPARATOR) if joined else []
            vocabulary = getattr(self, name).vocabulary_ = dict(zip(terms, range(len(terms))))
            self.__dict__.setdefault("_term_lists", {})[name] = (vocabulary, terms)
        if twin_state is not None:
            twin = TaggerModel.__new__(TaggerModel)
            BaseEstimator.__setstate__(twin, twin_state)
            for name in SHARED_FEATURES:
                setattr(twin, name, getattr(self, name, None))
            self.short_model_ = twin


# id(an LSA components array) -> its transpose in C order; the entry goes with the array.
_TRANSPOSED: dict[int, np.ndarray] = {}


def _transposed(components: np.ndarray) -> np.ndarray:
    """`components.T` as a C-ordered copy, made once per array however many models hold it."""
    found = _TRANSPOSED.get(id(components))
    if found is None:
        found = _TRANSPOSED[id(components)] = np.ascontiguousarray(components.T)
        weakref.finalize(components, _TRANSPOSED.pop, id(components), None)
    return found


def _column_terms(vocabulary: dict[str, int]) -> list[str]:
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


def _keyword_terms(doc: Prepared, label: str, head: bool, body: bool) -> list[str]:
    """`label`'s keywords found in the title and lead (`head`) and/or the body, first occurrence order, once each."""
    matcher = keyword_matcher()
    texts = ([doc.title + " \n" + doc.lead] if head else []) + ([doc.body] if body else [])
    return list(dict.fromkeys(m for t in texts for m in matcher.matches(t, label)))


def topic_areas(docs: list[Prepared]) -> np.ndarray:
    """0/1 matrix (articles x `TOPICS`): is the topic named as an area (`Prepared.areas`)?"""
    return np.array([d.areas for d in docs], dtype=float).reshape(len(docs), len(TOPICS))


def label_names() -> list[str]:
    """All labels the tagger scores: topics, cooperation, then foreign countries."""
    return [*TOPICS, COOPERATION, *load_gazetteer().foreign_codes]
