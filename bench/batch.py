"""Section 2: the real `tagger tag` CLI, as a subprocess, with `--jobs 1` and `--jobs 2`.

Each run is timed end to end (process start, imports, bundle load, tagging,
writing, exit), and the CLI says in its summary how long it spent reading,
tagging and writing: that is the steady rate, and the rest is start-up. (Start-up
used to be subtracted by timing a second, smaller run; two noisy end-to-end
times made steady rates 30 % apart from one run to the next.)
"""
from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.sample import Article, write_jsonl
from bench.stats import median

# The summary line of `tagger tag` (`service.batch_cli.timing`).
_TIME_LINE = re.compile(r"^time (\d+(?:\.\d+)?) s reading, tagging and writing", re.MULTILINE)


def console_script(name: str) -> str | None:
    """The path of console script `name` of this environment (beside the running
    interpreter, else on PATH), or None if it is not installed."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else shutil.which(name)


def tagger_command() -> str:
    """The `tagger` console script of this environment."""
    found = console_script("tagger")
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


def tag_command(inputs: Path, output: Path, jobs: int, chunk_size: int, model: Path) -> list[str]:
    """The `tagger tag` command line section 2 runs (and `bench.profile` samples)."""
    return [tagger_command(), "tag", str(inputs), "-o", str(output), "--overwrite",
            "--jobs", str(jobs), "--chunk-size", str(chunk_size), "--model", str(model)]


def _finished(command: list[str], returncode: int, stderr: str) -> float:
    """The reported seconds of a finished run; raises RuntimeError if it failed."""
    if returncode != 0:
        raise RuntimeError(f"`{' '.join(command)}` exited with {returncode}: {stderr.strip()[-2000:]}")
    return reported_seconds(stderr)


def tag_file(inputs: Path, output: Path, jobs: int, chunk_size: int, model: Path) -> tuple[float, float]:
    """Seconds `tagger tag` takes on `inputs` end to end, and the seconds it reports
    for reading, tagging and writing; raises RuntimeError if it fails."""
    command = tag_command(inputs, output, jobs, chunk_size, model)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    return seconds, _finished(command, done.returncode, done.stderr)


def side_by_side(inputs: Path, outputs: Sequence[Path], chunk_size: int, model: Path) -> tuple[list[float], float]:
    """Start one `tagger tag --jobs 1` per output at once, all on `inputs`: the seconds
    each reports, and the span from the first one's start of tagging to the last one's
    end. What they reach together is the most this machine gives that many processes
    (shared caches, memory bandwidth, the host), with no pool at all.

    Each loads its bundle first, so their tagging need not start together: a
    process's tagging ends when it prints its time line (read as it comes) and
    started its reported seconds before that.

    Raises
    ------
    RuntimeError
        If a run fails.
    """
    commands = [tag_command(inputs, out, 1, chunk_size, model) for out in outputs]
    running = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for c in commands]

    def watch(process: subprocess.Popen[str]) -> tuple[str, float]:
        lines, ended = [], math.nan
        assert process.stderr is not None
        with process.stderr as stream:
            for line in stream:
                lines.append(line)
                if _TIME_LINE.match(line):
                    ended = time.perf_counter()
        process.wait()
        return "".join(lines), ended

    with ThreadPoolExecutor(len(running)) as threads:
        watched = list(threads.map(watch, running))
    reported = [_finished(c, process.returncode, err) for c, process, (err, _) in zip(commands, running, watched)]
    ends = [ended for _, ended in watched]
    return reported, max(ends) - min(end - inside for end, inside in zip(ends, reported))


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
              workdir: Path, jobs_list: Sequence[int] = (1, 2), side: bool = True) -> dict[str, Any]:
    """`tagger tag` on all of `articles`, `repeats` times for each `--jobs`, after a
    warm-up on their first two chunks. The settings take turns (1, 2, 1, 2, ...), so
    that a slow spell of the machine falls on all of them alike. With `side`, each
    round ends with two `--jobs 1` processes side by side (`side_by_side`): the
    ceiling `--jobs 2` is measured against.

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
    pairs: list[tuple[list[float], float]] = []
    pair_outputs = [workdir / "out-side-a.jsonl", workdir / "out-side-b.jsonl"]
    for _ in range(repeats):
        for jobs in jobs_list:
            runs[jobs].append(tag_file(sample, outputs[jobs], jobs, chunk_size, model))
        if side:
            pairs.append(side_by_side(sample, pair_outputs, chunk_size, model))
    for out in [*outputs.values(), *(pair_outputs if side else [])]:
        with open(out, encoding="utf-8") as fh:
            tagged = sum(1 for _ in fh)
        if tagged != len(articles):
            raise RuntimeError(f"`tagger tag` wrote {tagged} results for {len(articles)} articles in {out.name}")
    result: dict[str, Any] = {
        "articles": len(articles),
        "chunk_size": chunk_size,
        "runs": {str(jobs): summarize(jobs, runs[jobs], len(articles)) for jobs in jobs_list},
    }
    if side:
        # The pair's rate: all its articles over the span from the first start of tagging to the last end.
        result["side_by_side"] = {"processes": 2, "runs_s": [reported for reported, _ in pairs],
                                  "spans_s": [span for _, span in pairs],
                                  "steady_articles_per_s": 2 * len(articles) / median([span for _, span in pairs])}
    return result
