"""Load on a live `tagger serve`: no errors, flat worker memory, a killed worker replaced.

`make test` sends LOAD_REQUESTS (1,000) requests; `make soak` sends
SOAK_REQUESTS (default 20,000), both at concurrency 32 against two gunicorn
workers on loopback. The figures are printed as one JSON line (run pytest with
``-s``) and written to the file named by RELIABILITY_REPORT when it is set.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reliability.live import LiveServer, LoadRun, report, rss_kib, run_load, serve

CONCURRENCY = 32
WORKERS = 2
LOAD_REQUESTS = 1_000
WARM_UP_REQUESTS = 200
MAX_RSS_GROWTH = 0.10
KILL_LOAD_REQUESTS = 800
KILL_AFTER = 200  # requests answered before a worker is killed
AFTER_KILL_REQUESTS = 200
SOAK_KILL_LOAD_REQUESTS = 6_000
JOIN_TIMEOUT_S = 900


def soak_requests() -> int:
    return int(os.environ.get("SOAK_REQUESTS", "20000"))


@pytest.fixture(scope="module")
def load_server(tiny_bundle_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Two workers at the default body limit; the load test runs before the kill test."""
    with serve(tiny_bundle_path, tmp_path_factory.mktemp("load") / "serve.log", workers=WORKERS) as server:
        yield server


def sample_rss(pids: set[int], run: LoadRun, stop: threading.Event, peaks: dict[int, int],
               timeline: list[tuple[int, int]]) -> None:
    """Every second: each worker's peak RSS, and (requests answered, total worker RSS)."""
    while not stop.wait(1.0):
        sizes = {}
        for pid in pids:
            try:
                sizes[pid] = rss_kib(pid)
            except (OSError, LookupError):
                continue
            peaks[pid] = max(peaks.get(pid, 0), sizes[pid])
        timeline.append((run.done, sum(sizes.values())))


def thinned(points: list[tuple[int, int]], keep: int = 10) -> list[tuple[int, int]]:
    step = max(1, len(points) // keep)
    return points[::step] + points[-1:] if points else []


@pytest.mark.slow
@pytest.mark.parametrize("total", [pytest.param(LOAD_REQUESTS, id="short"),
                                   pytest.param(soak_requests(), id="soak", marks=pytest.mark.soak)])
def test_load_has_no_errors_and_flat_worker_memory(load_server: LiveServer, load_articles: list[dict[str, Any]],
                                                  total: int) -> None:
    warm = run_load(load_server.port, load_articles, WARM_UP_REQUESTS, CONCURRENCY, prefix="warm")
    assert not warm.errors(), warm.errors()
    pids = load_server.workers()
    start = {pid: rss_kib(pid) for pid in pids}

    peaks: dict[int, int] = {}
    timeline: list[tuple[int, int]] = []
    run = LoadRun()
    stop = threading.Event()
    sampler = threading.Thread(target=sample_rss, args=(pids, run, stop, peaks, timeline), daemon=True)
    sampler.start()
    try:
        run_load(load_server.port, load_articles, total, CONCURRENCY, into=run)
    finally:
        stop.set()
        sampler.join()
    end = {pid: rss_kib(pid) for pid in pids}
    growth = {pid: (end[pid] - start[pid]) / start[pid] for pid in pids}

    report(f"load_{total}", {
        "requests": run.done, "concurrency": CONCURRENCY, "workers": WORKERS, "errors": sum(run.errors().values()),
        "error_kinds": dict(run.errors()), "seconds": round(run.seconds, 1),
        "requests_per_second": round(run.done / run.seconds, 1),
        "rss_kib_after_warm_up": start, "rss_kib_peak": peaks, "rss_kib_end": end,
        "rss_growth_percent": {pid: round(100 * g, 2) for pid, g in growth.items()},
        "total_rss_kib_by_requests_answered": thinned(timeline),
    })
    assert run.done == total
    assert not run.errors(), run.errors()
    assert load_server.workers() == pids, "a worker was replaced during the run"
    assert max(growth.values()) < MAX_RSS_GROWTH, growth


@pytest.mark.slow
@pytest.mark.parametrize("total", [pytest.param(KILL_LOAD_REQUESTS, id="short"),
                                   pytest.param(SOAK_KILL_LOAD_REQUESTS, id="soak", marks=pytest.mark.soak)])
def test_a_worker_killed_mid_load_is_replaced_and_the_service_keeps_answering(
        load_server: LiveServer, load_articles: list[dict[str, Any]], total: int) -> None:
    before = load_server.workers()
    run = LoadRun()
    loader = threading.Thread(target=run_load, args=(load_server.port, load_articles, total, CONCURRENCY, run),
                              daemon=True)
    loader.start()
    deadline = time.monotonic() + JOIN_TIMEOUT_S
    while run.done < KILL_AFTER and loader.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loader.is_alive(), "the load ended before the kill"
    victim = min(before)
    killed_at = time.monotonic()
    os.kill(victim, signal.SIGKILL)
    after = load_server.wait_for_workers(WORKERS, exclude={victim})
    replaced_at = time.monotonic()
    loader.join(JOIN_TIMEOUT_S)
    assert not loader.is_alive(), "the load did not finish"

    answered_before_kill = sum(1 for o in run.outcomes if o.finished < killed_at)
    during = run.errors(killed_at, replaced_at)
    later = run.errors(replaced_at)
    check = run_load(load_server.port, load_articles, AFTER_KILL_REQUESTS, CONCURRENCY, prefix="after")
    report(f"worker_kill_{total}", {
        "requests": run.done, "concurrency": CONCURRENCY, "workers": WORKERS,
        "answered_before_kill": answered_before_kill, "errors_before_kill": sum(run.errors(0, killed_at).values()),
        "errors_while_replacing": sum(during.values()), "error_kinds": dict(run.errors()),
        "replaced_in_seconds": round(replaced_at - killed_at, 2), "errors_after_replacement": sum(later.values()),
        "after_check_requests": check.done, "after_check_errors": sum(check.errors().values()),
        "killed_pid": victim, "new_pids": sorted(after - before),
    })
    assert run.done == total
    assert not run.errors(0, killed_at)
    # only what the killed worker held can fail: the one request a sync worker serves at a time
    assert sum(run.errors().values()) <= 2, run.errors()
    assert not later, later
    assert not check.errors(), check.errors()
    assert len(after - before) == 1 and victim not in after
    assert load_server.request("GET", "/readyz").status == 200
