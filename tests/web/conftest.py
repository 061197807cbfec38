"""Fixtures for the analysts' page (the app fixtures live in tests/conftest.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from threadpoolctl import threadpool_limits


@pytest.fixture(scope="package", autouse=True)
def single_threaded() -> Iterator[None]:
    """One-thread numeric pools, as `tagger serve` workers have (see tests/api/conftest.py)."""
    with threadpool_limits(1):
        yield


