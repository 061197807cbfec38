"""Sections, targets, the table and the JSON file."""
from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bench.memory import memory_growth
from bench.report import TARGETS, check, checks, fmt, json_safe, table, write_json
from bench.settings import FULL, QUICK, SECTIONS, parse_sections, with_articles
from bench.tables import render, spread


@pytest.mark.parametrize(("text", "expected"), [("1,2,5", {1, 2, 5}), (" 3 , 3,", {3}), ("5", {5})])
def test_parse_sections(text: str, expected: set[int]) -> None:
    assert parse_sections(text) == expected


@pytest.mark.parametrize(("text", "message"), [("0", "not a section"), ("1,x", "not a section"), (",", "no section")])
def test_parse_sections_rejects(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_sections(text)


def test_quick_is_smaller_than_full_and_both_fit_the_batch_split() -> None:
    assert QUICK.articles < FULL.articles and QUICK.memory_requests < FULL.memory_requests
    assert QUICK.batch_repeats < FULL.batch_repeats and FULL.batch_repeats >= FULL.repeats
    for sizes in (QUICK, FULL):
        # whole rounds of two chunks, so --jobs 2 ends with both workers busy
        assert sizes.articles % (2 * sizes.chunk_size) == 0 and sizes.articles > 2 * sizes.chunk_size
        assert set(sizes.rest_requests) == {1, 8, 32}
    assert set(SECTIONS) == {1, 2, 3, 4, 5, 6, 7, 8, 9}


@pytest.mark.parametrize(("value", "digits", "expected"), [
    (1234.567, 1, "1,234.6"), (3, 2, "3"), (math.nan, 1, "-"), (None, 1, "-"), (0.5, 2, "0.50"),
])
def test_fmt(value: object, digits: int, expected: str) -> None:
    assert fmt(value, digits) == expected


def test_table_aligns_columns() -> None:
    lines = table(["name", "n"], [["a", "1"], ["long name", "100"]]).splitlines()
    assert lines[0] == "name         n"
    assert lines[2] == "a            1"
    assert lines[3] == "long name  100"


SECTIONS_DONE = {
    "floor": {"articles_per_s": 30.0},
    "batch": {"runs": {"1": {"steady_articles_per_s": 30.0}, "2": {"steady_articles_per_s": 57.0}}},
    "rest": {"levels": {"8": {"p99_ms": 60.0}, "32": {"errors": 0}}},
}


def test_checks_judge_what_ran_and_skip_the_rest() -> None:
    verdicts = {c["name"]: c["ok"] for c in checks(SECTIONS_DONE)}
    assert verdicts == {
        "tagger tag --jobs 1 vs the floor (steady)": True,   # 1.0 >= 0.9
        "tagger tag --jobs 2 vs --jobs 1 (steady)": True,    # 1.9 >= 1.8
        "REST p99 at concurrency 8": False,                  # 60 > 25
        "REST errors at concurrency 32": True,
    }


def test_a_nan_figure_is_not_measured_rather_than_met_or_missed() -> None:
    memory = {"memory": {"max_rss_mb": 100.0, "max_growth_pct": math.nan}}
    growth = next(t for t in TARGETS if t.name.startswith("RSS growth"))
    assert check(growth, memory)["ok"] is None


def test_memory_growth_per_worker() -> None:
    idle = {"1": {"rss_mb": 200.0, "pss_mb": 80.0}, "2": {"rss_mb": 100.0, "pss_mb": 50.0}}
    after = {"1": {"rss_mb": 210.0, "pss_mb": 90.0}, "3": {"rss_mb": 150.0, "pss_mb": 60.0}}
    grown = memory_growth(idle, after, 5000)
    assert grown["growth_pct"] == {"1": pytest.approx(5.0)}
    assert grown["max_rss_mb"] == 210.0 and grown["max_growth_pct"] == pytest.approx(5.0)
    assert grown["replaced"] == ["2", "3"]


def test_json_is_strict(tmp_path: Path) -> None:
    assert json_safe({1: [math.nan, 1.5, {"x": math.inf}]}) == {"1": [None, 1.5, {"x": None}]}
    path = write_json({"a": math.nan}, tmp_path / "results" / "r.json")
    assert json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: pytest.fail(c)) == {"a": None}


def test_with_articles_keeps_whole_rounds_of_two_chunks() -> None:
    assert with_articles(FULL, 8000).articles == 8000
    assert with_articles(QUICK, 100).name == "quick"
    for bad in (400, 1000, 10):
        with pytest.raises(ValueError, match="multiple of 400"):
            with_articles(FULL, bad)


def test_spread_skips_what_could_not_be_measured() -> None:
    assert spread([152.4, math.nan, 98.6]) == "99-152 (2 of 3)"
    assert spread([152.4, 98.6]) == "99-152"
    assert spread([math.nan]) == "-"


def test_the_speed_targets_of_issue_21() -> None:
    bounds = {t.name: (t.compare, t.bound, t.unit) for t in TARGETS}
    assert bounds["instructions per Tagger.tag call (callgrind)"] == ("<=", 25, "M")
    assert bounds["REST p99 at concurrency 8"] == ("<=", 25, "ms")
    assert bounds["bundle size"] == ("<=", 25, "MB")
    assert bounds["bundle load (load_bundle, fresh process)"] == ("<=", 1, "s")


@pytest.mark.parametrize(("instructions", "bundle_bytes", "ok"), [
    (16.4, 16_937_659, True), (25.3, 25_000_001, False),
])
def test_instructions_and_bundle_size_are_judged(instructions: float, bundle_bytes: int, ok: bool) -> None:
    done = {"instructions": {"calls": 30, "tag_m_per_call": instructions},
            "load_time": {"load_s": 0.5, "import_s": 1.0, "runs": [], "bundle_bytes": bundle_bytes}}
    verdicts = {c["name"]: (c["ok"], c["value"]) for c in checks(done)}
    assert verdicts["instructions per Tagger.tag call (callgrind)"] == (ok, instructions)
    assert verdicts["bundle size"] == (ok, pytest.approx(bundle_bytes / 1e6))
    assert verdicts["bundle load (load_bundle, fresh process)"] == (True, 0.5)


def test_instructions_without_valgrind_are_not_measured_and_say_why() -> None:
    skipped = {"calls": 0, "tag_m_per_call": math.nan, "skipped": "valgrind is not installed"}
    target = next(t for t in TARGETS if t.section == 9)
    assert check(target, {"instructions": skipped})["ok"] is None
    results = {"sample": {"source": "generated"}, "model": {"path": "m.joblib"},
               "machine": {"usable_cores": 2, "load_average_at_start": [0.1, 0.2, 0.3]},
               "sections": {"instructions": skipped,
                            "load_time": {"load_s": 0.4, "import_s": 1.2, "runs": [{}], "bundle_bytes": 16_937_659}}}
    text = render(results)
    assert "not measured: valgrind is not installed" in text
    assert "bundle size: 16.9 MB (16,937,659 bytes)" in text
    assert "instructions per Tagger.tag call (callgrind)" in text.split("Targets")[1]
