"""Which sections `run_sections` runs: exactly the ones asked for (the work itself is replaced)."""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

import bench.sections as sections
from bench.settings import QUICK


@pytest.fixture()
def called(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the sections run, in order; each returns a small result under its name."""
    ran: list[str] = []

    def fake(name: str) -> Any:
        def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
            ran.append(name)
            return {"done": True}
        return run

    monkeypatch.setattr(sections, "run_metrics_cost", fake("metrics_cost"))
    monkeypatch.setattr(sections, "run_watch_bench", fake("watch"))
    monkeypatch.setattr(sections, "report_section", lambda *a: {"report": fake("report")()})
    monkeypatch.setattr(sections, "run_instructions", fake("instructions"))
    return ran


@pytest.mark.parametrize(("chosen", "expected"), [
    ({6}, ["metrics_cost"]), ({7}, ["watch"]), ({8}, ["report"]), ({9}, ["instructions"]),
    ({6, 7, 8, 9}, ["metrics_cost", "watch", "report", "instructions"]),
])
def test_only_the_sections_asked_for_run(called: list[str], chosen: set[int], expected: list[str],
                                         tmp_path: Path) -> None:
    plan = SimpleNamespace(model=tmp_path / "m.joblib", sizes=QUICK, sections=chosen, workdir=tmp_path)
    results = sections.run_sections(plan, [{"id": "a", "body": "x"}], lambda _: None)
    assert called == expected
    assert set(results) == set(expected) and "failed" not in results


def test_a_failing_section_is_reported_and_the_next_still_runs(called: list[str], monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    def broken(*args: Any) -> dict[str, Any]:
        raise RuntimeError("valgrind failed (1)")
    monkeypatch.setattr(sections, "run_watch_bench", broken)
    plan = SimpleNamespace(model=tmp_path / "m.joblib", sizes=QUICK, sections={7, 9}, workdir=tmp_path)
    results = sections.run_sections(plan, [], lambda _: None)
    assert results["failed"] == {"watch": "RuntimeError: valgrind failed (1)"}
    assert called == ["instructions"]
