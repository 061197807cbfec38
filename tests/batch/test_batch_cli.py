"""`tagger tag` through the CLI: every input form, both output formats, jobs, exit codes."""
from __future__ import annotations

import csv
import gzip
import io
import json
import re
import sys
from pathlib import Path

import pytest

from model.tagger import Tagger
from service.batch_cli import tag_command, timing
from batch.helpers import Tag, articles, read_jsonl, write_jsonl

DOCS = Path(__file__).resolve().parents[2] / "docs" / "batch.md"


def test_jsonl_input_gives_the_taggers_results_in_order(tag: Tag, jsonl_input: Path, tmp_path: Path,
                                                        tiny_tagger: Tagger) -> None:
    out = tmp_path / "out.jsonl"
    result = tag(str(jsonl_input), "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    expected = tiny_tagger.tag_many(articles(12))
    assert [r["id"] for r in rows] == [a["id"] for a in articles(12)]
    tags = ("countries", "topics", "partners", "cooperation", "scores", "model_version")
    assert rows == [{"id": e["id"], "date": None, "title": a["title"], "source": None, "url": None,
                     **{k: e[k] for k in tags}} for e, a in zip(expected, articles(12))]
    assert list(rows[0]) == ["id", "date", "title", "source", "url", *tags]
    assert "tagged 12, skipped 0" in result.stderr
    assert re.search(r"^time \d+\.\d{3} s reading, tagging and writing, \d+\.\d articles/s$", result.stderr, re.M)
    assert not (tmp_path / "out.jsonl.errors.jsonl").exists()


def test_the_time_line_gives_a_rate_only_when_something_was_tagged() -> None:
    assert timing(10, 2.0) == "time 2.000 s reading, tagging and writing, 5.0 articles/s"
    assert timing(0, 0.25) == "time 0.250 s reading, tagging and writing"


def test_data_files_with_body_and_gzip_are_read(tag: Tag, tmp_path: Path, tiny_tagger: Tagger) -> None:
    source = tmp_path / "data.jsonl.gz"
    body = "Việt Nam và Nhật Bản hợp tác 5G."
    with gzip.open(source, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps({"id": 7, "title": "Nhật Bản", "body": body}) + "\n")
    result = tag(str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    [row] = read_jsonl(tmp_path / "out.jsonl")
    assert row["id"] == "7"
    assert row["scores"] == tiny_tagger.tag({"title": "Nhật Bản", "text": body})["scores"]


def test_csv_input_equals_the_same_articles_as_jsonl(tag: Tag, jsonl_input: Path, tmp_path: Path) -> None:
    source = tmp_path / "articles.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["id", "title", "lead", "text"])
        writer.writeheader()
        writer.writerows(articles(12))
    assert tag(str(jsonl_input), "-o", str(tmp_path / "a.jsonl")).exit_code == 0
    result = tag(str(source), "-o", str(tmp_path / "b.jsonl"))
    assert result.exit_code == 0, result.output
    assert read_jsonl(tmp_path / "b.jsonl") == read_jsonl(tmp_path / "a.jsonl")


def test_folder_of_txt_files_uses_file_names_as_ids(tag: Tag, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    for a in articles(3):
        (folder / f"{a['id']}.txt").write_text(a["text"], encoding="utf-8")
    (folder / "notes.md").write_text("not an article", encoding="utf-8")
    result = tag(str(folder), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a0000", "a0001", "a0002"]


def test_stdin_to_stdout_with_stable_ids_and_default_errors_file(
        tag: Tag, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    lines = [json.dumps({"text": a["text"]}, ensure_ascii=False) for a in articles(2)] + ["{broken"]
    result = tag("-", "-o", "-", input="\n".join(lines) + "\n")
    assert result.exit_code == 2, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["stdin:1", "stdin:2"]
    [error] = read_jsonl(tmp_path / "tagger.errors.jsonl")
    assert error == {"input": "stdin", "line": 3, "id": None,
                     "reason": "not valid JSON (Expecting property name enclosed in double quotes)"}


def test_several_inputs_are_tagged_in_order(tag: Tag, tmp_path: Path) -> None:
    first = write_jsonl(tmp_path / "one.jsonl", articles(3))
    second = write_jsonl(tmp_path / "two.json", [{"text": "Hàn Quốc đầu tư bán dẫn."}])
    result = tag(str(first), str(second), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["a0000", "a0001", "a0002", f"{second}:1"]


@pytest.mark.parametrize("explain", [False, True])
def test_csv_output_matches_jsonl_output(tag: Tag, jsonl_input: Path, tmp_path: Path, tiny_tagger: Tagger,
                                         explain: bool) -> None:
    flags = ["--explain"] if explain else []
    assert tag(str(jsonl_input), "-o", str(tmp_path / "out.jsonl"), *flags).exit_code == 0
    result = tag(str(jsonl_input), "-o", str(tmp_path / "out.csv"), *flags)  # .csv picks the format
    assert result.exit_code == 0, result.output
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert list(table[0])[:9] == ["id", "date", "title", "source", "url", "countries", "topics", "partners",
                                  "cooperation"]
    assert [c for c in table[0] if c.startswith("score_")] == [f"score_{label}" for label in tiny_tagger.labels]
    for row, want in zip(table, read_jsonl(tmp_path / "out.jsonl"), strict=True):
        assert row["id"] == want["id"]
        assert row["countries"] == ";".join(want["countries"])
        assert row["topics"] == ";".join(want["topics"])
        assert row["cooperation"] == str(want["cooperation"]).lower()
        assert row["partners"] == ";".join(want["partners"])
        assert {label: float(row[f"score_{label}"]) for label in tiny_tagger.labels} == want["scores"]
        assert row["model_version"] == tiny_tagger.version
        assert json.loads(row["evidence"]) == want["evidence"] if explain else "evidence" not in row


def test_format_csv_to_stdout(tag: Tag, jsonl_input: Path) -> None:
    result = tag(str(jsonl_input), "-o", "-", "--format", "csv", "--errors", "unused.errors.jsonl")
    assert result.exit_code == 0, result.output
    table = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["id"] for row in table] == [a["id"] for a in articles(12)]


def test_explain_adds_evidence(tag: Tag, jsonl_input: Path, tmp_path: Path) -> None:
    result = tag(str(jsonl_input), "-o", str(tmp_path / "out.jsonl"), "--explain")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(tmp_path / "out.jsonl")
    assert all(set(r["evidence"]) == set(r["countries"] + r["topics"] + (["cooperation"] if r["cooperation"] else [])
                                         + [f"partner:{code}" for code in r["partners"]])
               for r in rows)
    assert any(r["partners"] for r in rows), "the tiny articles hold cooperation stories"


BAD_LINES = [  # (line content, expected id, expected reason)
    ("{not json", None, "not valid JSON"),
    (json.dumps({"id": "no-text", "title": "x"}), "no-text", "field 'text' is required"),
    (json.dumps({"id": "blank", "text": "   "}), "blank", "field 'text' is required"),
    (json.dumps({"id": "typed", "text": "Việt Nam", "title": 5}), "typed", "field 'title' must be a string"),
    (json.dumps({"id": True, "text": "Việt Nam"}), None, "field 'id' must be a string or an integer"),
    (json.dumps(["a", "list"]), None, "an article must be a JSON object"),
    (json.dumps({"id": "a0001", "text": "Việt Nam"}), "a0001", "duplicate id 'a0001'"),
]


@pytest.mark.parametrize(("line", "ident", "reason"), BAD_LINES)
def test_a_bad_record_goes_to_the_errors_file_and_the_run_goes_on(
        tag: Tag, tmp_path: Path, line: str, ident: str | None, reason: str) -> None:
    good = [json.dumps(a, ensure_ascii=False) for a in articles(4)]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([*good[:2], line, *good[2:]]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = tag(str(source), "-o", str(out))
    assert result.exit_code == 2, result.output
    assert [r["id"] for r in read_jsonl(out)] == ["a0000", "a0001", "a0002", "a0003"]
    [error] = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert (error["input"], error["line"], error["id"]) == (str(source), 3, ident)
    assert error["reason"].startswith(reason), error["reason"]
    assert "tagged 4, skipped 0 already in" in result.stderr and "errors 1" in result.stderr


def test_bad_csv_rows_and_undecodable_lines_are_reported(tag: Tag, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(
        b'id,title,lead,text\n'
        b'c1,,,"Vi\xc3\xaat Nam, Nh\xe1\xba\xadt B\xe1\xba\xa3n\nh\xe1\xbb\xa3p t\xc3\xa1c"\n'  # spans lines 2-3
        b'c2,,,\n'
        b'c3,,,\xff\xfe\n'
        b'c4,,\n'
        b'c5,,,B\xc3\xa1n d\xe1\xba\xabn\n')
    result = tag(str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 2, result.output
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["c1", "c5"]
    errors = read_jsonl(tmp_path / "out.jsonl.errors.jsonl")
    assert [(e["line"], e["reason"].split(" (")[0]) for e in errors] == [
        (4, "field 'text' is required and must not be empty"),
        (5, "line is not valid UTF-8"),
        (6, "row has 3 fields, the header has 4"),
    ]


def test_a_missing_input_is_exit_1_and_nothing_is_written(tag: Tag, jsonl_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    result = tag(str(jsonl_input), str(tmp_path / "absent.jsonl"), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert f"input not found: {tmp_path / 'absent.jsonl'}" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(("name", "message"), [
    ("notes.xml", "cannot tell the format"),
    ("nocolumn.csv", "has no 'text' column"),
])
def test_an_unusable_input_is_exit_1(tag: Tag, tmp_path: Path, name: str, message: str) -> None:
    (tmp_path / name).write_text("id,title\n1,x\n", encoding="utf-8")
    result = tag(str(tmp_path / name), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 1, result.output
    assert message in result.stderr


def test_an_existing_output_is_kept_unless_resume_or_overwrite(tag: Tag, jsonl_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n", encoding="utf-8")
    result = tag(str(jsonl_input), "-o", str(out))
    assert result.exit_code == 1, result.output
    assert "already exists" in result.stderr and "--resume" in result.stderr
    assert out.read_text(encoding="utf-8") == "precious\n"
    result = tag(str(jsonl_input), "-o", str(out), "--overwrite")
    assert result.exit_code == 0, result.output
    assert len(read_jsonl(out)) == 12


@pytest.mark.parametrize(("output", "message"), [
    ("missing-folder/out.jsonl", "does not exist"),
    (".", "not Parquet parts"),  # a folder output means Parquet, but this one holds other files
    ("articles.jsonl", "is also an input"),
    ("--format jsonl .", "is a folder"),
])
def test_an_unwritable_output_is_exit_1(tag: Tag, jsonl_input: Path, output: str, message: str) -> None:
    before = jsonl_input.read_bytes()
    *flags, name = output.split()
    result = tag(str(jsonl_input), *flags, "-o", str(jsonl_input.parent / name))
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert jsonl_input.read_bytes() == before


def test_a_bad_bundle_is_exit_1_and_the_output_is_untouched(tag: Tag, jsonl_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    assert tag(str(jsonl_input), "-o", str(out)).exit_code == 0
    before = out.read_bytes()
    bad = tmp_path / "bad.joblib"
    bad.write_bytes(b"not a bundle")
    result = tag(str(jsonl_input), "-o", str(out), "--overwrite", "--model", str(bad))
    assert result.exit_code == 1, result.output
    assert "manifest" in result.stderr and "Traceback" not in result.output
    assert out.read_bytes() == before


@pytest.mark.parametrize(("args", "message"), [
    (["-o", "-", "--resume"], "--resume needs an output file"),
    (["-o", "x.jsonl", "--resume", "--overwrite"], "contradict"),
    (["-o", "x.jsonl", "--scheduler", "tcp://localhost:8786"], "--scheduler needs --engine dask"),
    (["-o", "x.jsonl", "--errors", "nowhere/errors.jsonl"], "cannot write the errors file"),
])
def test_contradictory_options_and_bad_paths_are_exit_1(tag: Tag, jsonl_input: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, args: list[str], message: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = tag(str(jsonl_input), *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr


def test_two_jobs_write_what_one_job_writes(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [*articles(40), {"id": "bad"}])
    one = tag(str(source), "-o", str(tmp_path / "one.jsonl"), "--chunk-size", "3")
    two = tag(str(source), "-o", str(tmp_path / "two.jsonl"), "--chunk-size", "3", "--jobs", "2")
    assert one.exit_code == 2, one.output
    assert two.exit_code == 2, two.output
    assert (tmp_path / "two.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()
    assert len(read_jsonl(tmp_path / "one.jsonl")) == 40
    assert (tmp_path / "two.jsonl.errors.jsonl").read_bytes() == (tmp_path / "one.jsonl.errors.jsonl").read_bytes()


def test_dask_engine_without_dask_says_how_to_install_it(tag: Tag, jsonl_input: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "service.batch_dask", raising=False)
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    result = tag(str(jsonl_input), "-o", str(tmp_path / "out.jsonl"), "--engine", "dask")
    assert result.exit_code == 1, result.output
    assert "pip install .[dask]" in result.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_every_option_is_documented() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    options = [opt for param in tag_command.params for opt in param.opts if opt.startswith("--")]
    assert options, "tag_command has no options?"
    assert [opt for opt in options if opt not in docs] == []
