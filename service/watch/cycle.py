"""One cycle of `tagger watch`: fetch every feed that is due, keep the items not seen
before, tag them, append them to the archive, raise alerts, then commit the state.

The order (archive, alerts, state) is what makes a crash harmless: whatever was
written but not committed is found again by `service.watch.recover.reconcile`.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.article import to_article
from model.errors import InputError
from model.tagger import Tagger
from service.watch import archive as store
from service.watch.alerts import AlertLog, raise_alerts
from service.watch.faults import crash_point
from service.watch.fetch import Fetched, fetch
from service.watch.parse import FeedError, Item, parse_feed
from service.watch.rules import Rule
from service.watch.state import FeedState, State

TAG_CHUNK = 500


@dataclass
class Watch:
    """What every cycle works with."""

    feeds: list[str]
    archive: Path
    tagger: Tagger
    state: State
    alerts: AlertLog
    rules: list[Rule]
    logger: logging.Logger
    timeout: float = 10.0
    concurrency: int = 8


@dataclass
class FeedReport:
    """What a cycle did with one feed: one JSON log line."""

    feed: str
    status: str = "ok"  # ok, not-modified, failed, backing-off
    new: int = 0
    seen: int = 0
    failed: int = 0
    latency_ms: float = 0.0
    reason: str | None = None
    items: list[Item] = field(default_factory=list)


def run_cycle(watch: Watch) -> list[FeedReport]:
    """Run one cycle; returns one report per feed (also logged). Raises OSError or
    sqlite3.Error if the archive or the state cannot be written (nothing is committed then)."""
    cycle = watch.state.last_cycle() + 1
    states = {feed: watch.state.feed(feed) for feed in watch.feeds}
    due = [f for f in watch.feeds if states[f].retry_cycle <= cycle]
    reports = {f: FeedReport(f, status="backing-off", reason=f"{states[f].failures} failure(s) in a row, last: "
                             f"{states[f].last_error}; next try in cycle {states[f].retry_cycle}")
               for f in watch.feeds}
    with ThreadPoolExecutor(max_workers=max(1, min(watch.concurrency, len(due)))) as pool:
        fetched = list(pool.map(lambda f: fetch(f, states[f].etag, states[f].modified, watch.timeout), due))
    crash_point("fetched")
    new_items: dict[str, Item] = {}
    fresh: dict[str, list[str]] = {}  # feed -> keys of the items new in it
    for result in fetched:
        report = reports[result.feed] = _read(result, states[result.feed], cycle)
        already = watch.state.seen(i.key for i in report.items)
        fresh[result.feed] = []
        for item in report.items:
            if item.key in already or item.key in new_items:
                report.seen += 1
            else:
                new_items[item.key] = item
                fresh[result.feed].append(item.key)
    records, failed = tag_items(watch.tagger, list(new_items.values()))
    for feed, keys in fresh.items():
        reports[feed].failed = sum(1 for key in keys if key in failed)
        reports[feed].new = len(keys) - reports[feed].failed
    crash_point("tagged")
    mark = _append(watch, records, cycle)
    crash_point("archived")
    watch.alerts.append([a for a in raise_alerts(watch.rules, records) if not watch.alerts.known(a["alert_id"])])
    crash_point("alerted")
    watch.state.commit(cycle, new_items, [states[r.feed] for r in fetched], **mark)
    crash_point("committed")
    for report in reports.values():
        fields = {k: v for k, v in vars(report).items() if k != "items"}
        watch.logger.log(logging.WARNING if report.status == "failed" else logging.INFO, "feed",
                         extra={"fields": {"cycle": cycle, **fields}})
    return list(reports.values())


def _read(result: Fetched, state: FeedState, cycle: int) -> FeedReport:
    """The feed's report with its items; updates `state` (validators or back-off)."""
    report = FeedReport(result.feed, latency_ms=result.latency_ms)
    if result.not_modified:
        report.status = "not-modified"
        state.succeeded(result.etag, result.modified)
        return report
    try:
        if result.error is not None:
            raise FeedError(result.error)
        report.items = parse_feed(result.body or b"", result.feed)
    except FeedError as exc:
        report.status, report.reason = "failed", str(exc)
        state.failed(cycle, str(exc))
        return report
    state.succeeded(result.etag, result.modified)
    return report


def tag_items(tagger: Tagger, items: list[Item]) -> tuple[list[dict[str, Any]], set[str]]:
    """Archive records of the taggable items, and the keys of the others (no title, no text)."""
    good, failed = [], set()
    for item in items:
        try:
            to_article(item.article())
            good.append(item)
        except InputError:
            failed.add(item.key)
    records = []
    for start in range(0, len(good), TAG_CHUNK):
        chunk = good[start:start + TAG_CHUNK]
        for item, tagged in zip(chunk, tagger.tag_many([i.article() for i in chunk])):
            meta = {"id": item.key, "title": item.title, "date": item.date, "source": item.source, "url": item.url}
            records.append({**meta, **{k: v for k, v in tagged.items() if k != "id"}})
    return records, failed


def _append(watch: Watch, records: list[dict[str, Any]], cycle: int) -> dict[str, Any]:
    if store.is_jsonl(watch.archive):
        return {"offset": store.append_jsonl(watch.archive, records)}
    if not records:
        return {}
    return {"part": store.append_part(watch.archive, records, watch.tagger.labels, watch.tagger.version, cycle)}
