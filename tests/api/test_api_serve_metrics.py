"""`tagger serve` and metrics: a fresh multiprocess directory around gunicorn, removed after it."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from service import serve_cli
from service.cli import main
from service.metrics import MULTIPROC_ENV, mark_worker_dead, multiprocess_dir


def _run(runner: CliRunner, bundle: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def fake_gunicorn(app: Any, options: dict[str, Any]) -> None:
        seen["dir"] = os.environ.get(MULTIPROC_ENV)
        seen["exists"] = seen["dir"] is not None and Path(seen["dir"]).is_dir()
        seen["files"] = sorted(p.name for p in Path(seen["dir"]).iterdir()) if seen["exists"] else []
        seen["options"] = options
        seen["metrics"] = app.test_client().get("/metrics").status_code

    monkeypatch.setattr(serve_cli, "run_gunicorn", fake_gunicorn)
    result = runner.invoke(main, ["serve", "--model", str(bundle)], env=env)
    assert result.exit_code == 0, result.output
    return seen


def test_serve_makes_a_fresh_directory_and_removes_it(runner: CliRunner, tiny_bundle_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    first = _run(runner, tiny_bundle_path, monkeypatch, {})
    second = _run(runner, tiny_bundle_path, monkeypatch, {})
    assert first["exists"] and second["exists"] and first["dir"] != second["dir"]
    # What the master wrote before forking: the model version, and the unlabelled counter.
    assert first["files"] == [f"counter_{os.getpid()}.db", f"gauge_max_{os.getpid()}.db"]
    assert first["options"]["child_exit"] is mark_worker_dead
    assert first["metrics"] == 200
    assert not Path(first["dir"]).exists() and not Path(second["dir"]).exists()
    assert MULTIPROC_ENV not in os.environ


def test_serve_with_metrics_off_has_no_directory_no_hook_and_no_route(runner: CliRunner, tiny_bundle_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    seen = _run(runner, tiny_bundle_path, monkeypatch, {"TAGGER_METRICS": "0"})
    assert seen["dir"] is None and "child_exit" not in seen["options"] and seen["metrics"] == 404


def test_a_bad_keys_file_stops_serve_with_its_message(runner: CliRunner, tiny_bundle_path: Path,
                                                      tmp_path: Path) -> None:
    result = runner.invoke(main, ["serve", "--model", str(tiny_bundle_path)],
                           env={"TAGGER_API_KEYS_FILE": str(tmp_path / "absent.txt")})
    assert result.exit_code == 1
    assert "TAGGER_API_KEYS_FILE" in result.output and "cannot read it" in result.output
    assert "Traceback" not in result.output


def test_a_forked_worker_leaving_the_block_keeps_the_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    owner = os.getpid()
    with multiprocess_dir() as path:
        monkeypatch.setattr(os, "getpid", lambda: owner + 1)  # the block ends as in a forked gunicorn worker
    try:
        assert path.is_dir() and os.environ[MULTIPROC_ENV] == str(path)
    finally:
        monkeypatch.undo()
        os.environ.pop(MULTIPROC_ENV, None)
        path.rmdir()
