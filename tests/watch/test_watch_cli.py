"""`tagger watch` on the command line: clear errors and exit codes, the feeds file, durations."""
from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from service.cli import main
from service.watch.cli import duration
from service.watch.feeds import WatchError, read_feeds
from service.watch.loop import exclusive
from service.watch.parse import FeedError, item_key, parse_feed, plain_text
from watch.conftest import written_items
from watch.feedserver import Route, atom, rss


def invoke(bundle: Path, *args: str):
    return CliRunner().invoke(main, ["watch", *args, "--model", str(bundle)])


def test_once_writes_the_archive_and_exits_0_or_2_when_a_feed_failed(server, tiny_bundle_path: Path,
                                                                     tmp_path: Path) -> None:
    server.routes["/a.xml"] = Route(rss("Tin", written_items("a")))
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{server.url('/a.xml')}  # good\n", encoding="utf-8")
    result = invoke(tiny_bundle_path, str(feeds), "-o", str(tmp_path / "news.jsonl"), "--once")
    assert result.exit_code == 0, result.output
    assert len((tmp_path / "news.jsonl").read_text(encoding="utf-8").splitlines()) == 4
    feeds.write_text(f"{server.url('/a.xml')}\n{server.url('/gone.xml')}\n", encoding="utf-8")
    result = invoke(tiny_bundle_path, str(feeds), "-o", str(tmp_path / "news.jsonl"), "--once")
    assert result.exit_code == 2, result.output


@pytest.mark.parametrize(("feeds_text", "args", "message"), [
    ("# nothing\n\n", [], "names no feed"),
    ("ftp://example.invalid/rss\n", [], "unsupported feed address"),
    ("a.xml\n", ["--rules", "absent.toml"], "cannot read the rules file"),
    ("a.xml\n", ["--every", "soon"], "not a duration"),
    ("a.xml\n", ["-o", "{tmp}/absent/news.jsonl"], "does not exist"),
    ("a.xml\n", ["-o", "{tmp}/feeds.txt"], "is a file"),
])
def test_bad_input_is_a_message_and_a_non_zero_exit(tiny_bundle_path: Path, tmp_path: Path, feeds_text: str,
                                                    args: list[str], message: str) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(feeds_text, encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    if "-o" not in args:
        args += ["-o", str(tmp_path / "news.jsonl")]
    result = invoke(tiny_bundle_path, str(feeds), *args, "--once")
    assert result.exit_code in (1, 2), result.output
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(("name", "content"), [("news.jsonl", '{"no id": 1}\n'), ("news.jsonl", "not json\n"),
                                               ("news/part-000001-x.parquet", "not parquet")])
def test_an_archive_that_is_not_a_watch_archive_is_refused(tiny_bundle_path: Path, tmp_path: Path, name: str,
                                                           content: str) -> None:
    (tmp_path / name).parent.mkdir(exist_ok=True)
    (tmp_path / name).write_text(content, encoding="utf-8")
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("a.xml\n", encoding="utf-8")
    result = invoke(tiny_bundle_path, str(feeds), "-o", str(tmp_path / name.split("/")[0]), "--once")
    assert result.exit_code == 1, result.output
    assert "not a watch record" in result.output
    assert (tmp_path / name).read_text(encoding="utf-8") == content  # left as it was


def test_a_second_watch_on_the_same_archive_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "news.jsonl"
    with exclusive(archive):
        with pytest.raises(WatchError, match="already writing"):
            with exclusive(archive):
                pass


def test_the_feeds_file_keeps_order_resolves_paths_and_skips_comments(tmp_path: Path) -> None:
    path = tmp_path / "feeds.txt"
    path.write_text("# feeds\nhttps://a.example.invalid/rss#top\n\n  local.xml   # a file\n"
                    "https://a.example.invalid/rss#top\nfile:///srv/f.xml\n", encoding="utf-8")
    assert read_feeds(path) == ["https://a.example.invalid/rss#top", str(tmp_path / "local.xml"),
                                "file:///srv/f.xml"]


@pytest.mark.parametrize(("text", "seconds"), [("10m", 600), ("90s", 90), ("1h", 3600), ("0.5", 0.5), ("2 m", 120)])
def test_durations(text: str, seconds: float) -> None:
    assert duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "-1m", "10d", "m", ""])
def test_bad_durations(text: str) -> None:
    with pytest.raises(click.BadParameter):
        duration(text)


def test_atom_and_rss_give_the_same_items() -> None:
    items = written_items("x")
    from_rss, from_atom = parse_feed(rss("Tin", items), "u"), parse_feed(atom("Tin", items), "u")
    assert [(i.key, i.title, i.text, i.date, i.url) for i in from_rss] == \
           [(i.key, i.title, i.text, i.date, i.url) for i in from_atom]
    assert from_rss[0].text == items[0]["summary"]  # the HTML of the summary is gone
    assert from_rss[0].date == "2026-03-01T08:00:00+00:00"


def test_the_source_is_the_feed_title_else_the_host() -> None:
    body = rss("", written_items("s")).replace(b"<title></title>", b"")
    assert parse_feed(body, "https://tin.example.invalid/rss")[0].source == "tin.example.invalid"


def test_plain_text_and_keys() -> None:
    assert plain_text("<p>Hợp tác &amp; <b>chip</b></p>\n<br/>bán dẫn") == "Hợp tác & chip bán dẫn"
    assert item_key(" g1 ", "l", "t", "s") == "g1"
    assert item_key(None, "l", "t", "s") == "l"
    assert item_key("", None, "t", "s") == item_key(None, "", "t", "s") != item_key(None, None, "t", "s2")


@pytest.mark.parametrize(("body", "message"), [
    (b"", "not an RSS or Atom feed"),
    (b'{"items": []}', "not an RSS or Atom feed"),
    (b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>a</ti', "malformed feed"),
])
def test_what_is_not_a_feed_is_refused(body: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_feed(body, "u")
