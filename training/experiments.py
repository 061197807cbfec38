"""Measure on dev what each modelling step brings (the README's ablation table).

    python -m training.experiments [--data-dir DIR] [--out reports/experiments.json]

Every row trains on train.jsonl, tunes thresholds by cross-validation on it,
and is scored once on dev.jsonl; nothing is tuned on dev.
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from model.estimator import label_names
from model.features import ArticlePreparer
from training.baseline import keyword_baseline
from training.data import DEFAULT_DATA_DIR, label_matrix, load_labelled, short_view
from training.metrics import score
from training.thresholds import SMOOTHING, tune_thresholds
from training.train import TrainConfig, fit_model, out_of_fold, pool_extra, threshold_groups, with_short_views
from training.weak import pool_sample, prepare_many

NO_POOL_STEPS = [
    ("TF-IDF only (title+lead, body)", {"cue_weight": 0.0, "lsa_components": 0, "cooperation_areas": False}),
    ("+ keyword and mention cues", {"lsa_components": 0, "cooperation_areas": False}),
    ("+ cooperation areas (noisy-OR)", {"lsa_components": 0}),
]
# (step, model parameters, pool labels, train on short views too)
POOL_STEPS = [
    ("+ pool: vocabulary and LSA", {}, "none", False),
    ("+ short views, one cue weight", {"cue_split": False, "short_models": False}, "none", True),
    ("+ cue weights split by length", {"short_models": False}, "none", True),
    ("+ whole articles keep their own classifiers (shipped)", {}, "none", True),  # scored twice, see below
    ("+ pool: keyword weak labels", {}, "keywords", True),
    ("+ pool: self-training", {}, "self", True),
]
PLAIN_PEAK = "the same, thresholds at the plain out-of-fold peak"


def _summary(s: dict[str, Any], prefix: str = "") -> dict[str, float]:
    fam = s["families"]
    out = {f"{k}_micro_f1": round(v["micro_f1"], 4) for k, v in fam.items()}
    out.update({t: round(s["per_label"].get(t, {}).get("f1", 0.0), 4) for t in ("5g", "ai", "semiconductors", "cybersecurity")})
    if "ece" in s:
        out["ece"] = round(s["ece"], 4)
    return {prefix + k: v for k, v in out.items()}


def run(data_dir: Path, folds: int, seed: int, tokenizers: list[str], repeats: int = 1,
        pool_steps: int = len(POOL_STEPS)) -> list[dict[str, Any]]:
    """Every step's scores on dev, as whole articles and as news-feed items (``short_``)."""
    labels = label_names()
    train_rows = load_labelled(data_dir / "train.jsonl")
    dev_rows = load_labelled(data_dir / "dev.jsonl")
    short_rows = [short_view(r) for r in dev_rows]
    Y, Ydev = label_matrix(train_rows, labels), label_matrix(dev_rows, labels)
    results = [{"step": "keyword baseline", **_summary(score(Ydev, keyword_baseline(dev_rows, labels), labels)),
                **_summary(score(Ydev, keyword_baseline(short_rows, labels), labels), "short_")}]
    pool_rows = pool_sample(data_dir / "pool.jsonl.gz", seed=seed)
    config = TrainConfig()
    for tokenizer in tokenizers:
        first = tokenizer == tokenizers[0]
        preparer = ArticlePreparer(tokenizer)
        started = time.perf_counter()
        dev_docs = prepare_many(preparer, dev_rows, n_jobs=1)
        per_article_ms = 1000 * (time.perf_counter() - started) / len(dev_rows)
        short_docs = prepare_many(preparer, short_rows)
        docs = prepare_many(preparer, train_rows)
        doubled, doubled_Y, groups = with_short_views(preparer, train_rows, docs, Y)

        def evaluate(step: str, params: dict[str, Any], mode: str | None, short: bool) -> None:
            train_docs, train_Y, train_groups = (doubled, doubled_Y, groups) if short else (docs, Y, None)
            extra = None if mode is None else pool_extra(pool_docs, mode, config.pool_weight, labels,
                                                         (train_docs, train_Y), params, seed)
            model = fit_model(train_docs, train_Y, params, seed, extra)
            oof = out_of_fold(train_docs, train_Y, params, folds, seed, extra, model, repeats, train_groups)
            P = {prefix: model.predict_proba(view) for prefix, view in (("", dev_docs), ("short_", short_docs))}
            # The shipped step is scored again with each threshold at its plain out-of-fold
            # F1 peak (no smoothing): what the smoothing of `best_threshold` brings.
            variants = [(step, SMOOTHING)] + ([(PLAIN_PEAK, 0)] if "(shipped)" in step else [])
            for name, smoothing in variants:
                thresholds = tune_thresholds(train_Y, oof, labels, threshold_groups(labels), smoothing=smoothing)
                limits = np.array([thresholds[label] for label in labels])
                row: dict[str, Any] = {"step": name, "tokenizer": tokenizer,
                                       "prepare_ms_per_article": round(per_article_ms, 2)}
                for prefix, probs in P.items():
                    row.update(_summary(score(Ydev, (probs >= limits).astype(int), labels, probs), prefix))
                results.append(row)
                print(json.dumps(row, ensure_ascii=False), flush=True)

        # Other tokenizers are compared on the no-pool model: tokenising the
        # pool with underthesea's word segmenter alone takes a quarter of an hour.
        for step, params in NO_POOL_STEPS if first else NO_POOL_STEPS[1:]:
            evaluate(step, params, None, False)
        if first and pool_steps:
            pool_docs = prepare_many(preparer, pool_rows)
            for step, params, mode, short in POOL_STEPS[:pool_steps]:
                evaluate(step, params, mode, short)
    return results


def format_table(results: list[dict[str, Any]]) -> str:
    """One line per step: whole-article scores, then the same on news-feed items."""
    cols = ["topics_micro_f1", "countries_big4_micro_f1", "countries_micro_f1", "cooperation_micro_f1",
            "5g", "ai", "semiconductors", "cybersecurity"]
    cols += [f"short_{c}" for c in cols[:4]]
    names = [c.replace("_micro_f1", "").replace("countries", "ctry") for c in cols]
    head = f"{'step':<34}{'tok':<9}" + "".join(f"{n:>14}" for n in names) + f"{'ms/art':>8}"
    lines = [head]
    for r in results:
        lines.append(f"{r['step']:<34}{r.get('tokenizer', ''):<9}" + "".join(f"{r.get(c, 0):>14.3f}" for c in cols)
                     + f"{r.get('prepare_ms_per_article', 0):>8.1f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=Path("reports/experiments.json"))
    parser.add_argument("--folds", type=int, default=TrainConfig.folds)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=TrainConfig.cv_repeats, help="Cross-validation repeats.")
    parser.add_argument("--tokenizers", default="syllable,word")
    parser.add_argument("--pool-steps", type=int, default=len(POOL_STEPS),
                        help="How many of the pool steps to run (0: none; they are the slow ones).")
    args = parser.parse_args()
    results = run(args.data_dir, args.folds, args.seed, args.tokenizers.split(","), args.repeats, args.pool_steps)
    print(format_table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
