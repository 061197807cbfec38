"""`tagger train` and `tagger evaluate`."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import click

from model.bundle import DEFAULT_BUNDLE, load_bundle
from model.errors import TaggerError
from training.data import DEFAULT_DATA_DIR, load_labelled
from training.evaluate import evaluate_views, format_report, write_reports
from training.train import TrainConfig, train


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=DEFAULT_DATA_DIR, show_default=True,
              help="Folder with train.jsonl, dev.jsonl and pool.jsonl.gz (env TAGGER_DATA_DIR).")
@click.option("--train-file", default="train.jsonl", show_default=True)
@click.option("--dev-file", default="dev.jsonl", show_default=True, help="Scored into the bundle's manifest if present.")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=DEFAULT_BUNDLE, show_default=True)
@click.option("--tokenizer", type=click.Choice(["syllable", "word"]), default="syllable", show_default=True)
@click.option("--pool/--no-pool", "use_pool", default=True, show_default=True, help="Use weak labels from pool.jsonl.gz.")
@click.option("--pool-limit", type=int, default=None, help="Read only the first N pool articles (quick runs).")
@click.option("--seed", type=int, default=0, show_default=True)
def train_command(data_dir: Path, train_file: str, dev_file: str, output: Path, tokenizer: str,
                  use_pool: bool, pool_limit: int | None, seed: int) -> None:
    """Train a bundle from the labelled data and write it to OUTPUT."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", force=True)  # underthesea adds a root handler on import
    if not (data_dir / train_file).is_file():
        raise click.ClickException(f"training file not found: {data_dir / train_file} (set --data-dir)")
    config = TrainConfig(data_dir=data_dir, train_file=train_file, dev_file=dev_file, output=output,
                         tokenizer=tokenizer, use_pool=use_pool, pool_limit=pool_limit, seed=seed)
    tagger = train(config)
    click.echo(f"wrote {output} ({tagger.version})")
    click.echo("cross-validated on the training file: " + json.dumps(tagger.manifest["cv_metrics"], indent=2))
    metrics = tagger.manifest.get("dev_metrics")
    if metrics:
        click.echo("dev: " + json.dumps({k: v for k, v in metrics.items() if k != "file"}, indent=2))


VIEW_TITLES = {"article": "whole articles (targets are for these)",
               "short": "the same articles as news-feed items: title and a two-sentence summary"}


@click.command()
@click.option("--data", "data_file", type=click.Path(path_type=Path), default=DEFAULT_DATA_DIR / "dev.jsonl",
              show_default=True, help="Labelled JSONL to score.")
@click.option("--model", "model_path", type=click.Path(path_type=Path), default=DEFAULT_BUNDLE, show_default=True)
@click.option("--report", type=click.Path(path_type=Path), default=Path("reports/evaluation.json"), show_default=True,
              help="Where to write the JSON report; the PNG goes beside it.")
def evaluate_command(data_file: Path, model_path: Path, report: Path) -> None:
    """Score the model on labelled data, beside the keyword baseline: whole
    articles, then each as a news-feed item (title and two-sentence summary)."""
    if not data_file.is_file():
        raise click.ClickException(f"data file not found: {data_file}")
    try:
        tagger = load_bundle(model_path)
        rows = load_labelled(data_file)
    except (TaggerError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    results = evaluate_views(tagger, rows)
    click.echo(f"model {tagger.version} on {data_file.name}")
    for view, result in results.items():
        click.echo(f"\n== {VIEW_TITLES[view]} ==\n")
        click.echo(format_report(result, targets=view == "article"))
    cv = tagger.manifest.get("cv_metrics")
    if cv:  # bundles trained before this was recorded have none
        click.echo("\nout of fold on the training file (the predictions its thresholds were tuned on, so slightly "
                   "optimistic), micro-F1:")
        for view, found in cv.items():
            if isinstance(found, dict):
                click.echo(f"  {view:<12}" + "  ".join(f"{k.removesuffix('_micro_f1')} {v:.3f}" for k, v in found.items()
                                                       if k.endswith("_micro_f1")))
    written = write_reports(results, report, tagger.labels)
    click.echo(f"\nwrote {', '.join(str(p) for p in written)}")
