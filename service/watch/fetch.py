"""Fetch one feed: HTTP(S) with a timeout, a polite User-Agent and a conditional GET
(ETag / Last-Modified), or a local file (its modification time stands for Last-Modified).

Never raises for a failing feed: the outcome says what went wrong, so one bad feed
cannot stop the others.
"""
from __future__ import annotations

import http.client
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlsplit

MAX_FEED_BYTES = 20_000_000


def user_agent() -> str:
    """`vn-tech-tagger/VERSION (tagger watch; news monitoring)`."""
    try:
        version = metadata.version("vn-tech-tagger")
    except metadata.PackageNotFoundError:
        version = "dev"
    return f"vn-tech-tagger/{version} (tagger watch; news monitoring)"


@dataclass
class Fetched:
    """One fetch: `body` is None when the feed was not modified (304) or failed
    (`error` then says why); `etag`/`modified` are the validators to send next time."""

    feed: str
    body: bytes | None = None
    etag: str | None = None
    modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    latency_ms: float = 0.0


def local_path(feed: str) -> Path | None:
    """The file a feed names (a path or a file:// URL), or None for http(s)."""
    parts = urlsplit(feed)
    if parts.scheme in ("http", "https"):
        return None
    return Path(unquote(parts.path)) if parts.scheme == "file" else Path(feed)


def fetch(feed: str, etag: str | None, modified: str | None, timeout: float) -> Fetched:
    """Fetch `feed`, sending `etag`/`modified` as If-None-Match / If-Modified-Since."""
    started = time.perf_counter()
    path = local_path(feed)
    result = _read_file(feed, path, modified) if path is not None else _get(feed, etag, modified, timeout)
    result.latency_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def _read_file(feed: str, path: Path, modified: str | None) -> Fetched:
    try:
        stamp = str(path.stat().st_mtime_ns)
        if stamp == modified:
            return Fetched(feed, modified=stamp, not_modified=True)
        return Fetched(feed, body=path.read_bytes(), modified=stamp)
    except OSError as exc:
        return Fetched(feed, error=f"cannot read the file: {exc.strerror or exc}")


def _get(feed: str, etag: str | None, modified: str | None, timeout: float) -> Fetched:
    headers = {"User-Agent": user_agent(), "Accept": "application/rss+xml, application/atom+xml, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5", "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if modified:
        headers["If-Modified-Since"] = modified
    request = urllib.request.Request(feed, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read(MAX_FEED_BYTES + 1)
            if len(body) > MAX_FEED_BYTES:
                return Fetched(feed, error=f"the feed is larger than {MAX_FEED_BYTES} bytes")
            return Fetched(feed, body=body, etag=response.headers.get("ETag"),
                           modified=response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(feed, etag=exc.headers.get("ETag") or etag,
                           modified=exc.headers.get("Last-Modified") or modified, not_modified=True)
        return Fetched(feed, error=f"HTTP {exc.code} {exc.reason}")
    except (TimeoutError, socket.timeout):
        return Fetched(feed, error=f"timed out after {timeout:g} s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            return Fetched(feed, error=f"timed out after {timeout:g} s")
        return Fetched(feed, error=f"cannot connect: {reason}")
    except (OSError, ValueError, http.client.HTTPException) as exc:  # a reset connection, a truncated body, a bad URL
        return Fetched(feed, error=f"{type(exc).__name__}: {exc}")
