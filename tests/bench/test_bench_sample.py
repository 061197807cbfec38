"""Choosing and shaping the benchmark's articles."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from bench.sample import (article_chars, closest_in_size, cut_into, every_kth, full_text, generated_sample,
                          load_sample, median_chars, request_bytes, write_jsonl)


@pytest.mark.parametrize(("n_lines", "n", "expected"), [
    (10, 5, [0, 2, 4, 6, 8]),
    (10, 3, [0, 3, 6]),
    (3, 5, [0, 1, 2]),  # fewer than asked: all of them
])
def test_every_kth(n_lines: int, n: int, expected: list[int]) -> None:
    assert every_kth(list(range(n_lines)), n) == expected


def test_generated_sample_is_deterministic_and_vietnamese_looking() -> None:
    first, again = generated_sample(20), generated_sample(20)
    assert first == again
    assert generated_sample(20, seed=1) != first
    assert len({a["id"] for a in first}) == 20
    assert all(a["text"].strip() and a["title"] for a in first)
    assert any(ch in "ạảãàáâậầấẩẫăắằặẳẵđêềếệểễôồốộổỗơờớợởỡưừứựửữ" for ch in first[0]["text"])
    assert 1000 < median_chars(generated_sample(200)) < 5000


def test_load_sample_reads_every_kth_of_the_pool_or_falls_back(tmp_path: Path) -> None:
    pool = tmp_path / "pool.jsonl.gz"
    with gzip.open(pool, "wt", encoding="utf-8") as fh:
        for i in range(10):
            fh.write(json.dumps({"id": i, "title": f"t{i}", "lead": None, "body": f"thân bài {i}"}) + "\n")
    sample = load_sample(5, pool)
    assert sample.source.startswith("pool")
    assert [a["id"] for a in sample.articles] == ["0", "2", "4", "6", "8"]
    assert sample.articles[0] == {"id": "0", "title": "t0", "lead": "", "text": "thân bài 0"}
    missing = load_sample(5, tmp_path / "absent.jsonl.gz")
    assert missing.source.startswith("generated") and len(missing.articles) == 5


def test_cut_into_gives_equal_pieces_of_the_same_text() -> None:
    articles = [{"text": "a" * 30}, {"text": "b" * 30}]
    pieces = cut_into(articles, 4, 10)
    assert [len(p["text"]) for p in pieces] == [10] * 4
    assert "".join(p["text"] for p in pieces) == ("a" * 30 + "\n" + "b" * 30)[:40]
    longer = cut_into(articles, 3, 100)  # more than there is: the text repeats
    assert [len(p["text"]) for p in longer] == [100] * 3
    with pytest.raises(ValueError):
        cut_into([], 1, 10)


def test_sizes_and_choosing_the_rest_article(tmp_path: Path) -> None:
    articles = [{"id": str(n), "title": "T", "lead": "", "text": "ơ" * n} for n in (100, 1000, 2000)]
    assert article_chars(articles[0]) == 101
    assert full_text({"title": "T", "lead": "", "text": "x"}) == "T\nx"
    assert request_bytes(articles[1]) > 2000  # "ơ" is two bytes in UTF-8
    assert closest_in_size(articles, 2100)["id"] == "1000"
    path = write_jsonl(articles, tmp_path / "s.jsonl")
    assert [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] == articles
