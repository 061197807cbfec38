"""Parse a fetched feed with feedparser into items: a dedup key and the fields to tag."""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import feedparser

# feedparser flags these but still parses the document correctly.
HARMLESS = ("CharacterEncodingOverride",)
_SPACES = re.compile(r"\s+")


class FeedError(ValueError):
    """A fetched document is not a usable feed (malformed XML, an HTML page...)."""


@dataclass(frozen=True)
class Item:
    """One feed item. `key` identifies it across cycles: its guid, else its link,
    else a hash of its title and summary."""

    key: str
    title: str
    text: str
    date: str | None
    source: str
    url: str | None

    def article(self) -> dict[str, str]:
        """What the tagger reads: the summary, or the title when there is none."""
        return {"id": self.key, "title": self.title, "text": self.text or self.title}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """`markup` without its tags and entities, whitespace collapsed."""
    if "<" not in markup:
        return _SPACES.sub(" ", html.unescape(markup)).strip()
    parser = _Text()
    parser.feed(markup)
    parser.close()
    return _SPACES.sub(" ", " ".join(parser.parts)).strip()


def item_key(guid: str | None, link: str | None, title: str, summary: str) -> str:
    """guid, else link, else `sha1:` + the hash of title and summary."""
    for value in (guid, link):
        if value and value.strip():
            return value.strip()
    return "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode("utf-8")).hexdigest()


def _published(entry: Any) -> str | None:
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    if not stamp:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(stamp), dt.timezone.utc).isoformat()
    except (OverflowError, ValueError):
        return None


def source_name(parsed: Any, feed: str) -> str:
    """The feed's title, else the host of its address, else the address itself."""
    title = plain_text(parsed.feed.get("title") or "")
    return title or urlsplit(feed).hostname or feed


def parse_feed(body: bytes, feed: str) -> list[Item]:
    """The items of a fetched RSS or Atom document, in document order.

    Raises
    ------
    FeedError
        If the document is not well-formed XML or is not a feed (an HTML page).
    """
    parsed = feedparser.parse(body, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version"):
        raise FeedError("not an RSS or Atom feed (an HTML page?)")
    problem = parsed.get("bozo_exception")
    if parsed.get("bozo") and type(problem).__name__ not in HARMLESS:
        raise FeedError(f"malformed feed: {problem}")
    source = source_name(parsed, feed)
    items = []
    for entry in parsed.entries:
        title = plain_text(entry.get("title") or "")
        summary = plain_text(entry.get("summary") or "")
        link = entry.get("link") or None
        items.append(Item(key=item_key(entry.get("id"), link, title, summary), title=title, text=summary,
                          date=_published(entry), source=source, url=link))
    return items
