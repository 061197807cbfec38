"""Batch tagging: read inputs, validate each record, tag in chunks, append results.

Results are appended one whole chunk at a time (one write, flush, fsync), so a
run killed at any moment leaves whole chunks and at most one torn last line;
a resumed run cuts that line off, skips the ids already written and appends
the rest. A bad record never stops a run: it becomes a `Problem` in the errors
file. Engines only tag chunks (`tag_chunk`); everything else happens here, in
the main process, so every engine writes the same bytes.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from service.batch_engines import Engine
from service.batch_formats import OutputFormat
from service.batch_inputs import chunked, check_inputs, read_inputs, validate
from service.batch_job import STDIN, BatchError, BatchJob, Counts, Problem
from service.batch_outputs import ErrorLog, Sink, check_output, open_output, scan_output
from service.tag_counts import label_counts


def check_job(job: BatchJob) -> None:
    """Check inputs and output before anything is loaded or written.

    Raises
    ------
    BatchError
        If an input is missing, the output or errors file is an input, a
        folder or not writable, or the output exists and is not empty without
        --resume or --overwrite.
    """
    check_inputs(job.inputs)
    read = {Path(n).resolve() for n in job.inputs if n != STDIN}
    if job.output is not None:
        if job.fmt != "parquet":  # a Parquet folder is checked by service.outputs_parquet
            check_output(job, job.output, read)
    elif job.resume:
        raise BatchError("--resume needs an output file (-o PATH), not stdout")
    if job.errors.resolve() in read:
        raise BatchError(f"the errors file {job.errors} is also an input")
    if not job.errors.parent.is_dir() or job.errors.is_dir():
        raise BatchError(f"cannot write the errors file {job.errors}: no such folder, or it is a folder")


def tagged_chunks(job: BatchJob, done: set[str], engine: Engine, errors: ErrorLog, counts: Counts,
                  stdin: IO[bytes]) -> Iterator[tuple[int, list[dict[str, Any]]]]:
    """For each chunk: how many records it held and its results, carried fields
    added; records that could not be tagged go to `errors`. Raises what `engine` raises."""
    pending = validate(read_inputs(job.inputs, stdin), done, errors.add, counts, job.fields)
    for chunk, outcomes in engine.map(chunked(pending, job.chunk_size)):
        results = []
        for item, outcome in zip(chunk, outcomes):
            if isinstance(outcome, str):
                errors.add(Problem(item.source, item.line, item.id, outcome))
            else:
                results.append({**outcome, **item.extra})
        counts.labels.update(label_counts(results))
        yield len(chunk), results


def run_batch(job: BatchJob, fmt: OutputFormat, engine: Engine, counts: Counts, *, stdin: IO[bytes],
              stdout: IO[bytes], progress: Callable[[int], None] = lambda n: None) -> Counts:
    """Tag every input record not already in the output; update `counts` as it goes.

    Raises
    ------
    BatchError
        If the output already holds something else than this run's results,
        or the output or errors file cannot be written (what was written stays).
    """
    done, keep = scan_output(job.output, fmt) if job.output is not None and job.resume else (set(), None)
    try:
        errors = ErrorLog(job.errors, counts)
        fh = open_output(job, keep, stdout)
    except OSError as exc:
        raise BatchError(f"cannot write {exc.filename or job.output}: {exc.strerror or exc}") from None
    sink = Sink(fh)
    try:
        if not keep and fmt.header():
            sink.write(fmt.header())
        for read, results in tagged_chunks(job, done, engine, errors, counts, stdin):
            sink.write(fmt.render(results))
            counts.tagged += len(results)
            progress(read)
    except OSError as exc:
        raise BatchError(f"cannot write {exc.filename or job.output or 'stdout'}: {exc.strerror or exc}") from None
    finally:
        # Closing flushes; after a failed write (a full disk) that raises the
        # same OSError again, which must not replace the clear message above.
        for stream in (errors, fh if fh is not stdout else None):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass
    return counts
