"""Normalisation and tokenisation."""
from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from underthesea.pipeline.text_normalize.token_normalize import token_normalize

from conftest import TEST_DATA
from model.text import _WordCache, normalize, split_tokens, syllables, tokenize, words


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


# --- normalize's fast path against the per-word callback it replaced ------------

def _normalize_one_word_at_a_time(text: str) -> str:
    """`normalize` as it was: underthesea's token normaliser called on every word by `re.sub`."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]", " ", text)
    text = re.sub(r"\w+", lambda m: token_normalize(m.group()), text)
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


# Words the token normaliser changes (old tone placement, misspellings, "ð"), words
# it leaves, and the spaces and controls the tidying handles.
_PIECES = ["hoà", "Hoà", "thuỷ", "Uỷ", "khoẻ", "qui", "nghành", "ðiện", "ÐÀ", "Việt", "Nam", "5G", "hòa",
           "hoàhoà", "trí_tuệ", "2.5G", " ", "  ", "\t", "\r\n", "\n", "\f", "\v", "\x00", "\u200b", "\xa0",
           ",", ".", "\u0300", "\ud800", "ỲY", "Ỳ"]
_texts = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(_texts)
def test_normalize_equals_one_word_at_a_time(text: str) -> None:
    for source in (text, unicodedata.normalize("NFD", text)):
        assert normalize(source) == _normalize_one_word_at_a_time(source)


def test_normalize_equals_one_word_at_a_time_on_articles() -> None:
    rows = [json.loads(line) for line in (TEST_DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines()]
    texts = [r.get(k) or "" for r in rows for k in ("title", "lead", "body")]
    texts += [f"hoà{space}bình" for space in (" ", "  ", "\t", "\r", "\f", "\v", "\r\n", "\n")]
    texts.append("Toà án tỉnh Khánh Hoà xử vụ tin tặc;  thuỷ điện\tHoà Bình ðã khoẻ lại.\n")
    for text in texts:
        assert normalize(text) == _normalize_one_word_at_a_time(text)
    assert normalize(texts[-1]) == "Tòa án tỉnh Khánh Hòa xử vụ tin tặc; thủy điện Hòa Bình đã khỏe lại."


def test_word_cache_starts_afresh_when_full() -> None:
    cache = _WordCache(limit=3)
    assert list(cache.normalized(["hoà", "Việt", "hoà"])) == ["hòa", "Việt", "hòa"]
    first = cache.table
    assert list(cache.normalized(["thuỷ", "khoẻ"])) == ["thủy", "khỏe"]  # 2 + 2 words > 3: a new table
    assert cache.table is not first and set(cache.table) == {"thuỷ", "khoẻ"}
    assert set(first) == {"hoà", "Việt"}  # left whole for whoever still reads it
