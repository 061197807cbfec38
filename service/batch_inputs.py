"""Reading a batch's inputs (JSONL, CSV, a folder of .txt files, stdin) and
turning their records into valid `Pending` ones.

A record that cannot be read or is not valid never stops a run: it becomes a
`Problem` for the errors file.
"""
from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

from model.article import MAX_FIELD_CHARS, to_article
from model.errors import InputError
from service.batch_job import STDIN, BatchError, Counts, Pending, Problem
from service.fields import CARRIED, carried

JSONL_SUFFIXES = (".jsonl", ".json", ".jsonl.gz", ".json.gz")
CSV_SUFFIXES = (".csv", ".csv.gz")
BOM = b"\xef\xbb\xbf"
T = TypeVar("T")


@dataclass(frozen=True)
class Raw:
    """One record as read: parsed `data`, or the `error` that stopped parsing."""

    source: str
    line: int | None
    data: Any = None
    error: str | None = None


def input_kind(name: str) -> str:
    """'stdin', 'folder', 'jsonl' or 'csv'.

    Raises
    ------
    BatchError
        If the input does not exist, cannot be read or has an unknown extension.
    """
    if name == STDIN:
        return "stdin"
    path = Path(name)
    if not path.exists():
        raise BatchError(f"input not found: {name}")
    if not os.access(path, os.R_OK):
        raise BatchError(f"input cannot be read: {name}")
    if path.is_dir():
        return "folder"
    lower = path.name.lower()
    if lower.endswith(JSONL_SUFFIXES):
        return "jsonl"
    if lower.endswith(CSV_SUFFIXES):
        return "csv"
    raise BatchError(f"cannot tell the format of {name}: use .jsonl, .json, .jsonl.gz, .csv or a folder of .txt files")


def _open_binary(path: Path) -> IO[bytes]:
    return gzip.open(path, "rb") if path.suffix.lower() == ".gz" else open(path, "rb")


def check_inputs(names: list[str]) -> None:
    """Check every input before anything is written.

    Raises
    ------
    BatchError
        If an input is missing or unknown, stdin is given twice, or a CSV
        header has no `text` (or `body`) column.
    """
    if names.count(STDIN) > 1:
        raise BatchError("stdin (-) can be read only once")
    for name in names:
        if input_kind(name) == "csv":
            try:
                with _open_binary(Path(name)) as fh:
                    header = next(csv.reader(_text_lines(fh, set())), [])
            except (OSError, EOFError, csv.Error) as exc:
                raise BatchError(f"cannot read the CSV header of {name}: {exc}") from None
            columns = {h.strip().lower() for h in header}
            if not columns & {"text", "body"}:
                raise BatchError(f"{name} has no 'text' column (columns: {', '.join(header) or 'none'})")


def read_inputs(names: list[str], stdin: IO[bytes]) -> Iterator[Raw]:
    """Every record of every input, in order; unreadable parts come as errors."""
    for name in names:
        kind = input_kind(name)
        if kind == "stdin":
            yield from _read_jsonl("stdin", stdin)
        elif kind == "folder":
            yield from _read_folder(name)
        else:
            try:
                fh = _open_binary(Path(name))
            except OSError as exc:
                yield Raw(name, None, error=f"cannot open: {exc.strerror or exc}")
                continue
            with fh:
                yield from (_read_jsonl if kind == "jsonl" else _read_csv)(name, fh)


def _read_jsonl(source: str, fh: IO[bytes]) -> Iterator[Raw]:
    number = 0
    try:
        for number, line in enumerate(fh, start=1):
            if number == 1:
                line = line.removeprefix(BOM)
            if not line.strip():
                continue
            try:
                yield Raw(source, number, json.loads(line.decode("utf-8")))
            except UnicodeDecodeError:
                yield Raw(source, number, error="line is not valid UTF-8")
            except json.JSONDecodeError as exc:
                yield Raw(source, number, error=f"not valid JSON ({exc.msg})")
    except (OSError, EOFError) as exc:  # e.g. a truncated .gz: the rest of this input is lost
        yield Raw(source, number + 1, error=f"input unreadable from here on: {exc}")


def _text_lines(fh: IO[bytes], bad: set[int]) -> Iterator[str]:
    """Decoded lines for the csv module; numbers of lines that are not UTF-8 go to `bad`."""
    for number, line in enumerate(fh, start=1):
        try:
            yield line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            bad.add(number)
            yield line.decode("utf-8", errors="replace")


def _read_csv(source: str, fh: IO[bytes]) -> Iterator[Raw]:
    csv.field_size_limit(MAX_FIELD_CHARS + 1)  # articles are longer than the 128 KiB default
    bad: set[int] = set()
    reader = csv.reader(_text_lines(fh, bad))
    header: list[str] | None = None
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Raw(source, start, error=f"not valid CSV ({exc})")
            continue
        except (OSError, EOFError) as exc:
            yield Raw(source, start, error=f"input unreadable from here on: {exc}")
            return
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = [cell.strip().lower() for cell in row]
        elif bad.intersection(range(start, reader.line_num + 1)):
            yield Raw(source, start, error="line is not valid UTF-8")
        elif len(row) != len(header):
            yield Raw(source, start, error=f"row has {len(row)} fields, the header has {len(header)}")
        else:
            yield Raw(source, start, dict(zip(header, row)))


def _read_folder(name: str) -> Iterator[Raw]:
    folder = Path(name)
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() == ".txt" and p.is_file()):
        source = str(folder / path.name)
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            yield Raw(source, None, error="file is not valid UTF-8")
            continue
        except OSError as exc:
            yield Raw(source, None, error=f"cannot read: {exc.strerror or exc}")
            continue
        yield Raw(source, None, {"id": path.stem, "text": text})


def validate(raws: Iterable[Raw], done: set[str], report: Callable[[Problem], None],
             counts: Counts, fields: tuple[str, ...] = CARRIED) -> Iterator[Pending]:
    """The records to tag: valid, not seen before in the input, not in `done`.

    A record without an id gets `<input>:<line>`. Bad records and repeated
    ids go to `report`; ids in `done` are counted as skipped.
    """
    seen: set[str] = set()
    for raw in raws:
        hint = raw.data.get("id") if isinstance(raw.data, Mapping) else None
        hint = str(hint) if isinstance(hint, (str, int)) and not isinstance(hint, bool) else None
        try:
            if raw.error:
                raise InputError(raw.error)
            article = to_article(raw.data)
            ident = article.id if article.id and article.id.strip() else f"{raw.source}:{raw.line}"
            if "\n" in ident or "\r" in ident:
                raise InputError("field 'id' must not contain line breaks")
            if ident in seen:
                raise InputError(f"duplicate id {ident!r}: an earlier record has the same id")
        except InputError as exc:
            report(Problem(raw.source, raw.line, hint, str(exc)))
            continue
        seen.add(ident)
        if ident in done:
            counts.skipped += 1
            continue
        extra, date_ok = carried(raw.data, fields)
        counts.bad_dates += not date_ok
        yield Pending(raw.source, raw.line, ident,
                      {"id": ident, "title": article.title, "lead": article.lead, "text": article.text}, extra)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Lists of `size` items (the last may be shorter)."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
