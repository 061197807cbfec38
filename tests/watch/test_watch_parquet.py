"""A Parquet watch archive's parts are `tagger tag`'s: one schema, read back as one table;
parts of the watch's old layout (another column order, no metadata) are still read by name."""
from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import duckdb
import pytest
import pyarrow.dataset as ds
import pyarrow.parquet as pq
from click.testing import CliRunner

from model.tagger import Tagger
from service.cli import main
from service.parquet_parts import SCORE, written_version
from service.watch.archive import newest_part
from service.watch.feeds import WatchError
from watch.conftest import written_items
from watch.feedserver import Route, rss
from watch.helpers import archived, old_layout_part, once


def test_a_watch_part_and_a_tagger_tag_part_have_one_schema_and_read_as_one_table(
        server, tiny_tagger: Tagger, tiny_bundle_path: Path, tmp_path: Path) -> None:
    items = written_items("s")
    server.routes["/a.xml"] = Route(rss("Tin", items))
    archive = tmp_path / "news"
    assert once([server.url("/a.xml")], archive, tiny_tagger)[server.url("/a.xml")].new == len(items)
    source = tmp_path / "in.jsonl"  # the same articles, as `tagger tag` input under other ids
    source.write_text("".join(json.dumps({"id": "tag-" + i["guid"], "title": i["title"], "text": i["summary"],
                                          "date": i["date"].isoformat(), "url": i["link"], "source": "Tin"},
                                         ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    tagged = tmp_path / "tagged.parquet"
    result = CliRunner().invoke(main, ["tag", str(source), "-o", str(tagged), "--model", str(tiny_bundle_path),
                                       "--jobs", "1"])
    assert result.exit_code == 0, result.output
    [watch_part], [tag_part] = sorted(archive.glob("*.parquet")), sorted(tagged.glob("*.parquet"))
    schema = pq.read_schema(watch_part)
    assert schema.equals(pq.read_schema(tag_part), check_metadata=True)
    assert schema.names == ["id", "date", "title", "source", "url", "countries", "topics", "partners", "cooperation",
                            *(SCORE + label for label in tiny_tagger.labels), "model_version"]
    assert written_version(schema) == tiny_tagger.version

    rows = {r["id"]: r for r in ds.dataset([str(watch_part), str(tag_part)], format="parquet").to_table().to_pylist()}
    assert len(rows) == 2 * len(items)
    for item in items:
        watched, tag_row = rows[item["guid"]], rows["tag-" + item["guid"]]
        assert {**watched, "id": None} == {**tag_row, "id": None}  # the same article, the same row
    count = duckdb.sql(f"select count(*), count(distinct id), count(title) from read_parquet(['{watch_part}', "
                       f"'{tag_part}'])").fetchone()
    assert count == (2 * len(items),) * 3
    report = CliRunner().invoke(main, ["report", str(archive), str(tagged), "-o", str(tmp_path / "report")])
    assert report.exit_code == 0, report.output
    assert f"counted {2 * len(items)} of {2 * len(items)} records" in report.stderr


def test_parts_of_the_old_watch_layout_are_read_by_name_beside_new_ones(server, tiny_tagger: Tagger,
                                                                        tmp_path: Path) -> None:
    items = written_items("o")
    archive = tmp_path / "news"
    archive.mkdir()
    first = items[:2]  # archived by an older `tagger watch`, killed before it committed its state
    tagged = tiny_tagger.tag_many([{"id": i["guid"], "title": i["title"], "text": i["summary"]} for i in first])
    old = [{**t, "title": i["title"], "date": i["date"].isoformat(), "source": "Tin", "url": i["link"]}
           for i, t in zip(first, tagged)]
    old_layout_part(archive / "part-000001-0123abcd.parquet", old, tiny_tagger.labels)
    server.routes["/a.xml"] = Route(rss("Tin", items))
    report = once([server.url("/a.xml")], archive, tiny_tagger)[server.url("/a.xml")]
    assert (report.new, report.seen) == (len(items) - 2, 2)  # the old part's items are known, not written twice

    records = archived(archive)
    assert [r["id"] for r in records] == [i["guid"] for i in items]
    assert [(r["title"], r["url"]) for r in records] == [(i["title"], i["link"]) for i in items]
    assert records[0]["scores"] == old[0]["scores"]
    query = f"select id, title, date, model_version from read_parquet('{archive}/*.parquet') order by id"
    assert duckdb.sql(query).fetchall() == sorted((r["id"], r["title"], r["date"], r["model_version"])
                                                  for r in records)


def test_a_model_of_other_labels_does_not_append_to_the_archive(server, tiny_tagger: Tagger, tmp_path: Path) -> None:
    items = written_items("l")
    archive = tmp_path / "news"
    archive.mkdir()
    tagged = tiny_tagger.tag_many([{"id": i["guid"], "title": i["title"], "text": i["summary"]} for i in items[:1]])
    part = old_layout_part(archive / "part-000001-0123abcd.parquet", tagged, tiny_tagger.labels[:-1])
    before = part.read_bytes()
    server.routes["/a.xml"] = Route(rss("Tin", items))
    with pytest.raises(WatchError, match=f"other columns than this model writes \\(no {SCORE}{tiny_tagger.labels[-1]}"):
        once([server.url("/a.xml")], archive, tiny_tagger)
    assert sorted(p.name for p in archive.iterdir()) == [part.name]  # nothing written beside it
    assert part.read_bytes() == before


def test_a_new_model_version_with_the_same_labels_appends_to_the_archive(server, tiny_tagger: Tagger,
                                                                         tmp_path: Path) -> None:
    items = written_items("v")
    archive = tmp_path / "news"
    server.routes["/a.xml"] = Route(rss("Tin", items[:2]))
    once([server.url("/a.xml")], archive, tiny_tagger)
    retrained = copy.copy(tiny_tagger)
    retrained.version = "vntag-retrained"
    server.routes["/a.xml"] = Route(rss("Tin", items))
    report = once([server.url("/a.xml")], archive, retrained)[server.url("/a.xml")]
    assert report.new == len(items) - 2
    assert [r["model_version"] for r in archived(archive)] == [tiny_tagger.version] * 2 + ["vntag-retrained"] * (len(items) - 2)


def test_the_newest_part_is_the_highest_cycle_not_the_last_name(tmp_path: Path) -> None:
    assert newest_part(tmp_path / "absent") is None
    for name in ("part-999999-aaaaaaaa.parquet", "part-1000000-bbbbbbbb.parquet", "zz-notes.parquet",
                 ".tmp-part-2000000-cccccccc.parquet"):
        (tmp_path / name).write_bytes(b"")
    assert newest_part(tmp_path) == tmp_path / "part-1000000-bbbbbbbb.parquet"
    (tmp_path / "part-1000000-dddddddd.parquet").write_bytes(b"")  # the same cycle again: the later written
    os.utime(tmp_path / "part-1000000-dddddddd.parquet", ns=(2 * 10**18, 2 * 10**18))
    assert newest_part(tmp_path) == tmp_path / "part-1000000-dddddddd.parquet"
