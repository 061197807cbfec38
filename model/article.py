"""The article record every entry point accepts."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from model.errors import InputError

MAX_FIELD_CHARS = 2_000_000


@dataclass(frozen=True)
class Article:
    """One article: `text` is required; `title` and `lead` may be empty."""

    text: str
    title: str = ""
    lead: str = ""
    id: str | None = None


def _string_field(record: Mapping[str, Any], name: str) -> str:
    value = record.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InputError(f"field '{name}' must be a string, not {type(value).__name__}")
    if len(value) > MAX_FIELD_CHARS:
        raise InputError(f"field '{name}' is longer than {MAX_FIELD_CHARS} characters")
    return value


def to_article(record: Article | Mapping[str, Any]) -> Article:
    """Build an `Article` from a mapping with `text` (or the data files' `body`).

    Raises
    ------
    InputError
        If the record is not a mapping, `text` is missing, empty or not a
        string, or `title`/`lead`/`id` have the wrong type.
    """
    if isinstance(record, Article):
        if not record.text.strip():
            raise InputError("field 'text' must not be empty")
        return record
    if not isinstance(record, Mapping):
        raise InputError(f"an article must be a JSON object, not {type(record).__name__}")
    key = "text" if record.get("text") is not None else "body"
    text = _string_field(record, key)
    if not text.strip():
        raise InputError("field 'text' is required and must not be empty")
    ident = record.get("id")
    if ident is not None and not isinstance(ident, (str, int)) or isinstance(ident, bool):
        raise InputError("field 'id' must be a string or an integer")
    if isinstance(ident, str):
        try:
            ident.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError("field 'id' must be valid Unicode text (it holds a lone surrogate)") from None
    return Article(
        text=text,
        title=_string_field(record, "title"),
        lead=_string_field(record, "lead"),
        id=None if ident is None else str(ident),
    )
