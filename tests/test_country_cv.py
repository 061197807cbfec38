"""`python -m training.country_cv`: country scores on train depend on the gazetteer it is given."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from model.gazetteer import GAZETTEER_PATH
from training.country_cv import main, run
from training.train import TrainConfig

from conftest import TEST_DATA, TINY_PARAMS


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sentences as whole articles (train.jsonl) and as feed items (train_short.jsonl)."""
    folder = tmp_path_factory.mktemp("data")
    shutil.copy(TEST_DATA / "tiny_whole.jsonl", folder / "train.jsonl")
    shutil.copy(TEST_DATA / "tiny.jsonl", folder / "train_short.jsonl")
    return folder


def gazetteer_without(tmp_path: Path, code: str) -> Path:
    """The shipped gazetteer with every name, place and actor of `code` removed."""
    raw = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    raw[code] = {"names": [], "places": [], "actors": []}
    path = tmp_path / f"without-{code}.json"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return path


def scores(data_dir: Path, gazetteer: Path) -> dict:
    config = TrainConfig(data_dir=data_dir, model_params=dict(TINY_PARAMS))
    return run(data_dir, gazetteer, folds=2, repeats=1, config=config)


def test_a_country_the_gazetteer_cannot_find_scores_zero(data_dir: Path, tmp_path: Path) -> None:
    shipped = scores(data_dir, GAZETTEER_PATH)
    blind = scores(data_dir, gazetteer_without(tmp_path, "KR"))
    assert shipped["articles"] == 44
    for view in ("whole", "feed_items"):
        assert shipped[view]["KR"] > 0
        assert blind[view]["KR"] == 0
        assert 0 <= blind[view]["countries_big4_micro_f1"] < shipped[view]["countries_big4_micro_f1"] <= 1


def test_a_gazetteer_with_other_countries_is_refused(data_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    raw = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    del raw["KR"]
    other = tmp_path / "other.json"
    other.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="other countries"):
        scores(data_dir, other)
    assert main(["--data-dir", str(data_dir), "--gazetteer", str(other)]) == 1
    assert "other countries than the shipped gazetteer" in capsys.readouterr().err


def test_a_missing_data_folder_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(tmp_path / "absent")]) == 1
    assert "country_cv:" in capsys.readouterr().err
