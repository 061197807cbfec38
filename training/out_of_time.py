"""How the model does on news of months it never saw (the model card's out-of-time figures).

    python -m training.out_of_time [--data-dir DIR] [--first 2026-02] [--repeats 1]
                                   [--model BUNDLE] [--out reports/out_of_time.json]

Trains a model as `tagger train` does, but on the news-feed items of train_short.jsonl
dated before the month `--first` only, with the 2025-26 vocabulary (pool_recent.jsonl.gz)
cut at the same month, and scores it on the feed items of dev_short.jsonl before and from
that month, and on train_short's own items from that month. The shipped model (trained on
every month, so not scored on train_short's items) and the keyword baseline are scored on the
same sets, so the gap between the sets for each model separates "months it never saw" from
"fewer training rows". Whole articles (train.jsonl, pool.jsonl.gz) are older than every feed item
and are used as they are. Undated feed items are left out of both sides.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from model.bundle import DEFAULT_BUNDLE, load_bundle
from training.data import DEFAULT_DATA_DIR, MONTH, load_labelled, month, read_jsonl, write_jsonl
from training.evaluate import evaluate_rows
from training.train import TrainConfig, train

COLUMNS = ("topics", "countries_big4", "cooperation", "partners")
# The sets scored, as files `cut_files` writes.
SETS = {"before": "dev_short_before.jsonl", "from": "dev_short_from.jsonl", "train_from": "train_short_from.jsonl"}
HEADS = {"before": "dev_short before", "from": "dev_short from", "train_from": "train_short from"}


def split_by_month(rows: Iterable[dict[str, Any]], first: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The dated `rows` before the month `first` and those of `first` or later (undated rows in neither)."""
    before, after = [], []
    for row in rows:
        found = month(row)
        if found is not None:
            (before if found < first else after).append(row)
    return before, after


def cut_files(data_dir: Path, folder: Path, first: str) -> dict[str, int]:
    """Write into `folder` the feed-item files of a model that has not seen `first` or later:
    train_short.jsonl and pool_recent.jsonl.gz before `first`, train_short_from.jsonl (the rest of
    train_short, never learnt from), and dev_short.jsonl split into dev_short_before.jsonl and
    dev_short_from.jsonl. Returns the rows written per file.

    Raises OSError if a file cannot be read or written, ValueError if a line is not JSON.
    """
    train_before, train_from = split_by_month(load_labelled(data_dir / "train_short.jsonl"), first)
    dev_before, dev_from = split_by_month(load_labelled(data_dir / "dev_short.jsonl"), first)
    counts = {name: write_jsonl(folder / name, rows) for name, rows in (
        ("train_short.jsonl", train_before), ("train_short_from.jsonl", train_from),
        ("dev_short_before.jsonl", dev_before), ("dev_short_from.jsonl", dev_from))}
    recent = data_dir / "pool_recent.jsonl.gz"
    if recent.exists():
        kept = (row for row in read_jsonl(recent) if (month(row) or first) < first)
        counts["pool_recent.jsonl.gz"] = write_jsonl(folder / "pool_recent.jsonl.gz", kept)
    return counts


def _families(scored: dict[str, Any]) -> dict[str, float]:
    """Micro-F1 per family of one side (`model` or `baseline`) of `evaluate_rows`."""
    return {name: round(scored["families"][name]["micro_f1"], 4) for name in COLUMNS}


def run(data_dir: Path, first: str, repeats: int, model_path: Path,
        base: TrainConfig | None = None) -> dict[str, Any]:
    """Train the model that stops before `first` and score it, the model at `model_path` and the
    keyword baseline on dev_short before and from `first`, and (all but the model at `model_path`,
    which learnt from them) on train_short from `first`:
    ``{"rows": {...}, "scores": {model: {set: {family: F1}}}}``.

    Raises OSError, ValueError (unreadable data, or a set without any item, as for a `first`
    outside the data's months) and `model.errors.BundleError` (`model_path`).
    """
    base = dataclasses.replace(base or TrainConfig(data_dir=data_dir), cv_repeats=repeats)
    shipped = load_bundle(model_path)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        counts = cut_files(data_dir, folder, first)
        empty = [file for file, n in counts.items() if n == 0]
        if empty:
            raise ValueError(f"no dated feed items for {', '.join(empty)} with the split at {first}: "
                             "choose a month inside the data's")
        whole = [str(data_dir / f) for f in base.train_files if f != "train_short.jsonl"]
        config = dataclasses.replace(
            base, data_dir=folder, output=folder / "model.joblib", dev_files=(),
            train_files=(*whole, "train_short.jsonl"), pool_file=str(data_dir / base.pool_file),
            recent_file="pool_recent.jsonl.gz")
        early = train(config)
        sets = {s: load_labelled(folder / file) for s, file in SETS.items()}
        found = {s: evaluate_rows(early, rows) for s, rows in sets.items()}  # the baseline comes with it
        # The shipped model learnt from train_short's later items: it is not scored on them.
        scores = {f"trained before {first}": {s: _families(f["model"]) for s, f in found.items()},
                  f"shipped ({shipped.version})": {s: _families(evaluate_rows(shipped, sets[s])["model"])
                                                    for s in ("before", "from")},
                  "keyword baseline": {s: _families(f["baseline"]) for s, f in found.items()}}
    return {"first": first, "rows": counts, "scores": scores}


def format_table(result: dict[str, Any]) -> str:
    """A Markdown table: one line per model, each family on each set (blank where not scored)."""
    first = result["first"]
    heads = [f"{family}, {HEADS[s]} {first}" for s in SETS for family in COLUMNS]
    lines = ["| model | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(heads)]
    for model, found in result["scores"].items():
        cells = [f"{found[s][f]:.3f}" if s in found else "" for s in SETS for f in COLUMNS]
        lines.append(f"| {model} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--first", default="2026-02", help="The first month the early model never sees (YYYY-MM).")
    parser.add_argument("--repeats", type=int, default=1, help="Cross-validation repeats for its thresholds.")
    parser.add_argument("--model", type=Path, default=DEFAULT_BUNDLE, help="The model trained on every month.")
    parser.add_argument("--out", type=Path, default=Path("reports/out_of_time.json"))
    args = parser.parse_args()
    if not MONTH.fullmatch(args.first):
        parser.error(f"--first must be a month as YYYY-MM, not {args.first!r}")
    try:
        result = run(args.data_dir, args.first, args.repeats, args.model)
    except ValueError as exc:
        parser.error(str(exc))
    print("rows:", json.dumps(result["rows"]))
    print(format_table(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
