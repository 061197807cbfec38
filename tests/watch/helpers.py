"""Helpers for the watch tests: run one cycle in-process, read an archive back."""
from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from model.tagger import Tagger
from service.watch import archive as store
from service.watch.alerts import fold, read_lines
from service.watch.cycle import FeedReport
from service.watch.loop import Options, run_watch
from service.parquet_parts import read_records
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
    return [r for part in sorted(archive.glob("*.parquet")) for r in read_records(part)]


def alert_states(archive: Path) -> dict[str, dict[str, Any]]:
    return fold(read_lines(store.sibling(archive, ".alerts.jsonl")))


def log_lines(stderr: str) -> list[dict[str, Any]]:
    """The JSON feed lines of a watch's stderr."""
    lines = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("event") == "feed"]


def old_layout_part(path: Path, records: Sequence[dict[str, Any]], labels: Sequence[str]) -> Path:
    """`records` as a part of the watch archive's layout before it shared `tagger tag`'s schema:
    id, title, date, source, url, the tag lists, cooperation, model_version, then the scores; no metadata."""
    schema = pa.schema([*((name, pa.string()) for name in ("id", "title", "date", "source", "url")),
                        *((name, pa.list_(pa.string())) for name in ("countries", "topics", "partners")),
                        ("cooperation", pa.bool_()), ("model_version", pa.string()),
                        *((f"score_{label}", pa.float64()) for label in labels)])
    rows = [{**{k: v for k, v in r.items() if k != "scores"}, "partners": r.get("partners") or [],
             **{f"score_{label}": r["scores"][label] for label in labels}} for r in records]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)
    return path
