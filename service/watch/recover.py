"""Bring the state and the alerts file level with the archive after a crash.

A cycle writes the archive, then the alerts, then commits the state. Killed in
between, the archive holds records the state does not know: they are marked
seen (so they are not written twice) and their alerts raised if missing (so
none is lost). A torn JSONL line or a half-written Parquet part is removed:
its items were never committed, so the next cycle fetches them again.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from service.watch import archive as store
from service.watch.alerts import AlertLog, raise_alerts
from service.watch.rules import Rule
from service.watch.state import State


def reconcile(archive: Path, state: State, alerts: AlertLog, rules: Sequence[Rule]) -> int:
    """Mark the archived but uncommitted records seen; returns how many there were.

    Raises OSError, ValueError (a corrupt JSONL line) or pyarrow errors (a corrupt part)
    if the archive cannot be read back.
    """
    cycle = state.last_cycle()
    if store.is_jsonl(archive):
        records, end = store.recover_jsonl(archive, int(state.meta("offset", "0") or 0))
        ids = _ids(records)
        _alerts(alerts, rules, records)
        state.commit(cycle, ids, offset=end)
        return len(records)
    found = store.recover_parts(archive, state.parts())
    for name, records in found.items():
        ids = _ids(records)
        _alerts(alerts, rules, records)
        state.commit(cycle, ids, part=name)
    return sum(len(records) for records in found.values())


def _ids(records: list[dict[str, Any]]) -> list[str]:
    ids = [r.get("id") if isinstance(r, dict) else None for r in records]
    if not all(isinstance(i, str) for i in ids):
        raise ValueError("a record without a string id")
    return ids  # type: ignore[return-value]


def _alerts(alerts: AlertLog, rules: Sequence[Rule], records: list[dict[str, Any]]) -> None:
    alerts.append([a for a in raise_alerts(rules, records) if not alerts.known(a["alert_id"])])
