"""Using the unlabelled pool: sampling it, and weak labels from rules or a model.

The pool always adds vocabulary and the latent-semantic block (its articles
enter training with every label unknown, -1). Optionally some labels are
filled in: by keyword rules (`keyword_labels`) or by a model trained on the
gold articles (`self_training_labels`). `python -m training.experiments`
measures each choice on dev; the training default keeps only what helps.
"""
from __future__ import annotations

import random
import signal
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from model.estimator import TaggerModel
from model.labels import COOPERATION, TOPICS
from model.features import ArticlePreparer, Prepared, cue_features, cue_names
from model.keywords import keyword_matcher
from service.lifeline import Parent, die_with_parent, pool_start_method, usable_cores
from training.data import read_jsonl

UNKNOWN = -1
POOL_LABELS = ("none", "keywords", "self")
_TECH_HINTS = ("công nghệ", "5g", " ai ", "trí tuệ nhân tạo", "bán dẫn", "chip", "an ninh mạng", "an toàn thông tin",
               "tin tặc", "hacker", "mã độc", "viễn thông", "số hóa", "chuyển đổi số", "phần mềm", "internet")


def _is_candidate(row: dict) -> bool:
    text = f" {row.get('title') or ''} {row.get('lead') or ''} {row.get('text') or ''} ".lower()
    return any(h in text for h in _TECH_HINTS)


def pool_sample(pool_path: str | Path, limit: int | None = None, negatives: int = 3000, seed: int = 0) -> list[dict]:
    """Pool articles worth learning from: every one with a technology hint,
    plus `negatives` others drawn at random (seeded). `limit` caps the rows read."""
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
    return kept + rng.sample(others, min(negatives, len(others)))


def recent_sample(path: str | Path, limit: int, seed: int = 0) -> list[dict]:
    """`limit` news-feed items of `path` (pool_recent.jsonl.gz) drawn at random (seeded), in
    file order: their title and summary as an article."""
    rows = [{"title": r.get("title"), "lead": r.get("lead"), "text": r["body"]}
            for r in read_jsonl(path) if (r.get("body") or "").strip()]
    keep = sorted(random.Random(seed).sample(range(len(rows)), min(limit, len(rows))))
    return [rows[i] for i in keep]


def _prepare_chunk(preparer: ArticlePreparer, rows: list[dict]) -> list[Prepared]:
    return preparer.transform(rows)


def _init_preparer(parent: Parent, forked: bool) -> None:
    """Set up a preparing process: it ends with `parent`; Ctrl-C is the parent's to handle."""
    die_with_parent(parent, forked=forked)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def prepare_many(preparer: ArticlePreparer, rows: list[dict], n_jobs: int = -1) -> list[Prepared]:
    """`preparer.transform(rows)` spread over `n_jobs` processes (below 1: one per core this
    process may use), order kept.

    The processes end with this one however it ends, a SIGKILL included (`service.lifeline`),
    and are shut down before the call returns or raises (joblib's reusable workers outlived a
    killed `tagger train`).

    Raises what `preparer.transform` raises, or BrokenProcessPool if a process died.
    """
    chunks = [rows[i:i + 500] for i in range(0, len(rows), 500)]
    jobs = min(len(chunks), usable_cores() if n_jobs < 1 else n_jobs)
    if jobs <= 1:
        return [d for chunk in chunks for d in _prepare_chunk(preparer, chunk)]
    method = pool_start_method()
    pool = ProcessPoolExecutor(jobs, mp_context=get_context(method), initializer=_init_preparer,
                               initargs=(Parent.this_process(), method == "fork"))
    try:
        prepared = list(pool.map(partial(_prepare_chunk, preparer), chunks))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [d for chunk in prepared for d in chunk]


def unlabelled(docs: list[Prepared], n_labels: int) -> np.ndarray:
    """Every label unknown: the articles only add vocabulary and LSA."""
    return np.full((len(docs), n_labels), UNKNOWN, dtype=int)


def weak_label(doc: Prepared, labels: list[str]) -> np.ndarray:
    """One row over `labels` from keyword rules: 1 or 0 where confident, else -1.

    Topic t: positive when its keywords occur in the title or lead and at
    least twice in the body, or at least four times in the body; negative
    when they occur nowhere. Cooperation: positive when a cooperation
    keyword is in the title or lead, Vietnam and a foreign country are both
    mentioned, and some topic is positive; negative when no cooperation
    keyword occurs or no foreign country is mentioned. Countries and partners: unknown.
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
    cues = dict(zip(cue_names(), cue_features(doc)))
    coop = head[COOPERATION] + body[COOPERATION]
    home, foreign = cues["mentions:VN"], cues["mentions:top_foreign"]
    if head[COOPERATION] >= 1 and home > 0 and foreign > 0 and positive_topic:
        row[col[COOPERATION]] = 1
    elif coop == 0 or foreign == 0:
        row[col[COOPERATION]] = 0
    return row


def keyword_labels(docs: list[Prepared], labels: list[str]) -> np.ndarray:
    """`weak_label` for every article."""
    return np.vstack([weak_label(d, labels) for d in docs]) if docs else unlabelled(docs, len(labels))


def self_training_labels(model: TaggerModel, docs: list[Prepared], high: float = 0.9, low: float = 0.05) -> np.ndarray:
    """Topic and cooperation labels where `model` (trained on gold) is confident:
    1 at or above `high`, 0 at or below `low`, else unknown. Countries and partners: unknown."""
    P = model.predict_proba(docs)
    Y = unlabelled(docs, P.shape[1])
    cols = [model.labels_.index(label) for label in (*TOPICS, COOPERATION)]  # found by name, not position
    Y[:, cols] = np.where(P[:, cols] >= high, 1, np.where(P[:, cols] <= low, 0, UNKNOWN))
    return Y
