"""The benchmark's arithmetic: percentiles, ratios and the start-up split."""
from __future__ import annotations

import math

import pytest

from bench.stats import growth_pct, median, percentile, ratio, repeat_timed


@pytest.mark.parametrize(("values", "q", "expected"), [
    ([1, 2, 3, 4], 50, 2.5),
    ([1, 2, 3, 4], 0, 1),
    ([1, 2, 3, 4], 100, 4),
    ([5], 99, 5),
    (list(range(1, 101)), 99, 99.01),
    ([3, 1, 2], 50, 2),  # order of the input does not matter
])
def test_percentile_interpolates_like_numpy(values: list[float], q: float, expected: float) -> None:
    assert percentile(values, q) == pytest.approx(expected)


def test_percentile_of_nothing_is_nan_and_out_of_range_is_an_error() -> None:
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_median_and_ratio_give_nan_instead_of_errors() -> None:
    assert median([3, 1, 2]) == 2
    assert median([3, math.nan, 1]) == 2  # a run that could not measure is left out
    assert math.isnan(median([]))
    assert math.isnan(median([math.nan]))
    assert ratio(3, 2) == 1.5
    assert math.isnan(ratio(1, 0))
    assert math.isnan(ratio(1, math.nan))


def test_growth_pct() -> None:
    assert growth_pct(200, 210) == pytest.approx(5)
    assert growth_pct(200, 190) == pytest.approx(-5)


def test_repeat_timed_warms_up_once_and_times_each_run() -> None:
    calls: list[str] = []
    runs = repeat_timed(lambda: calls.append("run"), 3, warm_up=lambda: calls.append("warm"))
    assert calls == ["warm", "run", "run", "run"]
    assert len(runs) == 3 and all(r >= 0 for r in runs)
