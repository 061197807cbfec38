"""Training, evaluation, the keyword baseline and weak labels, on tiny data."""
from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from model.labels import COOPERATION, TOPICS, label_names
from model.features import prepare
from model.tagger import Tagger
from service.cli import main
from training.baseline import keyword_baseline
from training.data import label_matrix, load_labelled, short_view
from training.evaluate import _target
from training.thresholds import thresholds_by_kind
from training.train import cv_scores, group_folds, train, training_sha
from service import lifeline
from training.weak import UNKNOWN, prepare_many, self_training_labels, weak_label

from conftest import TEST_DATA, tiny_config

TINY = TEST_DATA / "tiny.jsonl"


def test_training_is_deterministic(tiny_tagger: Tagger, tmp_path: Path) -> None:
    again = train(tiny_config(tmp_path / "again.joblib"))
    article = {"title": "Hàn Quốc và Việt Nam hợp tác bán dẫn", "text": "Samsung mở trung tâm thiết kế chip tại Việt Nam."}
    assert again.tag(article)["scores"] == tiny_tagger.tag(article)["scores"]
    assert again.thresholds == tiny_tagger.thresholds


def test_tiny_model_learns_its_training_sentences(tiny_tagger: Tagger) -> None:
    result = tiny_tagger.tag({"id": 3, "title": "Mỹ siết xuất khẩu chip bán dẫn",
                              "text": "Chính phủ Mỹ hạn chế xuất khẩu chip bán dẫn. Nvidia và Intel bị ảnh hưởng."},
                             explain=True)
    assert result["id"] == "3"
    assert "US" in result["countries"]
    assert "semiconductors" in result["topics"]
    assert set(result["evidence"]) == set(result["countries"]) | set(result["topics"]) | (
        {"cooperation"} if result["cooperation"] else set())
    assert any("Mỹ" in term for term in result["evidence"]["US"])
    assert all(0.0 <= p <= 1.0 for p in result["scores"].values())
    assert set(result["scores"]) == set(tiny_tagger.labels)


def test_unrelated_article_gets_no_tags(tiny_tagger: Tagger) -> None:
    result = tiny_tagger.tag({"text": "Giá rau xanh tại chợ tăng mạnh do mưa lớn, tiểu thương lo lắng."})
    assert result["countries"] == [] and result["topics"] == [] and result["cooperation"] is False


def test_keyword_baseline_tags_any_keyword() -> None:
    labels = label_names()
    pred = keyword_baseline([{"text": "Nhật Bản phát triển chip và mạng 5G"}], labels)
    given = {labels[j] for j in np.flatnonzero(pred[0])}
    assert given == {"JP", "semiconductors", "5g"}


def test_weak_labels_are_confident_or_unknown() -> None:
    labels = label_names()
    col = {label: j for j, label in enumerate(labels)}
    doc = prepare({"title": "Tin tặc tấn công mạng", "text": "Tin tặc dùng mã độc. Mã độc lây lan. Tấn công mạng gia tăng."})
    row = weak_label(doc, labels)
    assert row[col["cybersecurity"]] == 1
    assert row[col["5g"]] == 0  # no 5G keyword at all: confident negative
    assert (row[col["5g"] + 5:] == UNKNOWN).all()  # countries are never weakly labelled


def test_label_matrix_reads_all_three_families() -> None:
    rows = load_labelled(TINY)
    Y = label_matrix(rows, label_names())
    assert Y.shape == (len(rows), len(label_names()))
    assert Y[:, label_names().index("cooperation")].sum() == sum(r["cooperation"] for r in rows)


