"""Section 8: `tagger report` over 1,000,000 synthetic tagged rows (seconds and peak memory).

The rows are made here, in the schema of the Parquet folder `tagger tag -o X.parquet`
writes (`service.parquet_parts`, for a model of no scored labels: the report does not read
the score columns): 24 months of
dates (some only a year-month, some none), titles and URLs, countries and
topics with a skew like the news stream's, and cooperation with partners on
about one row in twelve. `tagger report` then runs as its own process, timed
from start to exit, and its peak resident memory is read from `wait4`.
Targets: at most 10 s and 1 GB (docs/bench.md).
"""
from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from bench.batch import tagger_command
from service.parquet_parts import ParquetFormat

ROWS = 1_000_000
PARTS = 10
COUNTRIES = ["VN", "US", "CN", "JP", "KR", "SG", "TW", "IN", "DE", "FR", "GB", "RU", "TH", "AU", "ID", "MY", "NL",
             "IL", "CA", "PH"]
TOPICS = ["ai", "5g", "semiconductors", "cybersecurity"]
TARGET_S, TARGET_MB = 10.0, 1024.0


def _lists(rng: np.random.Generator, n: int, names: list[str], sizes: list[float]) -> list[list[str]]:
    """n lists of distinct names: length drawn with probabilities `sizes`, names skewed to the first ones."""
    weights = 1 / np.arange(1, len(names) + 1)
    picks = rng.choice(len(names), size=(n, len(sizes) - 1), p=weights / weights.sum())
    lengths = rng.choice(len(sizes), size=n, p=sizes)
    return [list(dict.fromkeys(names[j] for j in row[:k])) for row, k in zip(picks.tolist(), lengths.tolist())]


def make_rows(folder: Path, rows: int = ROWS, parts: int = PARTS, seed: int = 16) -> Path:
    """Write `rows` synthetic tagged rows as `parts` Parquet part files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    schema = ParquetFormat([], "synthetic").schema
    size = -(-rows // parts)
    for part in range(parts):
        n = min(size, rows - part * size)
        start = part * size
        months = rng.integers(0, 24, n)
        days = rng.integers(1, 29, n)
        kind = rng.random(n)
        dates = [None if k < 0.03 else f"{2024 + m // 12}-{m % 12 + 1:02d}" + ("" if k < 0.08 else f"-{d:02d}")
                 for m, d, k in zip(months.tolist(), days.tolist(), kind.tolist())]
        countries = _lists(rng, n, COUNTRIES, [0.35, 0.35, 0.2, 0.1])
        topics = _lists(rng, n, TOPICS, [0.6, 0.3, 0.1])
        cooperation = (rng.random(n) < 0.08).tolist()
        partners = [[c for c in cs if c != "VN"][:2] if coop else [] for cs, coop in zip(countries, cooperation)]
        ids = [f"syn-{start + i}" for i in range(n)]
        table = pa.Table.from_pydict({
            "id": ids, "date": dates, "title": [f"Tin công nghệ số {i} về hợp tác và đổi mới" for i in ids],
            "source": ["Báo mẫu"] * n, "url": [f"https://news.example/{i}" for i in ids],
            "countries": countries, "topics": topics, "partners": partners, "cooperation": cooperation,
            "model_version": ["synthetic"] * n,
        }, schema=schema)
        pq.write_table(table, folder / f"part-{part:06d}.parquet")
    return folder


def time_report(inputs: Path, out: Path, log: Path) -> dict[str, Any]:
    """Run `tagger report INPUTS -o OUT` once: wall seconds and peak RSS of that process.

    Raises
    ------
    RuntimeError
        If the command fails (its stderr's end is in the message).
    """
    with open(log, "wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen([tagger_command(), "report", str(inputs), "-o", str(out)],
                                   stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"tagger report failed: {log.read_text(encoding='utf-8', errors='replace')[-1500:]}")
    said = re.search(r" in (\d+\.\d+) s$", log.read_text(encoding="utf-8", errors="replace"), re.M)
    return {"seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024,
            "counting_s": float(said.group(1)) if said else None}  # what the command says, start-up excluded


def run_report_bench(workdir: Path, rows: int = ROWS) -> dict[str, Any]:
    """Make the rows, then time one report over them (the first run reads the files into the page cache
    as any first run of the day does; the figure is that run)."""
    made = time.perf_counter()
    folder = make_rows(workdir / "synthetic.parquet", rows)
    result = {"rows": rows, "generate_s": time.perf_counter() - made,
              "input_mb": sum(p.stat().st_size for p in folder.iterdir()) / 2**20,
              **time_report(folder, workdir / "report", workdir / "report.log")}
    result["ok"] = result["seconds"] <= TARGET_S and result["peak_rss_mb"] <= TARGET_MB
    return result


def report_line(r: dict[str, Any]) -> str:
    """The printed figure."""
    verdict = "meets" if r["ok"] else "MISSES"
    return (f"tagger report over {r['rows']:,} tagged rows ({r['input_mb']:.0f} MB of Parquet): "
            f"{r['seconds']:.1f} s from start to exit ({r['counting_s']} s after start-up), peak "
            f"{r['peak_rss_mb']:.0f} MB ({verdict} ≤ {TARGET_S:.0f} s, ≤ {TARGET_MB:.0f} MB)")


def report_section(workdir: Path, say: Callable[[str], None]) -> dict[str, Any]:
    """Section 8 for `python -m bench --sections 8`: the figure said and returned under "report"."""
    result = run_report_bench(workdir)
    say(report_line(result))
    return {"report": result}


if __name__ == "__main__":  # python -m bench.trends: this figure alone
    import tempfile

    with tempfile.TemporaryDirectory(prefix="tagger-bench-report-") as tmp:
        print(report_line(run_report_bench(Path(tmp))))
