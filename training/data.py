"""Reading the labelled and unlabelled data files."""
from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from model.labels import partner_label

DEFAULT_DATA_DIR = Path(os.environ.get("TAGGER_DATA_DIR", Path(__file__).resolve().parent.parent.parent / "shared" / "data"))


def read_jsonl(path: str | Path) -> Iterator[dict[str, Any]]:
    """Yield the JSON objects of a `.jsonl` or `.jsonl.gz` file, skipping blank lines.

    Raises
    ------
    OSError
        If the file cannot be read.
    ValueError
        If a line is not valid JSON (the message names the line).
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not valid JSON ({exc.msg})") from None


def write_jsonl(path: str | Path, rows: Iterable[dict[str, Any]]) -> int:
    """Write `rows` as JSON lines (gzipped for a `.gz` path, as `read_jsonl` reads them);
    the number written. Raises OSError if the file cannot be written."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    count = 0
    with opener(path, "wt", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def load_labelled(path: str | Path) -> list[dict[str, Any]]:
    """Labelled articles of `path`, with `text` filled from `body` where needed."""
    rows = []
    for row in read_jsonl(path):
        row.setdefault("text", row.get("body"))
        rows.append(row)
    return rows


def label_matrix(rows: list[dict[str, Any]], labels: list[str]) -> np.ndarray:
    """Indicator matrix of `rows` over `labels` (topics, "cooperation", countries, "partner:<code>")."""
    col = {label: j for j, label in enumerate(labels)}
    Y = np.zeros((len(rows), len(labels)), dtype=int)
    for i, row in enumerate(rows):
        partners = [partner_label(code) for code in row.get("partners") or []]
        for name in [*row.get("topics", []), *row.get("countries", []), *partners]:
            if name in col:
                Y[i, col[name]] = 1
        if row.get("cooperation") and "cooperation" in col:
            Y[i, col["cooperation"]] = 1
    return Y


def file_identity(path: str | Path) -> dict[str, Any]:
    """Name, size and sha256 of a data file, for the bundle's manifest."""
    path = Path(path)
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return {"name": path.name, "bytes": path.stat().st_size, "sha256": digest.hexdigest()}


_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
SUMMARY_SENTENCES = 2


def short_view(row: dict[str, Any]) -> dict[str, Any]:
    """`row` as a news-feed item: its title and a short summary as `text`.

    The summary is the lead (the article's own summary) when there is one,
    else the body's first `SUMMARY_SENTENCES` sentences. Labels and other
    fields are kept: a feed item is about what its article is about.
    """
    summary = (row.get("lead") or "").strip()
    if not summary:
        body = (row.get("text") or row.get("body") or "").strip()
        summary = " ".join(_SENTENCE.split(body)[:SUMMARY_SENTENCES])
    return {**row, "lead": "", "text": summary, "body": summary}


MONTH = re.compile(r"\d{4}-(?:0[1-9]|1[0-2])")


def month(row: dict[str, Any]) -> str | None:
    """A row's ``YYYY-MM``: the start of an ISO `date` text ("2026-02-14...") or a `datetime.date`;
    None when it has none, or only a free-text one ("~2019-2021 (not per-article)", "Thứ hai, 12/3/2021")."""
    date = row.get("date")
    if isinstance(date, (dt.date, dt.datetime)):
        return f"{date.year:04d}-{date.month:02d}"
    found = MONTH.match(date) if isinstance(date, str) else None
    return found.group() if found else None


def month_groups(rows: list[dict[str, Any]], short: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """`groups` (one value per row; `training.train.group_folds`) with the dated news-feed items
    (`short`) of one month put in one group, so cross-validation holds a whole month out
    together and its scores are those of a model that never saw that month's stories.
    Whole articles and undated items keep their own group.
    """
    out = np.array(groups, copy=True)
    months = [month(row) if s else None for row, s in zip(rows, short)]
    number = {m: -(k + 1) for k, m in enumerate(sorted({m for m in months if m}))}  # negative: apart from row numbers
    for i, m in enumerate(months):
        if m:
            out[i] = number[m]
    return out
