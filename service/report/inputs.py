"""The tagged inputs of `tagger report`, read in place by DuckDB as one view.

`tagged_view_sql` gives the SQL of a relation with the columns every report
query uses: id, date, title, url (text, NULL when absent), countries, topics,
partners (lists, empty when absent) and cooperation (bool). JSONL (`.jsonl`,
`.json`, `.gz`), CSV and Parquet files are accepted, and folders of them (a
`tagger tag` Parquet folder is one). A file whose first record has no
countries, topics and cooperation is not a tagged file: run `tagger tag` first.
"""
from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from model.errors import TaggerError

JSONL = (".jsonl", ".json", ".jsonl.gz", ".json.gz")
CSV = (".csv", ".csv.gz")
PARQUET = (".parquet",)
TAGS = ("countries", "topics", "cooperation")
TEXTS = ("id", "date", "title", "url")
LISTS = ("countries", "topics", "partners")


class ReportError(TaggerError):
    """The report cannot be built: a missing, unreadable or untagged input, or nothing to count."""


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    for kind, suffixes in (("jsonl", JSONL), ("csv", CSV), ("parquet", PARQUET)):
        if name.endswith(suffixes):
            return kind
    return None


def expand(names: list[str]) -> dict[str, list[Path]]:
    """The input files by kind ('jsonl', 'csv', 'parquet'); folders give their files (not hidden ones).

    Raises
    ------
    ReportError
        If an input is missing, a file of unknown kind, or a folder with no such file.
    """
    found: dict[str, list[Path]] = {"jsonl": [], "csv": [], "parquet": []}
    for name in names:
        path = Path(name)
        if not path.exists():
            raise ReportError(f"input not found: {name}")
        if path.is_dir():
            files = [p for p in sorted(path.iterdir()) if p.is_file() and not p.name.startswith((".", "_"))
                     and _kind(p) and not p.name.endswith(".errors.jsonl")]
            if not files:
                raise ReportError(f"{name} holds no .jsonl, .csv or .parquet file")
        elif _kind(path) is None:
            raise ReportError(f"cannot tell the format of {name}: use .jsonl, .json, .jsonl.gz, .csv, .parquet "
                              "or a folder of them")
        else:
            files = [path]
        for file in files:
            found[_kind(file)].append(file)  # type: ignore[index]
    return found


def _open_text(path: Path) -> object:
    return gzip.open(path, "rt", encoding="utf-8-sig") if path.suffix.lower() == ".gz" else \
        open(path, encoding="utf-8-sig", newline="")


def columns_of(path: Path, kind: str) -> set[str] | None:
    """The fields of the file's first record (None when it has no record).

    Raises
    ------
    ReportError
        If the file cannot be read, or its first record is not a tagged result.
    """
    try:
        if kind == "parquet":
            schema = pq.read_schema(path)
            names = set(schema.names)
        else:
            with _open_text(path) as fh:  # type: ignore[attr-defined]
                if kind == "csv":
                    names = {h.strip().lower() for h in next(csv.reader(fh), [])}
                else:
                    line = next((line for line in fh if line.strip()), None)
                    if line is None:
                        return None
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ReportError(f"{path}: the first line is not a JSON object")
                    names = set(record)
    except (OSError, EOFError, UnicodeDecodeError, json.JSONDecodeError, csv.Error, pa.ArrowException) as exc:
        raise ReportError(f"cannot read {path}: {exc}") from None
    if not names:
        return None
    missing = [t for t in TAGS if t not in names]
    if missing:
        raise ReportError(f"{path} is not a tagged file (no {', '.join(missing)}): run `tagger tag` on it first")
    return names


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _files(paths: list[Path]) -> str:
    return "[" + ", ".join(_quote(str(p)) for p in paths) + "]"


def _select(source: str, names: set[str], csv_lists: bool) -> str:
    texts = [f'CAST("{c}" AS VARCHAR) AS {c}' if c in names else f"NULL::VARCHAR AS {c}" for c in TEXTS]
    if csv_lists:
        lists = [f"""list_filter(string_split(coalesce("{c}", ''), ';'), x -> x <> '') AS {c}""" if c in names
                 else f"[]::VARCHAR[] AS {c}" for c in LISTS]
        cooperation = "coalesce(lower(trim(cooperation)) IN ('true', '1'), false) AS cooperation"
    else:
        lists = [f'coalesce("{c}", []::VARCHAR[]) AS {c}' if c in names else f"[]::VARCHAR[] AS {c}" for c in LISTS]
        cooperation = "coalesce(cooperation, false) AS cooperation"
    return f"SELECT {', '.join(texts + lists)}, {cooperation} FROM {source}"


def tagged_view_sql(names: list[str]) -> str:
    """One SELECT (a UNION ALL over the kinds of input) of every tagged record.

    Raises
    ------
    ReportError
        If an input is missing, unreadable or untagged, or no input holds a record.
    """
    parts = []
    for kind, paths in expand(names).items():
        seen = [(p, columns_of(p, kind)) for p in paths]
        paths = [p for p, cols in seen if cols is not None]
        if not paths:
            continue
        union = set().union(*(cols for _, cols in seen if cols is not None))
        if kind == "jsonl":
            spec = {c: "VARCHAR" for c in TEXTS} | {c: "VARCHAR[]" for c in LISTS} | {"cooperation": "BOOLEAN"}
            columns = "{" + ", ".join(f"{_quote(k)}: {_quote(v)}" for k, v in spec.items()) + "}"
            source = f"read_json({_files(paths)}, format='newline_delimited', columns={columns})"
            parts.append(_select(source, set(spec), csv_lists=False))
        elif kind == "csv":
            source = f"read_csv({_files(paths)}, header=true, all_varchar=true, union_by_name=true)"
            parts.append(_select(source, union, csv_lists=True))
        else:
            source = f"read_parquet({_files(paths)}, union_by_name=true)"
            parts.append(_select(source, union, csv_lists=False))
    if not parts:
        raise ReportError(f"no tagged record in {', '.join(names)}: the input is empty")
    return "\nUNION ALL\n".join(parts)
