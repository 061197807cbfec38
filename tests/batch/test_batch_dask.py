"""The dask engine on a LocalCluster writes what the local engine writes."""
from __future__ import annotations

from pathlib import Path

import pytest

from batch.helpers import Tag, articles, write_jsonl

pytest.importorskip("distributed")


def test_dask_local_cluster_writes_what_one_job_writes(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [*articles(20), {"id": "bad"}, *articles(25)[20:]])
    one = tag(str(source), "-o", str(tmp_path / "one.jsonl"), "--chunk-size", "3", "--explain")
    dask = tag(str(source), "-o", str(tmp_path / "dask.jsonl"), "--chunk-size", "3", "--explain",
               "--engine", "dask", "--jobs", "2")
    assert one.exit_code == 2, one.output
    assert dask.exit_code == 2, dask.output
    assert (tmp_path / "dask.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert (tmp_path / "dask.jsonl.errors.jsonl").read_bytes() == (tmp_path / "one.jsonl.errors.jsonl").read_bytes()
    assert _summary(dask.stderr).replace("dask.jsonl", "one.jsonl") == _summary(one.stderr)


def _summary(stderr: str) -> str:
    """The counts line of `tagger tag`'s summary (the time line after it differs from run to run)."""
    return next(line for line in stderr.splitlines() if line.startswith("tagged "))


def test_dask_resume_appends_like_the_local_engine(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles(20))
    full = tmp_path / "full.jsonl"
    assert tag(str(source), "-o", str(full), "--chunk-size", "4").exit_code == 0
    out = tmp_path / "out.jsonl"
    lines = full.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:7]) + lines[7][:10])
    result = tag(str(source), "-o", str(out), "--chunk-size", "4", "--resume", "--engine", "dask", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == full.read_bytes()


def test_a_worker_that_cannot_load_the_bundle_stops_the_start(tmp_path: Path) -> None:
    from service.batch_job import BatchError
    from service.batch_dask import DaskEngine

    engine = DaskEngine(tmp_path / "absent.joblib", jobs=1, scheduler=None, explain=False)
    with pytest.raises(BatchError, match="a dask worker could not load the bundle .*no model bundle at"):
        engine.__enter__()
    assert engine.client is None and engine.cluster is None
