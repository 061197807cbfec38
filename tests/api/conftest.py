"""Fixtures for the REST service (the app fixtures live in tests/conftest.py)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
