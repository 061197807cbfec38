"""Per-label decision thresholds chosen on out-of-fold predictions."""
from __future__ import annotations

import numpy as np

from model.labels import COOPERATION, TOPICS
from training.metrics import families

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


SMOOTHING = 2  # grid steps each side: F1 is averaged over thresholds within 0.05


def f1_curve(y: np.ndarray, p: np.ndarray, grid: np.ndarray = GRID) -> np.ndarray:
    """F1 of `p >= t` against `y` for every threshold `t` of `grid`."""
    y = np.asarray(y).astype(bool)
    pred = np.asarray(p)[None, :] >= np.asarray(grid)[:, None]
    tp = (pred & y).sum(axis=1)
    denom = pred.sum(axis=1) + int(y.sum())
    return np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)


def best_threshold(y: np.ndarray, p: np.ndarray, grid: np.ndarray = GRID,
                   smoothing: int = SMOOTHING) -> tuple[float, float]:
    """Threshold on `p` that maximises F1 against `y`, and the F1 there.

    With `smoothing` k, each threshold is judged by the mean F1 of itself and
    its k neighbours each side on the grid (fewer at the ends): out-of-fold F1
    on a rare label is jagged, and its single highest point is often one or
    two articles' luck at a very low threshold. Ties go to the threshold
    closest to 0.5 (least surprising for a user).
    """
    f1 = f1_curve(y, p, grid)
    f1_judged = np.array([f1[max(0, i - smoothing): i + smoothing + 1].mean() for i in range(len(f1))])
    best = -1
    for i in sorted(range(len(grid)), key=lambda i: abs(grid[i] - 0.5)):
        if best < 0 or f1_judged[i] > f1_judged[best] + 1e-12:
            best = i
    return float(grid[best]), float(f1[best])


def tune_thresholds(Y: np.ndarray, P: np.ndarray, labels: list[str], groups: dict[str, list[str]],
                    min_support: int = 10, smoothing: int = SMOOTHING) -> dict[str, float]:
    """One threshold per label from out-of-fold probabilities `P`.

    A label with fewer than `min_support` positives shares the threshold
    tuned on its whole group pooled (e.g. all countries), which is steadier
    than a threshold fitted to a handful of examples.
    """
    col = {label: j for j, label in enumerate(labels)}
    thresholds: dict[str, float] = {}
    for members in groups.values():
        cols = [col[m] for m in members if m in col]
        if not cols:
            continue
        pooled, _ = best_threshold(Y[:, cols].ravel(), P[:, cols].ravel(), smoothing=smoothing)
        for m in members:
            j = col[m]
            if Y[:, j].sum() >= min_support:
                thresholds[m], _ = best_threshold(Y[:, j], P[:, j], smoothing=smoothing)
            else:
                thresholds[m] = pooled
    for label in labels:
        thresholds.setdefault(label, 0.5)
    return thresholds


def threshold_groups(labels: list[str]) -> dict[str, list[str]]:
    """Groups whose rare members share a pooled threshold."""
    groups = {t: [t] for t in TOPICS}
    groups[COOPERATION] = [COOPERATION]
    found = families(labels)
    groups["countries"] = found["countries"]
    groups["partners"] = found["partners"]
    return groups


def thresholds_by_kind(Y: np.ndarray, P: np.ndarray, labels: list[str], short: np.ndarray,
                       per_kind: bool = True) -> tuple[dict[str, float], dict[str, float] | None]:
    """Thresholds tuned on out-of-fold `P`: for whole articles (on every row when there is
    none), and, with `per_kind` and both kinds present, for the `short` rows (news-feed
    items), else None (`Tagger.short_thresholds`)."""
    groups = threshold_groups(labels)
    whole = ~short
    thresholds = tune_thresholds(Y[whole], P[whole], labels, groups) if whole.any() else \
        tune_thresholds(Y, P, labels, groups)
    short_thresholds = tune_thresholds(Y[short], P[short], labels, groups) \
        if per_kind and short.any() and whole.any() else None
    return thresholds, short_thresholds
