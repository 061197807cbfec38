"""Section 2: the real `tagger tag` CLI, as a subprocess, with `--jobs 1` and `--jobs 2`.

Each run is timed end to end (process start, imports, bundle load, tagging,
writing, exit), and the CLI says in its summary how long it spent reading,
tagging and writing: that is the steady rate, and the rest is start-up. (Start-up
used to be subtracted by timing a second, smaller run; two noisy end-to-end
times made steady rates 30 % apart from one run to the next.)
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.sample import Article, write_jsonl
from bench.stats import median

# The summary line of `tagger tag` (`service.batch_cli.timing`).
_TIME_LINE = re.compile(r"^time (\d+(?:\.\d+)?) s reading, tagging and writing", re.MULTILINE)


def tagger_command() -> str:
    """The `tagger` console script of this environment."""
    beside = Path(sys.executable).with_name("tagger")
    found = str(beside) if beside.exists() else shutil.which("tagger")
    if not found:
        raise RuntimeError("no `tagger` command: install the package (make install)")
    return found


def reported_seconds(stderr: str) -> float:
    """The seconds `tagger tag` reports for reading, tagging and writing.

    Raises
    ------
    RuntimeError
        If `stderr` has no such line.
    """
    found = _TIME_LINE.search(stderr)
    if found is None:
        raise RuntimeError(f"`tagger tag` printed no time line: {stderr.strip()[-500:]!r}")
    return float(found.group(1))


def tag_file(inputs: Path, output: Path, jobs: int, chunk_size: int, model: Path) -> tuple[float, float]:
    """Seconds `tagger tag` takes on `inputs` end to end, and the seconds it reports
    for reading, tagging and writing; raises RuntimeError unless every article was tagged."""
    command = [tagger_command(), "tag", str(inputs), "-o", str(output), "--overwrite",
               "--jobs", str(jobs), "--chunk-size", str(chunk_size), "--model", str(model)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    return seconds, reported_seconds(done.stderr)


def summarize(jobs: int, runs: list[tuple[float, float]], n: int) -> dict[str, Any]:
    """One `--jobs` setting's figures from its (end-to-end, reported) seconds on `n` articles."""
    seconds = median([wall for wall, _ in runs])
    return {
        "jobs": jobs,
        "runs_s": [wall for wall, _ in runs],
        "tagging_runs_s": [inside for _, inside in runs],
        "seconds": seconds,
        "articles_per_s": n / seconds,
        "startup_s": median([wall - inside for wall, inside in runs]),
        "steady_articles_per_s": n / median([inside for _, inside in runs]),
        "steady_runs": [n / inside for _, inside in runs],
    }


def run_batch(articles: Sequence[Article], model: Path, chunk_size: int, repeats: int,
              workdir: Path, jobs_list: Sequence[int] = (1, 2)) -> dict[str, Any]:
    """`tagger tag` on all of `articles`, `repeats` times for each `--jobs`, after a
    warm-up on their first two chunks. The settings take turns (1, 2, 1, 2, ...), so
    that a slow spell of the machine falls on all of them alike.

    Raises
    ------
    ValueError
        If there are not more articles than two chunks.
    RuntimeError
        If a run fails or does not tag every article.
    """
    if len(articles) <= 2 * chunk_size:
        raise ValueError(f"the sample ({len(articles)}) must be larger than two chunks ({2 * chunk_size})")
    warm_up = write_jsonl(articles[:2 * chunk_size], workdir / "warm-up.jsonl")
    sample = write_jsonl(articles, workdir / "sample.jsonl")
    outputs = {jobs: workdir / f"out-{jobs}.jsonl" for jobs in jobs_list}
    for jobs in jobs_list:
        tag_file(warm_up, outputs[jobs], jobs, chunk_size, model)  # page cache, bytecode
    runs: dict[int, list[tuple[float, float]]] = {jobs: [] for jobs in jobs_list}
    for _ in range(repeats):
        for jobs in jobs_list:
            runs[jobs].append(tag_file(sample, outputs[jobs], jobs, chunk_size, model))
    for jobs, out in outputs.items():
        with open(out, encoding="utf-8") as fh:
            tagged = sum(1 for _ in fh)
        if tagged != len(articles):
            raise RuntimeError(f"`tagger tag --jobs {jobs}` wrote {tagged} results for {len(articles)} articles")
    return {
        "articles": len(articles),
        "chunk_size": chunk_size,
        "runs": {str(jobs): summarize(jobs, runs[jobs], len(articles)) for jobs in jobs_list},
    }
