"""A small tagged archive written by hand, and its counts counted by hand (docs/report.md rules)."""
from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

# id, date, countries, topics, cooperation, partners (None: the record has no `partners` member)
ROWS: list[tuple[str, Any, list[str], list[str], bool, list[str] | None]] = [
    ("r1", "2025-08-03", ["JP", "VN"], ["semiconductors"], True, ["JP"]),
    ("r2", "2025-08-20", ["JP"], ["ai"], False, None),
    ("r3", "2025-09-01T10:00:00+07:00", ["KR", "VN"], ["5g", "ai"], True, ["KR"]),
    ("r4", "2025-09-15", ["JP"], ["semiconductors"], True, ["JP"]),
    ("r5", "2025-09", [], ["ai"], False, []),
    ("r6", "2025-10-02", ["JP", "KR"], ["semiconductors"], True, ["JP", "KR"]),
    ("r7", "2025-10-05", ["JP"], ["semiconductors"], True, ["JP"]),
    ("r8", "2025-10-09", ["JP"], ["semiconductors"], True, ["JP"]),
    ("r9", None, ["US"], ["cybersecurity"], False, []),
    ("r10", "2025-10-30", [], [], False, []),
]

# period, country, topic, cooperation, articles ("" = none)
BY_MONTH = [
    ("2025-08", "JP", "semiconductors", "true", "1"), ("2025-08", "VN", "semiconductors", "true", "1"),
    ("2025-08", "JP", "ai", "false", "1"),
    ("2025-09", "KR", "5g", "true", "1"), ("2025-09", "KR", "ai", "true", "1"), ("2025-09", "VN", "5g", "true", "1"),
    ("2025-09", "VN", "ai", "true", "1"), ("2025-09", "JP", "semiconductors", "true", "1"),
    ("2025-09", "", "ai", "false", "1"),
    ("2025-10", "JP", "semiconductors", "true", "3"), ("2025-10", "KR", "semiconductors", "true", "1"),
    ("2025-10", "", "", "false", "1"),
    ("", "US", "cybersecurity", "false", "1"),
]
BY_QUARTER = [
    ("2025-Q3", "JP", "semiconductors", "true", "2"), ("2025-Q3", "VN", "semiconductors", "true", "1"),
    ("2025-Q3", "JP", "ai", "false", "1"), ("2025-Q3", "KR", "5g", "true", "1"), ("2025-Q3", "KR", "ai", "true", "1"),
    ("2025-Q3", "VN", "5g", "true", "1"), ("2025-Q3", "VN", "ai", "true", "1"), ("2025-Q3", "", "ai", "false", "1"),
    ("2025-Q4", "JP", "semiconductors", "true", "3"), ("2025-Q4", "KR", "semiconductors", "true", "1"),
    ("2025-Q4", "", "", "false", "1"),
    ("", "US", "cybersecurity", "false", "1"),
]
PARTNERS_BY_MONTH = [("2025-08", "JP", "1"), ("2025-09", "KR", "1"), ("2025-09", "JP", "1"), ("2025-10", "JP", "3"),
                     ("2025-10", "KR", "1")]


def records() -> list[dict[str, Any]]:
    """The rows as `tagger tag` JSONL results (title and url made up, scores left out)."""
    out = []
    for ident, date, countries, topics, cooperation, partners in ROWS:
        record: dict[str, Any] = {"id": ident, "date": date, "title": f"Bài {ident}", "source": "báo",
                                  "url": f"https://example.test/{ident}", "countries": countries, "topics": topics,
                                  "cooperation": cooperation, "scores": {}, "model_version": "hand"}
        if partners is not None:
            record["partners"] = partners
        out.append(record)
    return out


def write_tagged(path: Path) -> Path:
    """The records as JSONL, CSV or a Parquet file, by `path`'s extension."""
    rows = records()
    if path.suffix == ".jsonl":
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    elif path.suffix == ".csv":
        columns = ["id", "date", "title", "source", "url", "countries", "topics", "partners", "cooperation"]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(columns)
            for r in rows:
                writer.writerow([";".join(r.get(c) or []) if c in ("countries", "topics", "partners")
                                 else str(r[c]).lower() if c == "cooperation" else r[c] or "" for c in columns])
    else:
        table = pa.Table.from_pylist([{k: v for k, v in r.items() if k != "scores"} | {"partners": r.get("partners")}
                                      for r in rows])
        pq.write_table(table, path)
    return path


def read_csv(path: Path) -> list[tuple[str, ...]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [tuple(row) for row in list(csv.reader(fh))[1:]]
