"""Run the chosen sections in order; a section that fails is reported and the others still run."""
from __future__ import annotations

import traceback
from collections.abc import Callable, Sequence
from typing import Any

from bench.batch import run_batch
from bench.floor import run_floor
from bench.growth import run_growth
from bench.instructions import run_instructions
from bench.load import LoadGenerator
from bench.memory import memory_growth, run_load_time, worker_memory
from bench.metrics_cost import run_metrics_cost
from bench.plan import Plan
from bench.rest import request_body, run_rest
from bench.sample import Article, closest_in_size, median_chars
from bench.server import HOST, serve
from bench.watch import run_watch_bench
from bench.trends import report_section
from model.bundle import load_bundle
from service.settings import cpu_cores


def run_sections(run: Plan, articles: Sequence[Article], say: Callable[[str], None]) -> dict[str, Any]:
    """Results by name (floor, batch, growth, rest, load_time, memory); failures under "failed"."""
    sizes, results, failed = run.sizes, {}, {}

    def attempt(name: str, number: int, work: Callable[[], dict[str, Any]]) -> None:
        say(f"section {number}: {name}...")
        try:
            results.update(work())
        except Exception as exc:  # one broken section must not cost the others' figures
            failed[name] = f"{type(exc).__name__}: {exc}"
            say(f"section {number} ({name}) failed:\n{traceback.format_exc()}")

    if 1 in run.sections:
        attempt("floor", 1, lambda: {"floor": run_floor(articles, sizes.repeats)})
    if 2 in run.sections:
        attempt("batch", 2, lambda: {"batch": run_batch(articles, run.model, sizes.chunk_size, sizes.batch_repeats,
                                                          run.workdir)})
    if 3 in run.sections:
        attempt("growth", 3, lambda: {"growth": run_growth(load_bundle(run.model), articles, median_chars(articles),
                                                           sizes.longest_pieces, sizes.repeats)})
    if 5 in run.sections:  # before the server starts, so its workers do not compete
        attempt("load_time", 5, lambda: {"load_time": run_load_time(run.model, sizes.load_repeats)})
    if run.sections & {4, 5}:
        attempt("rest" if 4 in run.sections else "memory", min(run.sections & {4, 5}),
                lambda: serve_and_load(run, articles, say))
    if 6 in run.sections:
        attempt("metrics_cost", 6, lambda: {"metrics_cost": run_metrics_cost(
            run.model, cpu_cores(), run.workdir, list(articles), sizes.rest_article_bytes, sizes.rest_requests[8],
            sizes.rest_repeats, sizes.rest_time_limit_s)})
    if 7 in run.sections:
        attempt("watch", 7, lambda: {"watch": run_watch_bench(articles, run.model, run.workdir, say)})
    if 8 in run.sections:
        attempt("report", 8, lambda: report_section(run.workdir, say))
    if 9 in run.sections:
        attempt("instructions", 9, lambda: {"instructions": run_instructions(run.model)})
    if failed:
        results["failed"] = failed
    return results


def serve_and_load(run: Plan, articles: Sequence[Article], say: Callable[[str], None]) -> dict[str, Any]:
    """Sections 4 and 5 on one server: RSS idle, the REST levels, more requests up to
    `memory_requests`, RSS again."""
    sizes, results = run.sizes, {}
    article = closest_in_size(articles, sizes.rest_article_bytes)
    body = request_body(article)
    with serve(run.model, cpu_cores(), run.workdir / "serve.log") as server, LoadGenerator() as gen:
        idle = worker_memory(server)
        sent = 0
        if 4 in run.sections:
            results["rest"] = run_rest(gen, server, article, sizes.rest_requests, sizes.rest_repeats,
                                       sizes.rest_time_limit_s)
            sent = results["rest"]["requests"]
        if 5 in run.sections:
            while sent < sizes.memory_requests:
                say(f"section 5: {sizes.memory_requests - sent:,} more requests before reading memory...")
                extra = gen.run(HOST, server.port, body, 8, sizes.memory_requests - sent, 10 * sizes.rest_time_limit_s)
                if not extra["requests"]:
                    raise RuntimeError("the server answered no request")
                sent += extra["requests"]
            results["memory"] = memory_growth(idle, worker_memory(server), sent)
    return results
