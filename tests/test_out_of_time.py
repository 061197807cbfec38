"""The out-of-time command: a model that never saw the later months, scored beside the shipped one."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from model.bundle import load_bundle
from training.data import load_labelled, month, month_groups, read_jsonl, write_jsonl
from training.evaluate import evaluate_rows
from training.out_of_time import cut_files, format_table, run, split_by_month
from training.train import TrainConfig, group_folds

from conftest import TEST_DATA, TINY_PARAMS

FIRST = "2026-02"


def _dated(rows: list[dict], months: tuple[str, ...]) -> list[dict]:
    """`rows` with dates that cycle through `months` (day 15)."""
    return [{**row, "date": f"{months[i % len(months)]}-15"} for i, row in enumerate(rows)]


@pytest.fixture(scope="module")
def dated_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sentences as dated feed items of 2025-12 to 2026-03, the tiny articles as train.jsonl."""
    folder = tmp_path_factory.mktemp("dated")
    short = load_labelled(TEST_DATA / "tiny.jsonl")
    months = ("2025-12", "2026-01", "2026-02", "2026-03")
    write_jsonl(folder / "train_short.jsonl", _dated(short, months))
    write_jsonl(folder / "dev_short.jsonl", _dated(short, months[::-1]) + [{**short[0], "date": None}])
    write_jsonl(folder / "pool_recent.jsonl.gz", _dated([{"title": r["title"], "body": r["body"]} for r in short], months))
    shutil.copy(TEST_DATA / "tiny_whole.jsonl", folder / "train.jsonl")
    return folder


def test_split_by_month_leaves_undated_rows_out() -> None:
    rows = [{"date": "2026-01-31"}, {"date": "2026-02-01T08:00:00"}, {"date": None}, {"date": ""}, {}]
    before, after = split_by_month(rows, FIRST)
    assert before == [rows[0]] and after == [rows[1]]
    assert month({"date": "2025-12-03"}) == "2025-12" and month({"date": 20251203}) is None
    # Whole articles' free-text dates are no month ("~2019-2" would sort after "2026-02").
    for text in ("~2019-2021 (not per-article)", "2019 (approx.)", "Thứ hai, 12/3/2021", "2026-13-01"):
        assert month({"date": text}) is None
    assert month({"date": dt.date(2026, 3, 9)}) == "2026-03"


def test_cut_files_keep_the_later_months_out_of_training(dated_data: Path, tmp_path: Path) -> None:
    counts = cut_files(dated_data, tmp_path, FIRST)
    trained = load_labelled(tmp_path / "train_short.jsonl")
    recent = list(read_jsonl(tmp_path / "pool_recent.jsonl.gz"))
    assert trained and recent and all(month(r) < FIRST for r in trained + recent)
    assert counts["train_short.jsonl"] == len(trained) == 12  # 22 items cycling over four months: 6 + 6 before
    before = load_labelled(tmp_path / "dev_short_before.jsonl")
    after = load_labelled(tmp_path / "dev_short_from.jsonl")
    assert all(month(r) < FIRST for r in before) and all(month(r) >= FIRST for r in after)
    assert len(before) + len(after) == 22  # the undated item is in neither
    later = load_labelled(tmp_path / "train_short_from.jsonl")
    assert counts["train_short_from.jsonl"] == len(later) == 10 and all(month(r) >= FIRST for r in later)


def test_run_scores_both_models_on_both_sets(dated_data: Path, tiny_bundle_path: Path) -> None:
    base = TrainConfig(data_dir=dated_data, use_pool=False, folds=2, cv_repeats=1, model_params=dict(TINY_PARAMS))
    result = run(dated_data, FIRST, 1, tiny_bundle_path, base)
    early, shipped, baseline = result["scores"]
    assert early == f"trained before {FIRST}" and shipped.startswith("shipped (") and baseline == "keyword baseline"
    # The model trained on every month is scored as `tagger evaluate` scores it.
    rows = [r for r in load_labelled(dated_data / "dev_short.jsonl") if r["date"] and r["date"][:7] >= FIRST]
    families = evaluate_rows(load_bundle(tiny_bundle_path), rows)["model"]["families"]
    assert result["scores"][shipped]["from"]["topics"] == round(families["topics"]["micro_f1"], 4)
    kept = evaluate_rows(load_bundle(tiny_bundle_path), rows)["baseline"]["families"]["cooperation"]["micro_f1"]
    assert result["scores"][baseline]["from"]["cooperation"] == round(kept, 4)
    assert set(result["scores"][shipped]) == {"before", "from"}  # it learnt from train_short's later items
    assert set(result["scores"][early]) == set(result["scores"][baseline]) == {"before", "from", "train_from"}
    for found in result["scores"].values():
        assert all(0.0 <= v <= 1.0 for s in found.values() for v in s.values())
    table = format_table(result)
    assert table.count("\n") == 4 and f"cooperation, train_short from {FIRST}" in table


def test_month_groups_hold_a_months_feed_items_out_together() -> None:
    rows = [{"date": "2026-01-03"}, {"date": "2026-01-28"}, {"date": "2026-02-01"}, {"date": None},
            {"date": "2026-01-05"}]
    short = np.array([True, True, True, True, False])  # the last is a whole article
    groups = month_groups(rows, short, np.arange(len(rows)))
    assert groups[0] == groups[1] != groups[2]
    assert len(set(groups.tolist())) == 4 and groups[3] == 3 and groups[4] == 4  # undated and whole keep their own
    for fit, held in group_folds(groups, 2, seed=0):
        assert not ({0, 1} & set(fit.tolist()) and {0, 1} & set(held.tolist()))  # January is never split


def test_train_with_month_folds_holds_months_out(dated_data: Path, tmp_path: Path, monkeypatch) -> None:
    import training.train as train_module

    seen: list[np.ndarray] = []
    real = train_module.group_folds
    monkeypatch.setattr(train_module, "group_folds", lambda g, k, s: seen.append(np.asarray(g)) or real(g, k, s))
    config = TrainConfig(data_dir=dated_data, use_pool=False, folds=2, cv_repeats=1, dev_files=(),
                         output=tmp_path / "m.joblib", model_params=dict(TINY_PARAMS), month_folds=True)
    train_module.train(config)
    short = load_labelled(dated_data / "train_short.jsonl")
    groups = seen[0][len(load_labelled(dated_data / "train.jsonl")):]  # train.jsonl's articles come first
    assert len(set(groups.tolist())) == len({month(r) for r in short}) == 4
    assert all((groups == groups[i]).sum() == sum(month(r) == month(short[i]) for r in short) for i in range(len(short)))


def test_run_refuses_a_month_outside_the_data(dated_data: Path, tiny_bundle_path: Path) -> None:
    base = TrainConfig(data_dir=dated_data, use_pool=False, folds=2, model_params=dict(TINY_PARAMS))
    with pytest.raises(ValueError, match="no dated feed items for .*dev_short_from.jsonl"):
        run(dated_data, "2027-01", 1, tiny_bundle_path, base)  # nothing from 2027: every "from" set empty