def test_train_and_evaluate_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    bundle = tmp_path / "cli.joblib"
    result = runner.invoke(main, ["train", "--data-dir", str(TEST_DATA), "--train-file", "tiny.jsonl",
                                  "--dev-file", "tiny.jsonl", "--no-pool", "-o", str(bundle)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and bundle.is_file()
    assert "cross-validated on the training files" in result.output
    # a second labelled set: the tiny sentences with the cooperation stories only
    coop = tmp_path / "coop.jsonl"
    coop.write_text("".join(line + "\n" for line in TINY.read_text(encoding="utf-8").splitlines()
                            if '"cooperation": true' in line), encoding="utf-8")
    report = tmp_path / "out" / "eval.json"
    result = runner.invoke(main, ["evaluate", "--data", str(TINY), "--data", str(coop), "--model", str(bundle),
                                  "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "cybersecurity" in result.output and "baseline" in result.output and "partners" in result.output
    assert "none of the topic's terms" in result.output
    assert "out of fold on the training files" in result.output and "feed_items" in result.output
    data = json.loads(report.read_text())
    assert set(data) == {"tiny.jsonl", "coop.jsonl"}
    for found in data.values():
        assert set(found) == {"model", "baseline", "faithfulness"}
        assert {"topics", "countries_big4", "countries", "cooperation", "partners"} <= set(found["model"]["families"])
        assert found["faithfulness"]["unfaithful"] == 0 and found["faithfulness"]["given"] > 0
    assert report.with_suffix(".png").stat().st_size > 1000
    assert report.with_suffix(".coop.png").stat().st_size > 1000
    assert data["coop.jsonl"]["model"]["n_articles"] < data["tiny.jsonl"]["model"]["n_articles"]
    assert "note: model/keywords.py" not in result.output  # trained with the words running now
    manifest = bundle.with_name(bundle.name + ".manifest.json")
    manifest.write_text(json.dumps({**json.loads(manifest.read_text(encoding="utf-8")), "lexicon_sha256": "0" * 64}),
                        encoding="utf-8")
    result = runner.invoke(main, ["evaluate", "--data", str(TINY), "--model", str(bundle), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "note: model/keywords.py or model/gazetteer.json differ" in result.output


def test_train_command_without_data(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["train", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "training file not found" in result.output


def test_model_version_names_the_training_minute_and_data() -> None:
    import datetime as dt

    from training.train import model_version
    when = dt.datetime(2026, 11, 23, 12, 18, 40, tzinfo=dt.timezone.utc)
    assert model_version(when, "5836f7218c64") == "vntag-20261123T1218-5836f721"
    assert model_version(when + dt.timedelta(minutes=1), "5836f7218c64") != model_version(when, "5836f7218c64")


def test_short_view_is_title_and_summary() -> None:
    row = {"id": "a", "title": "T", "lead": "Tóm tắt.", "body": "Câu một. Câu hai. Câu ba.", "topics": ["ai"]}
    assert short_view(row) == {**row, "lead": "", "text": "Tóm tắt.", "body": "Tóm tắt."}
    no_lead = {**row, "lead": "  ", "text": "Câu một. Câu hai! Câu ba? Câu bốn."}
    assert short_view(no_lead)["text"] == "Câu một. Câu hai!"
    assert short_view(no_lead)["topics"] == ["ai"] and short_view(no_lead)["title"] == "T"


def test_group_folds_hold_an_article_and_its_short_view_out_together() -> None:
    groups = np.concatenate([np.arange(10), np.arange(10)])
    splits = group_folds(groups, folds=5, seed=0)
    assert len(splits) == 5
    held_all = np.concatenate([held for _, held in splits])
    assert sorted(held_all) == list(range(20))  # every row held out exactly once
    for fit, held in splits:
        assert not set(groups[fit]) & set(groups[held])
        assert len(held) == 4


def test_group_folds_of_distinct_rows_are_plain_kfold() -> None:
    from sklearn.model_selection import KFold
    plain = [(list(a), list(b)) for a, b in KFold(3, shuffle=True, random_state=7).split(np.arange(9))]
    assert [(list(a), list(b)) for a, b in group_folds(np.arange(9), 3, 7)] == plain


EACH = "each with >= 20 positives >= 0.85"


@pytest.mark.parametrize(("family", "kind", "micro", "topic_f1", "support", "expected"), [
    ("topics", "whole", 0.94, 0.90, 30, f">= 0.93, {EACH}: met"),
    ("topics", "whole", 0.94, 0.80, 30, f">= 0.93, {EACH}: MISSED"),
    ("topics", "whole", 0.94, 0.80, 19, f">= 0.93, {EACH}: met"),     # too few positives to be held to it
    ("topics", "feed_items", 0.92, 0.90, 30, f">= 0.93, {EACH}: MISSED"),
    ("cooperation", "whole", 0.80, 0.0, 0, ">= 0.80: met"),
    ("cooperation", "feed_items", 0.80, 0.0, 0, ">= 0.85: MISSED"),
    ("countries_big4", "feed_items", 0.92, 0.0, 0, ">= 0.92: met"),
    ("partners", "whole", 0.749, 0.0, 0, ">= 0.75: MISSED"),
    ("countries", "whole", 0.5, 0.0, 0, ""),
    ("topics", "other", 0.99, 0.99, 30, ""),
])
def test_targets_are_checked_per_family_and_set(family: str, kind: str, micro: float, topic_f1: float, support: int,
                                                expected: str) -> None:
    model = {"families": {family: {"micro_f1": micro}},
             "per_label": {t: {"f1": topic_f1 if t == "ai" else 0.99, "support": support if t == "ai" else 50}
                           for t in ("5g", "ai", "semiconductors")}}
    assert _target(family, model, kind) == expected


def test_cv_scores_score_whole_articles_and_feed_items_apart() -> None:
    labels = label_names()
    ai, jp = labels.index("ai"), labels.index("JP")
    Y = np.zeros((4, len(labels)), dtype=int)
    Y[[0, 1, 2, 3], ai] = 1          # two articles, then their two feed items: all about AI
    Y[[0, 2], jp] = 1
    P = np.zeros(Y.shape, dtype=int)
    P[[0, 1, 2], ai] = 1             # the second feed item's AI is missed
    P[[0, 2], jp] = 1
    P[1, jp] = 1                     # and one article is wrongly given JP
    short = np.array([False, False, True, True])
    found = cv_scores(Y, P, labels, short)
    assert set(found) == {"whole", "feed_items"}
    assert found["whole"]["ai"] == 1.0 and found["feed_items"]["ai"] == pytest.approx(2 / 3, abs=1e-4)
    assert found["whole"]["JP"] == pytest.approx(2 / 3, abs=1e-4) and found["feed_items"]["JP"] == 1.0
    assert found["whole"]["topics_micro_f1"] == 1.0
    assert cv_scores(Y[:2], P[:2], labels, short[:2]).keys() == {"whole"}


def test_the_bundle_records_its_out_of_fold_scores(tiny_tagger: Tagger) -> None:
    cv = tiny_tagger.manifest["cv_metrics"]
    assert (cv["folds"], cv["repeats"]) == (2, 3)
    for view in ("whole", "feed_items"):
        assert {"topics_micro_f1", "countries_big4_micro_f1", "cooperation_micro_f1", "ai", "JP"} <= set(cv[view])
        assert all(0.0 <= v <= 1.0 for v in cv[view].values())
    assert cv["whole"]["topics_micro_f1"] > 0  # the tiny sentences are learnable across folds


def test_thresholds_are_tuned_per_kind_of_text() -> None:
    labels = label_names()
    j = labels.index("ai")
    rng = np.random.default_rng(0)
    short = np.repeat([False, True], 40)
    Y = np.zeros((80, len(labels)), dtype=int)
    Y[:, j] = np.tile([0, 1], 40)
    P = np.zeros(Y.shape)
    # Whole articles separate at ~0.7, feed items at ~0.25.
    P[:, j] = np.where(short, np.where(Y[:, j] == 1, 0.4, 0.1), np.where(Y[:, j] == 1, 0.8, 0.6))
    P[:, j] += rng.uniform(-0.02, 0.02, 80)
    whole, feed = thresholds_by_kind(Y, P, labels, short)
    assert 0.6 < whole["ai"] <= 0.8 and 0.1 < feed["ai"] <= 0.4
    assert set(whole) == set(feed) == set(labels)
    assert thresholds_by_kind(Y, P, labels, short, per_kind=False)[1] is None
    only_short = thresholds_by_kind(Y[short], P[short], labels, short[short])
    assert only_short[1] is None and only_short[0]["ai"] == feed["ai"]  # no whole article: one set, from all rows


def test_the_version_digest_covers_every_training_file() -> None:
    whole, short = {"name": "train.jsonl", "sha256": "a" * 64}, {"name": "train_short.jsonl", "sha256": "b" * 64}
    assert training_sha([whole]) == "a" * 64  # one file: its own digest, as before
    both = training_sha([whole, short])
    assert len(both) == 64 and both not in (whole["sha256"], short["sha256"])
    assert training_sha([whole, {**short, "sha256": "c" * 64}]) != both  # feed items changed: another version


def test_self_training_labels_only_the_confident_text_labels(tiny_tagger: Tagger) -> None:
    model = tiny_tagger.model
    docs = tiny_tagger.prepare([{"title": "Việt Nam và Nhật Bản hợp tác 5G",
                                 "text": "Hai nước ký thỏa thuận triển khai mạng 5G và đào tạo kỹ sư."},
                                {"text": "Giá rau xanh tại chợ tăng mạnh do mưa lớn."}])
    P = model.predict_proba(docs)
    text = [model.labels_.index(label) for label in (*TOPICS, COOPERATION)]
    high, low = float(P[:, text].max()), float(P[:, text].min())  # the tiny model is rarely sure: its own extremes
    Y = self_training_labels(model, docs, high=high, low=low)
    others = [j for j in range(len(model.labels_)) if j not in text]
    assert (Y[:, others] == UNKNOWN).all()  # countries and partners are never self-labelled
    want = np.where(P[:, text] >= high, 1, np.where(P[:, text] <= low, 0, UNKNOWN))
    np.testing.assert_array_equal(Y[:, text], want)
    assert {0, 1, UNKNOWN} <= set(Y[:, text].ravel())


class _Doubler:
    """A stand-in preparer: each row doubled, with the process that did it and its lifeline."""

    def transform(self, rows: list[int]) -> list[tuple[int, int, str | None]]:
        return [(2 * r, os.getpid(), lifeline.guard()) for r in rows]


def test_prepare_many_keeps_order_ties_its_workers_to_this_process_and_ends_them() -> None:
    rows = list(range(1_700))  # four chunks of 500 or fewer
    out = prepare_many(_Doubler(), rows, n_jobs=2)  # type: ignore[arg-type]
    assert [value for value, _, _ in out] == [2 * r for r in rows]
    workers = {pid for _, pid, _ in out}
    assert os.getpid() not in workers and 1 <= len(workers) <= 2
    assert {guard for _, _, guard in out} == {"signal"}  # forked by the main thread: the kernel's death signal
    assert multiprocessing.active_children() == []  # shut down before it returned
    serial = prepare_many(_Doubler(), rows[:600], n_jobs=1)  # type: ignore[arg-type]
    assert {pid for _, pid, _ in serial} == {os.getpid()}


class _Failing:
    def transform(self, rows: list[int]) -> list[int]:
        if 999 in rows:
            raise ValueError("row 999 cannot be prepared")
        return rows


def test_prepare_many_raises_the_preparers_error_and_leaves_no_process() -> None:
    with pytest.raises(ValueError, match="row 999"):
        prepare_many(_Failing(), list(range(1_700)), n_jobs=2)  # type: ignore[arg-type]
    assert multiprocessing.active_children() == []


def test_training_imports_no_web_framework() -> None:
    # training.weak uses service.lifeline; that must not load Flask and the app through service/__init__.py
    script = "import sys, training.weak; print(sorted(m for m in ('flask', 'service.app', 'pyarrow') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
