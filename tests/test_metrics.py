"""Per-label and per-family scores, and calibration error."""
from __future__ import annotations

import numpy as np
import pytest

from training.metrics import expected_calibration_error, score

LABELS = ["5g", "ai", "semiconductors", "cybersecurity", "cooperation", "JP", "US"]


def test_score_counts() -> None:
    Y = np.array([[1, 0, 0, 0, 1, 1, 0], [0, 1, 0, 0, 0, 0, 1]])
    pred = np.array([[1, 1, 0, 0, 0, 1, 0], [0, 1, 0, 0, 0, 0, 0]])
    s = score(Y, pred, LABELS)
    assert s["per_label"]["ai"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert s["families"]["topics"]["micro_f1"] == pytest.approx(0.8)  # tp 2, fp 1, fn 0
    assert s["families"]["cooperation"]["micro_f1"] == 0.0
    assert s["families"]["countries"]["micro_recall"] == 0.5
    assert "semiconductors" not in s["per_label"]  # no support, never predicted
    assert s["exact_match"] == 0.0


def test_ece_is_zero_when_calibrated_and_large_when_not() -> None:
    y = np.array([0, 0, 1, 1])
    assert expected_calibration_error(y, np.array([0.0, 0.0, 1.0, 1.0])) == 0.0
    assert expected_calibration_error(y, np.array([1.0, 1.0, 0.0, 0.0])) == 1.0
