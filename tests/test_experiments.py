"""The ablation command: its shipped row is what `tagger train` ships, and the
threshold rule is compared on the same model."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from model.features import SHORT_BODY
from training.experiments import PLAIN_PEAK, POOL_STEPS, run
from training.train import TrainConfig, train

from conftest import TEST_DATA

SHIPPED_AT = next(i for i, (step, *_) in enumerate(POOL_STEPS) if "(shipped)" in step)
SHIPPED = POOL_STEPS[SHIPPED_AT][0]
FAMILIES = ("topics", "countries_big4", "countries", "cooperation")


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny sentences, each also as a whole article (its body repeated past
    `SHORT_BODY`), as train, dev and (gzipped) pool."""
    folder = tmp_path_factory.mktemp("data")
    rows = [json.loads(line) for line in (TEST_DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines()]
    whole = [{**r, "id": f"{r['id']}-whole", "body": " ".join([r["body"]] * (SHORT_BODY // len(r["body"]) + 1))}
             for r in rows]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows + whole)
    for name in ("train.jsonl", "dev.jsonl"):
        (folder / name).write_text(text, encoding="utf-8")
    with gzip.open(folder / "pool.jsonl.gz", "wt", encoding="utf-8") as pool:
        pool.write(text)
    return folder


@pytest.fixture(scope="module")
def rows(tiny_data: Path) -> list[dict]:
    config = TrainConfig()
    return run(tiny_data, config.folds, 0, ["syllable"], config.cv_repeats, pool_steps=SHIPPED_AT + 1)


def test_the_plain_peak_row_follows_the_shipped_row(rows: list[dict]) -> None:
    steps = [r["step"] for r in rows]
    assert steps[0] == "keyword baseline"
    assert steps[-2:] == [SHIPPED, PLAIN_PEAK]
    assert steps.count(PLAIN_PEAK) == 1


def test_the_shipped_row_scores_what_tagger_train_ships(rows: list[dict], tiny_data: Path, tmp_path: Path) -> None:
    shipped = next(r for r in rows if r["step"] == SHIPPED)
    metrics = train(TrainConfig(data_dir=tiny_data, output=tmp_path / "m.joblib")).manifest["dev_metrics"]
    for family in FAMILIES:
        assert shipped[f"{family}_micro_f1"] == round(metrics[family]["micro_f1"], 4), family
        assert shipped[f"short_{family}_micro_f1"] == round(metrics["short"][family]["micro_f1"], 4), family
    # the calibration error reads every probability, so it tells the models apart where F1 saturates
    assert shipped["ece"] == round(metrics["ece"], 4)
    assert shipped["short_ece"] == round(metrics["short"]["ece"], 4)
