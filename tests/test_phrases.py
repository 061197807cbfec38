"""The trie-built phrase regex: same matches as a longest-first alternation."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from model.phrases import phrase_pattern

PHRASES = ["hàn", "hàn quốc", "nhật", "nhật bản", "chip", "sản xuất chip", "5g", "ai"]


def naive(phrases: list[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")


def test_longest_phrase_wins_and_words_stay_whole() -> None:
    text = "hàn quốc và nhật bản; nhật; sản xuất chipset; sản xuất chip; 5g; trai"
    assert [m.group() for m in phrase_pattern(PHRASES).finditer(text)] == [
        "hàn quốc", "nhật bản", "nhật", "sản xuất chip", "5g"]


def test_no_phrases_matches_nothing() -> None:
    assert phrase_pattern([]).search("anything") is None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PHRASES + ["và", "quốc", "bản", "xuất", "x", " ", ",", "chipset"]), max_size=30))
def test_agrees_with_a_plain_alternation(words: list[str]) -> None:
    text = " ".join(words)
    fast = [m.span() for m in phrase_pattern(PHRASES).finditer(text)]
    slow = [m.span() for m in naive(PHRASES).finditer(text)]
    assert fast == slow
