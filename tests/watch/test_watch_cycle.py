"""`tagger watch` cycles in-process: the archive, dedup, conditional GET, broken feeds, back-off."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from model.tagger import Tagger
from service.watch import archive as store
from service.parquet_parts import SCORE
from watch.conftest import real_items, written_items
from watch.feedserver import Route, atom, rss
from watch.helpers import archived, log_lines, once

ETAG = '"v1"'
MODIFIED = "Sun, 01 Mar 2026 08:00:00 GMT"


def serve_good(server, real_rows) -> tuple[list[str], list[dict]]:
    """An RSS feed of real items (ETag), an Atom feed of real and written items (Last-Modified)."""
    rss_items, atom_items = real_items(real_rows, 0, 4), real_items(real_rows, 4, 2) + written_items("w")
    server.routes["/rss.xml"] = Route(rss("Tin RSS", rss_items), etag=ETAG)
    server.routes["/atom.xml"] = Route(atom("Tin Atom", atom_items), content_type="application/atom+xml",
                                       last_modified=MODIFIED)
    return [server.url("/rss.xml"), server.url("/atom.xml")], rss_items + atom_items


@pytest.mark.parametrize("name", ["news.jsonl", "news"])
def test_a_cycle_archives_every_item_once_with_its_fields(server, real_rows, tiny_tagger: Tagger, tmp_path,
                                                          name: str) -> None:
    feeds, items = serve_good(server, real_rows)
    archive = tmp_path / name
    reports = once(feeds, archive, tiny_tagger)
    records = archived(archive)
    assert [r["id"] for r in records] == [i["guid"] for i in items]
    by_id = {i["guid"]: i for i in items}
    for record in records:
        source = by_id[record["id"]]
        assert record["title"] == source["title"]
        assert record["url"] == source["link"]
        assert record["date"] == source["date"].isoformat()
        assert record["source"] in ("Tin RSS", "Tin Atom")
        assert record["model_version"] == tiny_tagger.version
        assert set(record["scores"]) == set(tiny_tagger.labels)
        assert set(record["countries"]) <= set(tiny_tagger.labels)
    assert [(r.status, r.new, r.seen, r.failed) for r in reports.values()] == [("ok", 4, 0, 0), ("ok", 6, 0, 0)]
    again = once(feeds, archive, tiny_tagger)  # a restart: new state connection, same files
    assert [r.status for r in again.values()] == ["not-modified", "not-modified"]
    assert server.conditional == {"/rss.xml": 1, "/atom.xml": 1}
    assert len(archived(archive)) == len(items)


def test_the_parquet_parts_have_typed_columns(server, real_rows, tiny_tagger: Tagger, tmp_path) -> None:
    feeds, items = serve_good(server, real_rows)
    once(feeds, tmp_path / "news", tiny_tagger)
    parts = sorted((tmp_path / "news").iterdir())
    assert len(parts) == 1 and parts[0].name.startswith("part-") and parts[0].suffix == ".parquet"
    schema = pq.read_schema(parts[0])
    for name in ("countries", "topics", "partners"):
        assert pa.types.is_list(schema.field(name).type) and schema.field(name).type.value_type == pa.string()
    assert str(schema.field("cooperation").type) == "bool"
    assert str(schema.field("date").type) == "string"
    assert {f.name for f in schema if f.name.startswith(SCORE)} == {SCORE + label for label in tiny_tagger.labels}
    assert all(str(schema.field(SCORE + label).type) == "double" for label in tiny_tagger.labels)


def test_a_feed_whose_items_change_adds_only_the_new_ones(server, real_rows, tiny_tagger: Tagger, tmp_path) -> None:
    first, later = real_items(real_rows, 10, 3), real_items(real_rows, 12, 3)  # item 12 is in both
    server.routes["/live.xml"] = Route(rss("Tin", first))
    archive = tmp_path / "news.jsonl"
    once([server.url("/live.xml")], archive, tiny_tagger)
    server.routes["/live.xml"] = Route(rss("Tin", later))
    report = once([server.url("/live.xml")], archive, tiny_tagger)[server.url("/live.xml")]
    assert (report.new, report.seen) == (2, 1)
    assert [r["id"] for r in archived(archive)] == [i["guid"] for i in first] + [i["guid"] for i in later[1:]]


def test_items_without_guid_are_keyed_by_link_then_by_title_and_summary(server, tiny_tagger: Tagger,
                                                                        tmp_path) -> None:
    items = written_items("k")
    items[0]["guid"] = None  # keyed by its link
    items[1]["guid"] = items[1]["link"] = None  # keyed by a hash of title and summary
    server.routes["/k.xml"] = Route(rss("Tin", items))
    archive = tmp_path / "news.jsonl"
    once([server.url("/k.xml")], archive, tiny_tagger)
    ids = [r["id"] for r in archived(archive)]
    assert ids[0] == items[0]["link"]
    assert ids[1].startswith("sha1:") and len(ids[1]) == 45
    assert ids[2:] == [i["guid"] for i in items[2:]]
    server.routes["/k.xml"] = Route(rss("Tin", list(reversed(items))))  # same items, new order: nothing new
    assert once([server.url("/k.xml")], archive, tiny_tagger)[server.url("/k.xml")].seen == 4
    assert len(archived(archive)) == 4


def test_broken_feeds_are_logged_with_their_reason_and_never_stop_the_others(server, real_rows, tiny_tagger: Tagger,
                                                                            tmp_path, capsys) -> None:
    good = real_items(real_rows, 20, 3)
    server.routes.update({
        "/good.xml": Route(rss("Tin", good)),
        "/slow.xml": Route(rss("Tin", written_items("s")), delay=3.0),
        "/500.xml": Route(status=500),
        "/truncated.xml": Route(rss("Tin", written_items("t"))[:300]),
        "/page.html": Route("<!doctype html><html><body><h1>Trang chủ</h1></body></html>".encode(),
                            content_type="text/html"),
    })
    broken = {"/slow.xml": "timed out", "/500.xml": "HTTP 500", "/truncated.xml": "malformed feed",
              "/page.html": "not an RSS or Atom feed", "/absent.xml": "HTTP 404"}
    feeds = [server.url(p) for p in broken] + [server.url("/good.xml"), str(tmp_path / "missing.xml")]
    archive = tmp_path / "news.jsonl"
    reports = once(feeds, archive, tiny_tagger, timeout=1.0)
    assert [r["id"] for r in archived(archive)] == [i["guid"] for i in good]
    for path, reason in broken.items():
        assert reports[server.url(path)].status == "failed"
        assert reason in reports[server.url(path)].reason
    assert "cannot read the file" in reports[str(tmp_path / "missing.xml")].reason
    lines = {line["feed"]: line for line in log_lines(capsys.readouterr().err)}
    assert set(lines) == set(feeds)  # one line per feed
    assert lines[server.url("/500.xml")]["reason"] == "HTTP 500 Internal Server Error"
    assert lines[server.url("/good.xml")]["new"] == 3 and lines[server.url("/good.xml")]["reason"] is None
    assert all(isinstance(line["latency_ms"], float) for line in lines.values())


def test_a_failing_feed_is_retried_next_cycle_then_backs_off(server, tiny_tagger: Tagger, tmp_path) -> None:
    server.routes["/500.xml"] = Route(status=500)
    feed, archive = server.url("/500.xml"), tmp_path / "news.jsonl"
    statuses = [once([feed], archive, tiny_tagger)[feed].status for _ in range(4)]
    # failures 1 (retry next cycle), 2 (skip one cycle), then backing off, then tried again
    assert statuses == ["failed", "failed", "backing-off", "failed"]
    assert server.hits["/500.xml"] == 3
    server.routes["/500.xml"] = Route(rss("Tin", written_items("b")))
    statuses = [once([feed], archive, tiny_tagger)[feed].status for _ in range(5)]
    assert statuses == ["backing-off"] * 3 + ["ok", "ok"]  # 4 cycles after the 3rd failure, then healthy
    assert len(archived(archive)) == 4


def test_an_item_with_no_text_is_counted_failed_and_not_retried(server, tiny_tagger: Tagger, tmp_path) -> None:
    items = written_items("e")
    items[0]["title"], items[0]["summary"] = "", " "
    server.routes["/e.xml"] = Route(rss("Tin", items))
    feed, archive = server.url("/e.xml"), tmp_path / "news.jsonl"
    report = once([feed], archive, tiny_tagger)[feed]
    assert (report.new, report.failed) == (3, 1)
    assert once([feed], archive, tiny_tagger)[feed].seen == 4
    assert [r["id"] for r in archived(archive)] == [i["guid"] for i in items[1:]]


def test_local_files_are_feeds_and_unchanged_ones_are_not_read_again(tiny_tagger: Tagger, tmp_path) -> None:
    path = tmp_path / "local.xml"
    path.write_bytes(atom("Tin", written_items("l")))
    archive = tmp_path / "news"
    assert once([str(path)], archive, tiny_tagger)[str(path)].new == 4
    assert once([path.as_uri()], archive, tiny_tagger)[path.as_uri()].seen == 4  # file:// URL, same items
    assert once([str(path)], archive, tiny_tagger)[str(path)].status == "not-modified"
    assert len(archived(archive)) == 4
    assert len(list(archive.glob("*.parquet"))) == 1  # no empty parts


def test_a_half_written_parquet_part_is_deleted_on_start(server, tiny_tagger: Tagger, tmp_path) -> None:
    archive = tmp_path / "news"
    archive.mkdir()
    (archive / f"{store.TEMP_PREFIX}part-000001-deadbeef.parquet").write_bytes(b"PAR1 half")
    server.routes["/a.xml"] = Route(rss("Tin", written_items("p")))
    once([server.url("/a.xml")], archive, tiny_tagger)
    assert [p.name.startswith("part-") for p in archive.iterdir()] == [True]
    assert len(archived(archive)) == 4


def test_an_item_in_two_feeds_of_one_cycle_is_archived_once(server, tiny_tagger: Tagger, tmp_path) -> None:
    items = written_items("d")
    items[3]["title"], items[3]["summary"] = "", ""  # and it cannot be tagged
    server.routes["/one.xml"] = Route(rss("Tin 1", items[:2] + items[3:]))
    server.routes["/two.xml"] = Route(rss("Tin 2", items[1:]))
    feeds, archive = [server.url("/one.xml"), server.url("/two.xml")], tmp_path / "news.jsonl"
    reports = once(feeds, archive, tiny_tagger)
    assert [(r.new, r.seen, r.failed) for r in reports.values()] == [(2, 0, 1), (1, 2, 0)]
    assert [r["id"] for r in archived(archive)] == [i["guid"] for i in items[:3]]
