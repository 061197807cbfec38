"""Helpers for the watch tests: run one cycle in-process, read an archive back."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from model.tagger import Tagger
from service.watch import archive as store
from service.watch.alerts import fold, read_lines
from service.watch.cycle import FeedReport
from service.watch.loop import Options, run_watch
from service.watch.parquet import read_part
from service.watch.rules import Rule


def once(feeds: Sequence[str], archive: Path, tagger: Tagger, rules: Sequence[Rule] = (),
         timeout: float = 5.0) -> dict[str, FeedReport]:
    """One `tagger watch --once` cycle in this process; the reports by feed."""
    reports = run_watch(Options(list(feeds), archive, list(rules), 600.0, True, timeout, 4), tagger)
    return {r.feed: r for r in reports}


def archived(archive: Path) -> list[dict[str, Any]]:
    """Every record of a JSONL or Parquet archive, in the order written."""
    if store.is_jsonl(archive):
        if not archive.exists():
            return []
        return [json.loads(line) for line in archive.read_text(encoding="utf-8").splitlines()]
    if not archive.exists():
        return []
    return [r for part in sorted(archive.glob("*.parquet")) for r in read_part(part)]


def alert_states(archive: Path) -> dict[str, dict[str, Any]]:
    return fold(read_lines(store.sibling(archive, ".alerts.jsonl")))


def log_lines(stderr: str) -> list[dict[str, Any]]:
    """The JSON feed lines of a watch's stderr."""
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "feed"]
