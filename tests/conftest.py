"""Shared fixtures: a tiny model trained on the sentences in tests/data/tiny.jsonl (as news-feed items)
and tests/data/tiny_whole.jsonl (the same, each body repeated into a whole article)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from threadpoolctl import threadpool_limits

from model.bundle import load_bundle
from model.tagger import Tagger
from service import create_app
from training.train import TrainConfig, train

AppFactory = Callable[..., Flask]

TESTS = Path(__file__).resolve().parent
TEST_DATA = TESTS / "data"
SHARED_DATA = TESTS.parent.parent / "shared" / "data"
TINY_PARAMS = {"min_df": 1, "country_min_support": 100}


def tiny_config(output: Path, **overrides) -> TrainConfig:
    """Training settings for the tiny model (no pool, two folds, no dev file)."""
    values = dict(data_dir=TEST_DATA, train_files=("tiny.jsonl", "tiny_whole.jsonl"), dev_files=(), use_pool=False,
                  folds=2, output=output, model_params=dict(TINY_PARAMS))
    values.update(overrides)
    return TrainConfig(**values)


@pytest.fixture(scope="session", autouse=True)
def single_threaded() -> Iterator[None]:
    """One-thread numeric pools in the test process, as `tagger serve` workers have.

    On a busy machine the gradient-boosting OpenMP pool otherwise spins against
    other processes (and the servers some tests start), and each prediction
    takes seconds instead of milliseconds.
    """
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="session")
def tiny_bundle_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of a bundle trained once per session on tests/data/tiny.jsonl."""
    path = tmp_path_factory.mktemp("bundle") / "tiny.joblib"
    train(tiny_config(path))
    return path


@pytest.fixture(scope="session")
def tiny_tagger(tiny_bundle_path: Path) -> Tagger:
    """The tiny model, loaded through `load_bundle` like every caller does."""
    return load_bundle(tiny_bundle_path)


@pytest.fixture(scope="session")
def make_app(tiny_bundle_path: Path) -> AppFactory:
    """Build a test app on the tiny bundle; keyword arguments override config keys."""
    def make(**config: Any) -> Flask:
        return create_app({"TESTING": True, "MODEL_PATH": str(tiny_bundle_path), **config})
    return make


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    return make_app()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
