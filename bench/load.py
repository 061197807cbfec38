"""The load generator: a separate process running a pool of threads, each with its own
`http.client` connection, posting one article to /v1/tag until a count or a deadline.

It runs in its own (spawned) process so that its work never shares a GIL with
the harness, and over loopback so that the network adds next to nothing.
"""
from __future__ import annotations

import http.client
import itertools
import threading
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing import get_context
from typing import Any

from bench.stats import percentile

HEADERS = {"Content-Type": "application/json"}
REQUEST_TIMEOUT_S = 30


def drive(host: str, port: int, body: bytes, concurrency: int, count: int, time_limit_s: float) -> dict[str, Any]:
    """Send `count` POST /v1/tag requests from `concurrency` threads, stopping early at `time_limit_s`.

    Returns the latency of every 200 response in ms, the number of errors (any
    other status, or an exception) by kind, the requests sent and the wall time.
    """
    tickets = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.monotonic() + time_limit_s

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=REQUEST_TIMEOUT_S)
        try:
            while next(tickets) < count and time.monotonic() < deadline:
                start = time.perf_counter()
                try:
                    conn.request("POST", "/v1/tag", body, HEADERS)
                    response = conn.getresponse()
                    response.read()
                    outcome = "ok" if response.status == 200 else f"HTTP {response.status}"
                except (OSError, http.client.HTTPException) as exc:
                    outcome = type(exc).__name__
                    conn.close()  # the next request opens a new connection
                elapsed_ms = 1000 * (time.perf_counter() - start)
                with lock:
                    if outcome == "ok":
                        latencies.append(elapsed_ms)
                    else:
                        errors[outcome] += 1
        finally:
            conn.close()

    start = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(client) for _ in range(concurrency)]:
            future.result()
    seconds = time.perf_counter() - start
    return {"latencies_ms": latencies, "errors": dict(errors), "requests": len(latencies) + sum(errors.values()),
            "seconds": seconds}


def summarize(run: dict[str, Any]) -> dict[str, Any]:
    """p50/p95/p99 latency, requests/s and errors of one `drive` run."""
    lat = run["latencies_ms"]
    return {"requests": run["requests"], "errors": sum(run["errors"].values()), "error_kinds": run["errors"],
            "seconds": run["seconds"], "requests_per_s": run["requests"] / run["seconds"] if run["seconds"] else 0.0,
            "p50_ms": percentile(lat, 50), "p95_ms": percentile(lat, 95), "p99_ms": percentile(lat, 99)}


class LoadGenerator:
    """One spawned process that runs `drive` on request; use as a context manager."""

    def __enter__(self) -> LoadGenerator:
        self.pool = ProcessPoolExecutor(1, mp_context=get_context("spawn"))
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def run(self, host: str, port: int, body: bytes, concurrency: int, count: int,
            time_limit_s: float) -> dict[str, Any]:
        """`drive` in the generator process; a summary of the run."""
        future = self.pool.submit(drive, host, port, body, concurrency, count, time_limit_s)
        return summarize(future.result(timeout=time_limit_s + 2 * REQUEST_TIMEOUT_S))
