"""`tagger tag`'s JSON summary line: the counts and the labels given, as GET /metrics counts them."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from batch.helpers import Tag, articles, read_jsonl, write_jsonl
from service.tag_counts import label_counts


def _summary(stderr: str) -> dict[str, Any]:
    (line,) = [line for line in stderr.splitlines() if line.startswith('{"event": "summary"')]
    return json.loads(line)


def test_the_summary_line_counts_the_labels_of_what_was_written(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [*articles(9), {"id": "bad", "text": ""}, *articles(14)[9:]])
    out = tmp_path / "out.jsonl"
    result = tag(str(source), "-o", str(out), "--jobs", "2", "--chunk-size", "4")
    assert result.exit_code == 2, result.output
    summary = _summary(result.stderr)
    expected = label_counts(read_jsonl(out))
    assert expected, "the tiny model should give these articles some labels"
    assert summary["labels"] == dict(sorted(expected.items()))
    assert (summary["event"], summary["tagged"], summary["skipped"], summary["errors"]) == ("summary", 14, 0, 1)
    assert summary["seconds"] >= 0


def test_a_resumed_run_counts_only_what_it_tagged(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles(10))
    out = tmp_path / "out.jsonl"
    first = tag(str(source), "-o", str(out), "--chunk-size", "3")
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:6]))
    resumed = tag(str(source), "-o", str(out), "--resume")
    assert first.exit_code == resumed.exit_code == 0, resumed.output
    summary = _summary(resumed.stderr)
    assert (summary["tagged"], summary["skipped"]) == (4, 6)
    assert summary["labels"] == dict(sorted(label_counts(read_jsonl(out)[6:]).items()))
    assert sum(_summary(first.stderr)["labels"].values()) >= sum(summary["labels"].values())
