"""`tagger report` counts equal the hand count of tests/report/hand.py, whatever the input format."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from report.conftest import Report
from report.hand import BY_MONTH, BY_QUARTER, PARTNERS_BY_MONTH, read_csv, write_tagged


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_counts_equal_the_hand_count(report: Report, tmp_path: Path, suffix: str) -> None:
    source = write_tagged(tmp_path / f"tagged{suffix}")
    result = report(str(source), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(read_csv(tmp_path / "out" / "counts.csv")) == sorted(BY_MONTH)
    assert sorted(read_csv(tmp_path / "out" / "partners.csv")) == sorted(PARTNERS_BY_MONTH)
    assert "counted 10 of 10 records (1 undated) in 3 periods" in result.stderr


def test_by_quarter(report: Report, hand_jsonl: Path, tmp_path: Path) -> None:
    assert report(str(hand_jsonl), "-o", str(tmp_path / "q"), "--by", "quarter").exit_code == 0
    assert sorted(read_csv(tmp_path / "q" / "counts.csv")) == sorted(BY_QUARTER)


def test_by_year_sums_the_months(report: Report, hand_jsonl: Path, tmp_path: Path) -> None:
    assert report(str(hand_jsonl), "-o", str(tmp_path / "y"), "--by", "year").exit_code == 0
    rows = read_csv(tmp_path / "y" / "counts.csv")
    assert {r[0] for r in rows} == {"2025", ""}
    assert sum(int(r[4]) for r in rows) == sum(int(r[4]) for r in BY_MONTH)


def test_country_and_cooperation_filters_keep_only_those_cells(report: Report, hand_jsonl: Path,
                                                               tmp_path: Path) -> None:
    result = report(str(hand_jsonl), "-o", str(tmp_path / "jp"), "--country", "jp", "--cooperation")
    assert result.exit_code == 0, result.output
    assert read_csv(tmp_path / "jp" / "counts.csv") == [("2025-08", "JP", "semiconductors", "true", "1"),
                                                        ("2025-09", "JP", "semiconductors", "true", "1"),
                                                        ("2025-10", "JP", "semiconductors", "true", "3")]
    assert read_csv(tmp_path / "jp" / "partners.csv") == [("2025-08", "JP", "1"), ("2025-09", "JP", "1"),
                                                          ("2025-10", "JP", "3")]


def test_topic_filter(report: Report, hand_jsonl: Path, tmp_path: Path) -> None:
    assert report(str(hand_jsonl), "-o", str(tmp_path / "ai"), "--topic", "AI").exit_code == 0
    assert sorted(read_csv(tmp_path / "ai" / "counts.csv")) == sorted([
        ("2025-08", "JP", "ai", "false", "1"), ("2025-09", "KR", "ai", "true", "1"),
        ("2025-09", "VN", "ai", "true", "1"), ("2025-09", "", "ai", "false", "1")])


def test_since_and_until_take_any_date_form_and_include_the_bounds(report: Report, hand_jsonl: Path,
                                                                   tmp_path: Path) -> None:
    result = report(str(hand_jsonl), "-o", str(tmp_path / "sep"), "--since", "01/09/2025", "--until", "2025-09")
    assert result.exit_code == 0, result.output
    assert sorted(read_csv(tmp_path / "sep" / "counts.csv")) == sorted(r for r in BY_MONTH if r[0] == "2025-09")


def test_the_rising_table_follows_the_documented_formula(report: Report, hand_jsonl: Path, tmp_path: Path) -> None:
    assert report(str(hand_jsonl), "-o", str(tmp_path / "out")).exit_code == 0
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    rising = page[page.index("<h2>Rising</h2>"):page.index("<h2>Counts</h2>")]
    # JP × semiconductors: 3 in 2025-10 against (1 + 1) / 2 before: (3 - 1) / sqrt(1 + 1) = 1.41
    assert re.search(r"<td>JP</td><td>semiconductors</td><td[^>]*>3</td><td[^>]*>1.00</td><td[^>]*>1.41</td>", rising)
    assert "<td>KR</td><td>semiconductors</td>" not in rising  # one article is not a rise
    assert "Bài r8" in rising and "https://example.test/r8" in rising  # the newest example of the last period
    assert "Bài r1" not in rising


def test_several_inputs_and_a_parquet_folder_add_up(report: Report, tmp_path: Path) -> None:
    folder = tmp_path / "tagged.parquet"
    folder.mkdir()
    write_tagged(folder / "part-000000.parquet")
    (folder / ".part-000001.parquet.tmp").write_bytes(b"torn")  # a killed run's leftover is not read
    jsonl = write_tagged(tmp_path / "more.jsonl")
    result = report(str(folder), str(jsonl), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(read_csv(tmp_path / "out" / "counts.csv")) == sorted(
        (p, c, t, k, str(2 * int(n))) for p, c, t, k, n in BY_MONTH)
