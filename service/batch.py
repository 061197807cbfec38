"""Batch tagging: read inputs, validate each record, tag in chunks, append results.

Results are appended one whole chunk at a time (one write, flush, fsync), so a
run killed at any moment leaves whole chunks and at most one torn last line;
a resumed run cuts that line off, skips the ids already written and appends
the rest. A bad record never stops a run: it becomes a `Problem` in the errors
file. Engines only tag chunks (`tag_chunk`); everything else happens here, in
the main process, so every engine writes the same bytes.
"""
from __future__ import annotations

import csv
import gc
import gzip
import io
import json
import os
import signal
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path
from typing import IO, Any, Protocol, TypeVar

from threadpoolctl import threadpool_limits

from model.article import MAX_FIELD_CHARS, to_article
from model.bundle import freeze_loaded_objects, load_bundle
from model.errors import InputError, TaggerError
from model.tagger import Tagger
from service.lifeline import Parent, die_with_parent
from service.tag_counts import label_counts
from service.fields import CARRIED, carried

STDIN = "-"
JSONL_SUFFIXES = (".jsonl", ".json", ".jsonl.gz", ".json.gz")
CSV_SUFFIXES = (".csv", ".csv.gz")
BOM = b"\xef\xbb\xbf"
Outcome = dict[str, Any] | str  # a result record, or why the article could not be tagged
T = TypeVar("T")


class BatchError(TaggerError):
    """A batch cannot start or go on: missing input, unusable or foreign output."""


@dataclass(frozen=True)
class BatchJob:
    """What to tag and where to; `output` None means stdout."""

    inputs: list[str]
    output: Path | None
    errors: Path
    fmt: str = "jsonl"
    explain: bool = False
    chunk_size: int = 200
    resume: bool = False
    overwrite: bool = False
    fields: tuple[str, ...] = CARRIED  # input fields carried into results (service.fields.kept_fields)


@dataclass
class Counts:
    """Records tagged by this run, skipped as already in the output, and not tagged;
    labels given by this run (`service.tag_counts.label_counts`)."""

    tagged: int = 0
    skipped: int = 0
    errors: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    bad_dates: int = 0  # dates kept as given because they could not be read


@dataclass(frozen=True)
class Raw:
    """One record as read: parsed `data`, or the `error` that stopped parsing."""

    source: str
    line: int | None
    data: Any = None
    error: str | None = None


@dataclass(frozen=True)
class Problem:
    """A record that was not tagged: one line of the errors file."""

    source: str
    line: int | None
    id: str | None
    reason: str

    def to_json(self) -> str:
        return json.dumps({"input": self.source, "line": self.line, "id": self.id, "reason": self.reason},
                          ensure_ascii=False)


@dataclass(frozen=True)
class Pending:
    """A valid record waiting to be tagged; `article` is what the tagger sees,
    `extra` the input fields carried into its result (never sent to engines)."""

    source: str
    line: int | None
    id: str
    article: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)


# --- inputs -------------------------------------------------------------------

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


# --- outputs ------------------------------------------------------------------

class JsonlFormat:
    """One JSON result a line: id, the carried fields, the tags (`partners` when the model gives them)."""

    def __init__(self, version: str, explain: bool, fields: tuple[str, ...] = CARRIED) -> None:
        self.version, self.explain, self.fields = version, explain, fields

    def header(self) -> str:
        return ""

    def render(self, results: list[dict[str, Any]]) -> str:
        keys = ["id", *self.fields, "countries", "topics", "partners", "cooperation", "scores",
                *(["evidence"] if self.explain else []), "model_version"]
        # A record of a v1 model has no partners: an empty list, as for no cooperation, not null.
        return "".join(json.dumps({**{k: r.get(k) for k in keys}, "partners": r.get("partners") or []},
                                  ensure_ascii=False) + "\n" for r in results)

    def line_id(self, line: str, number: int) -> str | None:
        """The id of an output line written by a run like this one.

        Raises
        ------
        BatchError
            If the line is not such a result (other model, --explain or format).
        """
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise BatchError(f"line {number} of the output is not a JSONL result") from None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise BatchError(f"line {number} of the output is not a result with an id")
        if record.get("model_version") != self.version:
            raise BatchError(f"line {number} of the output was written by model {record.get('model_version')}, "
                             f"this run uses {self.version}")
        if ("evidence" in record) != self.explain:
            written = "without" if self.explain else "with"
            raise BatchError(f"line {number} of the output was written {written} --explain")
        return record["id"]


