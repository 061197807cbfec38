"""A parent killed with SIGKILL leaves no process of its run behind (issue 18).

Real subprocesses: `tagger tag --jobs 2` and the dask engine killed mid-run,
a `tagger serve` master killed while its workers wait for requests, and training's
preparing processes (`training.weak.prepare_many`) killed mid-run. Only
the parent gets the SIGKILL (not its process group, as the kill-and-resume
tests do), the way the OOM killer or a scheduler kills one process. Every
process the run started is recorded before the kill; after the test they
and the run's process group are killed, whatever the outcome.
"""
from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from batch.helpers import articles, write_jsonl
from reliability.live import START_TIMEOUT_S, TAGGER, report, request, serve
from reliability.procs import Proc, descendants, kill_all, proc, wait_gone

GONE_WITHIN_S = 10  # what the issue asks: no process of the run alive 10 s after the kill
BIG = 10_000  # articles: the tiny model tags ~2,000 a second on two jobs, so a run lasts seconds


@pytest.fixture
def leftovers() -> Iterator[tuple[set[Proc], list[int]]]:
    """Processes and process groups a test started: all killed at teardown, pass or fail."""
    procs: set[Proc] = set()
    groups: list[int] = []
    yield procs, groups
    for group in groups:
        kill_all((), group)
    kill_all(procs)


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("orphans") / "big.jsonl", articles(BIG))


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def kill_tag_mid_run(extra: list[str], bundle: Path, source: Path, tmp_path: Path,
                     leftovers: tuple[set[Proc], list[int]], workers: int) -> dict[str, object]:
    """Start `tagger tag` on `source`, SIGKILL it once `workers` processes run and results are
    being written, and check that every process it started ends; return the figures."""
    procs, groups = leftovers
    out = tmp_path / "out.jsonl"
    log = tmp_path / "tag.log"
    with open(log, "wb") as err:
        parent = subprocess.Popen([*TAGGER, "tag", str(source), "-o", str(out), "--model", str(bundle), *extra],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                  start_new_session=True)
    groups.append(parent.pid)
    deadline = time.monotonic() + START_TIMEOUT_S
    while (len(descendants(parent.pid)) < workers or _lines(out) == 0) and parent.poll() is None:
        assert time.monotonic() < deadline, f"no {workers} workers writing after {START_TIMEOUT_S}s"
        time.sleep(0.05)
    procs.update(descendants(parent.pid))  # the whole tree, recorded before the kill hides it
    run = set(procs)
    assert parent.poll() is None, f"tagger tag ended before it was killed:\n{log.read_text()}"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=START_TIMEOUT_S)
    written = _lines(out)
    left, seconds = wait_gone(run, GONE_WITHIN_S)
    assert written < BIG, "the kill came after the run had finished: nothing was tested"
    assert not left, f"alive {GONE_WITHIN_S}s after the kill: {sorted(p.pid for p in left)}"
    return {"processes": len(run), "lines_written": written, "all_gone_s": round(seconds, 2)}


def test_a_killed_jobs_2_run_leaves_no_worker(big_input: Path, tiny_bundle_path: Path, tmp_path: Path,
                                               leftovers: tuple[set[Proc], list[int]]) -> None:
    figures = kill_tag_mid_run(["--jobs", "2"], tiny_bundle_path, big_input, tmp_path, leftovers, workers=2)
    report("orphans_jobs_2", figures)


@pytest.mark.slow
def test_a_killed_dask_run_leaves_no_process(big_input: Path, tiny_bundle_path: Path, tmp_path: Path,
                                              leftovers: tuple[set[Proc], list[int]]) -> None:
    pytest.importorskip("distributed")
    # dask's own guard: each spawned worker exits when a pipe from its parent closes
    figures = kill_tag_mid_run(["--engine", "dask", "--jobs", "2"], tiny_bundle_path, big_input, tmp_path,
                               leftovers, workers=2)
    report("orphans_dask", figures)


def test_a_killed_gunicorn_master_leaves_no_worker(tiny_bundle_path: Path, tmp_path: Path,
                                                   leftovers: tuple[set[Proc], list[int]]) -> None:
    procs, _ = leftovers
    with serve(tiny_bundle_path, tmp_path / "serve.log", workers=2) as server:
        workers = {p for p in map(proc, server.workers()) if p is not None}
        procs.update(workers)
        assert len(workers) == 2
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(timeout=START_TIMEOUT_S)
        left, seconds = wait_gone(workers, GONE_WITHIN_S)
        assert not left, f"workers alive {GONE_WITHIN_S}s after the master's kill:\n{server.log_text()}"
        with pytest.raises((ConnectionError, http.client.HTTPException)):
            request(server.port, "GET", "/readyz", timeout=5)  # nobody serves the port any more
    report("orphans_gunicorn", {"workers": len(workers), "all_gone_s": round(seconds, 2)})


def test_a_killed_training_leaves_no_preparing_process(tmp_path: Path,
                                                       leftovers: tuple[set[Proc], list[int]]) -> None:
    procs, groups = leftovers
    script = tmp_path / "prepare.py"  # prepare_many as `tagger train` calls it, with a preparer that takes its time
    script.write_text(textwrap.dedent("""
        import time
        from training.weak import prepare_many

        class Slow:
            def transform(self, rows):
                time.sleep(60)
                return rows

        prepare_many(Slow(), [{}] * 2_000, n_jobs=2)
    """), encoding="utf-8")
    log = tmp_path / "prepare.log"
    with open(log, "wb") as err:
        parent = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=err, start_new_session=True)
    groups.append(parent.pid)
    deadline = time.monotonic() + START_TIMEOUT_S
    while len(descendants(parent.pid)) < 2 and parent.poll() is None:
        assert time.monotonic() < deadline, f"no 2 preparing processes after {START_TIMEOUT_S}s"
        time.sleep(0.05)
    procs.update(descendants(parent.pid))
    run = set(procs)
    assert parent.poll() is None, f"it ended before it was killed:\n{log.read_text()}"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait(timeout=START_TIMEOUT_S)
    left, seconds = wait_gone(run, GONE_WITHIN_S)
    assert not left, f"alive {GONE_WITHIN_S}s after the kill: {sorted(p.pid for p in left)}"
    report("orphans_training", {"processes": len(run), "all_gone_s": round(seconds, 2)})
