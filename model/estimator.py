"""`TaggerModel`: prepared articles in, one probability per label out.

The model is one scikit-learn estimator made of the shared featuriser
(`model.featurizer`) and one head per label family, each in its own module:
the text labels (`model.heads.text`, with the topics' areas and faithfulness
gate in `model.heads.topics`), the countries (`model.heads.countries`) and
the partners of a cooperation (`model.heads.partners`).
"""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from model.featurizer import SHARED_FEATURES, TextFeatures
from model.features import Prepared, is_short
from model.heads.countries import CountryHead, mentioned_pairs
from model.heads.partners import PartnerHead
from model.heads.text import TEXT_LABELS, TextHeads
from model.heads.topics import TopicHead
from model.labels import label_names

CACHES = ("_feature_names", "_term_lists", "_text_weights_cache", "_boost_init", "_lsa_positions")


class TaggerModel(TextFeatures, TextHeads, TopicHead, CountryHead, PartnerHead, ClassifierMixin, BaseEstimator):
    """Multi-label tagger over `Prepared` articles.

    Topics and cooperation are logistic regressions over the text matrix;
    countries and partners are gradient-boosting models over (article,
    mentioned country) pairs, so every gazetteer country gets a score.

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
        TF-IDF of every article passed to `fit`, labelled or not; 0 turns it off.
    lsa_vocabulary : int
        The LSA block reads the body n-grams found in most articles, this many.
    lsa_weight : float
        Weight of the LSA block.
    country_min_support : int
        Countries with at least this many positive training pairs get an
        indicator feature of their own in the country model.
    cue_weight : float
        Weight of the dense keyword and mention cues (`cue_features`).
    cue_split : bool
        Give each cue a weight shared by all inputs plus one for short inputs
        (news-feed items, `model.features.is_short`) and one for whole articles.
    short_models : bool
        When the training data holds both short inputs and whole articles,
        whole articles are scored by classifiers fitted on the whole articles
        alone, and short inputs by a twin (`short_model_`) fitted on every
        row, sharing the vectorisers and LSA.
    cooperation_areas : bool
        Combine (noisy-OR) a topic's probability with P(cooperation) x
        `area_precision_` wherever a text names the topic as a cooperation
        area (LABELING.md: "hợp tác về 5G, AI, bán dẫn" tags all three).
    topic_gate : bool
        Score 0 for a topic whose terms the text does not contain
        (`model.heads.topics.topic_gate`), and for cooperation where the text names
        no technology (`model.heads.topics.names_technology`) or no foreign party
        (`model.heads.topics.names_foreign_party`): no tag as a guess.
    random_state : int
        Seed of the country and partner models.

    Attributes
    ----------
    labels_ : list of str
        Topics, ``"cooperation"``, country codes, then ``"partner:<code>"``.
    short_model_ : TaggerModel or None
        The twin that scores short inputs (see `short_models`), or None.
    area_precision_ : float
        Share of (cooperation article, topic named as an area) pairs whose
        topic is labelled, with a Beta(1, 1) prior; 0 when `cooperation_areas` is off.
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
        topic_gate: bool = True,
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
        self.topic_gate = topic_gate
        self.random_state = random_state

    def fit(self, X: list[Prepared], Y: np.ndarray, sample_weight: np.ndarray | None = None,
            features_from: "TaggerModel | None" = None) -> "TaggerModel":
        """Fit on prepared articles `X` and indicator matrix `Y` (columns: `label_names()`).

        An entry of -1 means "unknown": that article does not train that label
        (unlabelled pool articles), but still adds to the vocabulary and LSA.
        `features_from`, a fitted `TaggerModel`, lends its vectorisers and LSA
        block instead of fitting new ones (cross-validation folds share them:
        they are learnt without labels).

        Raises
        ------
        ValueError
            If `Y` has the wrong shape or a text label has no known value.
        """
        docs = list(X)
        Y = np.asarray(Y)
        self.labels_ = label_names()
        if Y.shape != (len(docs), len(self.labels_)):
            raise ValueError(f"Y must have shape ({len(docs)}, {len(self.labels_)}), got {Y.shape}")
        weights = np.ones(len(docs)) if sample_weight is None else np.asarray(sample_weight, float)
        n_text = len(TEXT_LABELS)
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
        self._fit_text(Xt, Y[rows, :n_text], weights[rows])
        kept = np.flatnonzero(own & labelled)
        kept_docs, kept_Y, kept_w = [docs[i] for i in kept], Y[kept], weights[kept]
        self.area_precision_ = self._fit_area_precision(kept_docs, kept_Y)
        index, blocks = mentioned_pairs(kept_docs)
        self._fit_countries(kept_docs, kept_Y, kept_w, index, blocks)
        self._fit_partners(kept_docs, kept_Y, kept_w, index, blocks)
        self.short_model_ = None
        if split:
            twin = TaggerModel(**{**self.get_params(), "short_models": False})
            self.short_model_ = twin.fit(docs, Y, weights, features_from=self)
        return self

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
        """`predict_proba` by this model's own heads, whatever the inputs' length."""
        out = np.zeros((len(docs), len(self.labels_)))
        if not docs:
            return out
        out[:, : len(TEXT_LABELS)] = self._text_proba(self._text_blocks(docs))
        self._adjust_topics(docs, out)
        index, blocks = mentioned_pairs(docs)
        if index:
            col = {label: j for j, label in enumerate(self.labels_)}
            out[[i for i, _ in index], [col[code] for _, code in index]] = self._country_scores(index, blocks)
            self._add_partners(docs, index, blocks, out)
        return out

    def predict(self, X: list[Prepared]) -> np.ndarray:
        """Indicator matrix at a 0.5 threshold (the `Tagger` applies tuned ones)."""
        return (self.predict_proba(X) >= 0.5).astype(int)

    def __getstate__(self) -> dict[str, Any]:
        """What is pickled: each vocabulary as one string of terms (`_pack_vocabularies`), no
        caches, and the twin without its second copy of the shared features.

        Raises
        ------
        ValueError
            If a vocabulary's indices are not 0..n-1 or a term holds the separator.
        """
        state = {k: v for k, v in super().__getstate__().items() if k not in CACHES}
        twin = state.pop("short_model_", None)
        if twin is not None:
            state["_short_model_state"] = {k: v for k, v in BaseEstimator.__getstate__(twin).items()
                                           if k not in CACHES and k not in SHARED_FEATURES}
        self._pack_vocabularies(state)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Rebuild the vocabularies and the twin `__getstate__` packed."""
        state = dict(state)
        packed = state.pop("_packed_vocabularies", {})
        twin_state = state.pop("_short_model_state", None)
        super().__setstate__(state)
        self._unpack_vocabularies(packed)
        if twin_state is not None:
            twin = TaggerModel.__new__(TaggerModel)
            BaseEstimator.__setstate__(twin, twin_state)
            for name in SHARED_FEATURES:
                setattr(twin, name, getattr(self, name, None))
            self.short_model_ = twin
