"""Cross-validated country scores on train, to compare gazetteers.

    python -m training.country_cv [--gazetteer FILE] [--data-dir DIR] [--folds 5] [--repeats 2]

Prepares the training files (whole articles and news-feed items) with the
gazetteer FILE (default: the shipped one), and scores K-fold out-of-fold
predictions with thresholds tuned on those same predictions, per kind of text, as
`tagger train` tunes them. The pool and the LSA block are left out: the country
model reads no text. Dev is not read. Run it once per gazetteer (an older one:
``git show REV:model/gazetteer.json``).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from model.labels import BIG_FOUR, label_names
from model.features import is_short, prepare
from model.gazetteer import GAZETTEER_PATH, load_gazetteer
from model.pipeline import build_pipeline
from model.tagger import Tagger
from training.data import DEFAULT_DATA_DIR, label_matrix, load_labelled
from training.thresholds import thresholds_by_kind
from training.train import TrainConfig, cv_scores, out_of_fold


def run(data_dir: Path, gazetteer_path: Path, folds: int = 5, repeats: int = 2, seed: int = 0,
        config: TrainConfig | None = None) -> dict[str, Any]:
    """Micro-F1 of the big four and of all countries, and each big-four F1, on whole
    articles and on news-feed items.

    Raises
    ------
    ValueError
        If the gazetteer's countries differ from the shipped one's (the labels would differ).
    OSError
        If a file cannot be read.
    """
    config = config or TrainConfig(data_dir=data_dir)
    gazetteer = load_gazetteer(str(gazetteer_path))
    labels = label_names()
    if gazetteer.foreign_codes != load_gazetteer().foreign_codes:
        raise ValueError(f"{gazetteer_path} has other countries than the shipped gazetteer")
    rows = [row for name in config.train_files for row in load_labelled(data_dir / name)]
    docs = [prepare(r, config.tokenizer, gazetteer) for r in rows]
    Y = label_matrix(rows, labels)
    params = {**config.model_params, "lsa_components": 0}
    P = out_of_fold(docs, Y, params, folds, seed, repeats=repeats)
    short = np.array([is_short(d) for d in docs], dtype=bool)
    thresholds, short_thresholds = thresholds_by_kind(Y, P, labels, short, config.per_kind_thresholds)
    # Decided as a trained bundle decides: each kind at its thresholds, a given partner's country given.
    judge = Tagger(build_pipeline(config.tokenizer), labels, thresholds, "country-cv", short_thresholds=short_thresholds)
    scores = cv_scores(Y, judge.decide(P, short), labels, short)
    country_keys = ("countries_big4_micro_f1", "countries_micro_f1", *BIG_FOUR)
    return {"gazetteer": str(gazetteer_path), "articles": len(rows), "folds": folds, "repeats": repeats,
            **{view: {k: v for k, v in found.items() if k in country_keys} for view, found in scores.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gazetteer", type=Path, default=GAZETTEER_PATH)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        result = run(args.data_dir, args.gazetteer, args.folds, args.repeats, args.seed)
    except (OSError, ValueError) as exc:
        print(f"country_cv: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
