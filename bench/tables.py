"""The printed table: one block per section that ran, then the targets."""
from __future__ import annotations

import math
from typing import Any

from bench.metrics_cost import metrics_block
from bench.report import fmt, table, targets_table
from bench.stats import ratio


def floor_block(r: dict[str, Any]) -> str:
    return (f"1. Floor: underthesea word_tokenize alone, in-process ({fmt(r['articles'])} articles, "
            f"{fmt(r['chars'] / 1000, 0)} kchar; median of {len(r['runs_s'])} runs)\n"
            + table(["", "seconds", "articles/s", "kchar/s"],
                    [["word_tokenize", fmt(r["seconds"], 2), fmt(r["articles_per_s"]), fmt(r["kchar_per_s"])]]))


def spread(values: list[float]) -> str:
    """The lowest and highest of the values that are numbers, as "low-high"; how many
    were numbers when some were not; "-" if none were."""
    finite = [v for v in values if v is not None and not math.isnan(v)]
    if not finite:
        return "-"
    missing = f" ({len(finite)} of {len(values)})" if len(finite) < len(values) else ""
    return f"{fmt(min(finite), 0)}-{fmt(max(finite), 0)}{missing}"


def batch_block(r: dict[str, Any], floor: dict[str, Any] | None) -> str:
    base = floor["articles_per_s"] if floor else float("nan")
    rows = [[f"--jobs {j}", fmt(run["seconds"], 2), fmt(run["articles_per_s"]), fmt(ratio(run["articles_per_s"], base), 2),
             fmt(run["startup_s"], 2), fmt(run["steady_articles_per_s"]), spread(run.get("steady_runs", [])),
             fmt(ratio(run["steady_articles_per_s"], base), 2)]
            for j, run in r["runs"].items()]
    text = (f"2. tagger tag, a subprocess on {fmt(r['articles'])} articles (--chunk-size {r['chunk_size']}; "
            f"median of {len(next(iter(r['runs'].values()))['runs_s'])} runs).\n"
            f"   end-to-end: process start, imports, bundle load, writing and exit included. steady: the time the\n"
            f"   CLI reports for reading, tagging and writing (its summary's time line); start-up = the rest\n"
            + table(["", "end-to-end s", "articles/s", "x floor", "start-up s", "steady articles/s", "range", "x floor"],
                    rows))
    pair, runs = r.get("side_by_side"), r["runs"]
    if pair and "1" in runs and "2" in runs:
        one, two, both = (runs["1"]["steady_articles_per_s"], runs["2"]["steady_articles_per_s"],
                          pair["steady_articles_per_s"])
        text += (f"\n   two --jobs 1 processes side by side (no pool; the machine's ceiling for two processes): "
                 f"{fmt(both)} articles/s together\n"
                 f"   = {fmt(ratio(both, one), 2)}x --jobs 1; --jobs 2 reached {fmt(100 * ratio(two, both), 0)} % of it")
    return text


def growth_block(r: dict[str, Any]) -> str:
    rows = [[size, fmt(s["chars"]), fmt(s["articles"]), fmt(s["ms_per_kchar"], 2),
             "1.00" if size == "1x" else fmt(r["ratios"][f"{size}/1x"], 2)] for size, s in r["sizes"].items()]
    return (f"3. Cost growth: Tagger.tag in-process on articles 1x/4x/16x the median length ({fmt(r['median_chars'])} "
            f"chars), all cut from the same text\n"
            + table(["size", "chars each", "articles", "ms per kchar", "vs 1x"], rows))


def rest_block(r: dict[str, Any]) -> str:
    a = r["article"]
    rows = [[f"concurrency {c}", fmt(lv["p50_ms"]), fmt(lv["p95_ms"]), fmt(lv["p99_ms"]), fmt(lv["requests_per_s"]),
             fmt(lv["requests"]), fmt(lv["errors"])] for c, lv in r["levels"].items()]
    return (f"4. REST: POST /v1/tag under gunicorn ({r['workers']} workers), one article of {fmt(a['chars'])} chars "
            f"({fmt(a['request_bytes'])} bytes as JSON); median of runs, errors summed (warm-up included)\n"
            + table(["", "p50 ms", "p95 ms", "p99 ms", "requests/s", "requests", "errors"], rows))


def memory_block(load: dict[str, Any] | None, mem: dict[str, Any] | None) -> str:
    lines = ["5. Model load and worker memory"]
    if load:
        lines.append(f"   load_bundle in a fresh process: {fmt(load['load_s'], 2)} s (imports before it: "
                     f"{fmt(load['import_s'], 2)} s; median of {len(load['runs'])})")
        if "bundle_bytes" in load:
            lines.append(f"   bundle size: {fmt(load['bundle_bytes'] / 1e6, 1)} MB ({fmt(load['bundle_bytes'])} bytes)")
    if mem:
        rows = [[f"worker {pid}", fmt(m["rss_mb"]), fmt(m["pss_mb"]), fmt(mem["after"].get(pid, {}).get("rss_mb")),
                 fmt(mem["after"].get(pid, {}).get("pss_mb")), fmt(mem["growth_pct"].get(pid), 1)]
                for pid, m in mem["idle"].items()]
        lines.append(table(["", "idle RSS MB", "idle PSS MB", f"RSS after {mem['requests']:,} req", "PSS after",
                            "RSS growth %"], rows))
        if mem["replaced"]:
            lines.append(f"   workers replaced during the run (no growth for them): {', '.join(mem['replaced'])}")
    return "\n".join(lines)


def instructions_block(r: dict[str, Any]) -> str:
    head = "9. Instructions per Tagger.tag call on section 4's article (callgrind, as python -m bench.cost --callgrind)"
    if r.get("skipped"):
        return f"{head}\n   not measured: {r['skipped']}"
    return f"{head}\n   {fmt(r['tag_m_per_call'], 2)} M instructions per call (mean of {r['calls']} calls)"


def render(results: dict[str, Any]) -> str:
    """The whole table for the sections in `results`."""
    s = results["sections"]
    blocks = [f"Sample: {results['sample']['source']}; model: {results['model']['path']} "
              f"({results['model'].get('version', '?')}); {results['machine']['usable_cores']} cores, "
              f"load average at start {', '.join(fmt(x, 2) for x in results['machine']['load_average_at_start'])}"]
    if "floor" in s:
        blocks.append(floor_block(s["floor"]))
    if "batch" in s:
        blocks.append(batch_block(s["batch"], s.get("floor")))
    if "growth" in s:
        blocks.append(growth_block(s["growth"]))
    if "rest" in s:
        blocks.append(rest_block(s["rest"]))
    if "load_time" in s or "memory" in s:
        blocks.append(memory_block(s.get("load_time"), s.get("memory")))
    if "metrics_cost" in s:
        blocks.append(metrics_block(s["metrics_cost"]))
    if "instructions" in s:
        blocks.append(instructions_block(s["instructions"]))
    if "failed" in s:
        blocks.append("FAILED sections (no figures; see the messages above the table)\n"
                      + "\n".join(f"   {name}: {why.strip().splitlines()[-1]}" for name, why in s["failed"].items()))
    blocks.append("Targets\n" + targets_table(s))
    return "\n\n".join(blocks)
