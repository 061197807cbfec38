"""Train the tagger: features, weak labels from the pool, thresholds, bundle."""
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
from model.features import Prepared
from model.pipeline import build_pipeline
from model.tagger import Tagger
from training.data import DEFAULT_DATA_DIR, file_identity, label_matrix, load_labelled
from training.evaluate import evaluate_rows
from training.metrics import families
from training.thresholds import tune_thresholds
from training.weak import weak_examples

log = logging.getLogger(__name__)
MODEL_VERSION_PREFIX = "vntag"


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
    pool_limit: int | None = None
    weak_weight: float = 0.3
    folds: int = 5
    seed: int = 0
    model_params: dict[str, Any] = field(default_factory=dict)


def threshold_groups(labels: list[str]) -> dict[str, list[str]]:
    """Groups whose rare members share a pooled threshold."""
    fam = families(labels)
    groups = {t: [t] for t in TOPICS}
    groups[COOPERATION] = [COOPERATION]
    groups["countries"] = fam["countries"]
    return groups


def out_of_fold(docs: list[Prepared], Y: np.ndarray, params: dict[str, Any], folds: int, seed: int,
                extra: tuple[list[Prepared], np.ndarray, np.ndarray] | None = None) -> np.ndarray:
    """Out-of-fold probabilities for the gold rows; weak rows (`extra`) only ever train."""
    P = np.zeros(Y.shape, dtype=float)
    for fit_idx, held_idx in KFold(folds, shuffle=True, random_state=seed).split(docs):
        fit_docs = [docs[i] for i in fit_idx]
        fit_Y, weights = Y[fit_idx], np.ones(len(fit_idx))
        if extra is not None:
            fit_docs += extra[0]
            fit_Y = np.vstack([fit_Y, extra[1]])
            weights = np.concatenate([weights, extra[2]])
        model = TaggerModel(random_state=seed, **params).fit(fit_docs, fit_Y, sample_weight=weights)
        P[held_idx] = model.predict_proba([docs[i] for i in held_idx])
    return P


def model_version(when: dt.datetime, train_sha: str) -> str:
    return f"{MODEL_VERSION_PREFIX}-{when:%Y%m%d}-{train_sha[:8]}"


def train(config: TrainConfig) -> Tagger:
    """Train on `config.train_file`, tune thresholds by cross-validation on it,
    score on `config.dev_file` when present, and write the bundle.

    Raises
    ------
    OSError
        If the training file cannot be read.
    """
    data_dir = Path(config.data_dir)
    train_path = data_dir / config.train_file
    rows = load_labelled(train_path)
    labels = label_names()
    Y = label_matrix(rows, labels)
    pipeline = build_pipeline(config.tokenizer, random_state=config.seed, **config.model_params)
    preparer = pipeline.named_steps["prepare"].fit(rows)
    docs = preparer.transform(rows)
    log.info("prepared %d training articles", len(docs))

    data_files = [file_identity(train_path)]
    extra = None
    pool_path = data_dir / config.pool_file
    if config.use_pool and pool_path.exists():
        extra = weak_examples(pool_path, preparer, labels, limit=config.pool_limit, weight=config.weak_weight)
        data_files.append(file_identity(pool_path))
        log.info("weak examples from the pool: %d", len(extra[0]))

    P = out_of_fold(docs, Y, config.model_params, config.folds, config.seed, extra)
    thresholds = tune_thresholds(Y, P, labels, threshold_groups(labels))
    fit_docs, fit_Y, weights = docs, Y, np.ones(len(docs))
    if extra is not None:
        fit_docs = docs + extra[0]
        fit_Y = np.vstack([Y, extra[1]])
        weights = np.concatenate([weights, extra[2]])
    pipeline.named_steps["tag"].fit(fit_docs, fit_Y, sample_weight=weights)

    now = dt.datetime.now(dt.timezone.utc)
    manifest: dict[str, Any] = {
        "trained_at": now.isoformat(timespec="seconds"),
        "training_data": data_files,
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(config).items()
                   if k not in ("data_dir", "output")},
        "versions": runtime_versions(),
    }
    tagger = Tagger(pipeline, labels, thresholds, model_version(now, data_files[0]["sha256"]), manifest)
    dev_path = data_dir / config.dev_file
    if dev_path.exists():
        report = evaluate_rows(tagger, load_labelled(dev_path))
        manifest["dev_metrics"] = {"file": file_identity(dev_path), **report["model"]["families"],
                                   "ece": report["model"]["ece"]}
    save_bundle(tagger, config.output)
    return tagger
