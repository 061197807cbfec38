"""Section 4, REST under gunicorn: latency percentiles and requests/s at several concurrencies."""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from bench.load import LoadGenerator
from bench.sample import Article, article_chars, request_bytes
from bench.server import HOST, Server
from bench.stats import median

FIGURES = ("p50_ms", "p95_ms", "p99_ms", "requests_per_s")


def request_body(article: Article) -> bytes:
    """`article` as the JSON body of POST /v1/tag."""
    return json.dumps(article, ensure_ascii=False).encode("utf-8")


def run_level(gen: LoadGenerator, server: Server, body: bytes, concurrency: int, count: int, repeats: int,
              warm_up: int, time_limit_s: float) -> dict[str, Any]:
    """A warm-up, then `repeats` runs of `count // repeats` requests at `concurrency`.

    Each figure is the median over the runs; errors are the sum over all of
    them, the warm-up included, since one error anywhere is one too many.
    """
    warm = gen.run(HOST, server.port, body, concurrency, warm_up, time_limit_s)
    runs = [gen.run(HOST, server.port, body, concurrency, max(1, count // repeats), time_limit_s)
            for _ in range(repeats)]
    kinds: dict[str, int] = {}
    for run in [warm, *runs]:
        for kind, n in run["error_kinds"].items():
            kinds[kind] = kinds.get(kind, 0) + n
    return {
        "concurrency": concurrency,
        **{figure: median([r[figure] for r in runs]) for figure in FIGURES},
        "errors": sum(kinds.values()),
        "error_kinds": kinds,
        "requests": sum(r["requests"] for r in [warm, *runs]),
        "runs": runs,
    }


def run_rest(gen: LoadGenerator, server: Server, article: Article, counts: Mapping[int, int], repeats: int,
             time_limit_s: float) -> dict[str, Any]:
    """Every concurrency in `counts` (concurrency -> requests), lowest first, on one article."""
    body = request_body(article)
    levels = {str(c): run_level(gen, server, body, c, n, repeats, warm_up=max(20, 2 * c), time_limit_s=time_limit_s)
              for c, n in sorted(counts.items())}
    return {
        "article": {"id": article.get("id"), "chars": article_chars(article), "request_bytes": request_bytes(article)},
        "workers": server.workers,
        "levels": levels,
        "requests": sum(level["requests"] for level in levels.values()),
    }
