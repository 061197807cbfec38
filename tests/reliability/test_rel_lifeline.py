"""`service.lifeline`: which guard a worker gets, and that each one ends it with its parent.

The Linux parent-death signal follows the *thread* that forked a worker. These
tests check that workers forked by the main thread get it, that workers forked
by another thread get the watchdog instead and outlive that thread, that the
watchdog ends a worker when its parent is SIGKILLed, and that a parent gone
before the guard was armed ends the worker at once.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from model.tagger import Tagger
from service import lifeline
from service.batch_engines import SerialEngine
from service.batch_inputs import chunked
from service.batch_job import Pending
from service.batch_pool import PoolEngine

from batch.helpers import articles
from reliability.procs import Proc, alive, kill_all, proc, wait_gone

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's")

GONE_WITHIN_S = 10
THREAD_EXIT_S = 0.5  # time for a death signal tied to an ended thread to have landed


def _report() -> tuple[int, str | None, int]:
    time.sleep(0.2)  # keep this worker busy so the next task goes to another
    return os.getpid(), lifeline.guard(), lifeline.parent_death_signal()


def reports(engine: PoolEngine) -> dict[int, tuple[str | None, int]]:
    """(guard, death signal) of every worker of `engine`'s pool, by pid."""
    assert engine.pool is not None
    pids = set(engine.pool._processes)
    seen: dict[int, tuple[str | None, int]] = {}
    for _ in range(50):
        for future in [engine.pool.submit(_report) for _ in pids]:
            pid, guard, sig = future.result(timeout=60)
            seen[pid] = (guard, sig)
        if set(seen) == pids:
            return seen
    raise AssertionError(f"heard from {sorted(seen)}, not from every worker {sorted(pids)}")


def _pending(n: int) -> list[Pending]:
    return [Pending("in.jsonl", i + 1, a["id"], a) for i, a in enumerate(articles(n))]


def test_workers_forked_by_the_main_thread_get_the_death_signal(tiny_tagger: Tagger, tmp_path: Path) -> None:
    with PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False) as engine:
        seen = reports(engine)
    assert set(seen.values()) == {("signal", signal.SIGKILL)}, seen
    assert lifeline.guard() is None  # the parent itself is not tied to anything


def test_workers_forked_by_another_thread_are_watched_and_outlive_that_thread(tiny_tagger: Tagger,
                                                                              tmp_path: Path) -> None:
    # With the death signal, these workers would be SIGKILLed when the thread that entered the pool ends.
    engine = PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False)
    starter = threading.Thread(target=engine.__enter__)
    starter.start()
    starter.join()
    try:
        time.sleep(THREAD_EXIT_S)
        seen = reports(engine)
        pending = _pending(9)
        outcomes = [o for _, chunk in engine.map(chunked(pending, 4)) for o in chunk]
    finally:
        engine.__exit__()
    assert set(seen.values()) == {("watchdog", 0)}, seen
    with SerialEngine(tiny_tagger, explain=False) as serial:
        assert outcomes == [o for _, chunk in serial.map(chunked(pending, 4)) for o in chunk]


def test_spawned_workers_are_watched(tiny_tagger: Tagger, tiny_bundle_path: Path) -> None:
    with PoolEngine(tiny_tagger, tiny_bundle_path, jobs=1, explain=False, method="spawn") as engine:
        assert set(reports(engine).values()) == {("watchdog", 0)}


def test_a_fork_server_pool_is_refused(tiny_tagger: Tagger, tiny_bundle_path: Path) -> None:
    with pytest.raises(ValueError, match="'forkserver'"):
        PoolEngine(tiny_tagger, tiny_bundle_path, jobs=2, explain=False, method="forkserver")


# A parent that forks one worker, from its main thread or from another thread that then
# ends, prints "<worker pid> <guard>" then "ready", and waits to be killed.
PARENT = textwrap.dedent("""
    import os, sys, threading, time
    from service.lifeline import Parent, die_with_parent

    parent = Parent.this_process()

    def fork_worker():
        if os.fork() == 0:
            print(os.getpid(), die_with_parent(parent), flush=True)
            while True:
                time.sleep(1)

    if sys.argv[1] == "thread":
        starter = threading.Thread(target=fork_worker)
        starter.start()
        starter.join()
    else:
        fork_worker()
    time.sleep(float(sys.argv[2]))
    print("ready", flush=True)
    time.sleep(600)
""")


@pytest.mark.parametrize(("forked_by", "guard"), [("main", "signal"), ("thread", "watchdog")])
def test_a_worker_ends_within_seconds_of_its_parents_sigkill(forked_by: str, guard: str) -> None:
    parent = subprocess.Popen([sys.executable, "-c", PARENT, forked_by, str(THREAD_EXIT_S)],
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    worker: Proc | None = None
    try:
        assert parent.stdout is not None
        said = parent.stdout.readline()
        assert len(said.split()) == 2, f"the worker did not report its guard (it said {said!r})"
        pid, armed = said.split()
        worker = proc(int(pid))
        assert worker is not None and armed == guard
        assert parent.stdout.readline() == "ready\n"
        assert alive({worker}), "the worker ended before its parent did"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=GONE_WITHIN_S)
        left, _ = wait_gone({worker}, GONE_WITHIN_S)
        assert not left, f"worker {pid} ({armed}) alive {GONE_WITHIN_S}s after its parent's kill"
    finally:
        kill_all({worker} if worker else set(), parent.pid)
        parent.wait(timeout=GONE_WITHIN_S)
        parent.stdout.close()


# A parent that forks a worker and exits at once; the worker arms its guard only once the
# parent is gone (the race between fork and prctl, made certain) and must end right there.
ORPHAN = textwrap.dedent("""
    import os, time
    from service.lifeline import Parent, die_with_parent

    parent = Parent.this_process()
    if os.fork() == 0:
        print("waiting", flush=True)
        deadline = time.monotonic() + 10
        while os.getppid() == parent.pid and time.monotonic() < deadline:
            time.sleep(0.01)
        die_with_parent(parent)
        print("survived", flush=True)
        time.sleep(3)
""")


def test_a_worker_whose_parent_died_before_the_guard_was_armed_ends_at_once() -> None:
    started = subprocess.Popen([sys.executable, "-c", ORPHAN], stdout=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        out, _ = started.communicate(timeout=30)  # returns once the worker, which holds the pipe too, is gone
    finally:
        kill_all((), started.pid)
    assert started.returncode == 0
    assert out == "waiting\n", "the worker went on after finding its parent gone"
