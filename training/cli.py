"""`tagger train` and `tagger evaluate`."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from model.bundle import DEFAULT_BUNDLE, load_bundle
from model.errors import TaggerError
from model.lexicon import lexicon_drift
from training.data import DEFAULT_DATA_DIR, load_labelled
from training.evaluate import DEV_SETS, evaluate_rows, format_report, write_reports
from training.train import TrainConfig, train


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=DEFAULT_DATA_DIR, show_default=True,
              help="Folder with the labelled files and the pools (env TAGGER_DATA_DIR).")
@click.option("--train-file", "train_files", multiple=True, default=TrainConfig.train_files, show_default=True,
              help="Labelled JSONL to train on (repeat the option for several).")
@click.option("--dev-file", "dev_files", multiple=True, default=TrainConfig.dev_files, show_default=True,
              help="Scored into the bundle's manifest if present (repeatable).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_BUNDLE, show_default=True)
@click.option("--tokenizer", type=click.Choice(["syllable", "word"]), default="syllable", show_default=True)
@click.option("--pool/--no-pool", "use_pool", default=True, show_default=True,
              help="Learn vocabulary and LSA from pool.jsonl.gz and pool_recent.jsonl.gz too.")
@click.option("--pool-limit", type=int, default=None, help="Read only the first N pool articles (quick runs).")
@click.option("--seed", type=int, default=0, show_default=True)
def train_command(data_dir: Path, train_files: tuple[str, ...], dev_files: tuple[str, ...], output: Path,
                  tokenizer: str, use_pool: bool, pool_limit: int | None, seed: int) -> None:
    """Train a bundle from the labelled data and write it to OUTPUT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", force=True)  # underthesea adds a root handler on import
    for name in train_files:
        if not (data_dir / name).is_file():
            raise click.ClickException(f"training file not found: {data_dir / name} (set --data-dir)")
    config = TrainConfig(data_dir=data_dir, train_files=tuple(train_files), dev_files=tuple(dev_files),
                         output=output, tokenizer=tokenizer, use_pool=use_pool, pool_limit=pool_limit, seed=seed)
    tagger = train(config)
    click.echo(f"wrote {output} ({tagger.version})")
    click.echo("cross-validated on the training files: " + json.dumps(tagger.manifest["cv_metrics"], indent=2))
    metrics = tagger.manifest.get("dev_metrics")
    if metrics:
        click.echo("dev: " + json.dumps({name: {k: v for k, v in m.items() if k != "file"}
                                         for name, m in metrics.items()}, indent=2))


KIND_TITLES = {"whole": "whole articles", "feed_items": "news-feed items (title and summary)"}


@click.command()
@click.option("--data", "data_files", type=click.Path(path_type=Path), multiple=True,
              default=[DEFAULT_DATA_DIR / name for name in DEV_SETS], show_default=True,
              help="Labelled JSONL to score (repeatable); dev.jsonl and dev_short.jsonl get the issue's targets.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=DEFAULT_BUNDLE, show_default=True)
@click.option("--report", type=click.Path(path_type=Path), default=Path("reports/evaluation.json"), show_default=True,
              help="Where to write the JSON report; one PNG per data file goes beside it.")
def evaluate_command(data_files: tuple[Path, ...], model_path: Path, report: Path) -> None:
    """Score the model on labelled data, beside the keyword baseline: per label,
    per family, and the share of topics given without any of their terms."""
    for path in data_files:
        if not path.is_file():
            raise click.ClickException(f"data file not found: {path}")
    try:
        tagger = load_bundle(model_path)
        sets = {path.name: load_labelled(path) for path in data_files}
    except (TaggerError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    drift = lexicon_drift(tagger.manifest)
    if drift:
        click.echo(f"note: {drift}")
    results = {}
    for name, rows in sets.items():
        kind = DEV_SETS.get(name)
        results[name] = evaluate_rows(tagger, rows)
        click.echo(f"\n== model {tagger.version} on {name}"
                   + (f": {KIND_TITLES[kind]} ==" if kind else " ==") + "\n")
        click.echo(format_report(results[name], kind))
    cv = tagger.manifest.get("cv_metrics")
    if cv:
        click.echo("\nout of fold on the training files (the predictions its thresholds were tuned on, so slightly "
                   "optimistic), micro-F1:")
        for view, found in cv.items():
            if isinstance(found, dict):
                click.echo(f"  {view:<12}" + "  ".join(f"{k.removesuffix('_micro_f1')} {v:.3f}" for k, v in found.items()
                                                       if k.endswith("_micro_f1")))
    written = write_reports(results, report, tagger.labels)
    click.echo(f"\nwrote {', '.join(str(p) for p in written)}")
