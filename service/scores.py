"""The `scores` of a result: lean by default, the model's full map with ``?scores=all``.

The model scores a country only when the text mentions it (through the
gazetteer); every other country's score is exactly 0.0 (`model.estimator`
fills the matrix with zeros and writes only the mentioned pairs). So the lean
map keeps every topic and ``cooperation``, and a country key (or a
``partner:XX`` key) only when its score is above 0 or the country was given:
a mentioned country whose probability rounds to 0.0 is left out with the
unmentioned ones, as nothing tells them apart in the record.
"""
from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

from model.labels import COOPERATION, PARTNER_PREFIX, TOPICS, is_partner

LEAN, ALL = "lean", "all"
ALWAYS = frozenset((*TOPICS, COOPERATION))


def scores_choice() -> str:
    """The ``scores`` query parameter (``lean`` when absent); raises BadRequest for another value."""
    raw = request.args.get("scores", LEAN).strip().lower() or LEAN
    if raw not in (LEAN, ALL):
        raise BadRequest(f"query parameter 'scores' must be {LEAN} or {ALL}, not {raw!r}")
    return raw


def lean(record: Mapping[str, Any], always: Collection[str] = ALWAYS) -> dict[str, Any]:
    """`record` with only the scores that say something (see the module docstring)."""
    scores: Mapping[str, float] = record["scores"]
    mentioned = {*(record.get("countries") or []), *(record.get("partners") or []),
                 *(label for label, score in scores.items() if score > 0 and not is_partner(label))}
    keep = {label: score for label, score in scores.items()
            if label in always or score > 0 or label.removeprefix(PARTNER_PREFIX) in mentioned}
    return {**record, "scores": keep}


def shape(records: list[dict[str, Any]], choice: str) -> list[dict[str, Any]]:
    """`records` with the `scores` that `choice` (``lean`` or ``all``) asks for."""
    return records if choice == ALL else [lean(r) for r in records]
