"""Section 6, the cost of metrics: REST latency at concurrency 8 with `TAGGER_METRICS` on beside off.

Two `tagger serve` run at once, the same but for `TAGGER_METRICS`; the load
goes to one at a time, taking turns and swapping which goes first each round,
so that the machine's drift falls on both alike (an idle server costs next to
nothing). Each figure is the median over the rounds; the ratios are on / off,
so 1.00 means metrics cost nothing measurable.
"""
from __future__ import annotations

import http.client
from pathlib import Path
from typing import Any

from bench.load import LoadGenerator
from bench.report import fmt, table
from bench.rest import FIGURES, request_body
from bench.sample import Article, closest_in_size
from bench.server import HOST, Server, serve
from bench.stats import median, ratio

CONCURRENCY = 8


def _counted(server: Server) -> str:
    """The status of the server's GET /metrics (200 with metrics on, 404 with them off)."""
    conn = http.client.HTTPConnection(HOST, server.port, timeout=10)
    try:
        conn.request("GET", "/metrics")
        response = conn.getresponse()
        response.read()
        return str(response.status)
    finally:
        conn.close()


def run_metrics_cost(model: Path, workers: int, workdir: Path, articles: list[Article], article_bytes: int,
                     count: int, repeats: int, time_limit_s: float) -> dict[str, Any]:
    """`repeats` rounds of `count // repeats` requests to each server, after a warm-up of each.

    Raises
    ------
    RuntimeError
        If a server does not start, or /metrics is not there with metrics on and gone with them off.
    """
    body = request_body(closest_in_size(articles, article_bytes))
    runs: dict[str, list[dict[str, Any]]] = {"on": [], "off": []}
    with serve(model, workers, workdir / "metrics-on.log", env={"TAGGER_METRICS": "1"}) as on, \
            serve(model, workers, workdir / "metrics-off.log", env={"TAGGER_METRICS": "0"}) as off, \
            LoadGenerator() as gen:
        servers = {"on": on, "off": off}
        if (_counted(on), _counted(off)) != ("200", "404"):
            raise RuntimeError("GET /metrics should answer 200 with TAGGER_METRICS=1 and 404 with 0")
        for server in servers.values():
            gen.run(HOST, server.port, body, CONCURRENCY, max(20, 2 * CONCURRENCY), time_limit_s)
        for round_ in range(repeats):
            for name in ("on", "off") if round_ % 2 == 0 else ("off", "on"):
                runs[name].append(gen.run(HOST, servers[name].port, body, CONCURRENCY, max(1, count // repeats),
                                          time_limit_s))
    levels = {name: {**{f: median([r[f] for r in rs]) for f in FIGURES}, "errors": sum(r["errors"] for r in rs),
                     "requests": sum(r["requests"] for r in rs)} for name, rs in runs.items()}
    return {"concurrency": CONCURRENCY, "workers": workers, "rounds": repeats, **levels,
            "p50_ratio": ratio(levels["on"]["p50_ms"], levels["off"]["p50_ms"]),
            "p99_ratio": ratio(levels["on"]["p99_ms"], levels["off"]["p99_ms"]),
            "throughput_ratio": ratio(levels["on"]["requests_per_s"], levels["off"]["requests_per_s"])}


def metrics_block(r: dict[str, Any]) -> str:
    """The section's lines in the printed table."""
    rows = [[f"metrics {name}", fmt(r[name]["p50_ms"]), fmt(r[name]["p95_ms"]), fmt(r[name]["p99_ms"]),
             fmt(r[name]["requests_per_s"]), fmt(r[name]["requests"]), fmt(r[name]["errors"])] for name in ("on", "off")]
    rows.append(["on / off", fmt(r["p50_ratio"], 2), "", fmt(r["p99_ratio"], 2), fmt(r["throughput_ratio"], 2), "", ""])
    return (f"6. Cost of metrics: POST /v1/tag at concurrency {r['concurrency']}, {r['workers']} workers, "
            f"TAGGER_METRICS=1 beside 0 (median of {r['rounds']} alternating rounds)\n"
            + table(["", "p50 ms", "p95 ms", "p99 ms", "requests/s", "requests", "errors"], rows))
