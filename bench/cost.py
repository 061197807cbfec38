"""`python -m bench.cost`: what one request for the REST article costs, in measures load moves little.

Section 4's latencies on a shared 2-core machine swing with whatever else
runs, so they cannot show a change of a few per cent. This measures the same
article (the sample's closest to 3,000 bytes as JSON) two ways:

- CPU time (`time.process_time`) per in-process `Tagger.tag` call and per
  request through the WSGI app (Flask, the request log, JSON; no sockets, no
  gunicorn), the lowest of `--repeats` runs. Other processes still slow it
  (shared caches), much less than they slow wall time.
- With `--callgrind`, valgrind's count of instructions executed per call,
  which load does not change at all; the same hash seed for every run, since
  set and dict layouts move it by about 1 %.
- With `--batch-sizes 25,100,200`, CPU time per article of `Tagger.tag_many`
  in calls of each size over the sample's first articles, as the batch
  command's workers call it (model frozen out of garbage collection, one
  thread): why `tagger tag --jobs N` sends each worker large pieces.

Compare two commits by running each from its own work tree (docs/bench.md).
"""
from __future__ import annotations

import functools
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import click

from bench.sample import Article, closest_in_size, load_sample
from bench.settings import FULL

TARGETS = ("tag", "wsgi")
HASH_SEED = "0"
BATCH_ARTICLES = 1600


def rest_article() -> Article:
    """The article section 4 posts: the full sample's closest to its size."""
    return closest_in_size(load_sample(FULL.articles).articles, FULL.rest_article_bytes)


def wsgi_environ(body: bytes) -> dict[str, Any]:
    """A WSGI environ for POST /v1/tag with `body`, as gunicorn builds it."""
    return {
        "REQUEST_METHOD": "POST", "SCRIPT_NAME": "", "PATH_INFO": "/v1/tag", "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_HOST": "127.0.0.1:8000",
        "REMOTE_ADDR": "127.0.0.1", "wsgi.version": (1, 0), "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False,
    }


def callable_for(target: str, model: Path) -> Callable[[], object]:
    """One call of `target`: "tag" (`Tagger.tag`) or "wsgi" (POST /v1/tag through the app).

    Raises
    ------
    ValueError
        If `target` is neither, or a request is not answered 200.
    """
    if target not in TARGETS:
        raise ValueError(f"unknown target {target!r}; use one of {TARGETS}")
    from threadpoolctl import threadpool_limits
    threadpool_limits(1)  # as `tagger serve` runs its workers
    article = rest_article()
    if target == "tag":
        from model.bundle import load_bundle
        tagger = load_bundle(model)  # warmed
        return lambda: tagger.tag(article)
    from service.app import create_app
    app = create_app({"MODEL_PATH": str(model)})
    body = json.dumps(article, ensure_ascii=False).encode("utf-8")

    def request() -> bytes:
        status: list[str] = []
        chunks = app(wsgi_environ(body), lambda s, headers, exc_info=None: status.append(s))
        try:
            answer = b"".join(chunks)
        finally:
            getattr(chunks, "close", lambda: None)()
        if not status or not status[0].startswith("200"):
            raise ValueError(f"POST /v1/tag answered {status}: {answer[:200]!r}")
        return answer
    return request


def cpu_ms(call: Callable[[], object], calls: int, repeats: int, warm_up: int = 50) -> list[float]:
    """CPU ms per call (`time.process_time`) in each of `repeats` runs of `calls` calls, after a warm-up."""
    for _ in range(warm_up):
        call()
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            call()
        runs.append(1000 * (time.process_time() - start) / calls)
    return runs


def batch_cpu_ms(tag_many: Callable[[list[Article]], object], articles: list[Article], sizes: list[int],
                 repeats: int) -> dict[int, list[float]]:
    """CPU ms per article of `tag_many` over `articles` in calls of each of `sizes`,
    `repeats` runs each, the sizes taking turns (so a slow spell falls on all alike)."""
    runs: dict[int, list[float]] = {size: [] for size in sizes}
    for _ in range(repeats):
        for size in sizes:
            start = time.process_time()
            for i in range(0, len(articles), size):
                tag_many(articles[i:i + size])
            runs[size].append(1000 * (time.process_time() - start) / len(articles))
    return runs


def parse_sizes(text: str) -> list[int]:
    """"25,100,200" -> [25, 100, 200].

    Raises
    ------
    click.BadParameter
        If a part is not a positive whole number.
    """
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise click.BadParameter(f"{text!r}: give positive whole numbers separated by commas, e.g. 25,100,200")
    return [int(part) for part in parts]


