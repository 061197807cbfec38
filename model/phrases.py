"""A regex that finds any of many phrases quickly.

Python's `re` tries the branches of an alternation one by one at every
position, so a plain ``a|b|c|...`` of a few hundred phrases is slow on long
articles. Built from a character trie, the pattern shares prefixes and only
follows branches whose first letter matches.
"""
from __future__ import annotations

import re


def _trie(phrases: list[str]) -> dict:
    root: dict = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = True  # end of a phrase
    return root


def _pattern(node: dict) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _pattern(child) for ch, child in sorted(node.items()) if ch != ""]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    # Greedy and optional where a phrase may end here: the longest phrase wins,
    # and backtracking falls back to a shorter one at a word boundary.
    return f"(?:{body})?" if ends else body


def phrase_pattern(phrases: list[str], flags: int = 0) -> re.Pattern[str]:
    """Compiled regex matching any of `phrases` as whole words, longest first.

    A phrase right after a number's decimal point is not a word ("5G" in
    "2.5G"). With `re.IGNORECASE`, pass the phrases lower-cased.
    """
    unique = sorted(set(p for p in phrases if p))
    if not unique:
        return re.compile(r"(?!x)x")
    return re.compile(rf"(?<!\w)(?<!\d[.,]){_pattern(_trie(unique))}(?!\w)", flags)
