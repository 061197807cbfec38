"""What `tagger watch` has done, in SQLite (WAL) beside the archive: the keys of the
items already archived, each feed's validators and back-off, the archive's
committed mark (bytes of a JSONL archive, names of a Parquet archive's parts).

A cycle's changes are committed in one transaction, after the archive was
written; `reconcile` (service.watch.recover) repairs the gap a crash leaves.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, cycle INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (feed TEXT PRIMARY KEY, etag TEXT, modified TEXT,
    failures INTEGER NOT NULL DEFAULT 0, retry_cycle INTEGER NOT NULL DEFAULT 0, last_error TEXT);
CREATE TABLE IF NOT EXISTS parts (name TEXT PRIMARY KEY, cycle INTEGER NOT NULL);
"""
MAX_BACKOFF_CYCLES = 64


@dataclass
class FeedState:
    """A feed's validators and back-off: it is fetched again from cycle `retry_cycle` on."""

    feed: str
    etag: str | None = None
    modified: str | None = None
    failures: int = 0
    retry_cycle: int = 0
    last_error: str | None = None

    def failed(self, cycle: int, reason: str) -> None:
        """Count a failure: retried next cycle, then after 2, 4, ... cycles (at most 64)."""
        self.failures += 1
        self.retry_cycle = cycle + min(2 ** (self.failures - 1), MAX_BACKOFF_CYCLES)
        self.last_error = reason

    def succeeded(self, etag: str | None, modified: str | None) -> None:
        self.etag, self.modified, self.failures, self.retry_cycle, self.last_error = etag, modified, 0, 0, None


class State:
    """The state database; every method commits or reads, none is left half done.

    Raises `sqlite3.DatabaseError` if the file is not a state database.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)  # explicit BEGIN/COMMIT below
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")  # a committed cycle survives a power cut
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def meta(self, name: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return default if row is None else row[0]

    def last_cycle(self) -> int:
        return int(self.meta("cycle", "0") or 0)

    def seen(self, keys: Iterable[str]) -> set[str]:
        """Which of `keys` were archived already."""
        keys = list(dict.fromkeys(keys))
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start:start + 500]
            marks = ",".join("?" * len(chunk))
            found.update(k for (k,) in self.db.execute(f"SELECT key FROM seen WHERE key IN ({marks})", chunk))
        return found

    def seen_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM seen").fetchone()[0]

    def feed(self, feed: str) -> FeedState:
        row = self.db.execute("SELECT feed, etag, modified, failures, retry_cycle, last_error FROM feeds "
                              "WHERE feed = ?", (feed,)).fetchone()
        return FeedState(feed) if row is None else FeedState(*row)

    def parts(self) -> set[str]:
        return {name for (name,) in self.db.execute("SELECT name FROM parts")}

    def commit(self, cycle: int, keys: Iterable[str], feeds: Iterable[FeedState] = (), *,
               offset: int | None = None, part: str | None = None) -> None:
        """Record in one transaction: the archived `keys`, the feeds' new state, the archive's
        new mark (`offset` of a JSONL archive or a Parquet `part`) and `cycle` as the last one."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT OR IGNORE INTO seen (key, cycle) VALUES (?, ?)", ((k, cycle) for k in keys))
            db.executemany("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?)",
                           ((f.feed, f.etag, f.modified, f.failures, f.retry_cycle, f.last_error) for f in feeds))
            if offset is not None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('offset', ?)", (str(offset),))
            if part is not None:
                db.execute("INSERT OR IGNORE INTO parts VALUES (?, ?)", (part, cycle))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('cycle', ?)", (str(max(cycle, self.last_cycle())),))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
