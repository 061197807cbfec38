"""Parquet output of `tagger tag`: a dataset folder of part files, one per chunk.

Each chunk's results become `part-NNNNNN.parquet`, written to a `.tmp` file,
synced, then renamed, so the folder only ever holds whole parts (the form
DuckDB, Dask and Spark read as one table). A resumed run reads the ids of the
parts already there and appends new parts; a `.tmp` left by a killed run is
removed. The columns, their order and the metadata are `service.parquet_parts`'s,
shared with the parts of a `tagger watch` archive.
"""
from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.parquet as pq

from model.tagger import Tagger
from service.batch_engines import Engine
from service.batch_job import STDIN, BatchError, BatchJob, Counts
from service.batch_outputs import ErrorLog
from service.batch_run import tagged_chunks
from service.fields import CARRIED
from service.parquet_parts import ParquetFormat, difference, write_part, written_version

PART = re.compile(r"part-(\d{6})\.parquet")


def part_name(number: int) -> str:
    return f"part-{number:06d}.parquet"


def parquet_format(tagger: Tagger, explain: bool, fields: tuple[str, ...] = CARRIED) -> ParquetFormat:
    """The parts' schema for `tagger`'s labels and version."""
    return ParquetFormat(list(tagger.labels), tagger.version, explain, fields)


def _parts(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if PART.fullmatch(p.name))


def check_dataset(job: BatchJob) -> None:
    """Check a Parquet output folder before anything is loaded or written.

    Raises
    ------
    BatchError
        If the output is stdout, a file, an input or the errors file, cannot be
        created or written, holds files that are not parts, or holds parts
        without --resume or --overwrite.
    """
    out = job.output
    if out is None:
        raise BatchError("Parquet output is a folder: give it with -o DIR, not stdout")
    if job.resume and job.overwrite:
        raise BatchError("--resume and --overwrite contradict each other: pick one")
    read = {Path(n).resolve() for n in job.inputs if n != STDIN}
    if out.resolve() in read or out.resolve() == job.errors.resolve():
        raise BatchError(f"the output {out} is also an input or the errors file")
    if out.exists() and not out.is_dir():
        raise BatchError(f"{out} is a file; Parquet output is a folder of part files")
    if not out.parent.is_dir():
        raise BatchError(f"cannot write {out}: folder {out.parent} does not exist")
    if not os.access(out if out.exists() else out.parent, os.W_OK):
        raise BatchError(f"cannot write {out}: permission denied")
    if not out.exists():
        return
    foreign = [p.name for p in out.iterdir() if not PART.fullmatch(p.name) and not p.name.endswith(".tmp")]
    if foreign:
        raise BatchError(f"{out} holds files that are not Parquet parts of `tagger tag` ({', '.join(sorted(foreign)[:3])})")
    if _parts(out) and not (job.resume or job.overwrite):
        raise BatchError(f"{out} already holds Parquet parts: use --resume to continue it or --overwrite to replace it")


def scan_dataset(folder: Path, fmt: ParquetFormat) -> tuple[set[str], int]:
    """Ids already in the folder's parts, and the number of the next part.

    Raises
    ------
    BatchError
        If a part cannot be read or was written by another model or with other columns.
    """
    done: set[str] = set()
    last = -1
    if not folder.exists():
        return done, 0
    for part in _parts(folder):
        try:
            schema = pq.read_schema(part)
            ids = pq.read_table(part, columns=["id"]).column("id").to_pylist()
            written = written_version(schema)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise BatchError(f"{part.name} of the output cannot be read as Parquet: {exc}") from None
        if not schema.equals(fmt.schema, check_metadata=False):
            raise BatchError(f"{part.name} of the output has other columns than this run's "
                             f"({difference(schema, fmt.schema)}): other model labels, --keep or --explain?")
        if written != fmt.version:
            raise BatchError(f"{part.name} of the output was written by model {written}, this run uses {fmt.version}")
        done.update(ids)
        last = max(last, int(PART.fullmatch(part.name)[1]))  # type: ignore[index]
    return done, last + 1


def _clear(folder: Path, parts: bool) -> None:
    """Remove the `.tmp` files a killed run left (and the parts when `parts`)."""
    for path in folder.iterdir():
        if path.name.endswith(".tmp") or (parts and PART.fullmatch(path.name)):
            path.unlink()


def run_parquet(job: BatchJob, fmt: ParquetFormat, engine: Engine, counts: Counts, *, stdin: IO[bytes],
                progress: Callable[[int], None] = lambda n: None) -> Counts:
    """`service.batch_run.run_batch` for a Parquet folder: one part per chunk with results.

    Raises
    ------
    BatchError
        If the folder holds parts of another run, or cannot be written (the parts written stay).
    """
    assert job.output is not None, "check_dataset refuses stdout"
    folder = job.output
    try:
        done, number = scan_dataset(folder, fmt) if job.resume else (set(), 0)
        folder.mkdir(exist_ok=True)
        _clear(folder, parts=not job.resume)
        errors = ErrorLog(job.errors, counts)
    except OSError as exc:
        raise BatchError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}") from None
    try:
        for read, results in tagged_chunks(job, done, engine, errors, counts, stdin):
            if results:
                name = part_name(number)  # written hidden: readers skip dot files
                write_part(folder / name, folder / f".{name}.tmp", fmt.table(results))
                number += 1
            counts.tagged += len(results)
            progress(read)
    except OSError as exc:
        raise BatchError(f"cannot write {exc.filename or folder}: {exc.strerror or exc}") from None
    finally:
        try:
            errors.close()
        except OSError:
            pass
    return counts
