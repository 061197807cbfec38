"""Vietnamese text normalisation and tokenisation.

Every function here is a plain module-level function so that scikit-learn
pipelines that reference them can be pickled and loaded anywhere.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from underthesea import word_tokenize
from underthesea.pipeline.text_normalize.token_normalize import token_normalize

_WORD = re.compile(r"(\w+)")  # captured: `split` keeps the words at the odd positions
# Syllables, numbers and mixed tokens such as "5G", "TT&TT" reduced to word characters;
# a decimal stays one token ("2.5G" is a car trim, not "2" and "5g").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+\w*|\w+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
# `_SPACES.sub(" ", text)` changes `text` only where it holds one of these.
_UNTIDY_SPACES = ("  ", "\t", "\r", "\f", "\v")


class _WordCache:
    """underthesea's `token_normalize` of every word seen, in a plain dict.

    It is pure, so its answer can be kept; looking a whole text's words up with
    C-level `set` and `map` calls costs far less than one Python callback per
    word. When full, the table is replaced rather than cleared, so a thread
    still reading the old one finds every word it asked for.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.table: dict[str, str] = {}

    def normalized(self, words: list[str]) -> Iterator[str]:
        """`token_normalize(w)` for each of `words`, in order."""
        table = self.table
        missing = set(words).difference(table)
        if missing:
            if len(table) + len(missing) > self.limit:
                table = self.table = {}
            table.update({w: token_normalize(w) for w in missing})
        return map(table.__getitem__, words)


_WORD_CACHE = _WordCache(limit=262_144)


def normalize(text: str) -> str:
    """Return `text` in NFC with one tone-mark placement and tidy whitespace.

    Control characters and lone surrogates are dropped; words keep their case
    and their order, so offsets into the result can be shown to a reader.
    """
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    # underthesea's token normaliser fixes tone-mark placement ("hoà" -> "hòa")
    # and common misspellings, one word at a time.
    parts = _WORD.split(text)
    parts[1::2] = _WORD_CACHE.normalized(parts[1::2])
    text = "".join(parts)
    # The token normaliser can return decomposed letters ("ỲY" cases): recompose.
    text = unicodedata.normalize("NFC", text)
    if any(s in text for s in _UNTIDY_SPACES):  # substring tests cost far less than a match per space
        text = _SPACES.sub(" ", text)
    return text.strip()


def syllables(text: str) -> list[str]:
    """Lower-cased syllables (word characters) of already normalised text."""
    return _TOKEN.findall(text.lower())


def words(text: str) -> list[str]:
    """Lower-cased words of already normalised text, segmented by underthesea.

    The syllables of a multi-syllable word are joined with ``_``
    ("trí_tuệ nhân_tạo"); punctuation tokens are dropped.
    """
    if not text.strip():
        return []
    segmented = word_tokenize(text, format="text", use_token_normalize=False)
    return [t for t in segmented.lower().split() if _TOKEN.search(t)]


TOKENIZERS = {"syllable": syllables, "word": words}


def tokenize(text: str, tokenizer: str = "syllable") -> list[str]:
    """Tokenise normalised text with the named tokenizer.

    Raises
    ------
    ValueError
        If `tokenizer` is not one of ``TOKENIZERS``.
    """
    try:
        return TOKENIZERS[tokenizer](text)
    except KeyError:
        raise ValueError(f"unknown tokenizer {tokenizer!r}; use one of {sorted(TOKENIZERS)}") from None


def split_tokens(text: str) -> list[str]:
    """Split a space-joined token string (the vectorisers' tokenizer)."""
    return text.split()


def warm_up() -> None:
    """Load underthesea's segmentation model now rather than on the first article."""
    words("Việt Nam và Nhật Bản hợp tác về trí tuệ nhân tạo.")
