"""Helpers for the `tagger tag` tests: articles built from tests/data/tiny.jsonl."""
from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from click.testing import Result

TINY = Path(__file__).resolve().parent.parent / "data" / "tiny.jsonl"
Tag = Callable[..., Result]


def tiny_rows() -> list[dict[str, Any]]:
    """The tiny labelled articles, as the data files have them (`body`, not `text`)."""
    return [json.loads(line) for line in TINY.read_text(encoding="utf-8").splitlines() if line.strip()]


def articles(n: int) -> list[dict[str, Any]]:
    """`n` articles with ids a0000.., cycling over the tiny texts."""
    rows = tiny_rows()
    return [{"id": f"a{i:04d}", "title": rows[i % len(rows)]["title"], "lead": "",
             "text": f"{rows[i % len(rows)]['body']} Bài số {i}."} for i in range(n)]


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
