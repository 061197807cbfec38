"""The FEEDS file: one feed URL or local path a line, `#` comments, blank lines ignored."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from model.errors import TaggerError

SCHEMES = ("http", "https", "file")


class WatchError(TaggerError):
    """`tagger watch` cannot start or go on: a bad feeds file, rules file or archive."""


def read_feeds(path: Path) -> list[str]:
    """The feeds named in `path`, in order, each once.

    A line is an http(s) URL, a file:// URL or a local path (relative paths are
    taken from the feeds file's folder). A line starting with `#`, and text
    after ` #`, are comments.

    Raises
    ------
    WatchError
        If the file cannot be read, is not UTF-8, names an unsupported scheme
        (ftp://...) or names no feed at all.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise WatchError(f"cannot read the feeds file {path}: {exc}") from None
    feeds: list[str] = []
    for number, line in enumerate(lines, 1):
        entry = line.strip()
        if entry.startswith("#"):
            continue
        entry = entry.split(" #", 1)[0].split("\t#", 1)[0].strip()  # a URL's own #fragment stays
        if not entry:
            continue
        scheme = urlsplit(entry).scheme.lower()
        if "://" in entry and scheme not in SCHEMES:
            raise WatchError(f"{path}, line {number}: unsupported feed address {entry!r} (use http, https, "
                             "file:// or a local path)")
        if "://" not in entry:
            entry = str((path.parent / entry).resolve())
        if entry not in feeds:
            feeds.append(entry)
    if not feeds:
        raise WatchError(f"the feeds file {path} names no feed (one URL or path a line, # for comments)")
    return feeds
