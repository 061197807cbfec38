"""Alert rules: a TOML file of named tables, each a set of conditions a new item must meet.

    [jp-kr-chips]
    countries = ["JP", "KR"]        # any of these countries
    topics = ["semiconductors"]     # any of these topics
    cooperation = true
    partners = ["JP", "KR"]         # any of these partners (needs a model that gives partners)
    min_score = 0.5                 # each matched label's score at least this
    webhook = "https://example.org/hook"   # optional: POST each alert here as JSON
"""
from __future__ import annotations

import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from model.labels import partner_label
from service.watch.feeds import WatchError

LISTS = ("countries", "topics", "partners")
KEYS = (*LISTS, "cooperation", "min_score", "webhook")


@dataclass(frozen=True)
class Rule:
    """One named rule; empty lists and None mean "any"."""

    name: str
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    cooperation: bool | None = None
    min_score: float = 0.0
    webhook: str | None = None

    def matches(self, record: Mapping[str, Any]) -> bool:
        """Whether a tagged record meets every condition of the rule."""
        scores = record.get("scores") or {}
        if self.cooperation is not None:
            if bool(record.get("cooperation")) != self.cooperation:
                return False
            if self.cooperation and scores.get("cooperation", 1.0) < self.min_score:
                return False
        given = {"countries": record.get("countries") or [], "topics": record.get("topics") or [],
                 "partners": record.get("partners") or []}
        for kind in LISTS:
            wanted = getattr(self, kind)
            if not wanted:
                continue
            key = partner_label if kind == "partners" else str
            if not any(label in wanted and scores.get(key(label), 1.0) >= self.min_score
                       for label in given[kind]):
                return False
        return True


def _strings(name: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise WatchError(f"rule {name!r}: {key} must be a list of names, not {value!r}")
    return tuple(v.strip().upper() if key != "topics" else v.strip() for v in value)


def _rule(name: str, table: Any, labels: Collection[str] | None) -> Rule:
    if not isinstance(table, dict):
        raise WatchError(f"rule {name!r} must be a table ([{name}]), not {type(table).__name__}")
    unknown = sorted(set(table) - set(KEYS))
    if unknown:
        raise WatchError(f"rule {name!r}: unknown key(s) {', '.join(unknown)} (known: {', '.join(KEYS)})")
    fields: dict[str, Any] = {k: _strings(name, k, table[k]) for k in LISTS if k in table}
    for kind in ("countries", "topics"):
        strange = [v for v in fields.get(kind, ()) if labels is not None and v not in labels]
        if strange:
            raise WatchError(f"rule {name!r}: the model does not give {kind} {', '.join(strange)}")
    if "cooperation" in table:
        if not isinstance(table["cooperation"], bool):
            raise WatchError(f"rule {name!r}: cooperation must be true or false")
        fields["cooperation"] = table["cooperation"]
    if "min_score" in table:
        score = table["min_score"]
        if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
            raise WatchError(f"rule {name!r}: min_score must be a number from 0 to 1, not {score!r}")
        fields["min_score"] = float(score)
    if "webhook" in table:
        hook = table["webhook"]
        if not isinstance(hook, str) or urlsplit(hook).scheme not in ("http", "https") or not urlsplit(hook).netloc:
            raise WatchError(f"rule {name!r}: webhook must be an http(s) URL, not {hook!r}")
        fields["webhook"] = hook
    if not any(k in fields for k in (*LISTS, "cooperation")):
        raise WatchError(f"rule {name!r} sets no condition (countries, topics, partners or cooperation)")
    return Rule(name=name, **fields)


def load_rules(path: Path, labels: Collection[str] | None = None) -> list[Rule]:
    """The rules in the TOML file `path`; countries and topics are checked against `labels`.

    Raises
    ------
    WatchError
        If the file cannot be read, is not TOML, has no rule, or a rule is malformed.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchError(f"cannot read the rules file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise WatchError(f"the rules file {path} is not valid TOML: {exc}") from None
    if not data:
        raise WatchError(f"the rules file {path} has no rule (one [name] table per rule)")
    return [_rule(name, table, labels) for name, table in data.items()]
