"""Evaluate a tagger on labelled articles, beside the keyword baseline."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from model.article import to_article
from model.features import is_short
from model.keywords import keyword_matcher, names_topic
from model.labels import TOPICS, is_partner
from model.tagger import Tagger
from model.text import normalize
from training.baseline import keyword_baseline
from training.data import label_matrix
from training.metrics import score

BATCH = 64
# The targets per set: family micro-F1, and every topic's F1 (topics with >= TOPIC_MIN_SUPPORT positives).
TARGETS = {
    "whole": {"topics": 0.93, "countries_big4": 0.93, "cooperation": 0.80, "partners": 0.75},
    "feed_items": {"topics": 0.93, "countries_big4": 0.92, "cooperation": 0.85, "partners": 0.75},
}
TOPIC_TARGET = 0.85
TOPIC_MIN_SUPPORT = 20
# The labelled sets `tagger evaluate` scores by default, and the kind of text each holds.
DEV_SETS = {"dev.jsonl": "whole", "dev_short.jsonl": "feed_items"}
MAX_UNFAITHFUL = 0.02


def predict_proba(tagger: Tagger, rows: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of `tagger.labels` for labelled rows, in batches, and which rows are short
    (news-feed items, scored by the short thresholds)."""
    parts, short = [], []
    for i in range(0, len(rows), BATCH):
        docs = tagger.prepare(rows[i:i + BATCH])
        parts.append(tagger.model.predict_proba(docs))
        short += [is_short(d) for d in docs]
    P = np.vstack(parts) if parts else np.zeros((0, len(tagger.labels)))
    return P, np.array(short, dtype=bool)


def unfaithful_topics(rows: list[dict[str, Any]], predicted: np.ndarray, labels: list[str]) -> dict[str, int]:
    """How many topics were given (``given``) and how many of those to a text that names
    none of the topic's terms or cues (``unfaithful``: `model.keywords.names_topic`, stop
    phrases such as "khoa học máy tính" excluded), a guess from context."""
    matcher = keyword_matcher()
    given = unfaithful = 0
    for row, pred in zip(rows, predicted):
        counts = None
        for topic in TOPICS:
            if pred[labels.index(topic)]:
                given += 1
                if counts is None:
                    art = to_article(row)
                    counts = matcher.counts(normalize(" \n".join([art.title, art.lead, art.text])))
                unfaithful += not names_topic(counts, topic)
    return {"given": given, "unfaithful": unfaithful}


def evaluate_rows(tagger: Tagger, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Scores of the model and of the keyword baseline on `rows`.

    Returns a dict with ``model`` and ``baseline`` (each as `training.metrics.score`),
    ``faithfulness`` (`unfaithful_topics`), and the raw ``proba``/``truth`` under
    private keys for plots.
    """
    labels = tagger.labels
    Y = label_matrix(rows, labels)
    P, short = predict_proba(tagger, rows)
    predicted = tagger.decide(P, short)
    model = score(Y, predicted, labels, P)
    base = score(Y, keyword_baseline(rows, labels), labels)
    return {"model": model, "baseline": base, "faithfulness": unfaithful_topics(rows, predicted, labels),
            "_proba": P, "_truth": Y}


def _target(family: str, model: dict[str, Any], kind: str) -> str:
    """The issue's target for `family` on a set of `kind` and whether `model` meets it ("" where none is set)."""
    targets = TARGETS.get(kind, {})
    if family not in targets:
        return ""
    met = model["families"][family]["micro_f1"] >= targets[family]
    text = f">= {targets[family]:.2f}"
    if family == "topics":
        met = met and all(s["f1"] >= TOPIC_TARGET for t, s in model["per_label"].items()
                          if t in TOPICS and s["support"] >= TOPIC_MIN_SUPPORT)
        text += f", each with >= {TOPIC_MIN_SUPPORT} positives >= {TOPIC_TARGET:.2f}"
    return f"{text}: {'met' if met else 'MISSED'}"


def format_report(report: dict[str, Any], kind: str | None = None) -> str:
    """A plain-text table: per-label scores (partners only as their family), then families
    beside the baseline and the issue's targets for a set of `kind` ("whole" or "feed_items")."""
    model, base = report["model"], report["baseline"]
    lines = [f"{'label':<16}{'precision':>10}{'recall':>10}{'f1':>8}{'support':>9}"]
    for label, s in model["per_label"].items():
        if not is_partner(label):
            lines.append(f"{label:<16}{s['precision']:>10.3f}{s['recall']:>10.3f}{s['f1']:>8.3f}{s['support']:>9d}")
    lines += ["", f"{'family':<16}{'micro-F1':>10}{'macro-F1':>10}{'exact':>8}{'ECE':>8}{'baseline micro-F1':>20}"
              + ("   target" if kind else "")]
    for fam, s in model["families"].items():
        lines.append(f"{fam:<16}{s['micro_f1']:>10.3f}{s['macro_f1']:>10.3f}{s['exact_match']:>8.3f}"
                     f"{s.get('ece', 0.0):>8.4f}{base['families'][fam]['micro_f1']:>20.3f}"
                     + (f"   {_target(fam, model, kind)}" if kind else ""))
    faithful = report.get("faithfulness")
    if faithful:
        share = faithful["unfaithful"] / max(1, faithful["given"])
        lines += ["", f"topics given to a text naming none of the topic's terms: {faithful['unfaithful']} of "
                      f"{faithful['given']} ({share:.1%}; target <= {MAX_UNFAITHFUL:.0%})"]
    lines += ["", f"exact match (all labels): {model['exact_match']:.3f}   ECE (all scores): {model['ece']:.4f}"
              f"   articles: {model['n_articles']}"]
    return "\n".join(lines)


def write_reports(reports: dict[str, dict[str, Any]], json_path: str | Path, labels: list[str]) -> list[Path]:
    """Write the reports, keyed by data file name (`evaluate_rows` of each), into one JSON
    file and one PNG per file beside it (`evaluation.png` for the first,
    `evaluation.<file name up to its first dot>.png` for the others); return the paths written."""
    json_path = Path(json_path)
    json_path.parent.mkdir(parents=True, exist_ok=True)
    public = {name: {k: v for k, v in report.items() if not k.startswith("_")} for name, report in reports.items()}
    json_path.write_text(json.dumps(public, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    written = [json_path]
    for k, (name, report) in enumerate(reports.items()):
        png = json_path.with_suffix(".png" if k == 0 else f".{name.split('.')[0]}.png")
        written.append(plot_report(report, png, labels, name))
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
