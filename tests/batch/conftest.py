"""Fixtures for `tagger tag`: a runner on the tiny bundle and a small JSONL input."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from batch.helpers import Tag, articles, write_jsonl
from service.cli import main


@pytest.fixture
def tag(tiny_bundle_path: Path) -> Tag:
    """Run `tagger tag ARGS` in-process on the tiny bundle and one job, unless ARGS say otherwise."""
    def run(*args: str, input: str | bytes | None = None) -> Result:
        extra = [] if "--model" in args else ["--model", str(tiny_bundle_path)]
        if "--jobs" not in args:
            extra += ["--jobs", "1"]
        return CliRunner().invoke(main, ["tag", *args, *extra], input=input)
    return run


@pytest.fixture
def jsonl_input(tmp_path: Path) -> Path:
    """Twelve good articles in a JSONL file."""
    return write_jsonl(tmp_path / "articles.jsonl", articles(12))
