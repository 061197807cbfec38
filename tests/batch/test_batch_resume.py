"""Crash safety: resuming after a torn output and after a real SIGKILL."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from batch.helpers import Tag, articles, read_jsonl, write_jsonl

KILL_RECORDS = 300
POLL_SECONDS = 120  # a bound for a stuck child, not a timing expectation


@pytest.fixture
def with_bad_record(tmp_path: Path) -> Path:
    """30 articles with one bad record in the middle (line 16)."""
    records = articles(30)
    return write_jsonl(tmp_path / "in.jsonl", [*records[:15], {"id": "bad"}, *records[15:]])


def cut(data: bytes, whole_lines: int, torn: bool) -> bytes:
    """The first `whole_lines` lines, then half of the next one when `torn`."""
    lines = data.splitlines(keepends=True)
    kept = b"".join(lines[:whole_lines])
    return kept + lines[whole_lines][: len(lines[whole_lines]) // 2] if torn else kept


@pytest.mark.parametrize("suffix", ["jsonl", "csv"])
@pytest.mark.parametrize(("whole_lines", "torn"), [(0, True), (1, False), (9, True), (13, False)])
def test_resume_after_a_torn_output_gives_the_full_output(tag: Tag, tmp_path: Path, with_bad_record: Path,
                                                          suffix: str, whole_lines: int, torn: bool) -> None:
    full = tmp_path / f"full.{suffix}"
    first = tag(str(with_bad_record), "-o", str(full), "--chunk-size", "4")
    assert first.exit_code == 2, first.output
    out = tmp_path / f"out.{suffix}"
    out.write_bytes(cut(full.read_bytes(), whole_lines, torn))
    (tmp_path / f"out.{suffix}.errors.jsonl").write_text('{"stale": "from the crashed run"}\n', encoding="utf-8")

    result = tag(str(with_bad_record), "-o", str(out), "--chunk-size", "4", "--resume")
    assert result.exit_code == 2, result.output
    assert out.read_bytes() == full.read_bytes()
    done = max(0, whole_lines - (suffix == "csv"))
    assert f"tagged {30 - done}, skipped {done}" in result.stderr
    errors = read_jsonl(tmp_path / f"out.{suffix}.errors.jsonl")
    assert errors == read_jsonl(tmp_path / f"full.{suffix}.errors.jsonl")
    assert [(e["line"], e["id"]) for e in errors] == [(16, "bad")]


def test_resume_of_a_finished_output_changes_nothing(tag: Tag, tmp_path: Path, jsonl_input: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert tag(str(jsonl_input), "-o", str(out)).exit_code == 0
    before = out.read_bytes()
    result = tag(str(jsonl_input), "-o", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert "tagged 0, skipped 12" in result.stderr
    assert out.read_bytes() == before


@pytest.mark.parametrize(("name", "extra", "change", "message"), [
    ("out.jsonl", [], lambda text: text.replace('"model_version": "', '"model_version": "old-'), "written by model"),
    ("out.jsonl", ["--explain"], lambda text: text, "written without --explain"),
    ("out.jsonl", [], lambda text: text.replace("\n", "\nnot a result\n", 1), "line 2 of the output is not"),
    ("out.csv", ["--explain"], lambda text: text, "CSV columns differ"),
])
def test_resume_refuses_an_output_it_did_not_write(tag: Tag, tmp_path: Path, jsonl_input: Path, name: str,
                                                   extra: list[str], change, message: str) -> None:
    out = tmp_path / name
    assert tag(str(jsonl_input), "-o", str(out), "--chunk-size", "5").exit_code == 0
    out.write_text(change(cut(out.read_bytes(), 6, torn=True).decode("utf-8")), encoding="utf-8")
    before = out.read_bytes()
    result = tag(str(jsonl_input), "-o", str(out), "--resume", *extra)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert out.read_bytes() == before


def _line_count(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_a_run_killed_with_sigkill_resumes_to_every_id_exactly_once(tmp_path: Path, tiny_bundle_path: Path) -> None:
    records = articles(KILL_RECORDS)
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-c", "from service.cli import main; main()", "tag", "--model", str(tiny_bundle_path),
               "--chunk-size", "3", "--jobs", "1", "-o", str(out)]
    # `-` after the file keeps the child alive (waiting on stdin) once the file is done,
    # so it is always killed mid-run, never after a clean exit.
    child = subprocess.Popen([*command, str(source), "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + POLL_SECONDS
        while _line_count(out) < 10 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert child.poll() is None, f"the child exited early: {child.stderr.read().decode()}"
        assert _line_count(out) >= 10, "no output from the child before the deadline"
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        child.stdin.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    written = _line_count(out)

    resumed = subprocess.run([*command, str(source), "--resume"], capture_output=True, text=True, timeout=POLL_SECONDS)
    assert resumed.returncode == 0, resumed.stderr
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert Counter(ids) == Counter(r["id"] for r in records)
    assert ids == [r["id"] for r in records]
    assert f"skipped {written}" in resumed.stderr
