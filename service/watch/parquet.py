"""Parquet parts of a watch archive: the one place that knows their schema (docs/watch.md).

Columns: id, title, date, source, url, model_version (string); countries, topics,
partners (list<string>); cooperation (bool); one float64 column `score_<label>`
per label of the model. Kept in this one module so it can be swapped for the
shared writer of `tagger tag`.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

STRINGS = ("id", "title", "date", "source", "url")
LISTS = ("countries", "topics", "partners")
SCORE = "score_"


def schema(labels: Sequence[str]) -> pa.Schema:
    """The parts' schema for a model with `labels`."""
    fields = [pa.field(name, pa.string()) for name in STRINGS]
    fields += [pa.field(name, pa.list_(pa.string())) for name in LISTS]
    fields += [pa.field("cooperation", pa.bool_()), pa.field("model_version", pa.string())]
    fields += [pa.field(SCORE + label, pa.float64()) for label in labels]
    return pa.schema(fields)


def write_part(path: Path, records: Sequence[dict[str, Any]], labels: Sequence[str]) -> None:
    """Write `records` as one Parquet file at `path`, flushed to disk (the caller renames it into place).

    Raises OSError if the file cannot be written.
    """
    columns: dict[str, list[Any]] = {name: [r.get(name) for r in records] for name in STRINGS}
    columns.update({name: [list(r.get(name) or []) for r in records] for name in LISTS})
    columns["cooperation"] = [bool(r.get("cooperation")) for r in records]
    columns["model_version"] = [r.get("model_version") for r in records]
    columns.update({SCORE + label: [(r.get("scores") or {}).get(label) for r in records] for label in labels})
    table = pa.Table.from_pydict(columns, schema=schema(labels))
    with open(path, "wb") as fh:
        pq.write_table(table, fh)
        fh.flush()
        os.fsync(fh.fileno())


def read_part(path: Path) -> list[dict[str, Any]]:
    """The records of a part, with their scores gathered back into `scores`.

    Raises OSError or pyarrow.ArrowInvalid if the file is not a readable part.
    """
    rows = pq.read_table(path).to_pylist()
    records = []
    for row in rows:
        scores = {name[len(SCORE):]: row.pop(name) for name in list(row) if name.startswith(SCORE)}
        records.append({**row, "scores": scores})
    return records
