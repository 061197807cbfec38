"""Section 3, cost growth: time per kchar of `Tagger.tag` for articles 1x, 4x and 16x the median length.

Every size is cut from the same text (`bench.sample.cut_into`), so only the
length differs; a linear tagger keeps the time per kchar flat across sizes.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.sample import Article, cut_into
from bench.stats import median, ratio, timed
from model.tagger import Tagger

MULTIPLES = (1, 4, 16)


def tag_each(tagger: Tagger, articles: Sequence[Article]) -> None:
    for article in articles:
        tagger.tag(article)


def run_growth(tagger: Tagger, articles: Sequence[Article], median_chars: int, longest_pieces: int,
               repeats: int) -> dict[str, Any]:
    """Time per kchar for each multiple of `median_chars`; `longest_pieces` articles of the longest size.

    Shorter sizes get proportionally more pieces, so each size tags the same text.
    Sizes are interleaved within each repeat, so a noisy moment hits them all.
    """
    top = max(MULTIPLES)
    sets = {m: cut_into(articles, longest_pieces * top // m, m * median_chars) for m in MULTIPLES}
    tag_each(tagger, sets[1][: max(1, len(sets[1]) // 4)])  # warm-up: caches, first-call costs
    runs: dict[int, list[float]] = {m: [] for m in MULTIPLES}
    for _ in range(repeats):
        for m, pieces in sets.items():
            kchars = sum(len(p["text"]) for p in pieces) / 1000
            runs[m].append(1000 * timed(lambda: tag_each(tagger, pieces)) / kchars)
    ms_per_kchar = {m: median(r) for m, r in runs.items()}
    return {
        "median_chars": median_chars,
        "sizes": {f"{m}x": {"chars": m * median_chars, "articles": len(sets[m]), "runs_ms_per_kchar": runs[m],
                            "ms_per_kchar": ms_per_kchar[m]} for m in MULTIPLES},
        "ratios": {f"{m}x/1x": ratio(ms_per_kchar[m], ms_per_kchar[1]) for m in MULTIPLES if m != 1},
    }
