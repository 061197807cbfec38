"""Measure on both dev sets what each training choice brings (the model card's ablation table).

    python -m training.experiments [--data-dir DIR] [--out reports/experiments.json] [--repeats 1]

Every row is a whole `tagger train` run (thresholds tuned by cross-validation on the
training files, never on dev) with one choice changed from the shipped
configuration, scored once on dev.jsonl (whole articles) and dev_short.jsonl
(news-feed items); the first row is the keyword baseline.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from pathlib import Path
from typing import Any

from model.labels import label_names
from training.baseline import keyword_baseline
from training.data import DEFAULT_DATA_DIR, label_matrix, load_labelled
from training.metrics import score
from training.train import TrainConfig, train

SHIPPED = "shipped: whole articles + feed items, pool + recent vocabulary, per-kind thresholds"
# (step, the TrainConfig fields it changes from the shipped configuration)
STEPS: list[tuple[str, dict[str, Any]]] = [
    (SHIPPED, {}),
    ("without pool_recent (2025-26 vocabulary and LSA)", {"recent_limit": 0}),
    ("+ synthetic feed items cut from whole articles", {"short_views": True}),
    ("one threshold set for both kinds of text", {"per_kind_thresholds": False}),
    ("without the topic gate", {"model_params": {"topic_gate": False}}),
    ("thresholds tuned with each month's feed items held out together", {"month_folds": True}),
    ("v1 recipe: whole articles and their synthetic feed items only",
     {"train_files": ("train.jsonl",), "short_views": True}),
]
COLUMNS = ("topics", "countries_big4", "cooperation", "partners")


def _summary(families: dict[str, Any]) -> dict[str, float]:
    return {name: round(families[name]["micro_f1"], 4) for name in COLUMNS if name in families}


def step_config(base: TrainConfig, changes: dict[str, Any], output: Path) -> TrainConfig:
    """`base` with a step's `changes`, writing to `output`; the step's `model_params` are
    added to `base.model_params`, not put in their place."""
    if "model_params" in changes:
        changes = {**changes, "model_params": {**base.model_params, **changes["model_params"]}}
    return dataclasses.replace(base, output=output, **changes)


def run(data_dir: Path, repeats: int, steps: list[tuple[str, dict[str, Any]]] = STEPS,
        base: TrainConfig | None = None) -> list[dict[str, Any]]:
    """One row per step: family micro-F1 on each dev file, keyed ``<file>:<family>``."""
    base = base or TrainConfig(data_dir=data_dir, cv_repeats=repeats)
    labels = label_names()
    row: dict[str, Any] = {"step": "keyword baseline"}
    for name in base.dev_files:
        rows = load_labelled(data_dir / name)
        found = score(label_matrix(rows, labels), keyword_baseline(rows, labels), labels)
        row.update({f"{name}:{k}": v for k, v in _summary(found["families"]).items()})
    results = [row]
    with tempfile.TemporaryDirectory() as folder:
        for step, changes in steps:
            config = step_config(base, changes, Path(folder) / "model.joblib")
            metrics = train(config).manifest.get("dev_metrics", {})
            row = {"step": step}
            for name, found in metrics.items():
                row.update({f"{name}:{k}": v for k, v in _summary(found).items()})
            results.append(row)
            print(json.dumps(row, ensure_ascii=False), flush=True)
    return results


def format_table(results: list[dict[str, Any]], dev_files: tuple[str, ...]) -> str:
    """A Markdown table: one line per step, each family on each dev file."""
    cols = [f"{name}:{family}" for name in dev_files for family in COLUMNS]
    lines = ["| step | " + " | ".join(c.replace(".jsonl", "") for c in cols) + " |",
             "|---|" + "---:|" * len(cols)]
    for r in results:
        lines.append(f"| {r['step']} | " + " | ".join(f"{r[c]:.3f}" if c in r else "" for c in cols) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--out", type=Path, default=Path("reports/experiments.json"))
    parser.add_argument("--repeats", type=int, default=1, help="Cross-validation repeats per step.")
    parser.add_argument("--steps", default=None, help="Comma-separated step numbers to run (0 is the shipped "
                        "configuration; default: all). Each is a whole training run.")
    args = parser.parse_args()
    steps = STEPS if args.steps is None else [STEPS[int(k)] for k in args.steps.split(",")]
    results = run(args.data_dir, args.repeats, steps)
    print(format_table(results, TrainConfig.dev_files))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
