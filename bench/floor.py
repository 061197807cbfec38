"""Section 1, the floor: underthesea's `word_tokenize` alone on the sample's texts.

Whatever the tagger does, a word-segmenting tagger cannot be faster than this;
the shipped model segments by regex instead, so it may well beat it.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from underthesea import word_tokenize

from bench.sample import Article, full_text
from bench.stats import median, repeat_timed


def tokenize_all(texts: Sequence[str]) -> None:
    for text in texts:
        word_tokenize(text)


def run_floor(articles: Sequence[Article], repeats: int) -> dict[str, Any]:
    """Articles/s and kchar/s of `word_tokenize` over `articles`, median of `repeats` runs.

    The warm-up (a tenth of the texts) loads underthesea's model before timing.
    """
    texts = [full_text(a) for a in articles]
    chars = sum(len(t) for t in texts)
    runs = repeat_timed(lambda: tokenize_all(texts), repeats,
                        warm_up=lambda: tokenize_all(texts[:max(1, len(texts) // 10)]))
    seconds = median(runs)
    return {
        "articles": len(texts),
        "chars": chars,
        "runs_s": runs,
        "seconds": seconds,
        "articles_per_s": len(texts) / seconds,
        "kchar_per_s": chars / seconds / 1000,
    }
