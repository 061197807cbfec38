"""Vietnamese text normalisation and tokenisation.

Every function here is a plain module-level function so that scikit-learn
pipelines that reference them can be pickled and loaded anywhere.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from underthesea import word_tokenize
from underthesea.pipeline.text_normalize.token_normalize import token_normalize

_WORD = re.compile(r"\w+")
# Syllables, numbers and mixed tokens such as "5G", "TT&TT" reduced to word characters;
# a decimal stays one token ("2.5G" is a car trim, not "2" and "5g").
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+\w*|\w+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")


@lru_cache(maxsize=262_144)
def _normalize_token(token: str) -> str:
    # underthesea's token normaliser fixes tone-mark placement ("hoà" -> "hòa")
    # and common misspellings; it is pure, so caching it is safe and fast.
    return token_normalize(token)


def normalize(text: str) -> str:
    """Return `text` in NFC with one tone-mark placement and tidy whitespace.

    Control characters and lone surrogates are dropped; words keep their case
    and their order, so offsets into the result can be shown to a reader.
    """
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = _WORD.sub(lambda m: _normalize_token(m.group()), text)
    # The token normaliser can return decomposed letters ("ỲY" cases): recompose.
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", text).strip()


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
