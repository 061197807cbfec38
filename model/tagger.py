"""`Tagger`: a fitted pipeline with its labels and thresholds, tagging articles."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from model.features import SHORT_BODY, Prepared, is_short
from model.heads.text import keyword_terms
from model.labels import COOPERATION, PARTNER_PREFIX, TOPICS, is_partner
from model.lexicon import lexicon_state

EVIDENCE_TERMS = 5


@dataclass
class Tagger:
    """Tags articles with countries, topics, cooperation and partners, with scores and evidence.

    `pipeline` maps raw articles to probabilities (`predict_proba`) over
    `labels`; a label is given when its probability reaches its threshold:
    `short_thresholds` for news-feed items (`model.features.is_short`) when
    set, else `thresholds`. A partner is given only with cooperation, and is
    then one of the countries too (LABELING.md).
    """

    pipeline: Pipeline
    labels: list[str]
    thresholds: dict[str, float]
    version: str
    manifest: dict[str, Any] = field(default_factory=dict)
    short_thresholds: dict[str, float] | None = None

    @property
    def model(self) -> Any:
        return self.pipeline.steps[-1][1]

    def prepare(self, articles: Sequence[Mapping[str, Any]]) -> list[Prepared]:
        """Normalise and tokenise articles.

        Raises
        ------
        InputError
            If an article has no usable `text`.
        """
        return self.pipeline[:-1].transform(list(articles))

    def tag_many(self, articles: Sequence[Mapping[str, Any]], explain: bool = False) -> list[dict[str, Any]]:
        """Tag a batch of articles; one result record per article, in order.

        Raises
        ------
        InputError
            If any article has no usable `text` (callers that must not lose
            the rest validate each article first with `model.article.to_article`).
        """
        docs = self.prepare(articles)
        if not docs:
            return []
        proba = self.model.predict_proba(docs)
        given = self.decide(proba, [is_short(d) for d in docs])
        return [self._record(a, d, p, g, explain) for a, d, p, g in zip(articles, docs, proba, given)]

    def tag(self, article: Mapping[str, Any], explain: bool = False) -> dict[str, Any]:
        """Tag one article (see `tag_many`)."""
        return self.tag_many([article], explain=explain)[0]

    def decide(self, proba: np.ndarray, short: Sequence[bool] | np.ndarray | None = None) -> np.ndarray:
        """Indicator matrix of `proba` (rows: articles, columns: `labels`): each label's
        probability against its threshold (the short one on rows `short` marks), a partner
        only where cooperation is given, and each given partner's country given too."""
        proba = np.asarray(proba)
        limits, short_limits, partners, cooperation, countries = self._decision_columns()
        if short_limits is not None and short is not None and np.any(short):
            limits = np.where(np.asarray(short, dtype=bool)[:, None], short_limits, limits)
        given = (proba >= limits).astype(int)
        if partners:
            given[:, partners] *= given[:, [cooperation]]
            given[:, countries] |= given[:, partners]
        return given

    def _decision_columns(self) -> tuple[np.ndarray, np.ndarray | None, list[int], int, list[int]]:
        """The threshold vectors (long, short or None), the partner columns, cooperation's
        column and each partner's country column; built once per `labels` and thresholds
        objects, not per call (assign a new list or dict to change them, do not edit one in place).

        Raises KeyError if a label has no threshold.
        """
        key = (self.labels, self.thresholds, self.short_thresholds)
        cached = self.__dict__.get("_decision_cache")
        if cached is not None and all(old is new for old, new in zip(cached[0], key)):
            return cached[1]
        limits = np.array([self.thresholds[label] for label in self.labels])
        short_limits = (None if self.short_thresholds is None
                        else np.array([self.short_thresholds[label] for label in self.labels]))
        col = {label: j for j, label in enumerate(self.labels)}
        partners = [j for j, label in enumerate(self.labels) if is_partner(label)]
        countries = [col[self.labels[j][len(PARTNER_PREFIX):]] for j in partners]
        built = (limits, short_limits, partners, col[COOPERATION] if partners else -1, countries)
        self.__dict__["_decision_cache"] = (key, built)
        return built

    def _record(self, article: Mapping[str, Any], doc: Prepared, proba: np.ndarray, decided: np.ndarray,
                explain: bool) -> dict[str, Any]:
        given = [label for label, g in zip(self.labels, decided) if g]
        ident = article.get("id") if isinstance(article, Mapping) else getattr(article, "id", None)
        record: dict[str, Any] = {
            "id": None if ident is None else str(ident),
            "countries": [g for g in given if g not in TOPICS and g != COOPERATION and not is_partner(g)],
            "topics": [g for g in given if g in TOPICS],
            "cooperation": COOPERATION in given,
            "partners": [g[len(PARTNER_PREFIX):] for g in given if is_partner(g)],
            "scores": {label: round(float(p), 4) for label, p in zip(self.labels, proba)},
            "model_version": self.version,
        }
        if explain:
            evidence = {label: self.evidence(doc, label) for label in given}
            if COOPERATION in given:
                # In a cooperation story, a topic may be given for being named as an area.
                for label in record["topics"]:
                    areas = self.model.area_terms(doc, label)
                    evidence[label] = list(dict.fromkeys(areas + evidence[label]))[:EVIDENCE_TERMS]
            record["evidence"] = evidence
        return record

    def evidence(self, doc: Prepared, label: str) -> list[str]:
        """Terms of `doc` behind `label`: top n-grams for topics and cooperation,
        the names, places and actors found for a country."""
        if label in TOPICS or label == COOPERATION:
            return self.model.text_evidence(doc, label, EVIDENCE_TERMS)
        if is_partner(label):
            # The partner's names, then the cooperation words the text reports.
            named = self.evidence(doc, label[len(PARTNER_PREFIX):])
            words = keyword_terms(doc, COOPERATION, head=True, body=True)
            return list(dict.fromkeys(named[:3] + words))[:EVIDENCE_TERMS]
        counts: dict[str, int] = {}
        for fm in doc.mentions:
            if fm.mention.code == label:
                counts[fm.mention.surface] = counts.get(fm.mention.surface, 0) + 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])[:EVIDENCE_TERMS]
        return [f"{surface} (x{n})" if n > 1 else surface for surface, n in ranked]

    def info(self) -> dict[str, Any]:
        """What the model is: labels, thresholds, version, training data, metrics."""
        return {
            "model_version": self.version,
            "labels": list(self.labels),
            "thresholds": dict(self.thresholds),
            "short_thresholds": dict(self.short_thresholds or self.thresholds),
            **{k: v for k, v in self.manifest.items() if k not in ("bundle_sha256", "bundle_bytes")},
            "lexicon": lexicon_state(self.manifest),
        }

    def warm_up(self) -> None:
        """Tag a feed item and a whole article, so that both paths a request can take (the
        short-input twin and the whole-article model) run once and build their caches
        before the first request, and before workers are forked."""
        item = {"title": "Việt Nam và Nhật Bản", "text": "Hợp tác về trí tuệ nhân tạo và bán dẫn."}
        sentence = "Doanh nghiệp Việt Nam và Nhật Bản hợp tác về 5G, trí tuệ nhân tạo, bán dẫn và an ninh mạng. "
        article = {"title": item["title"], "text": sentence * (SHORT_BODY // len(sentence) + 1)}
        for one in (item, article):
            self.tag(one, explain=True)
