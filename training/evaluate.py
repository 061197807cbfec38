"""Evaluate a tagger on labelled articles, beside the keyword baseline."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from model.tagger import Tagger
from training.baseline import keyword_baseline
from training.data import label_matrix
from training.metrics import score

BATCH = 64


def predict_proba(tagger: Tagger, rows: list[dict[str, Any]]) -> np.ndarray:
    """Probabilities of `tagger.labels` for labelled rows, in batches."""
    parts = [tagger.model.predict_proba(tagger.prepare(rows[i:i + BATCH])) for i in range(0, len(rows), BATCH)]
    return np.vstack(parts) if parts else np.zeros((0, len(tagger.labels)))


def evaluate_rows(tagger: Tagger, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores of the model and of the keyword baseline on `rows`.

    Returns a dict with ``model`` and ``baseline`` (each as `training.metrics.score`)
    and the raw ``proba``/``truth`` under private keys for plots.
    """
    labels = tagger.labels
    Y = label_matrix(rows, labels)
    P = predict_proba(tagger, rows)
    model = score(Y, tagger.decide(P), labels, P)
    base = score(Y, keyword_baseline(rows, labels), labels)
    return {"model": model, "baseline": base, "_proba": P, "_truth": Y}


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table: per-label scores, then families beside the baseline."""
    model, base = report["model"], report["baseline"]
    lines = [f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}"]
    for label, s in model["per_label"].items():
        lines.append(f"{label:<16}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>8.3f}{s['support']:>9d}")
    lines += ["", f"{'family':<16}{'micro-F1':>10}{'macro-F1':>10}{'exact':>8}{'ECE':>8}{'baseline micro-F1':>20}"]
    for fam, s in model["families"].items():
        lines.append(f"{fam:<16}{s['micro_f1']:>10.3f}{s['macro_f1']:>10.3f}{s['exact_match']:>8.3f}"
                     f"{s.get('ece', 0.0):>8.4f}{base['families'][fam]['micro_f1']:>20.3f}")
    lines += ["", f"exact match (all labels): {model['exact_match']:.3f}   ECE (all scores): {model['ece']:.4f}"
              f"   articles: {model['n_articles']}"]
    return "\n".join(lines)


def write_report(report: dict[str, Any], json_path: str | Path, labels: list[str]) -> tuple[Path, Path]:
    """Write the report as JSON and a reliability diagram + PR curves as PNG beside it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    json_path = Path(json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    public = {k: v for k, v in report.items() if not k.startswith("_")}
    json_path.write_text(json.dumps(public, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    P, Y = report["_proba"], report["_truth"]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.5))
    bins = np.linspace(0, 1, 11)
    which = np.clip(np.digitize(P.ravel(), bins[1:-1]), 0, 9)
    xs, ys = [], []
    for b in range(10):
        mask = which == b
        if mask.any():
            xs.append(P.ravel()[mask].mean())
            ys.append(Y.ravel()[mask].mean())
    ax1.plot([0, 1], [0, 1], "--", color="grey")
    ax1.plot(xs, ys, "o-")
    ax1.set(title=f"Reliability (ECE {report['model']['ece']:.4f})", xlabel="predicted probability", ylabel="observed frequency")
    for label in ["5g", "ai", "semiconductors", "cybersecurity", "cooperation", "US", "CN", "JP", "KR"]:
        j = labels.index(label)
        if Y[:, j].any():
            prec, rec, _ = precision_recall_curve(Y[:, j], P[:, j])
            ax2.plot(rec, prec, label=label)
    ax2.set(title="Precision-recall", xlabel="recall", ylabel="precision")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    png = json_path.with_suffix(".png")
    fig.savefig(png, dpi=100)
    plt.close(fig)
    return json_path, png
