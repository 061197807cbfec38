"""`tagger watch`: the command line of the feed monitor (see docs/watch.md).

Exit status: 0 when the run ended cleanly (every feed answered, with --once),
2 when --once finished but some feed failed (see the log lines), 1 when the
watch could not start or go on.
"""
from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import click

from model.bundle import DEFAULT_BUNDLE, load_bundle
from model.errors import TaggerError
from service.watch.feeds import read_feeds
from service.watch.loop import Options, run_watch
from service.watch.rules import load_rules

PARTIAL_EXIT = 2
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|h)?")


def duration(text: str) -> float:
    """Seconds in `10m`, `90s`, `1h` or a plain number of seconds; raises click.BadParameter."""
    match = _DURATION.fullmatch(text.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise click.BadParameter(f"{text!r} is not a duration like 90s, 10m or 1h")
    return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2) or "s"]


@click.command()
@click.argument("feeds", type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--output", "archive", type=click.Path(path_type=Path), required=True,
              help="Archive: a .jsonl file, or a folder of Parquet parts for any other name.")
@click.option("--every", default="10m", show_default=True, help="Time between the starts of two cycles (90s, 10m, 1h).")
@click.option("--rules", "rules_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="TOML file of alert rules; matches go to ARCHIVE.alerts.jsonl.")
@click.option("--once", is_flag=True, help="Run one cycle and exit (for cron).")
@click.option("--model", type=click.Path(path_type=Path), default=DEFAULT_BUNDLE, show_default=True,
              help="Model bundle to tag with.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds to wait for a feed (connect and each read).")
@click.option("--concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True,
              help="Feeds fetched at the same time.")
def watch_command(feeds: Path, archive: Path, every: str, rules_path: Path | None, once: bool, model: Path,
                  timeout: float, concurrency: int) -> None:
    """Fetch the RSS/Atom feeds listed in FEEDS (one URL or path a line, # comments)
    every --every, tag the items not seen before and append them to the archive.

    Stops after the cycle in flight on SIGTERM or Ctrl-C. One JSON log line per
    feed per cycle goes to stderr.
    """
    try:
        every_s = duration(every)
        feed_list = read_feeds(feeds)
        tagger = load_bundle(model)
        rules = load_rules(rules_path, tagger.labels) if rules_path else []
        options = Options(feed_list, archive, rules, every_s, once, timeout, concurrency)
        reports = run_watch(options, tagger)
    except TaggerError as exc:
        raise click.ClickException(str(exc)) from None
    except (OSError, sqlite3.Error) as exc:
        raise click.ClickException(f"the archive or its state could not be written: {exc}") from None
    if once and any(r.status == "failed" for r in reports):
        raise click.exceptions.Exit(PARTIAL_EXIT)
