"""`tagger tag`: tag files of articles in batch (see docs/batch.md).

Only the command lives here: options, the progress bar, the summary and the
exit code. Domain errors (`TaggerError`) become a `click.ClickException`
(message on stderr, exit 1); exit 2 means the run finished but some records
were not tagged (they are listed in the errors file).
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from tqdm import tqdm

from model.bundle import DEFAULT_BUNDLE, load_bundle
from model.errors import TaggerError
from model.tagger import Tagger
from service.batch_engines import Engine
from service.batch_formats import output_format
from service.batch_job import BatchJob, Counts
from service.batch_pool import local_engine
from service.batch_run import check_job, run_batch
from service.fields import FieldError, kept_fields
from service.lifeline import usable_cores
from service.outputs_parquet import check_dataset, parquet_format, run_parquet

PARTIAL_EXIT = 2
STDOUT_ERRORS = Path("tagger.errors.jsonl")


def _engine(name: str, scheduler: str | None, tagger: Tagger, model: Path, jobs: int, explain: bool) -> Engine:
    if name == "local":
        if scheduler:
            raise click.ClickException("--scheduler needs --engine dask")
        return local_engine(tagger, model, jobs, explain)
    try:
        from service.batch_dask import DaskEngine
    except ImportError as exc:
        if exc.name not in ("dask", "distributed"):
            raise
        raise click.ClickException("the dask engine needs dask.distributed: pip install .[dask]") from None
    return DaskEngine(model, jobs, scheduler, explain)


def summary_line(counts: Counts, seconds: float) -> str:
    """The summary's last line, JSON: the counts, the seconds, and the labels given per label
    (those `GET /metrics` counts as ``tagger_labels_given_total``)."""
    return json.dumps({"event": "summary", "tagged": counts.tagged, "skipped": counts.skipped,
                       "errors": counts.errors, "seconds": round(seconds, 3),
                       "labels": dict(sorted(counts.labels.items()))}, ensure_ascii=False)


def timing(tagged: int, seconds: float) -> str:
    """The summary's second line: the seconds spent reading, tagging and writing
    (start-up, model load and exit not counted) and the rate of tagged articles."""
    rate = f", {tagged / seconds:.1f} articles/s" if tagged and seconds > 0 else ""
    return f"time {seconds:.3f} s reading, tagging and writing{rate}"


def default_format(output: str) -> str:
    """parquet for a .parquet name or an existing folder, csv for .csv, else jsonl."""
    if output.lower().rstrip("/").endswith(".parquet") or (output != "-" and Path(output).is_dir()):
        return "parquet"
    return "csv" if output.lower().endswith(".csv") else "jsonl"


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", required=True, help="Output file, or - for stdout.")
@click.option("--model", type=click.Path(path_type=Path), default=DEFAULT_BUNDLE, show_default=True,
              help="Model bundle to tag with.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "parquet"]), default=None,
              help="Output format; parquet writes a folder of part files  "
                   "[default: csv for a .csv output, parquet for .parquet or a folder, else jsonl]")
@click.option("--keep", "keep", multiple=True, metavar="FIELD",
              help="Also copy this input field into each result (repeatable); date, title, source and url always are.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes (local) or LocalCluster workers (dask)  [default: all cores]")
@click.option("--chunk-size", type=click.IntRange(min=1), default=200, show_default=True,
              help="Articles per chunk: the unit of work and of each flushed write.")
@click.option("--resume", is_flag=True, help="Skip ids already in OUTPUT and append the rest.")
@click.option("--overwrite", is_flag=True, help="Replace a non-empty OUTPUT.")
@click.option("--explain", is_flag=True, help="Add the evidence behind each label.")
@click.option("--errors", "errors_path", type=click.Path(path_type=Path), default=None,
              help="Errors file  [default: OUTPUT.errors.jsonl, or tagger.errors.jsonl with -o -]")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Run on local processes or on a Dask cluster.")
@click.option("--scheduler", default=None, help="Dask scheduler address (tcp://host:8786)  [default: a LocalCluster]")
def tag_command(inputs: tuple[str, ...], output: str, model: Path, fmt: str | None, jobs: int | None,
                chunk_size: int, resume: bool, overwrite: bool, explain: bool, errors_path: Path | None,
                engine: str, scheduler: str | None, keep: tuple[str, ...] = ()) -> None:
    """Tag INPUTS (.jsonl, .json, .jsonl.gz, .csv, folders of .txt, or - for
    stdin JSONL) into OUTPUT, one result per article, in input order.

    Exit status: 0 when every record was tagged, 2 when some were not (see the
    errors file), 1 when the run could not start or go on.
    """
    out = None if output == "-" else Path(output)
    try:
        fields = kept_fields(keep)
    except FieldError as exc:
        raise click.ClickException(str(exc)) from None
    job = BatchJob(
        inputs=list(inputs), output=out,
        errors=errors_path or (STDOUT_ERRORS if out is None else out.with_name(out.name + ".errors.jsonl")),
        fmt=fmt or default_format(output),
        explain=explain, chunk_size=chunk_size, resume=resume, overwrite=overwrite, fields=fields,
    )
    counts = Counts()
    try:
        check_job(job)
        if job.fmt == "parquet":
            check_dataset(job)
        tagger = load_bundle(model)
        with _engine(engine, scheduler, tagger, model, jobs or usable_cores(), explain) as runner, \
                tqdm(unit=" articles", file=sys.stderr, disable=not sys.stderr.isatty()) as bar:
            started = time.perf_counter()
            if job.fmt == "parquet":
                run_parquet(job, parquet_format(tagger, explain, fields), runner, counts,
                            stdin=sys.stdin.buffer, progress=bar.update)
            else:
                run_batch(job, output_format(job.fmt, tagger, explain, fields), runner, counts,
                          stdin=sys.stdin.buffer, stdout=sys.stdout.buffer, progress=bar.update)
            seconds = time.perf_counter() - started
    except TaggerError as exc:
        done = f" ({counts.tagged} tagged before it stopped; rerun with --resume)" if counts.tagged and out else ""
        raise click.ClickException(f"{exc}{done}") from None
    except KeyboardInterrupt:
        click.echo(f"interrupted after {counts.tagged} tagged; rerun with --resume to go on", err=True)
        raise click.exceptions.Exit(130) from None
    where = "" if out is None else f" already in {out}"
    errors = f", not tagged: see {job.errors}" if counts.errors else ""
    click.echo(f"tagged {counts.tagged}, skipped {counts.skipped}{where}, errors {counts.errors}{errors}", err=True)
    click.echo(timing(counts.tagged, seconds), err=True)
    if counts.bad_dates:
        click.echo(f"dates not readable: {counts.bad_dates} (kept as given in the output)", err=True)
    click.echo(summary_line(counts, seconds), err=True)
    if counts.errors:
        raise click.exceptions.Exit(PARTIAL_EXIT)
