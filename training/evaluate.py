"""Evaluate a tagger on labelled articles, beside the keyword baseline."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from model.tagger import Tagger
from training.baseline import keyword_baseline
from training.data import label_matrix, short_view
from training.metrics import families, score

BATCH = 64
# The targets on dev, for whole articles: family micro-F1, and every topic's F1.
TARGETS = {"topics": 0.92, "countries_big4": 0.92, "cooperation": 0.75}
TOPIC_TARGET = 0.85
VIEWS = ("article", "short")


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


def evaluate_views(tagger: Tagger, rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """`evaluate_rows` on the whole articles ("article") and on each article as a
    news-feed item, its title and a two-sentence summary (``"short"``, `short_view`)."""
    return {"article": evaluate_rows(tagger, rows), "short": evaluate_rows(tagger, [short_view(r) for r in rows])}


def _target(family: str, model: dict[str, Any]) -> str:
    """The issue's target for `family` and whether `model` meets it ("" where none is set)."""
    if family not in TARGETS:
        return ""
    met = model["families"][family]["micro_f1"] >= TARGETS[family]
    text = f">= {TARGETS[family]:.2f}"
    if family == "topics":
        met = met and all(model["per_label"].get(t, {}).get("f1", 0.0) >= TOPIC_TARGET
                          for t in families(list(model["per_label"]))["topics"])
        text += f", each >= {TOPIC_TARGET:.2f}"
    return f"{text}: {'met' if met else 'MISSED'}"


def format_report(report: dict[str, Any], targets: bool = True) -> str:
    """A plain-text table: per-label scores, then families beside the baseline
    and, with `targets`, the issue's targets for dev."""
    model, base = report["model"], report["baseline"]
    lines = [f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}"]
    for label, s in model["per_label"].items():
        lines.append(f"{label:<16}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>8.3f}{s['support']:>9d}")
    lines += ["", f"{'family':<16}{'micro-F1':>10}{'macro-F1':>10}{'exact':>8}{'ECE':>8}{'baseline micro-F1':>20}"
              + ("   target" if targets else "")]
    for fam, s in model["families"].items():
        lines.append(f"{fam:<16}{s['micro_f1']:>10.3f}{s['macro_f1']:>10.3f}{s['exact_match']:>8.3f}"
                     f"{s.get('ece', 0.0):>8.4f}{base['families'][fam]['micro_f1']:>20.3f}"
                     + (f"   {_target(fam, model)}" if targets else ""))
    lines += ["", f"exact match (all labels): {model['exact_match']:.3f}   ECE (all scores): {model['ece']:.4f}"
              f"   articles: {model['n_articles']}"]
    return "\n".join(lines)


def write_reports(reports: dict[str, dict[str, Any]], json_path: str | Path, labels: list[str]) -> list[Path]:
    """Write every view's report into one JSON file (keyed by view) and one PNG
    per view beside it (`evaluation.png` for the first, `evaluation.<view>.png`
    for the others); return the paths written."""
    json_path = Path(json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    public = {view: {k: v for k, v in report.items() if not k.startswith("_")} for view, report in reports.items()}
    json_path.write_text(json.dumps(public, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written = [json_path]
    for k, (view, report) in enumerate(reports.items()):
        png = json_path.with_suffix(".png" if k == 0 else f".{view}.png")
        written.append(plot_report(report, png, labels, view))
    return written


def plot_report(report: dict[str, Any], png: Path, labels: list[str], title: str = "") -> Path:
    """A reliability diagram and precision-recall curves of one report, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

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
    ax1.set(title=f"{title} reliability (ECE {report['model']['ece']:.4f})", xlabel="predicted probability", ylabel="observed frequency")
    for label in ["5g", "ai", "semiconductors", "cybersecurity", "cooperation", "US", "CN", "JP", "KR"]:
        j = labels.index(label)
        if Y[:, j].any():
            prec, rec, _ = precision_recall_curve(Y[:, j], P[:, j])
            ax2.plot(rec, prec, label=label)
    ax2.set(title=f"{title} precision-recall", xlabel="recall", ylabel="precision")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    plt.close(fig)
    return png
