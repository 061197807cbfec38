"""Fixtures for `tagger watch`: a loopback feed server and feed items, real and written."""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from conftest import SHARED_DATA
from watch.feedserver import WRITTEN_ITEMS, FeedServer, item

REAL_ITEMS = SHARED_DATA / "train_short.jsonl"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loopback only: a proxy set in the environment must not see the test feeds (nor must children)."""
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture
def server() -> Iterator[FeedServer]:
    """The feed server on 127.0.0.1, a free port, in a thread; stopped after the test."""
    srv = FeedServer()
    thread = threading.Thread(target=srv.serve_forever, name="feed-server", daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(10)


def written_items(prefix: str) -> list[dict[str, Any]]:
    """The short items written for the tests, as feed items with ids `prefix`-0...."""
    return [item(f"{prefix}-{i}", row["title"], row["body"], day=i + 1) for i, row in enumerate(WRITTEN_ITEMS)]


@pytest.fixture(scope="session")
def real_rows() -> list[dict[str, Any]]:
    """Feed items of ../shared/data/train_short.jsonl (skipped where it is absent)."""
    if not REAL_ITEMS.exists():
        pytest.skip(f"needs {REAL_ITEMS}")
    with open(REAL_ITEMS, encoding="utf-8") as fh:
        return [json.loads(line) for line, _ in zip(fh, range(60))]


def real_items(rows: list[dict[str, Any]], start: int, n: int) -> list[dict[str, Any]]:
    """`n` real feed items from `start`, keyed by their url (as the news sites' guids are)."""
    return [item(f"real-{start + i}", r["title"], r["body"], day=1 + (start + i) % 28)
            for i, r in enumerate(rows[start:start + n])]
