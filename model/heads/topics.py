"""What the topic head adds to the text scores: named cooperation areas, and faithfulness.

A topic is given only to a text that names it: its probability is 0 where none
of the topic's terms or cues occurs (`topic_gate`, `model.keywords.names_topic`);
likewise cooperation where the text names no technology at all (`names_technology`) or
no foreign party (`names_foreign_party`). A
headline about Huawei or Nvidia is not `5g` or `semiconductors` unless it
speaks of 5G or chips (LABELING.md), however often such headlines were.
"""
from __future__ import annotations

import numpy as np

from model.features import Prepared
from model.gazetteer import is_foreign_party
from model.heads.text import keyword_terms
from model.keywords import keyword_matcher, names_topic
from model.labels import TOPICS


def topic_areas(docs: list[Prepared]) -> np.ndarray:
    """0/1 matrix (articles x `TOPICS`): is the topic named as an area (`Prepared.areas`)?"""
    return np.array([d.areas for d in docs], dtype=float).reshape(len(docs), len(TOPICS))


def topic_gate(docs: list[Prepared]) -> np.ndarray:
    """0/1 matrix (articles x `TOPICS`): does the text name the topic (`model.keywords.names_topic`)?"""
    labels = keyword_matcher().labels
    rows = []
    for d in docs:
        counts = {label: h + b for label, h, b in zip(labels, d.head_keywords, d.body_keywords)}
        rows.append([names_topic(counts, t) for t in TOPICS])
    return np.array(rows, dtype=float).reshape(len(docs), len(TOPICS))


def names_technology(docs: list[Prepared]) -> np.ndarray:
    """1 for each text that names a technology: a topic keyword or a technology cue
    (`model.keywords.CONTEXT_CUES["technology"]`), else 0."""
    labels = keyword_matcher().labels
    cols = [labels.index(label) for label in (*TOPICS, "technology")]
    return np.array([any(d.head_keywords[c] + d.body_keywords[c] for c in cols) for d in docs], dtype=float)


def names_foreign_party(docs: list[Prepared]) -> np.ndarray:
    """1 for each text that names a foreign party: a gazetteer mention of another country
    (not one of its products) or an international organisation
    (`model.keywords.CONTEXT_CUES["international"]`), else 0."""
    column = keyword_matcher().labels.index("international")
    return np.array([d.head_keywords[column] + d.body_keywords[column] > 0
                     or any(is_foreign_party(fm.mention) for fm in d.mentions)
                     for d in docs], dtype=float)


class TopicHead:
    """Cooperation areas and the faithfulness gate over the topics' text scores (mixed into `TaggerModel`)."""

    cooperation_areas: bool
    topic_gate: bool

    def _fit_area_precision(self, docs: list[Prepared], Y: np.ndarray) -> float:
        """P(topic labelled | cooperation article names it as an area), pooled over topics,
        with a Beta(1, 1) prior; 0 when `cooperation_areas` is off."""
        if not self.cooperation_areas:
            return 0.0
        n_topics = len(TOPICS)
        cooperating = np.flatnonzero(Y[:, n_topics] == 1)
        named = topic_areas([docs[i] for i in cooperating])
        Yt = Y[cooperating, :n_topics]
        pairs = named.astype(bool) & (Yt >= 0)
        return float((Yt[pairs].sum() + 1) / (pairs.sum() + 2))

    def _adjust_topics(self, docs: list[Prepared], out: np.ndarray) -> None:
        """In place: zero cooperation where the text names no technology or no foreign party
        (LABELING.md's second and third conditions; every cooperation row of the training files
        names a technology, and all but three named a foreign party the gazetteer or the
        international organisations knew before "Czech" and "châu Âu" joined them);
        raise the topics a probable cooperation story names as areas (noisy-OR with P(cooperation)
        x `area_precision_`); then zero the topics the text does not name."""
        n_topics = len(TOPICS)
        if getattr(self, "topic_gate", False):
            out[:, n_topics] *= names_technology(docs) * names_foreign_party(docs)
        precision = getattr(self, "area_precision_", 0.0)
        if precision:
            area = out[:, n_topics : n_topics + 1] * precision * topic_areas(docs)
            out[:, :n_topics] = 1.0 - (1.0 - out[:, :n_topics]) * (1.0 - area)
        if getattr(self, "topic_gate", False):
            out[:, :n_topics] *= topic_gate(docs)

    def area_terms(self, doc: Prepared, label: str, k: int = 3) -> list[str]:
        """The keywords by which `doc` names topic `label` as a cooperation area
        (empty when `cooperation_areas` is off)."""
        scorer = self._scorer(doc)
        if scorer is not self:
            return scorer.area_terms(doc, label, k)
        if not getattr(self, "area_precision_", 0.0) or label not in TOPICS or not doc.areas[TOPICS.index(label)]:
            return []
        return keyword_terms(doc, label, head=True, body=True)[:k]
