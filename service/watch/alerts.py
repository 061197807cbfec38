"""The alerts file (ARCHIVE.alerts.jsonl): one JSON line per alert event, appended.

Each line is a whole alert: ``alert_id`` (rule name + item id), ``rule``, ``created``
(when it was raised), ``at`` (when this line was written), ``status``
(``recorded``: the rule has no webhook; ``pending``; ``delivered``; ``failed``: given
up), ``attempts``, ``error`` and the tagged ``item``. A change of status appends a
new line, so the last line of an alert is its state (`fold`).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from service.batch_outputs import Sink
from service.watch.rules import Rule

RECORDED, PENDING, DELIVERED, FAILED = "recorded", "pending", "delivered", "failed"


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def alert_id(rule: str, item_id: str) -> str:
    return f"{rule}|{item_id}"


def raise_alerts(rules: Sequence[Rule], records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """A new alert for every (rule, record) that matches."""
    stamp = now()
    return [{"alert_id": alert_id(rule.name, record["id"]), "rule": rule.name, "created": stamp, "at": stamp,
             "status": PENDING if rule.webhook else RECORDED, "attempts": 0, "error": None, "item": record}
            for record in records for rule in rules if rule.matches(record)]


def read_lines(path: Path) -> Iterator[dict[str, Any]]:
    """The whole alert lines of `path` (a torn or unreadable line is skipped)."""
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return
    with fh:
        for raw in fh:
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict) and isinstance(line.get("alert_id"), str):
                yield line


def fold(lines: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The state of each alert: its last line, in the order alerts were first raised."""
    latest: dict[str, dict[str, Any]] = {}
    for line in lines:
        latest[line["alert_id"]] = line
    return latest


class AlertLog:
    """The alerts file opened by the watcher: appends are whole lines, one write each,
    safe from several threads (the tagging loop and the webhook deliverer)."""

    def __init__(self, path: Path) -> None:
        self.path, self.lock = path, threading.Lock()
        _cut_torn_tail(path)
        self.latest = fold(read_lines(path))

    def append(self, alerts: Sequence[dict[str, Any]]) -> None:
        """Append `alerts` (new ones or new states of known ones) in one write."""
        if not alerts:
            return
        text = "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in alerts)
        with self.lock, open(self.path, "ab") as fh:
            Sink(fh).write(text)
            for alert in alerts:
                self.latest[alert["alert_id"]] = alert

    def known(self, ident: str) -> bool:
        return ident in self.latest

    def pending(self) -> list[dict[str, Any]]:
        with self.lock:
            return [a for a in self.latest.values() if a["status"] == PENDING]


def _cut_torn_tail(path: Path) -> None:
    try:
        with open(path, "r+b") as fh:
            data = fh.read()
            if data and not data.endswith(b"\n"):
                fh.truncate(data.rfind(b"\n") + 1)
                os.fsync(fh.fileno())
    except FileNotFoundError:
        pass


def alerts_since(path: Path, since: dt.datetime | None, limit: int) -> list[dict[str, Any]]:
    """The state of the alerts raised at or after `since` (aware), newest first, at most `limit`."""
    chosen = []
    for alert in fold(read_lines(path)).values():
        try:
            created = dt.datetime.fromisoformat(alert["created"])
        except (KeyError, TypeError, ValueError):
            continue
        if since is None or created >= since:
            chosen.append((created, alert))
    chosen.sort(key=lambda pair: pair[0], reverse=True)
    return [alert for _, alert in chosen[:limit]]
