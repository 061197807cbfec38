"""Normalisation and tokenisation."""
from __future__ import annotations

import unicodedata

import pytest

from model.text import normalize, split_tokens, syllables, tokenize, words


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà bình", "hòa bình"),          # new-style tone placement -> one form
        ("Thuỷ lợi", "Thủy lợi"),
        ("  nhiều   khoảng\ttrắng ", "nhiều khoảng trắng"),
        ("a\x00b\u200bc", "a b c"),          # control and zero-width characters
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_normalize_decomposed_input_is_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Việt Nam hợp tác")
    assert decomposed != "Việt Nam hợp tác"
    assert normalize(decomposed) == "Việt Nam hợp tác"


def test_both_tone_placements_give_the_same_tokens() -> None:
    assert syllables(normalize("Hoà hợp, thuỷ lợi")) == syllables(normalize("Hòa hợp, thủy lợi"))


def test_normalize_drops_lone_surrogates() -> None:
    assert "\ud800" not in normalize("a\ud800b")


def test_syllables_lowercase_and_drop_punctuation() -> None:
    assert syllables("Mạng 5G, AI!") == ["mạng", "5g", "ai"]


def test_syllables_keep_decimals_whole() -> None:
    assert syllables("Camry 2.5G giá 1.000 USD, tăng 16,5%") == ["camry", "2.5g", "giá", "1.000", "usd", "tăng", "16,5"]


def test_words_join_syllables_of_a_word() -> None:
    tokens = words(normalize("Trí tuệ nhân tạo phát triển tại Nhật Bản."))
    assert "nhật_bản" in tokens
    assert all(t == t.lower() for t in tokens)
    assert "." not in tokens


def test_words_of_blank_text() -> None:
    assert words("   ") == []


def test_tokenize_dispatch_and_unknown_tokenizer() -> None:
    assert tokenize("Việt Nam", "syllable") == ["việt", "nam"]
    with pytest.raises(ValueError, match="unknown tokenizer"):
        tokenize("x", "letters")


def test_split_tokens() -> None:
    assert split_tokens("a  b c") == ["a", "b", "c"]
