"""`bench.cost`'s helpers: the WSGI request it times, reading callgrind's count, the batch sizes."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import pytest

from bench.cost import (batch_cpu_ms, callable_for, callgrind_command, callgrind_total, parse_sizes,
                        wsgi_environ)


def test_callgrind_total_reads_the_totals_line() -> None:
    text = "version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 1234567\nfn=x\n1 5\ntotals: 1234567\n"
    assert callgrind_total(text) == 1234567
    with pytest.raises(ValueError, match="no totals"):
        callgrind_total("events: Ir\n")


def test_callgrind_counts_only_inside_reduce(tmp_path: Path) -> None:
    command = callgrind_command("wsgi", tmp_path / "m.joblib", 30, tmp_path / "out")
    assert command[:4] == ["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=functools_reduce"]
    assert command[5:] == [sys.executable, "-m", "bench.cost", "--inside-callgrind", "wsgi",
                           "--model", str(tmp_path / "m.joblib"), "--calls", "30"]


def test_wsgi_environ_posts_the_body() -> None:
    environ = wsgi_environ(b'{"text": "x"}')
    assert (environ["REQUEST_METHOD"], environ["PATH_INFO"], environ["CONTENT_LENGTH"]) == ("POST", "/v1/tag", "13")
    assert environ["wsgi.input"].read() == b'{"text": "x"}'


def test_the_timed_calls_tag_the_article(tiny_bundle_path: Path) -> None:
    answer = json.loads(callable_for("wsgi", tiny_bundle_path)())
    assert set(answer) >= {"countries", "topics", "cooperation", "scores"}
    assert set(callable_for("tag", tiny_bundle_path)()) == set(answer)
    with pytest.raises(ValueError, match="unknown target"):
        callable_for("batch", tiny_bundle_path)


def test_batch_cpu_ms_calls_tag_many_in_pieces_of_each_size_in_turn() -> None:
    calls: list[int] = []
    runs = batch_cpu_ms(lambda chunk: calls.append(len(chunk)), [{"id": str(i)} for i in range(5)], [2, 5], 2)
    assert calls == [2, 2, 1, 5, 2, 2, 1, 5]
    assert set(runs) == {2, 5} and all(len(r) == 2 and all(ms >= 0 for ms in r) for r in runs.values())


def test_batch_sizes_are_positive_numbers() -> None:
    assert parse_sizes("25, 100,200") == [25, 100, 200]
    for bad in ("", "0", "25,x", "-5"):
        with pytest.raises(click.BadParameter):
            parse_sizes(bad)


def test_batch_sizes_do_not_mix_with_the_per_request_options() -> None:
    from click.testing import CliRunner

    from bench.cost import main
    result = CliRunner().invoke(main, ["--batch-sizes", "25,200", "--callgrind"])
    assert result.exit_code == 2 and "leave out --callgrind and --calls" in result.output
