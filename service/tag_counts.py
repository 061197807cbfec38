"""Labels given per label, counted the same way for `GET /metrics` and `tagger tag`'s summary."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from model.labels import BIG_FOUR, COOPERATION, partner_label


def label_counts(records: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """How many of `records` were given each label.

    Counted: every topic, ``cooperation``, each partner as ``partner:XX``
    (records without `partners` have none) and the countries of `BIG_FOUR`;
    other countries are left out, to keep the metric's label set small.
    """
    counts: Counter[str] = Counter()
    for record in records:
        counts.update(record.get("topics") or [])
        if record.get("cooperation"):
            counts[COOPERATION] += 1
        counts.update(map(partner_label, record.get("partners") or []))
        counts.update(code for code in record.get("countries") or [] if code in BIG_FOUR)
    return counts
