"""Faults in `tagger tag`: SIGKILL at random points, unwritable outputs, a full disk.

Kills and full disks use real subprocesses (what a user sees on stderr); the
mocked disk errors run in-process. A small tmpfs stands in for a full or a
read-only disk where this machine lets root mount one; elsewhere those tests
are skipped and the mocked ones still run.
"""
from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
from click.testing import CliRunner, Result

from batch.helpers import articles, write_jsonl
from reliability.live import TAGGER
from service.batch_job import Problem
from service.batch_outputs import ErrorLog, Sink
from service.cli import main

KILL_SEED = 20261123
KILL_RECORDS = 600
KILL_ROUNDS = 3
SOAK_KILL_ROUNDS = 12
CHUNK = 7
MAX_KILL_DELAY_S = 0.3  # a run tags a few hundred articles a second
POLL_TIMEOUT_S = 120  # bounds for a stuck child, not timing expectations
RUN_TIMEOUT_S = 300
DISK_RECORDS = 400


def tag_command(bundle: Path, source: Path, out: Path, *extra: str) -> list[str]:
    return [*TAGGER, "tag", str(source), "-o", str(out), "--model", str(bundle), "--chunk-size", str(CHUNK), *extra]


def ids_in(path: Path) -> list[str]:
    """Ids of the whole lines of a JSONL output (a torn last line is left out)."""
    if not path.exists():
        return []
    lines = path.read_bytes().split(b"\n")[:-1]
    return [json.loads(line)["id"] for line in lines]


def line_count(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


@dataclass(frozen=True)
class Kill:
    """One killed run: whether it was still running, output lines before and after, a torn last line."""

    jobs: int
    still_running: bool
    lines_before: int
    lines_after: int
    torn: bool


def run_and_kill(command: list[str], out: Path, rng: random.Random) -> bool:
    """Start `command`, SIGKILL its process group at a seeded random moment; True if it was still running.

    One run in four is killed during start-up, the others a random delay after
    their first new output line, so every round kills somewhere different.
    """
    child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        if rng.random() < 0.25:
            time.sleep(rng.uniform(0.0, 2.0))
        else:
            start_lines = line_count(out)
            deadline = time.monotonic() + POLL_TIMEOUT_S
            while line_count(out) <= start_lines and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, MAX_KILL_DELAY_S))
        running = child.poll() is None
    finally:
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:  # it had finished
            pass
        child.wait(timeout=POLL_TIMEOUT_S)
    return running


@pytest.mark.slow
@pytest.mark.parametrize("rounds", [pytest.param(KILL_ROUNDS, id="short"),
                                    pytest.param(SOAK_KILL_ROUNDS, id="soak", marks=pytest.mark.soak)])
