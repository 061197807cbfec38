"""Section 2: the real `tagger tag` CLI, as a subprocess, with `--jobs 1` and `--jobs 2`.

Each run is timed end to end (process start, imports, bundle load, tagging,
writing). The same command on a small file of two chunks gives the start-up
to subtract: see `bench.stats.split_startup`. Two chunks keep both workers of
`--jobs 2` busy in the small run too, so the difference is whole rounds of work.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.sample import Article, write_jsonl
from bench.stats import median, split_startup, timed


def tagger_command() -> str:
    """The `tagger` console script of this environment."""
    beside = Path(sys.executable).with_name("tagger")
    found = str(beside) if beside.exists() else shutil.which("tagger")
    if not found:
        raise RuntimeError("no `tagger` command: install the package (make install)")
    return found


def tag_file(inputs: Path, output: Path, jobs: int, chunk_size: int, model: Path) -> float:
    """Seconds `tagger tag` takes on `inputs`; raises RuntimeError unless every article was tagged."""
    command = [tagger_command(), "tag", str(inputs), "-o", str(output), "--overwrite",
               "--jobs", str(jobs), "--chunk-size", str(chunk_size), "--model", str(model)]
    result: list[subprocess.CompletedProcess[str]] = []
    seconds = timed(lambda: result.append(subprocess.run(command, capture_output=True, text=True)))
    done = result[0]
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    return seconds


def run_jobs(small: Path, small_n: int, large: Path, large_n: int, jobs: int, chunk_size: int, model: Path,
             repeats: int, workdir: Path) -> dict[str, Any]:
    """One `--jobs` setting: a warm-up run, then `repeats` pairs of (small, large) runs."""
    out = workdir / f"out-{jobs}.jsonl"
    tag_file(small, out, jobs, chunk_size, model)  # warm-up: page cache, bytecode
    pairs = [(tag_file(small, out, jobs, chunk_size, model), tag_file(large, out, jobs, chunk_size, model))
             for _ in range(repeats)]
    tagged = sum(1 for _ in open(out, encoding="utf-8"))
    if tagged != large_n:
        raise RuntimeError(f"`tagger tag --jobs {jobs}` wrote {tagged} results for {large_n} articles")
    splits = [split_startup(small_n, s, large_n, t) for s, t in pairs]
    seconds = median([t for _, t in pairs])
    return {
        "jobs": jobs,
        "runs_s": [t for _, t in pairs],
        "small_runs_s": [s for s, _ in pairs],
        "seconds": seconds,
        "articles_per_s": large_n / seconds,
        "startup_s": median([s.startup_s for s in splits]),
        "steady_articles_per_s": median([s.steady_per_s for s in splits]),
        "steady_runs": [s.steady_per_s for s in splits],  # a wide spread: start-up noise swamps the work
    }


def run_batch(articles: Sequence[Article], model: Path, chunk_size: int, repeats: int,
              workdir: Path, jobs_list: Sequence[int] = (1, 2)) -> dict[str, Any]:
    """`tagger tag` on all of `articles` and on their first two chunks, for each `--jobs`."""
    small_n = 2 * chunk_size
    if len(articles) <= small_n:
        raise ValueError(f"the sample ({len(articles)}) must be larger than two chunks ({small_n})")
    small = write_jsonl(articles[:small_n], workdir / "small.jsonl")
    large = write_jsonl(articles, workdir / "sample.jsonl")
    return {
        "articles": len(articles),
        "small_articles": small_n,
        "chunk_size": chunk_size,
        "runs": {str(j): run_jobs(small, small_n, large, len(articles), j, chunk_size, model, repeats, workdir)
                 for j in jobs_list},
    }
