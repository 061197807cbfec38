"""`python -m bench.profile`: where `tagger tag --jobs N` spends its time, sampled by py-spy.

    python -m bench.profile [--jobs 2] [--articles 2000] [--rate 100] [--model BUNDLE] [--raw FILE]

Runs `tagger tag` on the bench's sample (section 2's articles) under
`py-spy record --subprocesses` (the `profile` extra: ``pip install .[profile]``,
installed by `make install`) and prints, for the parent and each worker, its
samples and the share of them spent inside each stage of the batch (a stage
counts a sample once, however deep its function recurses).

py-spy counts a sample whenever a thread runs or waits for a core, not only
when it uses one: with more busy processes than cores the counts measure time,
not CPU. Compare shares within a process, and processes of the same run.
"""
from __future__ import annotations

import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import click

from bench.batch import console_script, tag_command
from bench.sample import load_sample, write_jsonl
from bench.settings import FULL

# (stage, function, file): a frame "function (file:line)" puts a sample in the stage.
STAGES = (
    ("start-up: load_bundle", "load_bundle", "model/bundle.py"),
    ("batch loop (parent)", "run_batch", "service/batch_run.py"),
    ("  read and validate", "validate", "service/batch_inputs.py"),
    ("  render results", "render", "service/batch_formats.py"),
    ("tag_many", "tag_many", "model/tagger.py"),
    ("  prepare", "prepare", "model/features.py"),
    ("    normalise", "normalize", "model/text.py"),
    ("    keyword scan", "labelled_spans", "model/keywords.py"),
    ("    gazetteer", "find", "model/gazetteer.py"),
    ("    tokenise", "tokenize", "model/text.py"),
    ("  text features", "_text_blocks", "model/featurizer.py"),
    ("    n-gram counts", "count_rows", "model/tfidf.py"),
    ("  country pairs (features)", "mentioned_pairs", "model/heads/countries.py"),
    ("  country model", "_country_scores", "model/heads/countries.py"),
    ("  partner model", "_add_partners", "model/heads/partners.py"),
)


@dataclass
class Process:
    """One process of the run: its pid, whether py-spy saw it as a child, and its samples."""

    pid: int
    child: bool
    samples: int = 0
    stages: Counter[str] = field(default_factory=Counter)


def _stage_keys() -> list[tuple[str, str]]:
    return [(stage, f"{function} ({file}:") for stage, function, file in STAGES]


def summarize(lines: Iterable[str]) -> list[Process]:
    """Per-process samples and stage counts from py-spy's ``--format raw`` output
    (one ``frame;frame;... COUNT`` line per distinct stack, process frames first).

    Raises
    ------
    ValueError
        If a line is not a stack and a count, or names no process.
    """
    keys = _stage_keys()
    found: dict[int, Process] = {}
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\n")
        if not line:
            continue
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            raise ValueError(f"line {number} is not a py-spy raw stack with a count")
        frames = stack.split(";")
        processes = [f for f in frames if f.startswith("process ")]
        if not processes:
            raise ValueError(f"line {number} names no process: record with --subprocesses")
        pid = int(processes[-1].split(":", 1)[0].removeprefix("process "))
        proc = found.setdefault(pid, Process(pid, child=len(processes) > 1))
        proc.samples += int(count)
        for stage, key in keys:
            if any(key in frame for frame in frames):
                proc.stages[stage] += int(count)
    return sorted(found.values(), key=lambda p: (p.child, p.pid))


def format_table(processes: list[Process]) -> str:
    """One column per process, one row per stage: share of that process's samples."""
    names = [f"{'worker' if p.child else 'parent'} {p.pid}" for p in processes]
    width = max(len(stage) for stage, _, _ in STAGES) + 2
    lines = [f"{'':<{width}}" + "".join(f"{n:>16}" for n in names),
             f"{'samples':<{width}}" + "".join(f"{p.samples:>16,}" for p in processes)]
    for stage, _, _ in STAGES:
        cells = [f"{100 * p.stages[stage] / p.samples:>15.1f}%" if p.samples else f"{'-':>16}" for p in processes]
        lines.append(f"{stage:<{width}}" + "".join(cells))
    return "\n".join(lines)


def py_spy() -> str:
    """The py-spy executable of this environment.

    Raises
    ------
    click.ClickException
        If py-spy is not installed.
    """
    found = console_script("py-spy")
    if not found:
        raise click.ClickException("py-spy is not installed: pip install .[profile] (make install does)")
    return found


def record(inputs: Path, output: Path, raw: Path, jobs: int, rate: int, model: Path) -> None:
    """Run `tagger tag` on `inputs` under py-spy, writing its raw stacks to `raw`.

    Raises
    ------
    click.ClickException
        If `tagger tag` does not tag every article, or py-spy cannot run or sample
        it (e.g. ptrace is not allowed here).
    """
    raw.unlink(missing_ok=True)  # what an earlier run left must not pass for this one's stacks
    output.unlink(missing_ok=True)
    command = [py_spy(), "record", "--subprocesses", "--format", "raw", "--rate", str(rate), "--output", str(raw),
               "--", *tag_command(inputs, output, jobs, FULL.chunk_size, model)]
    done = subprocess.run(command, capture_output=True, text=True)
    # py-spy can exit non-zero once its child has exited ("No child process"): the files decide.
    with open(inputs, encoding="utf-8") as given:
        expected = sum(1 for _ in given)
    tagged = 0
    if output.is_file():
        with open(output, encoding="utf-8") as fh:
            tagged = sum(1 for _ in fh)
    if tagged != expected:
        raise click.ClickException(f"`tagger tag` tagged {tagged} of {expected} articles: "
                                   f"{(done.stdout + done.stderr).strip()[-800:]}")
    if not raw.is_file() or raw.stat().st_size == 0:
        raise click.ClickException(f"py-spy recorded nothing (exit {done.returncode}): {done.stderr.strip()[-500:]}")


@click.command()
@click.option("--jobs", type=click.IntRange(min=1), default=2, show_default=True, help="tagger tag --jobs.")
@click.option("--articles", type=click.IntRange(min=1), default=FULL.articles, show_default=True, help="Sample size.")
@click.option("--rate", type=click.IntRange(min=1), default=100, show_default=True, help="Samples per second.")
@click.option("--model", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Bundle to tag with (default: the shipped one).")
@click.option("--raw", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Also keep py-spy's raw stacks here (for a flame graph).")
def main(jobs: int, articles: int, rate: int, model: Path | None, raw: Path | None) -> None:
    """Profile `tagger tag --jobs N` with py-spy and print each process's time by stage."""
    from model.bundle import DEFAULT_BUNDLE
    sample = load_sample(articles)
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        folder = Path(tmp)
        inputs = write_jsonl(sample.articles, folder / "sample.jsonl")
        stacks = raw or folder / "stacks.raw"
        record(inputs, folder / "out.jsonl", stacks, jobs, rate, model or DEFAULT_BUNDLE)
        with open(stacks, encoding="utf-8") as fh:
            processes = summarize(fh)
    click.echo(f"tagger tag --jobs {jobs} on {len(sample.articles):,} articles ({sample.source}); "
               f"py-spy at {rate} samples/s; share of each process's samples:")
    click.echo(format_table(processes))


if __name__ == "__main__":
    main()
