"""Fixtures for `tagger report`: a runner and the hand-counted archive."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from report.hand import write_tagged
from service.cli import main

Report = Callable[..., Result]


@pytest.fixture
def report() -> Report:
    """Run `tagger report ARGS` in-process."""
    def run(*args: str) -> Result:
        return CliRunner().invoke(main, ["report", *args])
    return run


@pytest.fixture
def hand_jsonl(tmp_path: Path) -> Path:
    return write_tagged(tmp_path / "tagged.jsonl")
