"""Section 5: bundle load time in a fresh process, and the resident memory of the gunicorn workers."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.server import Server, status_kb
from bench.stats import growth_pct, median

# Imports are timed apart from `load_bundle`, which is what the target is about.
_LOAD = """
import json, sys, time
start = time.perf_counter()
from model.bundle import load_bundle
imported = time.perf_counter()
load_bundle(sys.argv[1])
print(json.dumps({"import_s": imported - start, "load_s": time.perf_counter() - imported}))
"""


def load_once(model: Path) -> dict[str, float]:
    """Import and `load_bundle` times of one fresh Python process."""
    done = subprocess.run([sys.executable, "-c", _LOAD, str(model)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"loading {model} in a subprocess failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_load_time(model: Path, repeats: int) -> dict[str, Any]:
    """Median over `repeats` fresh processes, after one untimed (page cache, bytecode); the bundle's size."""
    load_once(model)
    runs = [load_once(model) for _ in range(repeats)]
    return {"runs": runs, "load_s": median([r["load_s"] for r in runs]),
            "import_s": median([r["import_s"] for r in runs]), "bundle_bytes": model.stat().st_size}


def worker_memory(server: Server) -> dict[str, dict[str, float | None]]:
    """VmRSS (the target) and Pss (shared pages split among sharers) of each worker, in MB."""
    def mb(kb: int | None) -> float | None:
        return None if kb is None else kb / 1024
    return {str(pid): {"rss_mb": mb(status_kb(pid, "VmRSS")), "pss_mb": mb(status_kb(pid, "Pss"))}
            for pid in server.worker_pids()}


def memory_growth(idle: dict[str, dict[str, float | None]], after: dict[str, dict[str, float | None]],
                  requests: int) -> dict[str, Any]:
    """Per-worker RSS idle and after `requests`, the largest RSS and the largest growth in %.

    A worker that was replaced meanwhile (another pid) has no growth; `replaced` says so.
    """
    kept = [pid for pid in after if pid in idle and idle[pid]["rss_mb"] and after[pid]["rss_mb"]]
    growth = {pid: growth_pct(idle[pid]["rss_mb"], after[pid]["rss_mb"]) for pid in kept}  # type: ignore[arg-type]
    rss = [m["rss_mb"] for m in [*idle.values(), *after.values()] if m["rss_mb"] is not None]
    return {
        "requests": requests,
        "idle": idle,
        "after": after,
        "growth_pct": growth,
        "max_rss_mb": max(rss, default=float("nan")),
        "max_growth_pct": max(growth.values(), default=float("nan")),
        "replaced": sorted(set(idle) ^ set(after)),
    }
