"""`--engine dask` without dask installed: a clear message and exit 1, not a traceback (dask is
in requirements-dev.lock only, so the Docker image has no dask)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from batch.helpers import Tag


@pytest.mark.parametrize("missing", ["distributed", "dask"])
def test_the_dask_engine_without_dask_says_how_to_install_it(tag: Tag, jsonl_input: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    for name in [m for m in sys.modules if m in ("service.batch_dask", "dask", "distributed")
                 or m.startswith(("dask.", "distributed."))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, missing, None)  # `import <missing>` now raises ModuleNotFoundError
    out = tmp_path / "out.jsonl"
    result = tag(str(jsonl_input), "--engine", "dask", "--output", str(out))
    assert result.exit_code == 1, result.output
    assert "the dask engine needs dask.distributed: pip install .[dask]" in result.output
    assert "Traceback" not in result.output
    assert not out.exists() or out.read_text(encoding="utf-8") == ""
