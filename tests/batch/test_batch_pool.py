"""The `--jobs N` pool: workers forked from the process that loaded the tagger."""
from __future__ import annotations

from pathlib import Path

import pytest
from threadpoolctl import threadpool_info

from model.tagger import Tagger
from service.batch import Pending, PoolEngine, SerialEngine, chunked, pool_start_method

from batch.helpers import articles


def _pending(n: int) -> list[Pending]:
    return [Pending("in.jsonl", i + 1, a["id"], {k: str(v) for k, v in a.items()}) for i, a in enumerate(articles(n))]


def _run(engine, pending: list[Pending]) -> list[object]:
    with engine:
        return [outcome for _, outcomes in engine.map(chunked(pending, 4)) for outcome in outcomes]


def _threads() -> list[int]:
    return sorted(pool["num_threads"] for pool in threadpool_info())


def test_fork_is_the_start_method_on_linux() -> None:
    assert pool_start_method() == "fork"


def test_forked_workers_tag_with_the_inherited_tagger(tiny_tagger: Tagger, tmp_path: Path) -> None:
    # No bundle at this path: forked workers must not load one, they use the parent's.
    pending = _pending(18)
    forked = _run(PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=True), pending)
    assert forked == _run(SerialEngine(tiny_tagger, explain=True), pending)


@pytest.mark.slow
def test_spawned_workers_load_the_bundle_and_tag_the_same(tiny_tagger: Tagger, tiny_bundle_path: Path) -> None:
    pending = _pending(10)
    spawned = _run(PoolEngine(tiny_tagger, tiny_bundle_path, jobs=2, explain=False, method="spawn"), pending)
    assert spawned == _run(SerialEngine(tiny_tagger, explain=False), pending)


def test_pool_restores_the_thread_limits(tiny_tagger: Tagger, tmp_path: Path) -> None:
    before = _threads()
    if not before or max(before) == 1:
        pytest.skip("no numeric thread pool with more than one thread to limit")
    engine = PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False)
    with engine:
        assert all(n == 1 for n in _threads())
    assert _threads() == before
