"""Weak labels for the unlabelled pool, from keyword and gazetteer rules.

A pool article gets a label only where a rule is confident; elsewhere the
label is unknown (-1) and the article does not train that label. Countries
are never weakly labelled: the country model learns from gold pairs only.
"""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed

from model.estimator import COOPERATION, TOPICS
from model.features import ArticlePreparer, Prepared, cue_features
from model.keywords import keyword_matcher
from training.data import read_jsonl

UNKNOWN = -1
_TECH_HINTS = ("công nghệ", "5g", " ai ", "trí tuệ nhân tạo", "bán dẫn", "chip", "an ninh mạng", "an toàn thông tin",
               "tin tặc", "hacker", "mã độc", "viễn thông", "số hóa", "chuyển đổi số", "phần mềm", "internet")


def _is_candidate(row: dict) -> bool:
    text = f" {row.get('title', '')} {row.get('lead', '')} {row.get('body', '')} ".lower()
    return any(h in text for h in _TECH_HINTS)


def weak_label(doc: Prepared, labels: list[str]) -> np.ndarray:
    """One row over `labels`: 1 or 0 where a rule is confident, else -1.

    Topic t: positive when its keywords occur in the title or lead and at
    least twice in the body, or at least four times in the body; negative
    when they occur nowhere. Cooperation: positive when a cooperation
    keyword is in the title or lead, Vietnam and a foreign country are both
    mentioned, and some topic is positive; negative when no cooperation
    keyword occurs or no foreign country is mentioned.
    """
    matcher = keyword_matcher()
    row = np.full(len(labels), UNKNOWN, dtype=int)
    head = dict(zip(matcher.labels, doc.head_keywords))
    body = dict(zip(matcher.labels, doc.body_keywords))
    col = {label: j for j, label in enumerate(labels)}
    positive_topic = False
    for t in TOPICS:
        if (head[t] >= 1 and body[t] >= 2) or body[t] >= 4:
            row[col[t]] = 1
            positive_topic = True
        elif head[t] + body[t] == 0:
            row[col[t]] = 0
    cues = cue_features(doc)
    home, foreign = cues[-4], cues[-3]
    coop = head[COOPERATION] + body[COOPERATION]
    if head[COOPERATION] >= 1 and home > 0 and foreign > 0 and positive_topic:
        row[col[COOPERATION]] = 1
    elif coop == 0 or foreign == 0:
        row[col[COOPERATION]] = 0
    return row


def _prepare_chunk(preparer: ArticlePreparer, rows: list[dict]) -> list[Prepared]:
    return preparer.transform(rows)


def weak_examples(pool_path: str | Path, preparer: ArticlePreparer, labels: list[str], limit: int | None = None,
                  weight: float = 0.3, negatives: int = 3000, seed: int = 0,
                  n_jobs: int = -1) -> tuple[list[Prepared], np.ndarray, np.ndarray]:
    """Prepared pool articles with weak labels and their sample weights.

    Keeps every pool article with a technology hint and `negatives` others
    drawn at random (seeded); `limit` caps the pool read, for quick runs.
    """
    rng = random.Random(seed)
    kept: list[dict] = []
    others: list[dict] = []
    for i, row in enumerate(read_jsonl(pool_path)):
        if limit is not None and i >= limit:
            break
        if not (row.get("body") or "").strip():
            continue
        row = {"title": row.get("title"), "lead": row.get("lead"), "text": row["body"]}
        (kept if _is_candidate(row) else others).append(row)
    kept += rng.sample(others, min(negatives, len(others)))
    chunks = [kept[i:i + 500] for i in range(0, len(kept), 500)]
    prepared = Parallel(n_jobs=n_jobs)(delayed(_prepare_chunk)(preparer, c) for c in chunks)
    docs = [d for chunk in prepared for d in chunk]
    Y = np.vstack([weak_label(d, labels) for d in docs]) if docs else np.zeros((0, len(labels)), int)
    return docs, Y, np.full(len(docs), weight)
