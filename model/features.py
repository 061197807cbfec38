"""Turn raw articles into what the classifiers read.

`ArticlePreparer` normalises and tokenises each article once and finds its
gazetteer mentions; the vectorisers and the country model then read the
prepared records (`Prepared`) instead of redoing that work.
"""
from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from model.article import Article, to_article
from model.gazetteer import GROUPS, HOME, PARTIES, Gazetteer, Mention, is_foreign_party, load_gazetteer
from model.keywords import KEYWORDS, keyword_matcher
from model.text import normalize, tokenize

FIELDS = ("title", "lead", "body")
# The topic labels, in the order of `model.estimator.TOPICS`.
AREA_TOPICS = tuple(label for label in KEYWORDS if label != "cooperation")
_SENTENCE_END = re.compile(r"[.!?;\n]+")
# Bodies shorter than this many characters are a summary, not an article (a news-feed item).
SHORT_BODY = 600


@dataclass(frozen=True)
class FieldMention:
    """A gazetteer mention inside one field of an article."""

    field: str
    mention: Mention


@dataclass(frozen=True)
class Prepared:
    """A normalised article: texts, space-joined tokens and gazetteer mentions."""

    title: str
    lead: str
    body: str
    head_tokens: str
    body_tokens: str
    mentions: tuple[FieldMention, ...]
    head_keywords: tuple[int, ...]
    body_keywords: tuple[int, ...]
    cooperation_cues: tuple[int, ...] = (0, 0, 0, 0, 0)
    areas: tuple[int, ...] = (0, 0, 0, 0)
    cooperation_sentences: tuple[int, ...] = ()  # numbers (`sentence_ends`) of the body's sentences with a cooperation word
    body_ends: tuple[int, ...] = ()  # `sentence_ends(body)`, found once here for every reader

    @property
    def length(self) -> int:
        return len(self.title) + len(self.lead) + len(self.body)


def is_short(doc: Prepared) -> bool:
    """Is `doc` a news-feed item (a summary under `SHORT_BODY` characters) rather than an article?"""
    return len(doc.body) < SHORT_BODY


def prepare(article: Article | Mapping[str, Any], tokenizer: str = "syllable",
            gazetteer: Gazetteer | None = None) -> Prepared:
    """Normalise, tokenise and scan one article (with the shipped gazetteer unless
    another is given, as `training.country_cv` does to compare them).

    Raises
    ------
    InputError
        If the article has no usable `text` (see `model.article.to_article`).
    """
    art = to_article(article)
    gazetteer = load_gazetteer() if gazetteer is None else gazetteer
    texts = {"title": normalize(art.title), "lead": normalize(art.lead), "body": normalize(art.text)}
    mentions = tuple(
        FieldMention(field, m) for field in FIELDS for m in gazetteer.find(texts[field])
    )
    head = tokenize(texts["title"], tokenizer) + tokenize(texts["lead"], tokenizer)
    matcher = keyword_matcher()
    # One keyword scan per field; counts, cooperation cues and areas all read it.
    found = {field: matcher.labelled_spans(texts[field]) for field in FIELDS}
    ends = {field: sentence_ends(texts[field]) for field in FIELDS}
    head_kw = matcher.label_counts(found["title"] + found["lead"])
    body_kw = matcher.label_counts(found["body"])
    return Prepared(
        title=texts["title"],
        lead=texts["lead"],
        body=texts["body"],
        head_tokens=" ".join(head),
        body_tokens=" ".join(tokenize(texts["body"], tokenizer)),
        mentions=mentions,
        head_keywords=tuple(head_kw[k] for k in matcher.labels),
        body_keywords=tuple(body_kw[k] for k in matcher.labels),
        cooperation_cues=cooperation_cues(mentions, found["body"], ends["body"]),
        areas=named_areas(found, ends),
        cooperation_sentences=tuple(sorted({bisect.bisect_right(ends["body"], start)
                                            for start, _, labels in found["body"] if "cooperation" in labels})),
        body_ends=tuple(ends["body"]),
    )


Spans = list[tuple[int, int, tuple[str, ...]]]


def sentence_ends(text: str) -> list[int]:
    """Offsets where `text`'s sentences end; `bisect_right(ends, offset)` numbers an offset's sentence."""
    return [m.end() for m in _SENTENCE_END.finditer(text)]


