"""The process-pool engine of `tagger tag --jobs N`: N processes tied to this
one's life (`service.lifeline`), tagging chunks cut into pieces so that the
workers finish together.
"""
from __future__ import annotations

import gc
import signal
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any, TypeVar

from threadpoolctl import threadpool_limits

from model.bundle import freeze_loaded_objects, load_bundle
from model.tagger import Tagger
from service.batch_engines import Engine, SerialEngine, ordered, tag_chunk
from service.batch_job import BatchError, Outcome, Pending
from service.lifeline import Parent, die_with_parent, pool_start_method

T = TypeVar("T")

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
