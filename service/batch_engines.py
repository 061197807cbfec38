"""What every batch engine shares (`tag_chunk`, `ordered`, the `Engine`
protocol) and the simplest one, `SerialEngine`, which tags in this process.

The process pool is `service.batch_pool`, Dask is `service.batch_dask`.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol, TypeVar

from threadpoolctl import threadpool_limits

from model.errors import InputError
from model.tagger import Tagger
from service.batch_job import Outcome, Pending

T = TypeVar("T")


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
