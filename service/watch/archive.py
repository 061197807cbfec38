"""The archive `tagger watch` appends to: a JSONL file (a path ending in .jsonl) or a
folder of Parquet part files (any other path), one append per cycle.

JSONL: one write, flush and fsync per cycle; a crash can leave one torn last
line, which `recover` cuts. Parquet: one part per cycle, written under a hidden
temporary name and renamed into place, so readers only ever see whole parts; its
columns are those of `tagger tag`'s Parquet parts (`service.parquet_parts`).
"""
from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.batch_outputs import Sink
from service.watch.faults import crash_point
from service.watch.feeds import WatchError

TEMP_PREFIX = ".tmp-"
PART_NAME = re.compile(r"part-(\d+)-[0-9a-f]+\.parquet")


def is_jsonl(path: Path) -> bool:
    return path.name.lower().endswith(".jsonl")


def sibling(archive: Path, suffix: str) -> Path:
    """A file beside the archive: ARCHIVE + suffix (news.jsonl.state.sqlite, news.alerts.jsonl...)."""
    return archive.with_name(archive.name + suffix)


def check_archive(archive: Path) -> None:
    """Raises WatchError if `archive` cannot be a watch archive (wrong kind, missing folder)."""
    if not archive.parent.is_dir():
        raise WatchError(f"the folder of the archive {archive} does not exist")
    if is_jsonl(archive) and archive.is_dir():
        raise WatchError(f"the archive {archive} ends in .jsonl but is a folder")
    if not is_jsonl(archive) and archive.exists() and not archive.is_dir():
        raise WatchError(f"the archive {archive} is a file: name a .jsonl file or a folder for Parquet parts")


def append_jsonl(archive: Path, records: Sequence[dict[str, Any]]) -> int:
    """Append `records` in one write; returns the file's new size (the mark to commit)."""
    with open(archive, "ab") as fh:
        if records:
            Sink(fh).write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        return fh.tell()


def append_part(folder: Path, records: Sequence[dict[str, Any]], labels: Sequence[str], version: str,
                cycle: int) -> str:
    """Write `records` as a new part of `folder` in the schema of `tagger tag`'s parts
    (`service.parquet_parts`); returns the part's name (the mark to commit).

    Raises OSError if the part cannot be written.
    """
    folder.mkdir(exist_ok=True)
    name = f"part-{cycle:06d}-{uuid.uuid4().hex[:8]}.parquet"
    from service import parquet_parts  # pyarrow is loaded only by a Parquet archive

    table = parquet_parts.ParquetFormat(labels, version).table(records)
    parquet_parts.write_part(folder / name, folder / (TEMP_PREFIX + name), table,
                             before_rename=lambda: crash_point("part-written"))
    return name


def newest_part(folder: Path) -> Path | None:
    """The part of the highest cycle number in `folder` (`part-<cycle>-<id>.parquet`; the
    latest written of equal numbers), or None when it holds none."""
    parts = [(int(m[1]), p.stat().st_mtime_ns, p) for p in folder.glob("part-*.parquet")
             if (m := PART_NAME.fullmatch(p.name))] if folder.is_dir() else []
    return max(parts)[2] if parts else None


def check_columns(folder: Path, labels: Sequence[str], version: str) -> None:
    """Refuse to append to a Parquet archive whose newest part has other columns than a part of this
    model (`labels`) would, so one archive never mixes two schemas. Columns are compared by name and
    type, so parts of the watch's old layout (another order) still pass.

    Raises WatchError if they differ or the part cannot be read.
    """
    part = newest_part(folder)
    if part is None:
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    from service import parquet_parts

    try:
        found = pq.read_schema(part)
    except (OSError, pa.ArrowException) as exc:
        raise WatchError(f"{part.name} of {folder} cannot be read as Parquet: {exc}") from None
    want = parquet_parts.ParquetFormat(labels, version).schema
    if dict(zip(found.names, found.types)) != dict(zip(want.names, want.types)):
        raise WatchError(f"{part.name} of {folder} has other columns than this model writes "
                         f"({parquet_parts.difference(found, want)}): watch into a new folder, "
                         "or with the model of the archive's labels")


def recover_jsonl(archive: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    """The whole records written after the committed `offset`, and the size to commit.

    A torn last line (a crash in the middle of a write) is cut off the file.
    """
    if not archive.exists():
        return [], 0
    with open(archive, "r+b") as fh:
        fh.seek(min(offset, os.fstat(fh.fileno()).st_size))
        tail = fh.read()
        whole = tail[:tail.rfind(b"\n") + 1]
        end = fh.seek(0, os.SEEK_CUR) - len(tail) + len(whole)
        if len(whole) < len(tail):
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
    return [json.loads(line) for line in whole.decode("utf-8").splitlines() if line.strip()], end


def recover_parts(folder: Path, committed: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Records of the parts not yet committed, by part name; half-written temporary parts are deleted."""
    if not folder.is_dir():
        return {}
    from service import parquet_parts

    found = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(TEMP_PREFIX):
            path.unlink()
        elif path.suffix == ".parquet" and path.name not in committed:
            found[path.name] = parquet_parts.read_records(path)
    return found
