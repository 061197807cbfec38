"""The `--jobs N` pool: workers forked from the process that loaded the tagger."""
from __future__ import annotations

import gc
from pathlib import Path

import pytest
from threadpoolctl import threadpool_info

from model.tagger import Tagger
from service.batch_engines import SerialEngine
from service.batch_inputs import chunked
from service.batch_job import Pending
from service.batch_pool import PIECE, PoolEngine, piece_size, pool_start_method, with_last

from batch.helpers import articles


def _pending(n: int) -> list[Pending]:
    return [Pending("in.jsonl", i + 1, a["id"], {k: str(v) for k, v in a.items()}) for i, a in enumerate(articles(n))]


def _run(engine, pending: list[Pending], size: int = 4) -> list[object]:
    with engine:
        return [outcome for _, outcomes in engine.map(chunked(pending, size)) for outcome in outcomes]


def _threads() -> list[int]:
    return sorted(pool["num_threads"] for pool in threadpool_info())


def test_fork_is_the_start_method_on_linux() -> None:
    assert pool_start_method() == "fork"


def test_forked_workers_tag_with_the_inherited_tagger(tiny_tagger: Tagger, tmp_path: Path) -> None:
    # No bundle at this path: forked workers must not load one, they use the parent's.
    pending = _pending(18)
    forked = _run(PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=True), pending)
    assert forked == _run(SerialEngine(tiny_tagger, explain=True), pending)


def test_chunks_larger_than_a_piece_come_back_whole_and_in_order(tiny_tagger: Tagger, tmp_path: Path) -> None:
    # Chunks are split into pieces across the workers and put back together.
    pending = _pending(2 * PIECE + 7)
    engine = PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False)
    with engine:
        pairs = list(engine.map(chunked(pending, PIECE + 3)))
    assert [len(chunk) for chunk, _ in pairs] == [len(outcomes) for _, outcomes in pairs] == [PIECE + 3, PIECE + 3, 1]
    forked = [outcome for _, outcomes in pairs for outcome in outcomes]
    assert forked == _run(SerialEngine(tiny_tagger, explain=False), pending)
    assert [o["id"] for o in forked] == [p.id for p in pending]  # type: ignore[index]


def test_each_chunk_is_one_piece_per_worker_and_the_last_is_cut_finer(tiny_tagger: Tagger, tmp_path: Path) -> None:
    engine = PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False)
    sent: list[int] = []
    with engine:
        assert engine.pool is not None
        submit = engine.pool.submit
        engine.pool.submit = lambda fn, articles, explain: (sent.append(len(articles)), submit(fn, articles, explain))[1]
        pairs = list(engine.map(chunked(_pending(3 * 4 * PIECE), 4 * PIECE)))
    assert sent == [2 * PIECE] * 4 + [PIECE] * 4
    assert [len(outcomes) for _, outcomes in pairs] == [4 * PIECE] * 3


def test_piece_size_is_a_share_per_worker_except_in_the_last_chunk() -> None:
    assert piece_size(200, 2, last=False) == 100
    assert piece_size(201, 2, last=False) == 101  # rounded up: never a third, tiny piece
    assert piece_size(200, 4, last=False) == 50
    assert piece_size(200, 16, last=False) == PIECE  # many jobs: never smaller calls than the last chunk's
    assert piece_size(10, 16, last=False) == 10
    assert piece_size(200, 2, last=True) == PIECE
    assert piece_size(10, 2, last=True) == 5  # a small last chunk is still shared
    assert piece_size(1, 8, last=False) == piece_size(1, 8, last=True) == 1


def test_with_last_flags_only_the_last_item_and_reads_one_ahead() -> None:
    assert list(with_last([])) == []
    assert list(with_last(["a"])) == [("a", True)]
    assert list(with_last("abc")) == [("a", False), ("b", False), ("c", True)]
    read: list[int] = []

    def items():
        for i in range(5):
            read.append(i)
            yield i
    flagged = with_last(items())
    assert next(flagged) == (0, False)
    assert read == [0, 1]  # the next chunk is read, no more: input stays streamed


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


def test_pool_freezes_the_loaded_model_while_its_workers_run_and_gives_it_back(
        tiny_tagger: Tagger, tmp_path: Path) -> None:
    gc.unfreeze()
    engine = PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False)
    with engine:
        assert gc.get_freeze_count() > 0  # frozen before the fork
        list(engine.map(chunked(_pending(4), 2)))
    assert gc.get_freeze_count() == 0


def test_pool_leaves_a_freeze_it_did_not_make(tiny_tagger: Tagger, tmp_path: Path) -> None:
    gc.freeze()  # as `tagger serve`, or a caller of its own, may have done
    try:
        frozen = gc.get_freeze_count()
        with PoolEngine(tiny_tagger, tmp_path / "absent.joblib", jobs=2, explain=False):
            pass
        assert gc.get_freeze_count() >= frozen > 0
    finally:
        gc.unfreeze()
