"""The pieces under `tagger tag`: the ordered window, chunking, the output scan."""
from __future__ import annotations

import csv
import io
import json
from concurrent.futures import Future
from pathlib import Path

import pytest

from service.batch_engines import ordered
from service.batch_formats import CsvFormat, JsonlFormat
from service.batch_inputs import chunked
from service.batch_job import BatchError
from service.batch_outputs import scan_output


def test_ordered_keeps_input_order_with_a_bounded_window() -> None:
    submitted = 0
    in_flight = []

    def submit(n: int) -> Future[int]:
        nonlocal submitted
        submitted += 1
        future: Future[int] = Future()
        future.set_result(n * 10)
        return future

    results = []
    for n, result in ordered(range(10), submit, window=3):
        in_flight.append(submitted - len(results))
        results.append((n, result))
    assert results == [(n, n * 10) for n in range(10)]
    assert max(in_flight) == 3


def test_ordered_waits_for_the_oldest_chunk() -> None:
    slow: Future[str] = Future()
    fast: Future[str] = Future()
    fast.set_result("second")
    futures = iter([slow, fast])
    stream = ordered(["a", "b"], lambda _: next(futures), window=2)
    slow.set_result("first")
    assert list(stream) == [("a", "first"), ("b", "second")]


def test_chunked() -> None:
    assert list(chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(chunked([], 3)) == []


def test_scan_output_skips_a_torn_line_and_counts_whole_ones(tmp_path: Path) -> None:
    fmt = JsonlFormat("v1", explain=False)
    whole = '{"id": "a", "model_version": "v1"}\n{"id": "b", "model_version": "v1"}\n'
    out = tmp_path / "out.jsonl"
    out.write_text(whole + '{"id": "c", "mod', encoding="utf-8")
    assert scan_output(out, fmt) == ({"a", "b"}, len(whole.encode()))
    assert scan_output(tmp_path / "absent.jsonl", fmt) == (set(), 0)


def test_scan_output_refuses_a_foreign_whole_line(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "model_version": "v1"}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(BatchError, match="line 2 of the output is not a result"):
        scan_output(out, JsonlFormat("v1", explain=False))


def test_both_formats_render_a_record_without_partners_as_none() -> None:
    """A record of a model without a partner head (no `partners` key) renders as one with none."""
    record = {"id": "a", "countries": ["JP"], "topics": ["ai"], "cooperation": False,
              "scores": {"ai": 0.9, "JP": 0.8}, "model_version": "v1"}
    line = json.loads(JsonlFormat("v1", explain=False).render([record]))
    assert list(line) == ["id", "date", "title", "source", "url", "countries", "topics", "partners", "cooperation",
                          "scores", "model_version"]
    assert line["partners"] == [] and line["topics"] == ["ai"]
    assert json.loads(JsonlFormat("v1", explain=False).render([{**record, "partners": ["JP"]}]))["partners"] == ["JP"]
    table = CsvFormat(["ai", "JP"], "v1", explain=False)
    rows = list(csv.DictReader(io.StringIO(table.header() + table.render([record, {**record, "partners": ["JP", "KR"]}]))))
    assert [r["partners"] for r in rows] == ["", "JP;KR"]
    assert rows[0]["score_JP"] == "0.8" and rows[0]["countries"] == "JP"
