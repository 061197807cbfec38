"""Train the tagger: features, the unlabelled pool, thresholds, bundle."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from model.bundle import DEFAULT_BUNDLE, runtime_versions, save_bundle
from model.estimator import TaggerModel
from model.labels import BIG_FOUR, TOPICS, label_names
from model.lexicon import lexicon_sha256
from model.features import ArticlePreparer, Prepared, is_short
from model.pipeline import build_pipeline
from model.tagger import Tagger
from training.data import DEFAULT_DATA_DIR, file_identity, label_matrix, load_labelled, month_groups, short_view
from training.evaluate import DEV_SETS, evaluate_rows
from training.metrics import score
from training.thresholds import thresholds_by_kind
from training.weak import (POOL_LABELS, keyword_labels, pool_sample, prepare_many, recent_sample,
                           self_training_labels, unlabelled)

log = logging.getLogger(__name__)
DEV_FILES = tuple(DEV_SETS)
MODEL_VERSION_PREFIX = "vntag"
Extra = tuple[list[Prepared], np.ndarray, np.ndarray]


@dataclass
class TrainConfig:
    """Everything that decides a trained bundle (with the data files)."""

    data_dir: Path = DEFAULT_DATA_DIR
    # Whole articles and real news-feed items: each kind learns from its own kind.
    train_files: tuple[str, ...] = ("train.jsonl", "train_short.jsonl")
    dev_files: tuple[str, ...] = DEV_FILES
    pool_file: str = "pool.jsonl.gz"
    # 2025-26 feed items, unlabelled: their vocabulary and latent directions.
    recent_file: str = "pool_recent.jsonl.gz"
    recent_limit: int | None = 20_000
    output: Path = DEFAULT_BUNDLE
    tokenizer: str = "syllable"
    use_pool: bool = True
    pool_labels: str = "none"
    pool_limit: int | None = None
    pool_weight: float = 0.3
    short_views: bool = False
    per_kind_thresholds: bool = True
    # Cross-validation holds each month's feed items out together (`month_groups`).
    month_folds: bool = False
    folds: int = 5
    cv_repeats: int = 3
    seed: int = 0
    model_params: dict[str, Any] = field(default_factory=dict)


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
    """`docs` (the prepared `rows`) and `Y`, followed by each whole article again as a
    synthetic news-feed item (`short_view`: title and summary) with the article's labels;
    and the groups (`group_folds`) that keep an article and its view in one fold."""
    groups = np.arange(len(rows))
    whole = [i for i, d in enumerate(docs) if not is_short(d)]
    views = prepare_many(preparer, [short_view(rows[i]) for i in whole])
    return docs + views, np.vstack([Y, Y[whole]]), np.concatenate([groups, groups[whole]])


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


def cv_scores(Y: np.ndarray, predicted: np.ndarray, labels: list[str],
              short: np.ndarray) -> dict[str, dict[str, float]]:
    """Micro-F1 per family, and F1 of each topic and of the big four, of out-of-fold
    decisions `predicted` (`Tagger.decide`): ``whole`` for whole articles, ``feed_items``
    for the `short` rows, if any. Slightly optimistic when the thresholds were tuned on the
    same predictions, as `train` tunes them."""
    parts = {"whole": ~short, "feed_items": short}
    out: dict[str, dict[str, float]] = {}
    for view, part in parts.items():
        if not part.any():
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
    """``vntag-<UTC date and minute of training>-<first 8 hex of the training data's sha256>``
    (`training_sha`): two models trained the same day from the same data still differ."""
    return f"{MODEL_VERSION_PREFIX}-{when:%Y%m%dT%H%M}-{train_sha[:8]}"


def training_sha(files: list[dict[str, Any]]) -> str:
    """One sha256 for the labelled training files (`file_identity` records): the file's own
    for one file, else the sha256 of their sha256s in order, so that a change to any of
    them (train_short.jsonl too) changes the model version."""
    if len(files) == 1:
        return files[0]["sha256"]
    return hashlib.sha256("\n".join(f["sha256"] for f in files).encode("ascii")).hexdigest()


def train(config: TrainConfig) -> Tagger:
    """Train on `config.train_files`, tune thresholds by cross-validation on them (one set
    for whole articles, one for news-feed items), score each of `config.dev_files` that
    exists, and write the bundle.

    Raises
    ------
    OSError
        If a training file cannot be read.
    ValueError
        If a data line is not JSON or the pool mode is unknown.
    """
    data_dir = Path(config.data_dir)
    train_paths = [data_dir / name for name in config.train_files]
    rows = [row for path in train_paths for row in load_labelled(path)]
    labels = label_names()
    Y = label_matrix(rows, labels)
    pipeline = build_pipeline(config.tokenizer, random_state=config.seed, **config.model_params)
    preparer: ArticlePreparer = pipeline.named_steps["prepare"].fit(rows)
    docs = prepare_many(preparer, rows)
    groups = np.arange(len(rows))
    if config.short_views:
        docs, Y, groups = with_short_views(preparer, rows, docs, Y)
    if config.month_folds:
        groups[:len(rows)] = month_groups(rows, np.array([is_short(d) for d in docs[:len(rows)]]), groups[:len(rows)])
    log.info("prepared %d labelled rows; %d training rows (%d synthetic feed items)", len(rows), len(docs),
             len(docs) - len(rows))

    data_files = [file_identity(path) for path in train_paths]
    extra = None
    pool_path = data_dir / config.pool_file
    if config.use_pool and pool_path.exists():
        pool_docs = prepare_many(preparer, pool_sample(pool_path, limit=config.pool_limit, seed=config.seed))
        extra = pool_extra(pool_docs, config.pool_labels, config.pool_weight, labels, (docs, Y),
                           config.model_params, config.seed)
        data_files.append(file_identity(pool_path))
        log.info("pool articles used: %d (labels: %s)", len(pool_docs), config.pool_labels)
    recent_path = data_dir / config.recent_file
    if config.use_pool and config.recent_limit and recent_path.exists():
        recent = prepare_many(preparer, recent_sample(recent_path, config.recent_limit, config.seed))
        extra = _joined(extra, (recent, unlabelled(recent, len(labels)), np.full(len(recent), config.pool_weight)))
        data_files.append(file_identity(recent_path))
        log.info("recent feed items used: %d (vocabulary and LSA only)", len(recent))

    model = fit_model(docs, Y, config.model_params, config.seed, extra)
    P = out_of_fold(docs, Y, config.model_params, config.folds, config.seed, extra, model, config.cv_repeats, groups)
    short = np.array([is_short(d) for d in docs], dtype=bool)
    thresholds, short_thresholds = thresholds_by_kind(Y, P, labels, short, config.per_kind_thresholds)
    pipeline.steps[-1] = ("tag", model)

    now = dt.datetime.now(dt.timezone.utc)
    manifest: dict[str, Any] = {
        "trained_at": now.isoformat(timespec="seconds"),
        "training_data": data_files,
        "config": {k: v for k, v in asdict(config).items() if k not in ("data_dir", "output")},
        "versions": runtime_versions(),
        "lexicon_sha256": lexicon_sha256(),  # the keyword tables and gazetteer it learnt with (model.lexicon)
    }
    version = model_version(now, training_sha(data_files[:len(train_paths)]))
    tagger = Tagger(pipeline, labels, thresholds, version, manifest, short_thresholds)
    # The out-of-fold predictions the thresholds were tuned on, scored: a second
    # estimate beside dev's, on more articles (train's), slightly optimistic.
    manifest["cv_metrics"] = {"folds": config.folds, "repeats": config.cv_repeats,
                              **cv_scores(Y, tagger.decide(P, short), labels, short)}
    dev_metrics = {}
    for name in config.dev_files:
        path = data_dir / name
        if path.exists():
            found = evaluate_rows(tagger, load_labelled(path))["model"]
            dev_metrics[name] = {"file": file_identity(path), **found["families"], "ece": found["ece"]}
    if dev_metrics:
        manifest["dev_metrics"] = dev_metrics
    save_bundle(tagger, config.output)
    return tagger


def _joined(first: Extra | None, second: Extra) -> Extra:
    """Two sets of extra (unlabelled) training rows as one."""
    if first is None:
        return second
    return first[0] + second[0], np.vstack([first[1], second[1]]), np.concatenate([first[2], second[2]])
