"""Open everything a watch needs, reconcile, then run cycles until told to stop."""
from __future__ import annotations

import fcntl
import logging
import signal
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from model.tagger import Tagger
from service.logs import JsonLineFormatter, StderrHandler
from service.watch import archive as store
from service.watch.alerts import AlertLog
from service.watch.cycle import FeedReport, Watch, run_cycle
from service.watch.feeds import WatchError
from service.watch.recover import reconcile
from service.watch.rules import Rule
from service.watch.state import State
from service.watch.webhook import Deliverer

LOGGER = "service.watch"
DELIVERY_GRACE_S = 60.0


@dataclass
class Options:
    feeds: list[str]
    archive: Path
    rules: list[Rule]
    every_s: float
    once: bool
    timeout: float
    concurrency: int


def watch_logger() -> logging.Logger:
    """JSON lines on stderr, one per feed per cycle (the request log's format)."""
    logger = logging.getLogger(LOGGER)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    if not any(isinstance(h, StderrHandler) for h in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonLineFormatter())
        logger.addHandler(handler)
    return logger


@contextmanager
def exclusive(archive: Path) -> Iterator[IO[bytes]]:
    """Hold ARCHIVE.lock; raises WatchError if another watch holds it."""
    with open(store.sibling(archive, ".lock"), "ab") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WatchError(f"another tagger watch is already writing to {archive}") from None
        yield fh


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set `stop` (the cycle in flight finishes) instead of killing."""
    previous = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    for s in previous:
        signal.signal(s, lambda *_: stop.set())
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def run_watch(options: Options, tagger: Tagger) -> list[FeedReport]:
    """Run cycles until `options.once` is done or a signal arrives; returns the last cycle's reports.

    Raises
    ------
    WatchError
        If the archive is held by another watch, cannot be read back, has other columns than this
        model writes (Parquet), or its state file is not usable.
    OSError, sqlite3.Error
        If the archive or the state cannot be written (a full disk...).
    """
    store.check_archive(options.archive)
    logger, stop = watch_logger(), threading.Event()
    with exclusive(options.archive), stop_on_signals(stop):
        try:
            state = State(store.sibling(options.archive, ".state.sqlite"))
        except sqlite3.DatabaseError as exc:
            raise WatchError(f"the state file beside {options.archive} is not usable: {exc}") from None
        alerts = AlertLog(store.sibling(options.archive, ".alerts.jsonl"))
        try:
            try:
                if not store.is_jsonl(options.archive):
                    store.check_columns(options.archive, tagger.labels, tagger.version)
                recovered = reconcile(options.archive, state, alerts, options.rules)
            except ValueError as exc:  # a corrupt JSONL line or Parquet part (ArrowInvalid is one too)
                raise WatchError(f"{options.archive} holds something that is not a watch record: {exc}") from None
            if recovered:
                logger.info("recovered", extra={"fields": {"records": recovered}})
            watch = Watch(options.feeds, options.archive, tagger, state, alerts, options.rules, logger,
                          options.timeout, options.concurrency)
            deliverer = Deliverer(alerts, {r.name: r.webhook for r in options.rules if r.webhook}, stop)
            try:
                return _loop(watch, deliverer, options, stop)
            finally:
                deliverer.close(DELIVERY_GRACE_S)
        finally:
            state.close()


def _loop(watch: Watch, deliverer: Deliverer, options: Options, stop: threading.Event) -> list[FeedReport]:
    while True:
        started = time.monotonic()
        reports = run_cycle(watch)
        deliverer.offer()
        if options.once or stop.wait(max(0.0, options.every_s - (time.monotonic() - started))):
            return reports
