"""`tagger report`: clear errors (exit 1), and the page it writes."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from click.testing import CliRunner

from batch.helpers import articles, write_jsonl
from report.conftest import Report
from report.hand import read_csv, write_tagged
from service.cli import main


@pytest.mark.parametrize(("setup", "args", "message"), [
    ("empty", [], "is empty"),
    ("untagged", [], "run `tagger tag` on it first"),
    ("missing", [], "input not found"),
    ("text", [], "cannot tell the format"),
    ("emptydir", [], "holds no .jsonl"),
    ("tagged", ["--country", "FR"], "no article matches the filters (country FR)"),
    ("tagged", ["--since", "2026-01"], "no article matches"),
    ("tagged", ["--since", "last week"], "--since 'last week' is not a date"),
    ("brokenjson", [], "DuckDB could not read the input"),
    ("notjson", [], "cannot read"),
])
def test_errors_are_exit_1_with_a_message(report: Report, tmp_path: Path, setup: str, args: list[str],
                                          message: str) -> None:
    source = tmp_path / "in.jsonl"
    if setup == "empty":
        source.write_text("", encoding="utf-8")
    elif setup == "untagged":
        write_jsonl(source, articles(2))
    elif setup == "text":
        source = tmp_path / "in.txt"
        source.write_text("x", encoding="utf-8")
    elif setup == "emptydir":
        source = tmp_path / "folder"
        source.mkdir()
    elif setup == "tagged":
        write_tagged(source)
    elif setup == "brokenjson":
        write_tagged(source)
        source.write_text(source.read_text(encoding="utf-8") + "{broken\n", encoding="utf-8")
    elif setup == "notjson":
        source.write_text("not json\n", encoding="utf-8")
    result = report(str(source), "-o", str(tmp_path / "out"), *args)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in result.output


def test_the_page_is_self_contained_with_charts_and_examples(report: Report, tmp_path: Path) -> None:
    source = write_tagged(tmp_path / "tagged.jsonl")
    result = report(str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert len(re.findall(r'<img alt="[^"]+" id="chart-\w+" src="data:image/png;base64,', page)) == 3
    assert not re.search(r"""(src|href)=["'](?!data:|https://example\.test/)""", page)  # nothing to fetch
    assert "<script src" not in page and "<link" not in page
    assert "report.html" not in page and 'class="sortable"' in page
    for name in ("topics.png", "partners.png", "heatmap.png"):
        assert (tmp_path / "out" / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # each counts cell lists its examples, newest first, with date and link
    row = re.search(r"<tr><td>2025-10</td><td>JP</td><td>semiconductors</td>.*?</tr>", page)
    assert row, "the JP × semiconductors cell of 2025-10 is missing"
    assert re.findall(r'<a href="https://example.test/(r\d+)">', row.group()) == ["r8", "r7", "r6"]
    assert "<span>2025-10-09</span>" in row.group()


def test_tag_then_report(tiny_bundle_path: Path, report: Report, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "news.jsonl", [{**a, "date": f"0{1 + i % 3}/0{8 + i % 2}/2025"}
                                                  for i, a in enumerate(articles(8))])
    tagged = CliRunner().invoke(main, ["tag", str(source), "-o", str(tmp_path / "tagged.parquet"), "--jobs", "1",
                                       "--model", str(tiny_bundle_path)])
    assert tagged.exit_code == 0, tagged.output
    result = report(str(tmp_path / "tagged.parquet"), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert "counted 8 of 8 records (0 undated) in 2 periods" in result.stderr
    rows = read_csv(tmp_path / "out" / "counts.csv")
    assert {r[0] for r in rows} == {"2025-08", "2025-09"}
    assert sum(int(r[4]) for r in rows if not r[1] and not r[2]) < 8  # the tiny model tags these articles
