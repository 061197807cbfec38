"""Train the tagger: features, the unlabelled pool, thresholds, bundle."""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from model.bundle import DEFAULT_BUNDLE, runtime_versions, save_bundle
from model.estimator import COOPERATION, TOPICS, TaggerModel, label_names
from model.features import ArticlePreparer, Prepared
from model.pipeline import build_pipeline
from model.tagger import Tagger
from training.data import DEFAULT_DATA_DIR, file_identity, label_matrix, load_labelled, short_view
from training.evaluate import evaluate_views
from training.metrics import BIG_FOUR, families, score
from training.thresholds import tune_thresholds
from training.weak import (POOL_LABELS, keyword_labels, pool_sample, prepare_many, self_training_labels,
                           unlabelled)

log = logging.getLogger(__name__)
MODEL_VERSION_PREFIX = "vntag"
Extra = tuple[list[Prepared], np.ndarray, np.ndarray]


@dataclass
class TrainConfig:
    """Everything that decides a trained bundle (with the data files)."""

    data_dir: Path = DEFAULT_DATA_DIR
    train_file: str = "train.jsonl"
    dev_file: str = "dev.jsonl"
    pool_file: str = "pool.jsonl.gz"
    output: Path = DEFAULT_BUNDLE
    tokenizer: str = "syllable"
    use_pool: bool = True
    pool_labels: str = "none"
    pool_limit: int | None = None
    pool_weight: float = 0.3
    short_views: bool = True
    folds: int = 5
    cv_repeats: int = 3
    seed: int = 0
    model_params: dict[str, Any] = field(default_factory=dict)


def threshold_groups(labels: list[str]) -> dict[str, list[str]]:
    """Groups whose rare members share a pooled threshold."""
    groups = {t: [t] for t in TOPICS}
    groups[COOPERATION] = [COOPERATION]
    groups["countries"] = families(labels)["countries"]
    return groups


def _with_extra(docs: list[Prepared], Y: np.ndarray, weights: np.ndarray,
                extra: Extra | None) -> tuple[list[Prepared], np.ndarray, np.ndarray]:
    if extra is None:
        return docs, Y, weights
    return docs + extra[0], np.vstack([Y, extra[1]]), np.concatenate([weights, extra[2]])


def fit_model(docs: list[Prepared], Y: np.ndarray, params: dict[str, Any], seed: int,
              extra: Extra | None = None, features_from: TaggerModel | None = None) -> TaggerModel:
    """A `TaggerModel` fitted on gold `docs` plus the pool's `extra` rows."""
    X, Y, W = _with_extra(docs, Y, np.ones(len(docs)), extra)
    return TaggerModel(random_state=seed, **params).fit(X, Y, sample_weight=W, features_from=features_from)


def with_short_views(preparer: ArticlePreparer, rows: list[dict[str, Any]], docs: list[Prepared],
                     Y: np.ndarray) -> tuple[list[Prepared], np.ndarray, np.ndarray]:
    """`docs` (the prepared `rows`) and `Y`, followed by each article again as a news-feed
    item (`short_view`: title and summary) with the same labels, since the model must tag a
    headline with two sentences as well as an article; and the groups (`group_folds`) that
    keep an article and its view in one fold."""
    groups = np.arange(len(rows))
    return (docs + prepare_many(preparer, [short_view(r) for r in rows]), np.vstack([Y, Y]),
            np.concatenate([groups, groups]))


