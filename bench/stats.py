"""Pure arithmetic of the benchmark: medians, percentiles, rates and the start-up split."""
from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple


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


class StartupSplit(NamedTuple):
    """End-to-end runs of two input sizes split into a fixed start-up and a steady rate."""

    startup_s: float
    steady_per_s: float


def split_startup(small_n: int, small_s: float, large_n: int, large_s: float) -> StartupSplit:
    """Fit time = start-up + n / rate through two runs of `small_n` and `large_n` items.

    The rate is what the extra `large_n - small_n` items cost, so process start,
    imports and model loading, paid once by both runs, cancel out; the start-up
    is the line's time at zero items.

    Raises
    ------
    ValueError
        If `large_n` is not larger than `small_n`.
    """
    if large_n <= small_n:
        raise ValueError(f"the large run ({large_n}) must have more items than the small one ({small_n})")
    per_item = (large_s - small_s) / (large_n - small_n)
    if per_item <= 0:  # noise larger than the work: no rate can be derived
        return StartupSplit(math.nan, math.nan)
    return StartupSplit(small_s - small_n * per_item, 1 / per_item)


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