def cooperation_cues(mentions: tuple[FieldMention, ...], body_keywords: Spans,
                     ends: list[int]) -> tuple[int, int, int, int, int]:
    """Where Vietnam, a foreign party (a mention other than a product, or an international
    organisation) and a cooperation word meet
    (`body_keywords`: `KeywordMatcher.labelled_spans` of the body; `ends`:
    its `sentence_ends`).

    Returns the number of body sentences naming both Vietnam and a foreign
    country; naming a foreign country and a cooperation word; naming all
    three; and 1 if the title or lead names both Vietnam and a foreign country; and the
    number naming all three and a technology (a topic keyword or a technology cue).
    """
    home: set[int] = set()
    foreign: set[int] = set()
    head_home = head_foreign = False
    for fm in mentions:
        is_home = fm.mention.code == HOME
        if fm.mention.group not in PARTIES:
            continue
        if fm.field != "body":
            head_home |= is_home
            head_foreign |= not is_home
            continue
        (home if is_home else foreign).add(bisect.bisect_right(ends, fm.mention.start))
    # An international organisation is a foreign party too (LABELING.md), though it has no code.
    foreign |= {bisect.bisect_right(ends, start) for start, _, labels in body_keywords if "international" in labels}
    coop = {bisect.bisect_right(ends, start) for start, _, labels in body_keywords if "cooperation" in labels}
    tech = {bisect.bisect_right(ends, start) for start, _, labels in body_keywords
            if "technology" in labels or any(label in AREA_TOPICS for label in labels)}
    return (len(home & foreign), len(coop & foreign), len(coop & home & foreign), int(head_home and head_foreign),
            len(coop & home & foreign & tech))


def named_areas(found: dict[str, Spans], ends: dict[str, list[int]]) -> tuple[int, ...]:
    """1 for each of `AREA_TOPICS` named as an area: in a sentence that also
    names another topic or a cooperation word ("hợp tác về 5G, AI");
    `found` holds each field's `KeywordMatcher.labelled_spans`, `ends` its `sentence_ends`."""
    named: set[str] = set()
    for field in FIELDS:
        sentences: dict[int, set[str]] = {}
        for start, _, labels in found[field]:
            sentences.setdefault(bisect.bisect_right(ends[field], start), set()).update(labels)
        for labels in sentences.values():
            topics = labels.intersection(AREA_TOPICS)
            if len(topics) > 1 or (topics and "cooperation" in labels):
                named |= topics
    return tuple(int(t in named) for t in AREA_TOPICS)


class ArticlePreparer(TransformerMixin, BaseEstimator):
    """Map raw articles (mappings or `Article`) to `Prepared` records.

    Parameters
    ----------
    tokenizer : {"syllable", "word"}
        Syllables split on word characters, or underthesea's word segmentation.
    """

    def __init__(self, tokenizer: str = "syllable"):
        self.tokenizer = tokenizer

    def fit(self, X: Iterable[Any], y: Any = None) -> "ArticlePreparer":
        self.n_features_in_ = 1
        return self

    def transform(self, X: Iterable[Any]) -> list[Prepared]:
        return [x if isinstance(x, Prepared) else prepare(x, self.tokenizer) for x in X]


def head_tokens(docs: list[Prepared]) -> list[str]:
    """Title and lead tokens of each prepared article."""
    return [d.head_tokens for d in docs]


def body_tokens(docs: list[Prepared]) -> list[str]:
    """Body tokens of each prepared article."""
    return [d.body_tokens for d in docs]


def cue_names() -> list[str]:
    """Names of the columns of `cue_features`, as ``"<kind>:<label>"``."""
    labels = keyword_matcher().labels
    return ([f"head_keywords:{k}" for k in labels] + [f"body_keywords:{k}" for k in labels]
            + [f"keyword_density:{k}" for k in labels]
            + ["mentions:VN", "mentions:top_foreign", "mentions:n_foreign", "mentions:VN_and_foreign"]
            + ["sentences:VN_with_foreign", "sentences:cooperation_with_foreign",
               "sentences:cooperation_VN_foreign", "head:VN_with_foreign", "sentences:cooperation_VN_foreign_tech"]
            + ["length:body_kchars", "length:short"])


def cue_features(doc: Prepared) -> list[float]:
    """Dense cues for the text models: keyword counts per label in head and
    body, keyword density, and how much the article is about Vietnam and abroad."""
    kb = max(1.0, len(doc.body) / 1000)
    row = [math.log1p(n) for n in doc.head_keywords]
    row += [math.log1p(n) for n in doc.body_keywords]
    row += [math.log1p(n / kb) for n in doc.body_keywords]
    home = sum(1 for fm in doc.mentions if fm.mention.code == HOME)
    foreign: dict[str, int] = {}
    for fm in doc.mentions:
        if is_foreign_party(fm.mention):
            foreign[fm.mention.code] = foreign.get(fm.mention.code, 0) + 1
    top = max(foreign.values(), default=0)
    row += [math.log1p(home), math.log1p(top), math.log1p(len(foreign)), float(home > 0 and top > 0)]
    row += [math.log1p(n) for n in doc.cooperation_cues]
    # A headline with a short summary says less than a whole article: let the
    # models move their baseline with the length of the text.
    row += [math.log1p(len(doc.body) / 1000), float(is_short(doc))]
    return row


