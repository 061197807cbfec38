"""Fixtures for the REST service (the app fixtures live in tests/conftest.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="package", autouse=True)
def single_threaded() -> Iterator[None]:
    """Run these tests with one-thread numeric pools, as `tagger serve` workers do.

    On a busy machine the gradient-boosting OpenMP pool otherwise spins against
    other processes and each prediction takes seconds instead of milliseconds.
    """
    with threadpool_limits(1):
        yield


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
