"""`tagger report`: counts, charts and a page from tagged files (see docs/report.md).

Only the command lives here: options, the progress lines and the files it
writes. A `ReportError` becomes a `click.ClickException` (message on stderr, exit 1).
"""
from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

import click
import duckdb

from model.errors import TaggerError
from service.report.charts import all_charts
from service.report.counts import PERIODS, Filters, Tables, count_tables
from service.report.inputs import tagged_view_sql
from service.report.page import render_page


def write_csv(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> None:
    """Rows to CSV: None as an empty cell, bools as true/false. Raises OSError."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([("true" if v else "false") if isinstance(v, bool) else ("" if v is None else v)
                          for v in row] for row in rows)


def write_report(tables: Tables, out: Path, inputs: list[str]) -> list[str]:
    """Write every file of the report into `out`; the names written. Raises OSError."""
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "counts.csv", ["period", "country", "topic", "cooperation", "articles"], list(tables.counts))
    write_csv(out / "partners.csv", ["period", "partner", "articles"], list(tables.partners))
    charts = all_charts(tables)
    for name, png in charts.items():
        (out / name).write_bytes(png)
    (out / "report.html").write_text(render_page(tables, charts, inputs), encoding="utf-8")
    return ["counts.csv", "partners.csv", *charts, "report.html"]


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), required=True,
              help="Folder to write the report into (created if needed).")
@click.option("--by", type=click.Choice(list(PERIODS)), default="month", show_default=True, help="Period size.")
@click.option("--since", default=None, help="First date to count (2025-08, 2025-08-14, 14/08/2025).")
@click.option("--until", default=None, help="Last date to count, inclusive (2025-12 means to the end of December).")
@click.option("--country", "countries", multiple=True, metavar="CODE",
              help="Only articles naming this country, and only its cells (repeatable).")
@click.option("--topic", "topics", multiple=True, metavar="TOPIC",
              help="Only articles on this topic, and only its cells (repeatable).")
@click.option("--cooperation", is_flag=True, help="Only cooperation articles.")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="Countries and partners in the charts, rows in the rising tables.")
def report_command(inputs: tuple[str, ...], out: Path, by: str, since: str | None, until: str | None,
                   countries: tuple[str, ...], topics: tuple[str, ...], cooperation: bool, top: int) -> None:
    """Count tagged INPUTS (JSONL, CSV or Parquet files, or folders of them,
    as `tagger tag` writes) per period, country, topic and partner; write
    counts.csv, partners.csv, PNG charts and a self-contained report.html to OUTPUT.
    """
    filters = Filters(by=by, since=since, until=until, countries=tuple(c.upper() for c in countries),
                      topics=tuple(t.lower() for t in topics), cooperation=cooperation, top=top)
    started = time.perf_counter()

    def progress(step: str) -> None:
        click.echo(f"[{time.perf_counter() - started:6.1f} s] {step}...", err=True)

    if out.exists() and not out.is_dir():
        raise click.ClickException(f"{out} is a file; the report is written into a folder")
    try:
        with duckdb.connect() as con:
            tables = count_tables(con, tagged_view_sql(list(inputs)), filters, progress)
        progress("drawing the charts and writing the page")
        written = write_report(tables, out, list(inputs))
    except TaggerError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {exc.filename or out}: {exc.strerror or exc}") from None
    click.echo(f"counted {tables.matched} of {tables.total} records ({tables.undated} undated) in "
               f"{len(tables.periods)} periods; wrote {', '.join(written)} to {out} "
               f"in {time.perf_counter() - started:.1f} s", err=True)
    sys.stderr.flush()
