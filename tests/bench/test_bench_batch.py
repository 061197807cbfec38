"""Section 2 runs the real `tagger tag` and reads its rate from the CLI's own summary."""
from __future__ import annotations

from pathlib import Path
from statistics import median

import pytest

from bench.batch import reported_seconds, run_batch, side_by_side
from bench.sample import generated_sample, write_jsonl
from bench.tables import batch_block
from service.batch_cli import timing


def test_the_bench_reads_the_time_line_the_cli_writes() -> None:
    stderr = "tagged 10, skipped 0 already in out.jsonl, errors 0\n" + timing(10, 2.5) + "\n"
    assert reported_seconds(stderr) == pytest.approx(2.5)


def test_a_missing_time_line_is_an_error_not_a_rate() -> None:
    with pytest.raises(RuntimeError, match="no time line"):
        reported_seconds("tagged 10, skipped 0, errors 0\n")


def test_section_2_times_the_cli_and_splits_off_its_start_up(tiny_bundle_path: Path, tmp_path: Path) -> None:
    articles = generated_sample(6)
    result = run_batch(articles, tiny_bundle_path, chunk_size=2, repeats=2, workdir=tmp_path, jobs_list=(1,),
                       side=False)
    run = result["runs"]["1"]
    assert len(run["runs_s"]) == len(run["tagging_runs_s"]) == 2
    assert all(0 < inside < wall for wall, inside in zip(run["runs_s"], run["tagging_runs_s"]))
    # The median of the runs' tagging spans, not the fastest: on a busy machine they can differ twofold.
    assert run["steady_articles_per_s"] == pytest.approx(6 / median(run["tagging_runs_s"]))
    assert run["startup_s"] > 0 and run["steady_articles_per_s"] > run["articles_per_s"]
    assert len((tmp_path / "out-1.jsonl").read_text(encoding="utf-8").splitlines()) == 6


def test_the_settings_take_turns_after_their_warm_ups(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls: list[tuple[str, int]] = []

    def fake_tag_file(inputs: Path, output: Path, jobs: int, chunk_size: int, model: Path) -> tuple[float, float]:
        calls.append((inputs.name, jobs))
        lines = inputs.read_text(encoding="utf-8").splitlines()
        output.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
        return 2.0 * jobs, 1.0 * jobs

    def fake_side_by_side(inputs: Path, outputs: list[Path], chunk_size: int, model: Path) -> tuple[list[float], float]:
        calls.append((inputs.name, 0))
        for out in outputs:
            out.write_text(inputs.read_text(encoding="utf-8"), encoding="utf-8")
        return [1.0, 1.25], 1.5

    monkeypatch.setattr("bench.batch.tag_file", fake_tag_file)
    monkeypatch.setattr("bench.batch.side_by_side", fake_side_by_side)
    result = run_batch(generated_sample(5), tmp_path / "model.joblib", chunk_size=2, repeats=2, workdir=tmp_path)
    rounds = [("sample.jsonl", 1), ("sample.jsonl", 2), ("sample.jsonl", 0)]
    assert calls == [("warm-up.jsonl", 1), ("warm-up.jsonl", 2), *rounds, *rounds]
    assert result["runs"]["2"]["steady_articles_per_s"] == pytest.approx(2.5)
    assert result["runs"]["2"]["startup_s"] == pytest.approx(2.0)
    assert result["side_by_side"]["steady_articles_per_s"] == pytest.approx(2 * 5 / 1.5)  # over the whole span


def test_two_processes_side_by_side_each_tag_everything(tiny_bundle_path: Path, tmp_path: Path) -> None:
    sample = write_jsonl(generated_sample(4), tmp_path / "sample.jsonl")
    outputs = [tmp_path / "a.jsonl", tmp_path / "b.jsonl"]
    seconds, span = side_by_side(sample, outputs, 2, tiny_bundle_path)
    assert len(seconds) == 2 and all(s > 0 for s in seconds)
    assert span >= max(seconds) - 1e-9  # from the first start of tagging to the last end (float rounding aside)
    assert [len(out.read_text(encoding="utf-8").splitlines()) for out in outputs] == [4, 4]


def test_the_table_sets_jobs_2_against_the_side_by_side_ceiling() -> None:
    run = {"seconds": 5.0, "articles_per_s": 400.0, "startup_s": 1.0, "runs_s": [5.0], "steady_runs": [500.0]}
    block = batch_block({"articles": 2000, "chunk_size": 200,
                         "runs": {"1": {**run, "steady_articles_per_s": 500.0},
                                  "2": {**run, "steady_articles_per_s": 900.0}},
                         "side_by_side": {"steady_articles_per_s": 950.0}}, None)
    assert "950.0 articles/s together" in block
    assert "= 1.90x --jobs 1; --jobs 2 reached 95 % of it" in block
    assert "side by side" not in batch_block({"articles": 2000, "chunk_size": 200, "runs": {"1": run | {
        "steady_articles_per_s": 500.0}}}, None)
