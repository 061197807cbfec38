"""Where a batch's results and problems go: the output checked, scanned and cut
back for --resume, then appended one whole chunk at a time (one write, flush,
fsync), and the errors file.

So a run killed at any moment leaves whole chunks and at most one torn last
line, which a resumed run cuts off before appending.
"""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO

from service.batch_formats import OutputFormat
from service.batch_job import BatchError, BatchJob, Counts, Problem


def check_output(job: BatchJob, out: Path, read: set[Path]) -> None:
    """Check the output file `out` of `job`, given the `read` input paths (resolved).

    Raises
    ------
    BatchError
        If --resume and --overwrite are both given, the output is an input or the
        errors file, a folder, in a missing folder or not writable, or it is not
        empty without --resume or --overwrite.
    """
    if job.resume and job.overwrite:
        raise BatchError("--resume and --overwrite contradict each other: pick one")
    if out.resolve() in read or out.resolve() == job.errors.resolve():
        raise BatchError(f"the output {out} is also an input or the errors file")
    if out.is_dir():
        raise BatchError(f"the output {out} is a folder")
    if not out.parent.is_dir():
        raise BatchError(f"cannot write {out}: folder {out.parent} does not exist")
    if not os.access(out if out.exists() else out.parent, os.W_OK):
        raise BatchError(f"cannot write {out}: permission denied")
    if out.exists() and out.stat().st_size and not (job.resume or job.overwrite):
        raise BatchError(f"{out} already exists and is not empty: use --resume to continue it "
                         "or --overwrite to replace it")


def scan_output(path: Path, fmt: OutputFormat) -> tuple[set[str], int]:
    """Ids already in the output, and how many bytes of whole lines to keep.

    A last line without its newline was torn by a crash: it is not counted,
    and the caller cuts it off before appending.

    Raises
    ------
    BatchError
        If a whole line is not a result of a run like this one.
    """
    done: set[str] = set()
    keep = 0
    if not path.exists():
        return done, keep
    with open(path, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.endswith(b"\n"):
                break
            try:
                ident = fmt.line_id(line.decode("utf-8").rstrip("\n"), number)
            except UnicodeDecodeError:
                raise BatchError(f"line {number} of the output is not UTF-8") from None
            if ident is not None:
                done.add(ident)
            keep += len(line)
    return done, keep


def fsync_dir(folder: Path) -> None:
    """Sync `folder`, so a file just created or renamed in it survives a crash; raises nothing."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:  # not every file system can sync a directory
        pass
    finally:
        os.close(fd)


def open_output(job: BatchJob, keep: int | None, stdout: IO[bytes]) -> IO[bytes]:
    """The output opened for appending: truncated to `keep` bytes, or emptied when None."""
    if job.output is None:
        return stdout
    if keep is None:
        fh = open(job.output, "wb")
    else:
        if job.output.exists():
            os.truncate(job.output, keep)
        fh = open(job.output, "ab")
    fsync_dir(job.output.parent)
    return fh


class Sink:
    """Appends whole chunks to the output: one write, then flush and fsync."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh

    def write(self, text: str) -> None:
        self.fh.write(text.encode("utf-8"))
        self.fh.flush()
        try:
            os.fsync(self.fh.fileno())
        except (OSError, io.UnsupportedOperation):  # stdout may be a pipe or a terminal
            pass


class ErrorLog:
    """The errors file, created on the first problem; a stale one is removed first."""

    def __init__(self, path: Path, counts: Counts) -> None:
        self.path, self.counts = path, counts
        self.fh: IO[str] | None = None
        path.unlink(missing_ok=True)

    def add(self, problem: Problem) -> None:
        if self.fh is None:
            # backslashreplace: an id holding a lone surrogate is written as the JSON
            # escape "\\udXXX", which reads back as the same string.
            self.fh = open(self.path, "w", encoding="utf-8", errors="backslashreplace")
        self.fh.write(problem.to_json() + "\n")
        self.fh.flush()
        self.counts.errors += 1

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