def group_folds(groups: np.ndarray, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """K-fold splits of rows that keep each group (an article and its short view) on one side."""
    groups = np.asarray(groups)
    unique = np.unique(groups)
    return [(np.flatnonzero(np.isin(groups, unique[fit])), np.flatnonzero(np.isin(groups, unique[held])))
            for fit, held in KFold(folds, shuffle=True, random_state=seed).split(unique)]


def out_of_fold(docs: list[Prepared], Y: np.ndarray, params: dict[str, Any], folds: int, seed: int,
                extra: Extra | None = None, features_from: TaggerModel | None = None, repeats: int = 1,
                groups: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold probabilities for the gold rows, averaged over `repeats`
    shuffles; pool rows (`extra`) only ever train. Rows of one `groups`
    value (default: each row its own) are held out together.

    With `features_from` (a model fitted on all articles), folds reuse its
    label-free vocabulary and LSA and refit only the classifiers.
    """
    groups = np.arange(len(docs)) if groups is None else groups
    P = np.zeros(Y.shape, dtype=float)
    for repeat in range(repeats):
        for fit_idx, held_idx in group_folds(groups, folds, seed + repeat):
            model = fit_model([docs[i] for i in fit_idx], Y[fit_idx], params, seed, extra, features_from)
            P[held_idx] += model.predict_proba([docs[i] for i in held_idx])
    return P / repeats


def cv_scores(Y: np.ndarray, P: np.ndarray, thresholds: dict[str, float], labels: list[str],
              n_articles: int) -> dict[str, dict[str, float]]:
    """Micro-F1 per family, and F1 of each topic and of the big four, of out-of-fold
    probabilities `P` at `thresholds`: ``whole`` for the first `n_articles` rows,
    ``feed_items`` for the rest (their short views), if any. Slightly optimistic
    when the thresholds were tuned on the same predictions, as `train` tunes them."""
    predicted = (P >= np.array([thresholds[label] for label in labels])).astype(int)
    parts = {"whole": slice(0, n_articles), "feed_items": slice(n_articles, None)}
    out: dict[str, dict[str, float]] = {}
    for view, part in parts.items():
        if not len(Y[part]):
            continue
        s = score(Y[part], predicted[part], labels)
        out[view] = {**{f"{name}_micro_f1": round(fam["micro_f1"], 4) for name, fam in s["families"].items()},
                     **{label: round(s["per_label"].get(label, {}).get("f1", 0.0), 4)
                        for label in (*TOPICS, *BIG_FOUR) if label in labels}}
    return out


def pool_extra(pool_docs: list[Prepared], mode: str, weight: float, labels: list[str],
               gold: tuple[list[Prepared], np.ndarray] | None = None, params: dict[str, Any] | None = None,
               seed: int = 0) -> Extra:
    """The pool's training rows for `mode` (see `training.weak.POOL_LABELS`).

    Raises
    ------
    ValueError
        If `mode` is unknown, or is "self" without `gold` articles to train on.
    """
    if mode == "none":
        Y = unlabelled(pool_docs, len(labels))
    elif mode == "keywords":
        Y = keyword_labels(pool_docs, labels)
    elif mode == "self" and gold is not None:
        teacher = fit_model(gold[0], gold[1], params or {}, seed, (pool_docs, unlabelled(pool_docs, len(labels)),
                                                                   np.full(len(pool_docs), weight)))
        Y = self_training_labels(teacher, pool_docs)
    else:
        raise ValueError(f"pool_labels must be one of {POOL_LABELS} (self needs gold articles), not {mode!r}")
    return pool_docs, Y, np.full(len(pool_docs), weight)


def model_version(when: dt.datetime, train_sha: str) -> str:
    """``vntag-<UTC date and minute of training>-<first 8 hex of train.jsonl's sha256>``:
    two models trained the same day from the same data still differ."""
    return f"{MODEL_VERSION_PREFIX}-{when:%Y%m%dT%H%M}-{train_sha[:8]}"


def train(config: TrainConfig) -> Tagger:
    """Train on `config.train_file`, tune thresholds by cross-validation on it,
    score on `config.dev_file` when present, and write the bundle.

    Raises
    ------
    OSError
        If the training file cannot be read.
    ValueError
        If a data line is not JSON or the pool mode is unknown.
    """
    data_dir = Path(config.data_dir)
    train_path = data_dir / config.train_file
    rows = load_labelled(train_path)
    labels = label_names()
    Y = label_matrix(rows, labels)
    pipeline = build_pipeline(config.tokenizer, random_state=config.seed, **config.model_params)
    preparer: ArticlePreparer = pipeline.named_steps["prepare"].fit(rows)
    docs = prepare_many(preparer, rows)
    groups = np.arange(len(rows))
    if config.short_views:
        docs, Y, groups = with_short_views(preparer, rows, docs, Y)
    log.info("prepared %d training articles (%d rows)", len(rows), len(docs))

    data_files = [file_identity(train_path)]
    extra = None
    pool_path = data_dir / config.pool_file
    if config.use_pool and pool_path.exists():
        pool_docs = prepare_many(preparer, pool_sample(pool_path, limit=config.pool_limit, seed=config.seed))
        extra = pool_extra(pool_docs, config.pool_labels, config.pool_weight, labels, (docs, Y),
                           config.model_params, config.seed)
        data_files.append(file_identity(pool_path))
        log.info("pool articles used: %d (labels: %s)", len(pool_docs), config.pool_labels)

    model = fit_model(docs, Y, config.model_params, config.seed, extra)
    P = out_of_fold(docs, Y, config.model_params, config.folds, config.seed, extra, model, config.cv_repeats, groups)
    thresholds = tune_thresholds(Y, P, labels, threshold_groups(labels))
    pipeline.steps[-1] = ("tag", model)

    now = dt.datetime.now(dt.timezone.utc)
    manifest: dict[str, Any] = {
        "trained_at": now.isoformat(timespec="seconds"),
        "training_data": data_files,
        "config": {k: v for k, v in asdict(config).items() if k not in ("data_dir", "output")},
        "versions": runtime_versions(),
        # The out-of-fold predictions the thresholds were tuned on, scored: a second
        # estimate beside dev's, on more articles (train's), slightly optimistic.
        "cv_metrics": {"folds": config.folds, "repeats": config.cv_repeats,
                       **cv_scores(Y, P, thresholds, labels, len(rows))},
    }
    tagger = Tagger(pipeline, labels, thresholds, model_version(now, data_files[0]["sha256"]), manifest)
    dev_path = data_dir / config.dev_file
    if dev_path.exists():
        reports = evaluate_views(tagger, load_labelled(dev_path))
        article, short = reports["article"]["model"], reports["short"]["model"]
        manifest["dev_metrics"] = {"file": file_identity(dev_path), **article["families"], "ece": article["ece"],
                                   "short": {**short["families"], "ece": short["ece"]}}
    save_bundle(tagger, config.output)
    return tagger
