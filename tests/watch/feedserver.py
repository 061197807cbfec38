"""A loopback HTTP server for the watch tests: serves feeds (RSS, Atom, broken ones) with
ETag / Last-Modified, counts requests and conditional hits, and receives webhook POSTs."""
from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

import datetime as dt

WRITTEN_ITEMS = [  # short items written for these tests (the real ones come from ../shared/data)
    {"title": "Việt Nam và Nhật Bản ký thỏa thuận hợp tác bán dẫn",
     "body": "Bộ Khoa học và Công nghệ ký với một tập đoàn Nhật Bản thỏa thuận đào tạo kỹ sư thiết kế chip."},
    {"title": "Doanh nghiệp Hàn Quốc mở trung tâm trí tuệ nhân tạo ở Hà Nội",
     "body": "Một công ty Hàn Quốc mở trung tâm nghiên cứu trí tuệ nhân tạo, tuyển 200 kỹ sư Việt Nam."},
    {"title": "Giá rau xanh tăng sau mưa lớn", "body": "Giá rau ở các chợ Hà Nội tăng mạnh sau đợt mưa lớn."},
    {"title": "Tin tặc tấn công hệ thống ngân hàng", "body": "Các chuyên gia an ninh mạng cảnh báo mã độc mới."},
]


def item(ident: str, title: str, summary: str, day: int = 1, guid: bool = True, link: bool = True) -> dict[str, Any]:
    """A feed item; without guid and link its key is the hash of title and summary."""
    return {"guid": ident if guid else None, "link": f"https://news.example.invalid/{ident}.html" if link else None,
            "title": title, "summary": summary, "date": dt.datetime(2026, 3, day, 8, 0, tzinfo=dt.timezone.utc)}


def _rss_item(it: dict[str, Any]) -> str:
    link = f"<link>{escape(it['link'])}</link>" if it.get("link") else ""
    guid = f'<guid isPermaLink="false">{escape(it["guid"])}</guid>' if it.get("guid") else ""
    summary = escape("<p>" + escape(it["summary"]) + "</p>")  # escaped HTML, as real feeds send it
    return (f"<item><title>{escape(it['title'])}</title>{link}{guid}<pubDate>{format_datetime(it['date'])}</pubDate>"
            f"<description>{summary}</description></item>")


def _atom_entry(it: dict[str, Any]) -> str:
    link = f'<link href="{escape(it["link"])}"/>' if it.get("link") else ""
    stamp = it["date"].isoformat()
    return (f"<entry><title>{escape(it['title'])}</title><id>{escape(it['guid'] or it['title'])}</id>{link}"
            f"<updated>{stamp}</updated><published>{stamp}</published>"
            f'<summary type="html">{escape("<b>" + escape(it["summary"]) + "</b>")}</summary></entry>')


def rss(title: str, items: list[dict[str, Any]]) -> bytes:
    """An RSS 2.0 document."""
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>'
            "<link>https://news.example.invalid/</link><description>test feed</description>")
    return (head + "".join(map(_rss_item, items)) + "</channel></rss>\n").encode("utf-8")


def atom(title: str, items: list[dict[str, Any]]) -> bytes:
    """An Atom 1.0 document (every Atom entry has an id)."""
    head = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<title>{escape(title)}</title><id>urn:test:{escape(title)}</id><updated>2026-03-01T00:00:00Z</updated>")
    return (head + "".join(map(_atom_entry, items)) + "</feed>\n").encode("utf-8")


@dataclass
class Route:
    """What a path answers: a body with validators, or a status; `delay` before answering;
    `hold` (an Event) keeps the request waiting until it is set."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    post_statuses: list[int] = field(default_factory=list)  # for webhooks: answered in turn, then 200
    hold: threading.Event | None = None


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()  # 304s served
        self.posts: list[tuple[str, int, Any]] = []  # (path, status answered, JSON body)
        self.lock = threading.Lock()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}{path}"


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, *args: Any) -> None:
        pass

    def _route(self) -> Route | None:
        route = self.server.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.end_headers()
        return route

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.hits[self.path] += 1
        route = self._route()
        if route is None:
            return
        time.sleep(route.delay)
        etag_hit = route.etag is not None and self.headers.get("If-None-Match") == route.etag
        date_hit = route.last_modified is not None and self.headers.get("If-Modified-Since") == route.last_modified
        if route.status == 200 and (etag_hit or date_hit):
            with self.server.lock:
                self.server.conditional[self.path] += 1
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(route.status)
        self.send_header("Content-Type", route.content_type)
        self.send_header("Content-Length", str(len(route.body)))
        for name, value in (("ETag", route.etag), ("Last-Modified", route.last_modified)):
            if value:
                self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(route.body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (the timeout test)
            pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"null")
        route = self._route()
        if route is None:
            return
        if route.hold is not None:
            route.hold.wait(30)
        with self.server.lock:
            status = route.post_statuses.pop(0) if route.post_statuses else 200
            self.server.posts.append((self.path, status, body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()