def test_batch_killed_at_random_points_resumes_to_every_id_exactly_once(tmp_path: Path, tiny_bundle_path: Path,
                                                                        rounds: int) -> None:
    records: list[Any] = articles(KILL_RECORDS)
    records.insert(KILL_RECORDS // 3, {"id": "bad", "text": ""})  # the errors file survives the kills too
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    rng = random.Random(KILL_SEED)
    kills = []
    for round_ in range(rounds):
        jobs = 2 if round_ % 4 == 3 else 1  # soak rounds also kill a process pool with its parent
        before = line_count(out)
        running = run_and_kill(tag_command(tiny_bundle_path, source, out, "--resume", "--jobs", str(jobs)), out, rng)
        data = out.read_bytes() if out.exists() else b""
        kills.append(Kill(jobs, running, before, data.count(b"\n"), bool(data) and not data.endswith(b"\n")))

    final = subprocess.run(tag_command(tiny_bundle_path, source, out, "--resume", "--jobs", "1"),
                           capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    print(f"\nRELIABILITY {json.dumps({'test': f'batch_kill_{rounds}', 'kills': [k.__dict__ for k in kills]})}")
    assert final.returncode == 2, final.stderr
    good = [r["id"] for r in records if r["id"] != "bad"]
    written = ids_in(out)
    assert Counter(written) == Counter(good), "every id exactly once"
    assert written == good, "in input order"
    assert out.read_bytes().endswith(b"\n")
    errors = [json.loads(line) for line in (tmp_path / "out.jsonl.errors.jsonl").read_text().splitlines()]
    assert [e["id"] for e in errors] == ["bad"]
    assert sum(k.still_running for k in kills) >= rounds // 2, f"too few kills landed mid-run: {kills}"
    assert any(k.lines_after > k.lines_before for k in kills if k.still_running), kills


# --- unwritable outputs -------------------------------------------------------------

def invoke(bundle: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["tag", *args, "--model", str(bundle), "--jobs", "1"])


def assert_clean_failure(result: Result, message: str) -> None:
    """Exit 1 with `message` on stderr, through a ClickException, not a crash."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("output", "errors", "message"), [
    ("/dev/null/out.jsonl", None, "cannot write /dev/null/out.jsonl"),
    ("{tmp}/out.jsonl", "/dev/null/errors.jsonl", "cannot write the errors file /dev/null/errors.jsonl"),
], ids=["output-under-a-file", "errors-under-a-file"])
def test_an_output_under_a_file_is_refused_before_anything_is_written(tiny_bundle_path: Path, tmp_path: Path,
                                                                      output: str, errors: str | None,
                                                                      message: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles(5))
    extra = ["--errors", errors] if errors else []
    result = invoke(tiny_bundle_path, str(source), "-o", output.format(tmp=tmp_path), *extra)
    assert_clean_failure(result, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]


@pytest.mark.parametrize("failing", ["output", "errors file"])
def test_a_disk_error_mid_run_stops_with_a_message_and_keeps_whole_chunks(tiny_bundle_path: Path, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch,
                                                                         failing: str) -> None:
    records: list[Any] = articles(40)
    records.insert(25, {"id": "bad"})  # the first error is written after three chunks
    source = write_jsonl(tmp_path / "in.jsonl", records)
    out = tmp_path / "out.jsonl"
    calls = Counter[str]()
    real_write, real_add = Sink.write, ErrorLog.add

    def full(target: Path) -> NoReturn:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    def sink_write(self: Sink, text: str) -> None:
        calls["output"] += 1
        if failing == "output" and calls["output"] == 3:
            full(out)
        real_write(self, text)

    def error_add(self: ErrorLog, problem: Problem) -> None:
        if failing == "errors file":
            full(self.path)
        real_add(self, problem)

    monkeypatch.setattr(Sink, "write", sink_write)
    monkeypatch.setattr(ErrorLog, "add", error_add)
    result = invoke(tiny_bundle_path, str(source), "-o", str(out), "--chunk-size", "8")
    assert_clean_failure(result, "No space left on device")
    assert "rerun with --resume" in result.stderr
    whole_chunks = 2 if failing == "output" else 3  # the bad record is read while the fourth chunk is filled
    assert ids_in(out) == [r["id"] for r in records[:8 * whole_chunks]]


# --- a real full or read-only disk: a small tmpfs -----------------------------------

def mount_tmpfs(where: Path, options: str) -> None:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    where.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)], capture_output=True,
                            text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")


def unmount(where: Path) -> None:
    subprocess.run(["umount", str(where)], capture_output=True, check=False)


@dataclass(frozen=True)
class DiskRun:
    disk: Path
    source: Path
    out: Path
    result: subprocess.CompletedProcess


@pytest.fixture(scope="module")
def full_disk(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DiskRun]:
    """`tagger tag` writing ~400 kB onto a 64 kB tmpfs, run once for the tests below."""
    folder = tmp_path_factory.mktemp("full-disk")
    disk = folder / "disk"
    mount_tmpfs(disk, "size=64k")
    try:
        source = write_jsonl(folder / "in.jsonl", articles(DISK_RECORDS))
        out = disk / "out.jsonl"
        command = [*TAGGER, "tag", str(source), "-o", str(out), "--model", str(tiny_bundle_path), "--jobs", "1",
                   "--chunk-size", "10"]
        result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
        yield DiskRun(disk, source, out, result)
    finally:
        unmount(disk)


@pytest.mark.slow
def test_a_full_disk_stops_the_run_with_exit_1_and_keeps_whole_lines(full_disk: DiskRun) -> None:
    result = full_disk.result
    assert result.returncode == 1, result.stderr
    assert f"cannot write {full_disk.out}: No space left on device" in result.stderr
    kept = ids_in(full_disk.out)
    assert kept and kept == [f"a{i:04d}" for i in range(len(kept))], "whole results, in order, are kept"

    subprocess.run(["mount", "-o", "remount,size=8m", str(full_disk.disk)], check=True)  # space is freed
    resumed = subprocess.run([*TAGGER, "tag", str(full_disk.source), "-o", str(full_disk.out), "--model",
                              *result.args[result.args.index("--model") + 1:], "--resume"],
                             capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert resumed.returncode == 0, resumed.stderr
    assert f"skipped {len(kept)}" in resumed.stderr
    assert ids_in(full_disk.out) == [f"a{i:04d}" for i in range(DISK_RECORDS)]


@pytest.mark.slow
def test_a_full_disk_error_has_no_traceback(full_disk: DiskRun) -> None:
    assert full_disk.result.returncode == 1
    assert "Traceback" not in full_disk.result.stderr, full_disk.result.stderr[-3000:]
    assert full_disk.result.stderr.startswith("Error: cannot write")


def test_a_read_only_disk_is_refused_before_anything_is_written(tiny_bundle_path: Path, tmp_path: Path) -> None:
    disk = tmp_path / "ro"
    mount_tmpfs(disk, "size=64k,ro")
    try:
        source = write_jsonl(tmp_path / "in.jsonl", articles(5))
        result = invoke(tiny_bundle_path, str(source), "-o", str(disk / "out.jsonl"))
        assert_clean_failure(result, f"cannot write {disk / 'out.jsonl'}: permission denied")
        assert list(disk.iterdir()) == []
    finally:
        unmount(disk)
