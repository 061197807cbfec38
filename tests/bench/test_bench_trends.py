"""bench.trends: the synthetic tagged rows are what `tagger report` reads, and the run is measured."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from bench.trends import COUNTRIES, TOPICS, make_rows, report_line, run_report_bench
from service.parquet_parts import ParquetFormat


def test_the_rows_look_like_tagger_tag_parquet_output(tmp_path: Path) -> None:
    folder = make_rows(tmp_path / "syn.parquet", rows=1_001, parts=3)
    assert sorted(p.name for p in folder.iterdir()) == [f"part-00000{i}.parquet" for i in range(3)]
    reference = tmp_path / "reference.parquet"  # a part of the shared schema, as Parquet stores it
    pq.write_table(ParquetFormat([], "synthetic").table([]), reference)
    assert pq.read_schema(folder / "part-000000.parquet").equals(pq.read_schema(reference), check_metadata=True)
    rows, ids, undated, coop, bad = duckdb.sql(f"""
        SELECT count(*), count(DISTINCT id), count(*) - count(date), count(*) FILTER (WHERE cooperation),
               count(*) FILTER (WHERE NOT list_has_all({COUNTRIES}, countries) OR NOT list_has_all({TOPICS}, topics)
                                 OR (NOT cooperation AND len(partners) > 0))
        FROM read_parquet('{folder}/*.parquet')""").fetchone()
    assert (rows, ids, bad) == (1_001, 1_001, 0)
    assert 0 < undated < 100 and 0 < coop < 200


def test_one_measured_report_run(tmp_path: Path) -> None:
    result = run_report_bench(tmp_path, rows=2_000)
    assert (tmp_path / "report" / "report.html").is_file()
    assert result["rows"] == 2_000 and result["seconds"] > 0 and result["peak_rss_mb"] > 10
    assert result["counting_s"] is not None and result["counting_s"] <= result["seconds"]
    assert "tagger report over 2,000 tagged rows" in report_line(result)
