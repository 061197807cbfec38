"""GET /metrics under gunicorn with two workers: the counts of both add up, and outlive a worker."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from api.prom import sample
from reliability.live import LiveServer, run_load, serve

pytestmark = pytest.mark.slow

REQUESTS = 40
SCRAPES = 6  # each scrape is answered by whichever worker accepts it


def _tag_counts(server: LiveServer) -> set[tuple[float, float, float]]:
    """(requests, articles, latency observations) of POST /v1/tag 200, as each of `SCRAPES` scrapes says."""
    seen = set()
    for _ in range(SCRAPES):
        reply = server.request("GET", "/metrics")
        assert reply.status == 200 and reply.headers["content-type"].startswith("text/plain")
        text = reply.body.decode()
        seen.add((sample(text, "tagger_http_requests_total", endpoint="/v1/tag", status="200"),
                  sample(text, "tagger_articles_tagged_total"),
                  sample(text, "tagger_http_request_duration_seconds_count", endpoint="/v1/tag")))
    return seen


def test_two_workers_counts_add_up_and_survive_a_worker_restart(tiny_bundle_path: Path, tmp_path: Path,
                                                                load_articles: list[dict]) -> None:
    temp = tmp_path / "tmp"  # where `tagger serve` makes its metrics directory
    temp.mkdir()
    with serve(tiny_bundle_path, tmp_path / "serve.log", workers=2, env={"TMPDIR": str(temp)}) as server:
        (folder,) = temp.glob("tagger-metrics-*")
        workers = server.wait_for_workers(2)
        run = run_load(server.port, load_articles, REQUESTS, concurrency=4)
        assert not run.errors(), run.errors()
        assert _tag_counts(server) == {(REQUESTS, REQUESTS, REQUESTS)}
        writers = {int(p.stem.rsplit("_", 1)[1]) for p in folder.glob("histogram_*.db")}
        assert writers == workers, "both workers should have answered requests (and written their counts)"

        gone = min(workers)
        os.kill(gone, signal.SIGKILL)
        server.wait_for_workers(2, exclude={gone})
        assert _tag_counts(server) == {(REQUESTS, REQUESTS, REQUESTS)}, "a dead worker's counts are kept"
        run_load(server.port, load_articles, 5, concurrency=2, prefix="after")
        assert _tag_counts(server) == {(REQUESTS + 5, REQUESTS + 5, REQUESTS + 5)}
        assert folder.is_dir()
    assert not folder.exists(), "tagger serve removes its metrics directory when it stops"
