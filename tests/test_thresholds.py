"""Threshold choice on out-of-fold probabilities."""
from __future__ import annotations

import numpy as np

from training.thresholds import GRID, best_threshold, f1_curve, tune_thresholds


def test_best_threshold_separates_classes() -> None:
    y = np.array([0, 0, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.25, 0.3, 0.6, 0.9])
    t, f1 = best_threshold(y, p)
    assert 0.25 < t <= 0.3
    assert f1 == 1.0


def test_best_threshold_prefers_values_near_half_on_ties() -> None:
    y = np.array([0, 1])
    p = np.array([0.0, 1.0])
    t, _ = best_threshold(y, p)
    assert t == 0.5


def test_f1_curve_matches_counting_by_hand() -> None:
    y = np.array([1, 1, 0, 0, 1])
    p = np.array([0.9, 0.4, 0.6, 0.1, 0.2])
    curve = f1_curve(y, p, np.array([0.15, 0.5, 0.95]))
    # >= 0.15: 4 predicted, 3 right; >= 0.5: 2 predicted, 1 right; >= 0.95: none
    np.testing.assert_allclose(curve, [2 * 3 / (4 + 3), 2 * 1 / (2 + 3), 0.0])


def test_smoothing_skips_a_lone_spike_of_f1() -> None:
    # Six positives at 0.6 and two at 0.051, negatives at 0.06 and 0.3: F1 is
    # highest at the grid's lowest threshold alone (16/18), drops to 0.8 just
    # above it, and holds 12/14 over the whole stretch from 0.325 to 0.6.
    y = np.array([1] * 6 + [1, 1] + [0, 0])
    p = np.array([0.6] * 6 + [0.051, 0.051] + [0.06, 0.3])
    spike, f1_spike = best_threshold(y, p, smoothing=0)
    assert spike == GRID[0] and f1_spike == 16 / 18
    smooth, f1 = best_threshold(y, p, smoothing=2)
    assert 0.3 < smooth <= 0.6
    assert f1 == 12 / 14


def test_smoothing_windows_stay_on_a_grid_shorter_than_them() -> None:
    # Every window covers the whole three-point grid: a tie, which goes to the threshold nearest 0.5.
    # (F1 there: 0.67, 1.0, 0.0; a window cut to the grid's end would favour 0.05.)
    y = np.array([1, 1, 0, 0])
    p = np.array([0.9, 0.6, 0.3, 0.3])
    t, f1 = best_threshold(y, p, np.array([0.05, 0.55, 0.95]), smoothing=2)
    assert t == 0.55
    assert f1 == f1_curve(y, p, np.array([0.55]))[0]


def test_rare_labels_share_the_pooled_threshold() -> None:
    labels = ["common", "rare"]
    rng = np.random.default_rng(0)
    Y = np.zeros((40, 2), dtype=int)
    Y[:20, 0] = 1
    Y[:2, 1] = 1
    P = np.clip(Y * 0.7 + rng.uniform(0, 0.2, Y.shape), 0, 1)
    th = tune_thresholds(Y, P, labels, {"all": labels}, min_support=10)
    pooled, _ = best_threshold(Y.ravel(), P.ravel())
    assert th["rare"] == pooled
    assert 0.2 <= th["common"] <= 0.7


def test_tagger_decides_with_each_labels_threshold(tiny_tagger) -> None:
    proba = np.array([[tiny_tagger.thresholds[label] for label in tiny_tagger.labels]])
    assert tiny_tagger.decide(proba).all()           # at the threshold: given
    assert not tiny_tagger.decide(proba - 1e-6).any()  # just below: not given


def test_tagger_reads_newly_assigned_thresholds(tiny_tagger) -> None:
    """The threshold vectors are built once, but a new thresholds dict is read at once."""
    from dataclasses import replace

    tagger = replace(tiny_tagger)
    proba = np.full((1, len(tagger.labels)), 0.5)
    tagger.decide(proba)  # builds the cached vectors
    tagger.thresholds = {label: 0.0 for label in tagger.labels}
    tagger.short_thresholds = None
    assert tagger.decide(proba).all()
    tagger.thresholds = {label: 1.0 for label in tagger.labels}
    assert not tagger.decide(proba).any()
    tagger.short_thresholds = {label: 0.0 for label in tagger.labels}  # only the short set is new
    assert tagger.decide(proba, [True]).all() and not tagger.decide(proba, [False]).any()
