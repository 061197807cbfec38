"""The ablation command: each row is a `tagger train` run with one choice changed, scored on both dev sets."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from training.experiments import SHIPPED, STEPS, format_table, run, step_config
from training.train import TrainConfig, train

from conftest import TEST_DATA, TINY_PARAMS


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sentences as train and dev files of both kinds (no pools)."""
    folder = tmp_path_factory.mktemp("data")
    for name, source in (("train.jsonl", "tiny_whole.jsonl"), ("train_short.jsonl", "tiny.jsonl"),
                         ("dev.jsonl", "tiny_whole.jsonl"), ("dev_short.jsonl", "tiny.jsonl")):
        shutil.copy(TEST_DATA / source, folder / name)
    return folder


def _config(folder: Path) -> TrainConfig:
    return TrainConfig(data_dir=folder, use_pool=False, folds=2, cv_repeats=1, model_params=dict(TINY_PARAMS))


def test_the_shipped_row_scores_what_tagger_train_ships(tiny_data: Path, tmp_path: Path) -> None:
    steps = [(SHIPPED, {}), ("one threshold set", {"per_kind_thresholds": False})]
    rows = run(tiny_data, 1, steps, _config(tiny_data))
    assert [r["step"] for r in rows] == ["keyword baseline", SHIPPED, "one threshold set"]
    config = _config(tiny_data)
    metrics = train(TrainConfig(**{**config.__dict__, "output": tmp_path / "m.joblib"})).manifest["dev_metrics"]
    for name in ("dev.jsonl", "dev_short.jsonl"):
        for family in ("topics", "cooperation", "partners"):
            assert rows[1][f"{name}:{family}"] == round(metrics[name][family]["micro_f1"], 4)
            assert 0.0 <= rows[0][f"{name}:{family}"] <= 1.0
    table = format_table(rows, config.dev_files)
    assert table.count("\n") == 1 + len(rows) and "dev_short:partners" in table
    json.dumps(rows)  # the rows are what --out writes


def test_a_step_adds_its_model_params_to_the_base_ones(tmp_path: Path) -> None:
    base = _config(tmp_path)
    gate = dict(STEPS)["without the topic gate"]
    config = step_config(base, gate, tmp_path / "m.joblib")
    assert config.model_params == {**TINY_PARAMS, "topic_gate": False}
    assert base.model_params == TINY_PARAMS  # the base is not changed
    assert config.output == tmp_path / "m.joblib" and config.folds == base.folds
    assert step_config(base, {"recent_limit": 0}, tmp_path / "m.joblib").model_params == TINY_PARAMS
