"""`tagger tag` carries date (normalised), title, source, url and --keep fields into results."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from batch.helpers import Tag, articles, read_jsonl, write_jsonl

DATES = ["2025-08-14", "14/08/2025", "2019-05", "2025-08-14T10:20:00Z", None, "hôm qua", "", 20250814]
WANT = ["2025-08-14", "2025-08-14", "2019-05", "2025-08-14T10:20:00+00:00", None, "hôm qua", None, 20250814]


def _records(n: int = len(DATES)) -> list[dict[str, object]]:
    records = []
    for i, (a, date) in enumerate(zip(articles(n), DATES)):
        record = {**a, "source": f"báo {i}", "url": f"https://example.test/{i}", "corpus": "rss", "Author": f"tg{i}"}
        if date is not None:
            record["date"] = date
        records.append(record)
    return records


def test_jsonl_results_carry_the_fields_and_count_unreadable_dates(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records())
    out = tmp_path / "out.jsonl"
    result = tag(str(source), "-o", str(out), "--keep", "corpus", "--keep", "Author", "--keep", "missing")
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert [r["date"] for r in rows] == WANT
    assert [r["source"] for r in rows] == [f"báo {i}" for i in range(len(DATES))]
    assert [r["url"] for r in rows] == [f"https://example.test/{i}" for i in range(len(DATES))]
    assert [r["title"] for r in rows] == [a["title"] for a in articles(len(DATES))]
    assert all(r["corpus"] == "rss" and r["missing"] is None for r in rows)
    assert [r["Author"] for r in rows] == [f"tg{i}" for i in range(len(DATES))]
    assert list(rows[0])[:8] == ["id", "date", "title", "source", "url", "corpus", "Author", "missing"]
    assert "dates not readable: 2 (kept as given in the output)" in result.stderr


def test_no_summary_line_when_every_date_is_readable(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", _records(5))
    result = tag(str(source), "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert "dates not readable" not in result.stderr
    assert "corpus" not in read_jsonl(tmp_path / "out.jsonl")[0]


def test_csv_in_and_out_carry_the_same_fields(tag: Tag, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, ["id", "title", "lead", "text", "date", "source", "url", "corpus", "Author"])
        writer.writeheader()
        writer.writerows({**r, "date": r.get("date") or ""} for r in _records())
    out = tmp_path / "out.csv"
    result = tag(str(source), "-o", str(out), "--keep", "corpus", "--keep", "Author")
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    # a CSV cell is always text: 20250814 is read as the ISO basic form of a date
    assert [row["date"] for row in table] == [*(w or "" for w in WANT[:-1]), "2025-08-14"]
    assert [row["Author"] for row in table] == [f"tg{i}" for i in range(len(DATES))]  # header read lower-cased
    assert all(row["corpus"] == "rss" for row in table)
    assert "dates not readable: 1" in result.stderr


def test_a_value_that_is_not_text_is_json_in_csv(tag: Tag, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [{**articles(1)[0], "tags": ["a", "b"], "date": 2025}])
    out = tmp_path / "out.csv"
    assert tag(str(source), "-o", str(out), "--keep", "tags").exit_code == 0
    with open(out, newline="", encoding="utf-8") as fh:
        [row] = list(csv.DictReader(fh))
    assert (row["tags"], row["date"]) == ('["a", "b"]', "2025")


@pytest.mark.parametrize(("name", "message"), [("countries", "field of the result"), (" ", "needs a field name")])
def test_keeping_a_result_field_is_refused(tag: Tag, tmp_path: Path, name: str, message: str) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", articles(2))
    result = tag(str(source), "-o", str(tmp_path / "out.jsonl"), "--keep", name)
    assert result.exit_code == 1, result.output
    assert message in result.stderr
    assert not (tmp_path / "out.jsonl").exists()
