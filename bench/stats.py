"""Pure arithmetic of the benchmark: medians, percentiles, rates and timing."""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence


def median(values: Sequence[float]) -> float:
    """Median of the values that are numbers: NaN marks a run that could not measure, and
    is left out. NaN when no value is left."""
    numbers = [v for v in values if not math.isnan(v)]
    return statistics.median(numbers) if numbers else math.nan


def percentile(values: Sequence[float], q: float) -> float:
    """The `q`-th percentile (0-100) of `values`, interpolated linearly between ranks.

    The same definition as numpy's default ("linear"): the 50th of [1, 2, 3, 4] is 2.5.
    NaN when there are no values.

    Raises
    ------
    ValueError
        If `q` is outside [0, 100].
    """
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(numerator: float, denominator: float) -> float:
    """`numerator / denominator`, NaN rather than an error when the denominator is 0 or NaN."""
    if not denominator or math.isnan(denominator):
        return math.nan
    return numerator / denominator


def growth_pct(before: float, after: float) -> float:
    """How much `after` grew over `before`, in percent (negative for shrinking)."""
    return 100 * (ratio(after, before) - 1)


def timed(work: Callable[[], object]) -> float:
    """Seconds `work()` takes on the monotonic clock."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def repeat_timed(work: Callable[[], object], repeats: int, warm_up: Callable[[], object] | None = None) -> list[float]:
    """Run `warm_up` once (untimed), then time `work` `repeats` times."""
    if warm_up is not None:
        warm_up()
    return [timed(work) for _ in range(repeats)]
