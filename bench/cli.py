"""`python -m bench`: run the sections asked for, print the table, write the JSON."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from bench import report, tables
from bench.machine import machine_info
from bench.plan import Plan
from bench.sample import load_sample
from bench.settings import FULL, QUICK, SECTIONS, Sizes, parse_sections, with_articles
from model.bundle import DEFAULT_BUNDLE, manifest_path

DEFAULT_OUT = Path(__file__).resolve().parent / "results" / "latest.json"


def say(message: str) -> None:
    click.echo(f"bench: {message}", err=True)


def model_info(model: Path) -> dict[str, Any]:
    info: dict[str, Any] = {"path": str(model), "bytes": model.stat().st_size}
    try:
        manifest = json.loads(manifest_path(model).read_text(encoding="utf-8"))
        info.update(version=manifest.get("model_version"), versions=manifest.get("versions"))
    except (OSError, ValueError):
        pass
    return info


def run_plan(plan: Plan) -> dict[str, Any]:
    """Load the sample, run the plan's sections and return the results with the machine, model and checks."""
    from bench.sections import run_sections  # heavy imports only once the options are valid
    sample = load_sample(plan.sizes.articles)
    results: dict[str, Any] = dict(mode=plan.sizes.name, machine=machine_info(), model=model_info(plan.model),
                                   sizes=asdict(plan.sizes), sections_run=sorted(plan.sections),
                                   sample={"source": sample.source, "articles": len(sample.articles)})
    results["sections"] = run_sections(plan, sample.articles, say)
    results["machine"]["load_average_at_end"] = list(os.getloadavg())
    results["checks"] = report.checks(results["sections"])
    return results


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--quick", is_flag=True, help="Small sizes and fewer repeats, to check the harness in a minute or two.")
@click.option("--model", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_BUNDLE, show_default=True,
              help="Model bundle to measure.")
@click.option("--sections", default=",".join(map(str, SECTIONS)), show_default=True,
              help="Sections to run, comma-separated: " + "; ".join(f"{n} {what}" for n, what in SECTIONS.items()))
@click.option("--articles", type=click.IntRange(min=1), default=None,
              help="Sample size  [default: 2000, 200 with --quick]; a multiple of two chunks (400, or 50 with --quick).")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_OUT, show_default=True,
              help="Where to write the results as JSON.")
def main(quick: bool, model: Path, sections: str, articles: int | None, out: Path) -> None:
    """Benchmark the tagger: throughput, latency, cost growth and memory (see docs/bench.md)."""
    try:
        chosen = parse_sections(sections)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--sections") from None
    sizes = QUICK if quick else FULL
    try:
        sizes = sizes if articles is None else with_articles(sizes, articles)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--articles") from None
    if not model.is_file():
        raise click.ClickException(f"no model bundle at {model}: train one (make train) or pass --model")
    with tempfile.TemporaryDirectory(prefix="tagger-bench-") as tmp:
        results = run_plan(Plan(model.resolve(), sizes, frozenset(chosen), Path(tmp)))
    click.echo(tables.render(results))
    say(f"results written to {report.write_json(results, out)}")

