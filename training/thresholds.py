"""Per-label decision thresholds chosen on out-of-fold predictions."""
from __future__ import annotations

import numpy as np

GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)


def best_threshold(y: np.ndarray, p: np.ndarray, grid: np.ndarray = GRID) -> tuple[float, float]:
    """Threshold on `p` that maximises F1 against `y`, and that F1.

    Ties go to the threshold closest to 0.5 (least surprising for a user).
    """
    y = np.asarray(y).astype(bool)
    best = (0.5, -1.0)
    for t in sorted(grid, key=lambda t: abs(t - 0.5)):
        pred = p >= t
        tp = int((pred & y).sum())
        denom = int(pred.sum()) + int(y.sum())
        f1 = 2 * tp / denom if denom else 0.0
        if f1 > best[1] + 1e-12:
            best = (float(t), f1)
    return best


def tune_thresholds(Y: np.ndarray, P: np.ndarray, labels: list[str], groups: dict[str, list[str]],
                    min_support: int = 10) -> dict[str, float]:
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
        pooled, _ = best_threshold(Y[:, cols].ravel(), P[:, cols].ravel())
        for m in members:
            j = col[m]
            if Y[:, j].sum() >= min_support:
                thresholds[m], _ = best_threshold(Y[:, j], P[:, j])
            else:
                thresholds[m] = pooled
    for label in labels:
        thresholds.setdefault(label, 0.5)
    return thresholds
