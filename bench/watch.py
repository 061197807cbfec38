"""Section 7, watch: one `tagger watch` cycle over 50 local feeds of 100 items each.

The feeds are RSS files written from the sample (each article's title and the
first 300 characters of its text as the summary, as feed items have), so the
cycle reads, parses, dedups, tags, appends to a JSONL archive and commits the
state of 5,000 new items. The bundle is loaded before the clock starts.
"""
from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from email.utils import formatdate
from pathlib import Path
from typing import Any

from bench.sample import Article
from model.bundle import load_bundle
from service.watch.loop import Options, run_watch
from service.watch.parse import parse_feed

FEEDS, ITEMS_PER_FEED, SUMMARY_CHARS = 50, 100, 300
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters some pool texts hold


def xml_text(text: str) -> str:
    return _NOT_XML.sub(" ", text)


def write_feed(path: Path, number: int, articles: Sequence[Article]) -> Path:
    """An RSS 2.0 file of `articles`, each with a guid unique to this feed."""
    rss = ET.Element("rss", version="2.0")
    channel = ET.SubElement(rss, "channel")
    ET.SubElement(channel, "title").text = f"Bench feed {number}"
    for i, article in enumerate(articles):
        entry = ET.SubElement(channel, "item")
        ET.SubElement(entry, "title").text = xml_text(article.get("title") or "")
        ET.SubElement(entry, "guid").text = f"bench-{number}-{i}"
        ET.SubElement(entry, "pubDate").text = formatdate(1_772_000_000 + 3600 * i, usegmt=True)
        ET.SubElement(entry, "description").text = xml_text((article.get("text") or "")[:SUMMARY_CHARS])
    ET.ElementTree(rss).write(path, encoding="utf-8", xml_declaration=True)
    return path


def run_watch_bench(articles: Sequence[Article], model: Path, workdir: Path,
                    say: Callable[[str], None]) -> dict[str, Any]:
    """Seconds and items/s of one cycle (fetch, parse, tag, archive, commit), and of parsing alone;
    said as one line too (the table has no block for it)."""
    folder = workdir / "watch"
    folder.mkdir()
    paths = [write_feed(folder / f"feed-{n:02d}.xml", n,
                        [articles[(n * ITEMS_PER_FEED + i) % len(articles)] for i in range(ITEMS_PER_FEED)])
             for n in range(FEEDS)]
    started = time.perf_counter()
    parsed = sum(len(parse_feed(p.read_bytes(), str(p))) for p in paths)
    parse_s = time.perf_counter() - started
    tagger = load_bundle(model)
    options = Options([str(p) for p in paths], folder / "archive.jsonl", [], 600.0, True, 20.0, 8)
    started = time.perf_counter()
    reports = run_watch(options, tagger)
    seconds = time.perf_counter() - started
    new = sum(r.new for r in reports)
    if new != FEEDS * ITEMS_PER_FEED or parsed != new:
        raise RuntimeError(f"the cycle archived {new} items of {FEEDS * ITEMS_PER_FEED}")
    say(f"section 7: one watch cycle, {FEEDS} feeds x {ITEMS_PER_FEED} items: {seconds:.2f} s, "
        f"{new / seconds:,.0f} items/s tagging included (parsing alone {parsed / parse_s:,.0f} items/s)")
    return {"feeds": FEEDS, "items": new, "seconds": seconds, "items_per_s": new / seconds,
            "parse_s": parse_s, "parse_items_per_s": parsed / parse_s}