# --- country pair features ---------------------------------------------------

PAIR_FEATURES = (
    [f"{g}_{f}" for g in GROUPS for f in FIELDS]
    + ["total", "share", "rank", "is_top", "ratio_to_top", "first_pos", "in_opening", "sentence_share",
       "listed_share", "title_names_others", "n_countries", "home_mentions", "log_length"]
)
# Between two countries of a list: "Mỹ, Nhật Bản và Hàn Quốc".
_LIST_GAP = re.compile(r"\s*(?:,|;|/|và|hay|hoặc|cùng|-|–)?\s*")


def _listed(doc: Prepared) -> set[int]:
    """Indexes (into `doc.mentions`) of foreign mentions that stand in a list of countries."""
    texts = {"title": doc.title, "lead": doc.lead, "body": doc.body}
    listed: set[int] = set()
    previous: dict[str, tuple[int, FieldMention]] = {}
    for k, fm in enumerate(doc.mentions):
        if fm.mention.code == HOME:
            continue
        prev = previous.get(fm.field)
        if prev is not None:
            j, pm = prev
            gap = texts[fm.field][pm.mention.end:fm.mention.start]
            if pm.mention.code != fm.mention.code and pm.mention.end <= fm.mention.start and _LIST_GAP.fullmatch(gap):
                listed.update((j, k))
        previous[fm.field] = (k, fm)
    return listed


def country_pairs(doc: Prepared) -> tuple[list[str], np.ndarray]:
    """Codes of the foreign countries mentioned in `doc` and one feature row each.

    The rows follow `PAIR_FEATURES`: how often and where the country's names,
    places and actors occur, whether they stand in lists of countries (a
    passing mention), and how the country ranks against the others.
    """
    counts: dict[str, dict[str, float]] = {}
    first: dict[str, float] = {}
    sentences: dict[str, set[int]] = {}
    home = 0
    offsets = {"title": 0, "lead": len(doc.title) + 1, "body": len(doc.title) + len(doc.lead) + 2}
    total_len = max(1, doc.length + 2)
    opening = offsets["body"] + max(300, len(doc.body) // 5)
    ends = doc.body_ends
    listed = _listed(doc)
    title_codes = {fm.mention.code for fm in doc.mentions if fm.field == "title" and fm.mention.code != HOME}
    for k, fm in enumerate(doc.mentions):
        m = fm.mention
        if m.code == HOME:
            home += 1
            continue
        c = counts.setdefault(m.code, {key: 0.0 for key in PAIR_FEATURES})
        c[f"{m.group}_{fm.field}"] += 1
        if m.group not in PARTIES:
            continue  # a product counts in its own columns only: in a spec line or a list it is passing
        c["total"] += 1
        c["listed_share"] += k in listed
        pos = offsets[fm.field] + m.start
        first[m.code] = min(first.get(m.code, 1.0), pos / total_len)
        if pos < opening:
            c["in_opening"] += 1
        if fm.field == "body":
            sentences.setdefault(m.code, set()).add(bisect.bisect_right(ends, m.start))
    if not counts:
        return [], np.zeros((0, len(PAIR_FEATURES)))
    codes = sorted(counts, key=lambda k: (-counts[k]["total"], k))
    grand = max(sum(c["total"] for c in counts.values()), 1.0)
    top = max(counts[codes[0]]["total"], 1.0)
    n_sent = len(ends) + 1
    rows = []
    for rank, code in enumerate(codes, start=1):
        c = counts[code]
        row = {k: math.log1p(v) for k, v in c.items()}
        row["share"] = c["total"] / grand
        row["rank"] = float(rank)
        row["is_top"] = float(c["total"] == top)
        row["ratio_to_top"] = c["total"] / top
        row["listed_share"] = c["listed_share"] / max(c["total"], 1.0)
        row["title_names_others"] = float(bool(title_codes) and code not in title_codes)
        row["first_pos"] = first.get(code, 1.0)
        row["sentence_share"] = len(sentences.get(code, ())) / n_sent
        row["n_countries"] = math.log1p(len(codes))
        row["home_mentions"] = math.log1p(home)
        row["log_length"] = math.log1p(doc.length)
        rows.append([row[k] for k in PAIR_FEATURES])
    return codes, np.asarray(rows, dtype=float)
