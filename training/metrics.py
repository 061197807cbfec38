"""Per-label and per-family scores of a multi-label tagging."""
from __future__ import annotations

from typing import Any

import numpy as np

from model.labels import BIG_FOUR, COOPERATION, TOPICS, country_labels, is_partner


def families(labels: list[str]) -> dict[str, list[str]]:
    """Label families: topics, the four main countries, all countries, cooperation, partners."""
    return {
        "topics": [t for t in TOPICS if t in labels],
        "countries_big4": [c for c in BIG_FOUR if c in labels],
        "countries": country_labels(labels),
        "cooperation": [COOPERATION] if COOPERATION in labels else [],
        "partners": [label for label in labels if is_partner(label)],
    }


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def expected_calibration_error(y: np.ndarray, p: np.ndarray, bins: int = 10) -> float:
    """ECE of probabilities `p` against 0/1 outcomes `y`, in equal-width bins."""
    y, p = np.asarray(y, float).ravel(), np.asarray(p, float).ravel()
    if y.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    ece = 0.0
    for b in range(bins):
        mask = which == b
        if mask.any():
            ece += mask.mean() * abs(p[mask].mean() - y[mask].mean())
    return float(ece)


def score(Y: np.ndarray, pred: np.ndarray, labels: list[str], proba: np.ndarray | None = None) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, per-family micro/macro F1, exact match, ECE.

    Labels with no support and no prediction are left out of the per-label
    table and of macro averages (they would count as perfect or as zero).
    """
    Y, pred = np.asarray(Y), np.asarray(pred)
    per_label: dict[str, dict[str, float]] = {}
    counts: dict[str, tuple[int, int, int]] = {}
    for j, label in enumerate(labels):
        tp = int(((Y[:, j] == 1) & (pred[:, j] == 1)).sum())
        fp = int(((Y[:, j] == 0) & (pred[:, j] == 1)).sum())
        fn = int(((Y[:, j] == 1) & (pred[:, j] == 0)).sum())
        counts[label] = (tp, fp, fn)
        if tp + fp + fn:
            p, r, f = _prf(tp, fp, fn)
            per_label[label] = {"precision": p, "recall": r, "f1": f, "support": tp + fn}
    result: dict[str, Any] = {"n_articles": int(Y.shape[0]), "per_label": per_label, "families": {}}
    for family, members in families(labels).items():
        tp, fp, fn = (sum(counts[m][k] for m in members) for k in range(3))
        p, r, f = _prf(tp, fp, fn)
        present = [m for m in members if m in per_label]
        macro = float(np.mean([per_label[m]["f1"] for m in present])) if present else 0.0
        cols = [labels.index(m) for m in members]
        exact = float((Y[:, cols] == pred[:, cols]).all(axis=1).mean()) if cols else 1.0
        fam = {"micro_precision": p, "micro_recall": r, "micro_f1": f, "macro_f1": macro, "exact_match": exact}
        if proba is not None and cols:
            fam["ece"] = expected_calibration_error(Y[:, cols], np.asarray(proba)[:, cols])
        result["families"][family] = fam
    result["exact_match"] = float((Y == pred).all(axis=1).mean())
    if proba is not None:
        result["ece"] = expected_calibration_error(Y, proba)
    return result
