"""Parquet output of `tagger tag`: a dataset folder of part files, one per chunk.

Each chunk's results become `part-NNNNNN.parquet`, written to a `.tmp` file,
synced, then renamed, so the folder only ever holds whole parts (the form
DuckDB, Dask and Spark read as one table). A resumed run reads the ids of the
parts already there and appends new parts; a `.tmp` left by a killed run is
removed. Columns are typed: lists of strings for the tags, a bool for
cooperation and one float64 `score_<label>` per label.
"""
from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from model.tagger import Tagger
from service.batch_engines import Engine
from service.batch_job import STDIN, BatchError, BatchJob, Counts
from service.batch_outputs import ErrorLog, fsync_dir
from service.batch_run import tagged_chunks
from service.fields import CARRIED

PART = re.compile(r"part-(\d{6})\.parquet")
META_KEY = b"vn-tech-tagger"


def part_name(number: int) -> str:
    return f"part-{number:06d}.parquet"


def _text(value: Any) -> str | None:
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class ParquetFormat:
    """The dataset's schema and the conversion of results into one table."""

    def __init__(self, labels: list[str], version: str, explain: bool, fields: tuple[str, ...] = CARRIED) -> None:
        self.labels, self.version, self.explain, self.fields = labels, version, explain, fields
        strings = pa.list_(pa.string())
        columns = [("id", pa.string()), *((name, pa.string()) for name in fields),
                   ("countries", strings), ("topics", strings), ("partners", strings), ("cooperation", pa.bool_()),
                   *((f"score_{label}", pa.float64()) for label in labels), ("model_version", pa.string()),
                   *([("evidence", pa.string())] if explain else [])]
        meta = {"model_version": version, "explain": explain, "fields": list(fields)}
        self.schema = pa.schema(columns, metadata={META_KEY: json.dumps(meta).encode()})

    def table(self, results: list[dict[str, Any]]) -> pa.Table:
        """`results` as a table of this schema."""
        data: dict[str, list[Any]] = {
            "id": [r["id"] for r in results],
            **{name: [_text(r.get(name)) for r in results] for name in self.fields},
            "countries": [list(r["countries"]) for r in results],
            "topics": [list(r["topics"]) for r in results],
            "partners": [list(r.get("partners") or []) for r in results],
            "cooperation": [bool(r["cooperation"]) for r in results],
            **{f"score_{label}": [r.get("scores", {}).get(label) for r in results] for label in self.labels},
            "model_version": [r["model_version"] for r in results],
        }
        if self.explain:
            data["evidence"] = [json.dumps(r.get("evidence", {}), ensure_ascii=False) for r in results]
        return pa.Table.from_pydict(data, schema=self.schema)


def parquet_format(tagger: Tagger, explain: bool, fields: tuple[str, ...] = CARRIED) -> ParquetFormat:
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
        except (OSError, pa.ArrowException) as exc:
            raise BatchError(f"{part.name} of the output cannot be read as Parquet: {exc}") from None
        if not schema.equals(fmt.schema, check_metadata=False):
            raise BatchError(f"{part.name} of the output has other columns than this run's "
                             "(other model labels, --keep or --explain)")
        written = json.loads((schema.metadata or {}).get(META_KEY, b"{}")).get("model_version")
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


def write_part(folder: Path, number: int, table: pa.Table) -> Path:
    """Write `table` as part `number`: to a .tmp file, synced, then renamed. Raises OSError."""
    final = folder / part_name(number)
    temp = folder / f".{final.name}.tmp"  # hidden: pyarrow, Dask and Spark skip dot files
    pq.write_table(table, temp)
    with open(temp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(temp, final)
    fsync_dir(folder)
    return final


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
                write_part(folder, number, fmt.table(results))
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
