"""A tagged record in Parquet: the one schema of the parts of `tagger tag` and of
`tagger watch`, one part written, and a part read back.

Columns, in this order (docs/batch.md, docs/watch.md):

| column | type |
|---|---|
| `id` | string |
| `date`, `title`, `source`, `url` | string, null when absent (`date` as ISO 8601 text) |
| each `tagger tag --keep` field | string (a non-string value as JSON), null when absent |
| `countries`, `topics`, `partners` | list<string> (`partners` empty for a model without them) |
| `cooperation` | bool |
| `score_<label>`, one per label of the model, in the model's order | float64 |
| `model_version` | string |
| `evidence` (`tagger tag --explain` only) | string, the evidence as JSON |

The schema's key-value metadata, under b"vn-tech-tagger", is the JSON object
{"model_version", "explain", "fields"}. A watch part is a `tagger tag` part
without --keep and --explain, so readers (`tagger report`, DuckDB, pyarrow)
read both alike.
"""
from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from service.batch_outputs import fsync_dir
from service.fields import CARRIED

META_KEY = b"vn-tech-tagger"
SCORE = "score_"
LISTS = ("countries", "topics", "partners")


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class ParquetFormat:
    """The schema of the parts of one model (labels, version), carried `fields` and `explain`."""

    def __init__(self, labels: Sequence[str], version: str, explain: bool = False,
                 fields: tuple[str, ...] = CARRIED) -> None:
        self.labels, self.version, self.explain, self.fields = list(labels), version, explain, fields
        strings = pa.list_(pa.string())
        columns = [("id", pa.string()), *((name, pa.string()) for name in fields),
                   *((name, strings) for name in LISTS), ("cooperation", pa.bool_()),
                   *((SCORE + label, pa.float64()) for label in self.labels), ("model_version", pa.string()),
                   *([("evidence", pa.string())] if explain else [])]
        meta = {"model_version": version, "explain": explain, "fields": list(fields)}
        self.schema = pa.schema(columns, metadata={META_KEY: json.dumps(meta).encode()})

    def table(self, records: Sequence[dict[str, Any]]) -> pa.Table:
        """`records` (tagged results, with their carried fields) as a table of this schema.

        Raises KeyError if a record has no `id`, pyarrow.ArrowException if a value has the wrong type.
        """
        data: dict[str, list[Any]] = {
            "id": [r["id"] for r in records],
            **{name: [_text(r.get(name)) for r in records] for name in self.fields},
            **{name: [list(r.get(name) or []) for r in records] for name in LISTS},
            "cooperation": [bool(r.get("cooperation")) for r in records],
            **{SCORE + label: [(r.get("scores") or {}).get(label) for r in records] for label in self.labels},
            "model_version": [r.get("model_version") for r in records],
        }
        if self.explain:
            data["evidence"] = [json.dumps(r.get("evidence", {}), ensure_ascii=False) for r in records]
        return pa.Table.from_pydict(data, schema=self.schema)


def written_version(schema: pa.Schema) -> str | None:
    """The model version in a part's metadata (None for a part without it, such as an old watch part).

    Raises ValueError if the metadata is not JSON.
    """
    meta = json.loads((schema.metadata or {}).get(META_KEY, b"{}"))
    return meta.get("model_version") if isinstance(meta, dict) else None


def difference(found: pa.Schema, want: pa.Schema) -> str:
    """What sets the columns of `found` apart from `want`'s, in a few words."""
    have, need = dict(zip(found.names, found.types)), dict(zip(want.names, want.types))
    words = [f"{what} {', '.join(names[:4])}" for what, names in (
        ("no", [n for n in need if n not in have]), ("also", [n for n in have if n not in need]),
        ("other type of", [n for n in need if n in have and have[n] != need[n]])) if names]
    if words:
        return "; ".join(words)
    return "the same columns in another order" if found.names != want.names else "other nullability or metadata"


def write_part(final: Path, temp: Path, table: pa.Table, before_rename: Callable[[], None] = lambda: None) -> Path:
    """Write `table` to `temp`, sync it, call `before_rename`, rename it to `final` and sync the folder.

    So `final` is only ever a whole part. Returns `final`. Raises OSError if a file cannot be written.
    """
    pq.write_table(table, temp)
    with open(temp, "rb") as fh:
        os.fsync(fh.fileno())
    before_rename()
    os.replace(temp, final)
    fsync_dir(final.parent)
    return final


def read_records(path: Path) -> list[dict[str, Any]]:
    """The records of a part, matched by column name (any column order), with `score_<label>`
    gathered back into `scores`.

    Raises OSError or pyarrow.ArrowException if the file is not a readable part.
    """
    records = []
    for row in pq.read_table(path).to_pylist():
        scores = {name[len(SCORE):]: row.pop(name) for name in list(row) if name.startswith(SCORE)}
        records.append({**row, "scores": scores})
    return records