def callgrind_total(text: str) -> int:
    """The instruction count in a callgrind output file ("totals:" or "summary:" line).

    Raises
    ------
    ValueError
        If the file has neither line.
    """
    for line in text.splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise ValueError("no totals in the callgrind output")


def callgrind_command(target: str, model: Path, calls: int, out: Path) -> list[str]:
    """valgrind running this module on `calls` calls of `target`, counting only inside `functools.reduce`."""
    return ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=functools_reduce",
            f"--callgrind-out-file={out}", sys.executable, "-m", "bench.cost", "--inside-callgrind", target,
            "--model", str(model), "--calls", str(calls)]


def instructions(target: str, model: Path, calls: int) -> float:
    """Instructions per call of `target`, counted by callgrind in a child process.

    Raises
    ------
    RuntimeError
        If valgrind fails or is not installed.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"
        try:
            done = subprocess.run(callgrind_command(target, model, calls, out), capture_output=True, text=True,
                                  env={**os.environ, "PYTHONHASHSEED": HASH_SEED})
        except FileNotFoundError:
            raise RuntimeError("valgrind is not installed (apt-get install valgrind)") from None
        if done.returncode != 0 or not out.is_file():
            raise RuntimeError(f"valgrind failed ({done.returncode}):\n{done.stderr[-2000:]}")
        return callgrind_total(out.read_text()) / calls


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--model", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Model bundle  [default: the shipped one]")
@click.option("--calls", type=click.IntRange(min=1), default=None,
              help="Calls per run  [default: 2000; 30 with --callgrind]")
@click.option("--repeats", type=click.IntRange(min=1), default=5, show_default=True, help="CPU-time runs per target.")
@click.option("--callgrind", is_flag=True, help="Also count instructions per call with valgrind (slow: minutes).")
@click.option("--batch-sizes", default=None, help="Instead: CPU ms per article of tag_many in calls of these sizes, "
              "e.g. 25,100,200 (over the sample's first 1,600 articles).")
@click.option("--inside-callgrind", type=click.Choice(TARGETS), default=None, hidden=True)
def main(model: Path | None, calls: int | None, repeats: int, callgrind: bool, batch_sizes: str | None,
         inside_callgrind: str | None) -> None:
    """CPU time (and instructions) per request for the REST article (see docs/bench.md)."""
    from model.bundle import DEFAULT_BUNDLE
    model = model or DEFAULT_BUNDLE
    if batch_sizes is not None:
        if callgrind or calls is not None:
            raise click.UsageError("--batch-sizes measures tag_many alone: leave out --callgrind and --calls")
        from threadpoolctl import threadpool_limits
        from model.bundle import freeze_loaded_objects, load_bundle
        sizes = parse_sizes(batch_sizes)
        threadpool_limits(1)
        tagger = load_bundle(model)
        freeze_loaded_objects()
        articles = list(load_sample(FULL.articles).articles[:BATCH_ARTICLES])
        click.echo(f"bundle: {model}; {len(articles)} articles; load average at start "
                   f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        for size, runs in batch_cpu_ms(tagger.tag_many, articles, sizes, repeats).items():
            click.echo(f"tag_many in calls of {size:4d}: CPU ms/article lowest {min(runs):.3f}, "
                       f"runs {' '.join(f'{r:.3f}' for r in runs)}")
        return
    if inside_callgrind:  # the child valgrind runs: warm up, then only the counted calls
        with open(os.devnull, "w") as sink, redirect_stderr(sink):  # the request log's lines
            call = callable_for(inside_callgrind, model)
            for _ in range(20):
                call()
            functools.reduce(lambda _, __: call(), range(calls or 30), None)
        return
    import model as model_package
    click.echo(f"code: {Path(model_package.__file__).parent.parent}; bundle: {model}; "
               f"load average at start {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for target in TARGETS:
        with open(os.devnull, "w") as sink, redirect_stderr(sink):  # the request log's lines
            runs = cpu_ms(callable_for(target, model), calls or 2000, repeats)
        line = f"{target:5s} CPU ms/call: lowest {min(runs):.3f}, runs {' '.join(f'{r:.3f}' for r in runs)}"
        if callgrind:
            line += f"; {instructions(target, model, calls or 30) / 1e6:.2f} M instructions/call"
        click.echo(line)
    click.echo(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
