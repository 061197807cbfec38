"""Fixtures for the analysts' page: apps built by the factory on the tiny bundle."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from threadpoolctl import threadpool_limits

from service import create_app

AppFactory = Callable[..., Flask]


@pytest.fixture(scope="package", autouse=True)
def single_threaded() -> Iterator[None]:
    """One-thread numeric pools, as `tagger serve` workers have (see tests/api/conftest.py)."""
    with threadpool_limits(1):
        yield


@pytest.fixture(scope="package")
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
