"""The rising score of docs/report.md: (last - mean) / sqrt(mean + 1), surprise over size."""
from __future__ import annotations

import math

import pytest

from service.report.rising import MIN_LAST, rising, rising_cells, rising_partners

PERIODS = ["2025-01", "2025-02", "2025-03"]


def test_the_documented_example_ranks_surprise_over_size() -> None:
    series = [(("small",), "2025-01", 2), (("small",), "2025-02", 2), (("small",), "2025-03", 12),
              (("big",), "2025-01", 200), (("big",), "2025-02", 200), (("big",), "2025-03", 215)]
    small, big = rising(series, PERIODS, top=5)
    assert small.key == ("small",) and small.score == pytest.approx(10 / math.sqrt(3)) == pytest.approx(5.77, abs=0.01)
    assert big.key == ("big",) and big.score == pytest.approx(15 / math.sqrt(201)) == pytest.approx(1.06, abs=0.01)


def test_a_period_without_articles_counts_as_zero_in_the_mean() -> None:
    [rise] = rising([(("new",), "2025-01", 4), (("new",), "2025-03", 5)], PERIODS, top=5)
    assert (rise.last, rise.mean, rise.score) == (5, 2.0, pytest.approx(3 / math.sqrt(3)))


def test_new_cells_falls_and_too_few_are_left_out() -> None:
    series = [(("fresh",), "2025-03", 3), (("falling",), "2025-01", 9), (("falling",), "2025-03", 2),
              (("one",), "2025-03", MIN_LAST - 1), (("gone",), "2025-02", 5)]
    assert [r.key for r in rising(series, PERIODS, top=5)] == [("fresh",)]
    assert rising(series, PERIODS, top=5)[0].score == pytest.approx(3.0)  # from 0: (3 - 0) / sqrt(1)


def test_top_and_fewer_than_two_periods() -> None:
    series = [((f"k{i}",), "2025-03", 2 + i) for i in range(5)]
    assert [r.key for r in rising(series, PERIODS, top=2)] == [("k4",), ("k3",)]
    assert rising(series, ["2025-03"], top=5) == []


def test_cells_sum_the_cooperation_split_and_skip_unnamed_and_undated() -> None:
    counts = [("2025-01", "JP", "ai", False, 1), ("2025-03", "JP", "ai", False, 2), ("2025-03", "JP", "ai", True, 2),
              ("2025-03", None, "ai", False, 9), (None, "KR", "ai", False, 9)]
    [rise] = rising_cells(counts, PERIODS, top=5)
    assert (rise.key, rise.last, rise.mean) == (("JP", "ai"), 4, 0.5)
    [partner] = rising_partners([("2025-03", "JP", 3), (None, "KR", 7)], PERIODS, top=5)
    assert partner.key == ("JP",) and partner.last == 3
