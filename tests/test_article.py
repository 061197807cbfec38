"""Validation of one article record."""
from __future__ import annotations

import pytest

from model.article import Article, to_article
from model.errors import InputError


def test_text_or_body() -> None:
    assert to_article({"text": "Nội dung"}).text == "Nội dung"
    assert to_article({"body": "Nội dung", "id": 7}) == Article(text="Nội dung", id="7")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({}, "'text' is required"),
        ({"text": "   "}, "'text' is required"),
        ({"text": 5}, "'text' must be a string"),
        ({"text": "x", "title": ["a"]}, "'title' must be a string"),
        ({"text": "x", "id": {"a": 1}}, "'id' must be a string or an integer"),
        ({"text": "x", "id": True}, "'id' must be a string or an integer"),
        ("just a string", "must be a JSON object"),
    ],
)
def test_bad_records(record: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        to_article(record)  # type: ignore[arg-type]
