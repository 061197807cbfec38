"""`tagger tag` to Parquet: a folder of whole, typed parts; --resume after a kill."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import json

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

import service.parquet_parts as parquet_parts
from batch.helpers import Tag, articles, read_jsonl, write_jsonl
from model.tagger import Tagger
from service.watch import archive as watch_archive
from watch.helpers import old_layout_part


def _records(n: int) -> list[dict[str, Any]]:
    return [{**a, "date": f"{1 + i % 28}/0{1 + i % 9}/2025", "url": f"https://example.test/{i}", "corpus": "x"}
            for i, a in enumerate(articles(n))]


def _rows(folder: Path) -> list[dict[str, Any]]:
    return pq.read_table(folder).to_pylist()


def test_round_trip_equals_the_jsonl_output_with_typed_columns(tag: Tag, tmp_path: Path, tiny_tagger: Tagger) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(12))
    assert tag(str(source), "-o", str(tmp_path / "out.jsonl"), "--keep", "corpus").exit_code == 0
    out = tmp_path / "out.parquet"
    result = tag(str(source), "-o", str(out), "--chunk-size", "5", "--keep", "corpus")  # .parquet picks the format
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"part-00000{i}.parquet" for i in range(3)]
    schema = pq.read_schema(out / "part-000000.parquet")
    assert schema.field("countries").type == pa.list_(pa.string())
    assert schema.field("partners").type == pa.list_(pa.string())
    assert schema.field("cooperation").type == pa.bool_()
    assert [schema.field(f"score_{label}").type for label in tiny_tagger.labels] == [pa.float64()] * len(
        tiny_tagger.labels)
    want = read_jsonl(tmp_path / "out.jsonl")
    got = _rows(out)
    assert [r["id"] for r in got] == [w["id"] for w in want]
    for row, w in zip(got, want):
        assert {k: row[k] for k in ("date", "title", "source", "url", "corpus", "countries", "topics",
                                    "cooperation", "model_version")} == {k: w[k] for k in (
                                        "date", "title", "source", "url", "corpus", "countries", "topics",
                                        "cooperation", "model_version")}
        assert {label: row[f"score_{label}"] for label in tiny_tagger.labels} == w["scores"]
        assert row["partners"] == w.get("partners", [])
    count = duckdb.sql(f"select count(*), count(distinct id) from read_parquet('{out}/*.parquet')").fetchone()
    assert count == (12, 12)


def test_explain_writes_evidence_as_json(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles(3))
    out = tmp_path / "out"
    assert tag(str(source), "-o", str(out), "--format", "parquet", "--explain").exit_code == 0
    assert all(isinstance(r["evidence"], str) and r["evidence"].startswith("{") for r in _rows(out))


def test_a_killed_run_leaves_whole_parts_and_resume_completes_it(tag: Tag, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(12))
    assert tag(str(source), "-o", str(tmp_path / "whole.parquet"), "--chunk-size", "4").exit_code == 0
    out = tmp_path / "out.parquet"
    real = parquet_parts.pq.write_table
    calls = []

    def dies_on_the_third(table: pa.Table, where: Path, **kw: Any) -> None:
        calls.append(where)
        if len(calls) == 3:  # the kill lands while the third part is half written
            Path(where).write_bytes(b"PAR1 torn")
            raise KeyboardInterrupt
        real(table, where, **kw)

    monkeypatch.setattr(parquet_parts.pq, "write_table", dies_on_the_third)
    killed = tag(str(source), "-o", str(out), "--chunk-size", "4")
    assert killed.exit_code == 130, killed.output
    assert sorted(p.name for p in out.iterdir()) == [".part-000002.parquet.tmp", "part-000000.parquet",
                                                     "part-000001.parquet"]
    assert len(_rows(out)) == 8  # the .tmp is not part of the dataset, only whole parts are
    monkeypatch.setattr(parquet_parts.pq, "write_table", real)
    result = tag(str(source), "-o", str(out), "--chunk-size", "4", "--resume")
    assert result.exit_code == 0, result.output
    assert "tagged 4, skipped 8" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == [f"part-00000{i}.parquet" for i in range(3)]
    assert _rows(out) == _rows(tmp_path / "whole.parquet")


def test_resume_refuses_parts_with_other_columns(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(4))
    out = tmp_path / "out.parquet"
    assert tag(str(source), "-o", str(out)).exit_code == 0
    result = tag(str(source), "-o", str(out), "--resume", "--keep", "corpus")
    assert result.exit_code == 1, result.output
    assert "other columns" in result.stderr and "(no corpus)" in result.stderr


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("parts", [], "--resume to continue"),
    ("foreign", ["--overwrite"], "not Parquet parts"),
    ("file", [], "is a file"),
    ("none", ["--resume", "--overwrite"], "contradict"),
])
def test_unusable_folders_are_exit_1_and_untouched(tag: Tag, tmp_path: Path, setup: str, args: list[str],
                                                   message: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles(3))
    out = tmp_path / "out.parquet"
    if setup == "parts":
        assert tag(str(source), "-o", str(out)).exit_code == 0
    elif setup == "foreign":
        out.mkdir()
        (out / "notes.txt").write_text("mine", encoding="utf-8")
    elif setup == "file":
        out.write_text("mine", encoding="utf-8")
    before = sorted(p.name for p in out.iterdir()) if out.is_dir() else None
    result = tag(str(source), "-o", str(out), *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert (sorted(p.name for p in out.iterdir()) if out.is_dir() else None) == before


def test_overwrite_replaces_the_parts(tag: Tag, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    assert tag(str(write_jsonl(tmp_path / "a.jsonl", articles(6))), "-o", str(out), "--chunk-size", "2").exit_code == 0
    result = tag(str(write_jsonl(tmp_path / "b.jsonl", articles(2))), "-o", str(out), "--overwrite")
    assert result.exit_code == 0, result.output
    assert [p.name for p in out.iterdir()] == ["part-000000.parquet"] and len(_rows(out)) == 2


def test_parquet_to_stdout_is_refused(tag: Tag, tmp_path: Path) -> None:
    result = tag(str(write_jsonl(tmp_path / "a.jsonl", articles(1))), "-o", "-", "--format", "parquet")
    assert result.exit_code == 1 and "not stdout" in result.stderr


def test_tagger_tag_and_the_watch_archive_write_one_schema_and_the_same_rows(tag: Tag, tmp_path: Path,
                                                                              tiny_tagger: Tagger) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(6))
    assert tag(str(source), "-o", str(tmp_path / "out.jsonl")).exit_code == 0
    assert tag(str(source), "-o", str(tmp_path / "out.parquet")).exit_code == 0
    results = read_jsonl(tmp_path / "out.jsonl")  # what the watch archives: tagged results with their fields
    watched = tmp_path / "news" / watch_archive.append_part(tmp_path / "news", results, tiny_tagger.labels,
                                                            tiny_tagger.version, 1)
    tagged = tmp_path / "out.parquet" / "part-000000.parquet"
    assert pq.read_schema(watched).equals(pq.read_schema(tagged), check_metadata=True)
    assert pq.read_table(watched).to_pylist() == pq.read_table(tagged).to_pylist()
    both = ds.dataset([str(watched), str(tagged)], format="parquet").to_table()
    assert both.num_rows == 12 and both.schema.names == pq.read_schema(tagged).names


def _old_batch_part(path: Path, results: list[dict[str, Any]], labels: list[str], version: str) -> None:
    """A part as `tagger tag` wrote it before its schema was shared with `tagger watch` (spelt out here)."""
    schema = pa.schema([("id", pa.string()), *((n, pa.string()) for n in ("date", "title", "source", "url")),
                        *((n, pa.list_(pa.string())) for n in ("countries", "topics", "partners")),
                        ("cooperation", pa.bool_()), *((f"score_{label}", pa.float64()) for label in labels),
                        ("model_version", pa.string())],
                       metadata={b"vn-tech-tagger": json.dumps({"model_version": version, "explain": False,
                                                                "fields": ["date", "title", "source", "url"]})})
    rows = [{**r, "partners": r.get("partners") or [], **{f"score_{k}": v for k, v in r["scores"].items()}}
            for r in results]
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), path)


def test_resume_continues_a_folder_written_before_the_shared_schema(tag: Tag, tmp_path: Path,
                                                                   tiny_tagger: Tagger) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(8))
    assert tag(str(source), "-o", str(tmp_path / "whole.parquet"), "--chunk-size", "4").exit_code == 0
    assert tag(str(source), "-o", str(tmp_path / "whole.jsonl")).exit_code == 0
    out = tmp_path / "out.parquet"
    out.mkdir()
    _old_batch_part(out / "part-000000.parquet", read_jsonl(tmp_path / "whole.jsonl")[:4], list(tiny_tagger.labels),
                    tiny_tagger.version)
    result = tag(str(source), "-o", str(out), "--chunk-size", "4", "--resume")
    assert result.exit_code == 0, result.output
    assert "tagged 4, skipped 4" in result.stderr
    assert _rows(out) == _rows(tmp_path / "whole.parquet")


def test_resume_names_a_part_whose_columns_are_in_another_order(tag: Tag, tmp_path: Path,
                                                               tiny_tagger: Tagger) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(4))
    assert tag(str(source), "-o", str(tmp_path / "whole.jsonl")).exit_code == 0
    out = tmp_path / "out.parquet"
    out.mkdir()
    old_layout_part(out / "part-000000.parquet", read_jsonl(tmp_path / "whole.jsonl"), tiny_tagger.labels)
    before = (out / "part-000000.parquet").read_bytes()
    result = tag(str(source), "-o", str(out), "--resume")
    assert result.exit_code == 1, result.output
    assert "part-000000.parquet" in result.stderr and "the same columns in another order" in result.stderr
    assert [p.name for p in out.iterdir()] == ["part-000000.parquet"]
    assert (out / "part-000000.parquet").read_bytes() == before
