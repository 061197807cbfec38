"""The "rising" table: the cells whose count in the last period stands furthest
above their average over the periods before (formula in docs/report.md).

    score = (last - mean) / sqrt(mean + 1)

`last` is the cell's count in the last period, `mean` its average count over
all earlier periods of the report (a period where it had no article counts as
0). Dividing by sqrt(mean + 1), the spread of a Poisson count of that mean
(+1 so a cell new from 0 is not infinite), makes a rise from 2 to 12 outrank
one from 200 to 215: it is the surprise, not the size, that ranks.
"""
from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Hashable, Iterable
from typing import NamedTuple

MIN_LAST = 2  # a cell needs this many articles in the last period to be called rising


class Rise(NamedTuple):
    key: tuple[Hashable, ...]
    last: int
    mean: float
    score: float


def rising(series: Iterable[tuple[tuple[Hashable, ...], str, int]], periods: list[str], top: int) -> list[Rise]:
    """The `top` keys by score, highest first, from `(key, period, count)` rows.

    Empty when there are fewer than two periods (nothing to compare with).
    Keys with fewer than MIN_LAST articles in the last period, or no rise, are left out.
    """
    if len(periods) < 2:
        return []
    last, before = periods[-1], set(periods[:-1])
    now: dict[tuple[Hashable, ...], int] = defaultdict(int)
    earlier: dict[tuple[Hashable, ...], int] = defaultdict(int)
    for key, period, count in series:
        if period == last:
            now[key] += count
        elif period in before:
            earlier[key] += count
    rises = []
    for key, count in now.items():
        mean = earlier[key] / len(before)
        score = (count - mean) / math.sqrt(mean + 1)
        if count >= MIN_LAST and score > 0:
            rises.append(Rise(key, count, mean, score))
    rises.sort(key=lambda r: (-r.score, -r.last, str(r.key)))
    return rises[:top]


def rising_cells(counts: Iterable[tuple[str | None, str | None, str | None, bool, int]], periods: list[str],
                 top: int) -> list[Rise]:
    """Rising (country, topic) cells, both named, from the counts table (cooperation split summed)."""
    return rising((((c, t), p, n) for p, c, t, _, n in counts if c and t and p), periods, top)


def rising_partners(partners: Iterable[tuple[str | None, str, int]], periods: list[str], top: int) -> list[Rise]:
    """Rising partners from the partners table."""
    return rising((((partner,), p, n) for p, partner, n in partners if p), periods, top)
