"""`bench.profile`: reading py-spy's raw stacks per process and stage, and a real run."""
from __future__ import annotations

from pathlib import Path

import pytest
from click import ClickException
from click.testing import CliRunner

from bench.profile import STAGES, format_table, main, py_spy, summarize

PARENT = 'process 10:"python tagger tag in.jsonl --jobs 2"'
WORKER = 'process 11:"python tagger tag in.jsonl --jobs 2"'
LOOP = "tag_command (service/batch_cli.py:87);run_batch (service/batch_run.py:80)"
RAW = [
    f"{PARENT};<module> (tagger:6);load_bundle (model/bundle.py:99);tag_many (model/tagger.py:80) 5\n",
    f"{PARENT};<module> (tagger:6);{LOOP};render (service/batch_formats.py:30) 3\n",
    f"{PARENT};<module> (tagger:6);{LOOP};validate (service/batch_inputs.py:190) 2\n",
    f"{PARENT};{WORKER};_process_worker (concurrent/futures/process.py:2);tag_many (model/tagger.py:80);"
    "prepare (model/features.py:70);normalize (model/text.py:40) 7\n",
    # recursion: a stage counts a sample once
    f"{PARENT};{WORKER};tag_many (model/tagger.py:80);_text_blocks (model/featurizer.py:1);"
    "count_rows (model/tfidf.py:2);count_rows (model/tfidf.py:2) 4\n",
    "\n",
]


def test_samples_are_counted_per_process_and_stage() -> None:
    parent, worker = summarize(RAW)
    assert (parent.pid, parent.child, parent.samples) == (10, False, 10)
    assert (worker.pid, worker.child, worker.samples) == (11, True, 11)
    assert parent.stages["start-up: load_bundle"] == 5
    assert parent.stages["tag_many"] == 5  # the warm-up, inside load_bundle
    assert parent.stages["batch loop (parent)"] == 5
    assert (parent.stages["  render results"], parent.stages["  read and validate"]) == (3, 2)
    assert worker.stages["tag_many"] == 11
    assert worker.stages["    normalise"] == 7
    assert worker.stages["    n-gram counts"] == 4
    assert worker.stages["start-up: load_bundle"] == 0


def test_the_table_gives_each_stage_as_a_share_of_its_process() -> None:
    table = format_table(summarize(RAW)).splitlines()
    assert "parent 10" in table[0] and "worker 11" in table[0]
    assert len(table) == 2 + len(STAGES)
    render = next(line for line in table if line.startswith("  render results"))
    assert render.split() == ["render", "results", "30.0%", "0.0%"]


@pytest.mark.parametrize("line", ["no count here\n", "tag_many (model/tagger.py:80) 5\n"])
def test_a_line_that_is_not_a_recorded_stack_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match="line 1"):
        summarize([line])


def _has_py_spy() -> bool:
    try:
        py_spy()
    except ClickException:
        return False
    return True


needs_py_spy = pytest.mark.skipif(not _has_py_spy(), reason="py-spy is not installed (the 'profile' extra; make install has it)")


@pytest.mark.slow
@needs_py_spy
def test_a_real_run_profiles_the_parent_and_its_workers(tiny_bundle_path: Path, tmp_path: Path) -> None:
    raw = tmp_path / "stacks.raw"
    raw.write_text("stale stacks of an earlier run 1\n")  # must not be read as this run's
    # Enough articles that the workers live for seconds: py-spy finds child processes by polling,
    # and on a quiet machine 400 tiny-model articles were done before it looked.
    result = CliRunner().invoke(main, ["--jobs", "2", "--articles", "4000", "--rate", "500",
                                       "--model", str(tiny_bundle_path), "--raw", str(raw)])
    if result.exit_code and "ermission" in result.output:  # py-spy needs ptrace, which some sandboxes forbid
        pytest.skip(f"py-spy cannot sample here: {result.output.strip()[-200:]}")
    assert result.exit_code == 0, result.output
    with open(raw, encoding="utf-8") as fh:
        processes = summarize(fh)
    assert [p.child for p in processes] == [False, True, True]
    assert all(p.stages["tag_many"] > 0 for p in processes[1:])
    assert "worker" in result.output and "n-gram counts" in result.output


@pytest.mark.slow
@needs_py_spy
def test_a_failed_tagger_run_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--jobs", "1", "--articles", "20", "--model", str(tmp_path / "absent.joblib")])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a traceback
    assert "tagged 0 of 20 articles" in result.output