class CsvFormat:
    """id, carried fields, `;`-joined countries, topics and partners, cooperation, `score_<label>`,
    model_version[, evidence]. A carried value that is not text is written as JSON."""

    def __init__(self, labels: list[str], version: str, explain: bool, fields: tuple[str, ...] = CARRIED) -> None:
        self.labels, self.version, self.explain, self.fields = labels, version, explain, fields
        self.columns = ["id", *fields, "countries", "topics", "partners", "cooperation",
                        *(f"score_{label}" for label in labels), "model_version", *(["evidence"] if explain else [])]

    def _rows(self, rows: Iterable[list[Any]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()

    def header(self) -> str:
        return self._rows([self.columns])

    def render(self, results: list[dict[str, Any]]) -> str:
        rows = []
        for r in results:
            scores = r.get("scores", {})
            extras = [v if isinstance(v, str) else "" if v is None else json.dumps(v, ensure_ascii=False)
                       for v in (r.get(name) for name in self.fields)]
            row = [r["id"], *extras, ";".join(r["countries"]), ";".join(r["topics"]), ";".join(r.get("partners") or []),
                   "true" if r["cooperation"] else "false", *(scores.get(label, "") for label in self.labels),
                   r["model_version"]]
            if self.explain:  # JSON keeps the cell on one line, which resuming relies on
                row.append(json.dumps(r.get("evidence", {}), ensure_ascii=False))
            rows.append(row)
        return self._rows(rows)

    def line_id(self, line: str, number: int) -> str | None:
        """The id of an output line (None for the header); raises BatchError like `JsonlFormat`."""
        row = next(csv.reader([line]), [])
        if number == 1:
            if row != self.columns:
                raise BatchError("the output's CSV columns differ from this run's (other model, labels or --explain)")
            return None
        if len(row) != len(self.columns):
            raise BatchError(f"line {number} of the output is not a CSV result")
        if row[self.columns.index("model_version")] != self.version:
            raise BatchError(f"line {number} of the output was written by another model, this run uses {self.version}")
        return row[0]


OutputFormat = JsonlFormat | CsvFormat


def output_format(name: str, tagger: Tagger, explain: bool, fields: tuple[str, ...] = CARRIED) -> OutputFormat:
    """The writer for `--format` NAME ('jsonl' or 'csv')."""
    if name == "csv":
        return CsvFormat(list(tagger.labels), tagger.version, explain, fields)
    return JsonlFormat(tagger.version, explain, fields)


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
            _check_output(job, job.output, read)
    elif job.resume:
        raise BatchError("--resume needs an output file (-o PATH), not stdout")
    if job.errors.resolve() in read:
        raise BatchError(f"the errors file {job.errors} is also an input")
    if not job.errors.parent.is_dir() or job.errors.is_dir():
        raise BatchError(f"cannot write the errors file {job.errors}: no such folder, or it is a folder")


def _check_output(job: BatchJob, out: Path, read: set[Path]) -> None:
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


def _fsync_dir(folder: Path) -> None:
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
    _fsync_dir(job.output.parent)
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


# --- tagging ------------------------------------------------------------------

def tag_chunk(tagger: Tagger, articles: list[dict[str, str]], explain: bool) -> list[Outcome]:
    """Tag a chunk in one call; if the tagger rejects an article, tag one by one
    so only that one fails. Every engine runs this. Raises nothing on bad input."""
    try:
        return tagger.tag_many(articles, explain=explain)
    except InputError:
        outcomes: list[Outcome] = []
        for article in articles:
            try:
                outcomes.append(tagger.tag(article, explain=explain))
            except InputError as exc:
                outcomes.append(str(exc))
        return outcomes


class Engine(Protocol):
    """Tags chunks and yields them back in input order."""

    def __enter__(self) -> Engine: ...

    def __exit__(self, *exc: object) -> None: ...

    def map(self, chunks: Iterable[list[Pending]]) -> Iterator[tuple[list[Pending], list[Outcome]]]: ...


def ordered(chunks: Iterable[T], submit: Callable[[T], Any], window: int) -> Iterator[tuple[T, Any]]:
    """`(chunk, result)` in input order, with at most `window` chunks in flight.

    `submit` returns a future (anything with `.result()`), so input is read
    only as fast as results are written and memory stays bounded.
    """
    flying: deque[tuple[T, Any]] = deque()
    for chunk in chunks:
        flying.append((chunk, submit(chunk)))
        if len(flying) >= window:
            done, future = flying.popleft()
            yield done, future.result()
    while flying:
        done, future = flying.popleft()
        yield done, future.result()


class SerialEngine:
    """`--jobs 1`: tag in this process with the tagger already loaded, on one thread."""

    def __init__(self, tagger: Tagger, explain: bool) -> None:
        self.tagger, self.explain = tagger, explain
        self.limits: threadpool_limits | None = None

    def __enter__(self) -> SerialEngine:
        # one thread per job, like the pool: OpenMP threads on busy cores make chunks
        # of a few hundred articles slower, not faster
        self.limits = threadpool_limits(1)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.limits is not None:
            self.limits.restore_original_limits()
            self.limits = None

    def map(self, chunks: Iterable[list[Pending]]) -> Iterator[tuple[list[Pending], list[Outcome]]]:
        for chunk in chunks:
            yield chunk, tag_chunk(self.tagger, [p.article for p in chunk], self.explain)


_worker_tagger: Tagger | None = None  # one per pool process, set by its initializer


def _init_worker(tagger: Tagger | None, bundle: str, parent: Parent, forked: bool) -> None:
    """Set up a pool process: tied to `parent`'s life, with the tagger it inherited
    through a fork, or one loaded from `bundle`."""
    global _worker_tagger
    die_with_parent(parent, forked=forked)  # an orphaned worker would idle on its memory forever
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is handled once, by the parent
    threadpool_limits(1)  # N processes already use the cores; N OpenMP pools of N threads would fight
    _worker_tagger = tagger if tagger is not None else load_bundle(bundle)


def _tag_in_worker(articles: list[dict[str, str]], explain: bool) -> list[Outcome]:
    assert _worker_tagger is not None, "pool worker started without its initializer"
    return tag_chunk(_worker_tagger, articles, explain)


def _started() -> bool:
    return True


def pool_start_method() -> str:
    """'fork' where the platform has it (workers share the parent's loaded tagger), else 'spawn'."""
    return "fork" if "fork" in get_all_start_methods() else "spawn"


class PoolEngine:
    """`--jobs N`: N processes forked from this one once its tagger is loaded and warmed.

    They share the tagger (no imports, no bundle load, copy-on-write memory),
    as `tagger serve`'s workers do. Where fork is missing, N spawned processes
    each load the bundle. Either way they end when this process ends
    (`service.lifeline`). Raises ValueError for a start method other than
    'fork' or 'spawn' (a fork server, not this process, would be their parent).
    """

    def __init__(self, tagger: Tagger, bundle: Path, jobs: int, explain: bool, method: str | None = None) -> None:
        self.tagger, self.bundle, self.jobs, self.explain = tagger, str(Path(bundle).resolve()), jobs, explain
        self.method = method or pool_start_method()
        if self.method not in ("fork", "spawn"):
            raise ValueError(f"start method {self.method!r}: use 'fork' or 'spawn'")
        self.pool: ProcessPoolExecutor | None = None
        self.limits: threadpool_limits | None = None
        self.froze = False

    def __enter__(self) -> PoolEngine:
        # One thread per numeric pool before forking, as `tagger serve` does: the
        # children inherit the setting and set it again in their initializer.
        self.limits = threadpool_limits(1)
        inherited = self.tagger if self.method == "fork" else None
        # Forked workers share the parent's pages until they write to one; keep the
        # garbage collector from writing to the model's (given back at exit).
        self.froze = inherited is not None and freeze_loaded_objects()
        self.pool = ProcessPoolExecutor(self.jobs, mp_context=get_context(self.method),
                                        initializer=_init_worker,
                                        initargs=(inherited, self.bundle, Parent.this_process(), self.method == "fork"))
        # A fork copies only the calling thread, so fork now, before the caller starts
        # any (a progress bar's monitor); ProcessPoolExecutor forks at the first submit.
        try:
            self.pool.submit(_started).result()
        except BrokenProcessPool as exc:
            self.__exit__()
            raise BatchError(f"a worker process died: {exc}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.limits is not None:
            self.limits.restore_original_limits()
            self.limits = None
        if self.froze:
            gc.unfreeze()
            self.froze = False

    def map(self, chunks: Iterable[list[Pending]]) -> Iterator[tuple[list[Pending], list[Outcome]]]:
        try:
            for (chunk, _), outcomes in ordered(with_last(chunks), self._submit, 2 * self.jobs):
                yield chunk, outcomes
        except BrokenProcessPool as exc:
            raise BatchError(f"a worker process died: {exc}") from None

    def _submit(self, item: tuple[list[Pending], bool]) -> Pieces:
        """Send a chunk to the workers in `piece_size` pieces."""
        assert self.pool is not None, "use PoolEngine as a context manager"
        chunk, last = item
        articles = [p.article for p in chunk]
        size = piece_size(len(articles), self.jobs, last)
        return Pieces([self.pool.submit(_tag_in_worker, articles[i:i + size], self.explain)
                       for i in range(0, len(articles), size)])


# Articles a worker tags per task in the last chunk of a run, so that the
# workers finish together: with whole chunks of 200, one worker tagged the
# last chunk while the other waited.
PIECE = 25


def piece_size(n: int, jobs: int, last: bool) -> int:
    """Articles per worker task for a chunk of `n`: one share per worker but
    never under `PIECE` (many jobs still get whole rounds of chunks in flight),
    or at most `PIECE` in the run's last chunk.

    Tagging costs less per article in larger calls (the vocabulary and the
    weights stay in the CPU's cache from one article to the next; `python -m
    bench.cost --batch-sizes 25,100,200`), so only the last chunk, where the
    workers must come out even, is cut that fine.
    """
    share = -(-n // jobs)
    return max(1, min(share, PIECE)) if last else max(share, min(n, PIECE), 1)


def with_last(items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each of `items` with whether it is the last one (reads one item ahead)."""
    iterator = iter(items)
    try:
        previous = next(iterator)
    except StopIteration:
        return
    for item in iterator:
        yield previous, False
        previous = item
    yield previous, True


@dataclass
class Pieces:
    """The futures of one chunk's pieces; `result()` is their outcomes in order."""

    futures: list[Any]

    def result(self) -> list[Outcome]:
        return [outcome for future in self.futures for outcome in future.result()]


def local_engine(tagger: Tagger, bundle: Path, jobs: int, explain: bool) -> Engine:
    """In-process for one job, a process pool for more."""
    return SerialEngine(tagger, explain) if jobs == 1 else PoolEngine(tagger, bundle, jobs, explain)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- the run ------------------------------------------------------------------

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
