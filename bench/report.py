"""The targets, the printed table and the JSON file of a run."""
from __future__ import annotations

import json
import math
import operator
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple


class Target(NamedTuple):
    """One target: what it checks, how the figure is read from the results, and its bound."""

    name: str
    section: int
    figure: Callable[[dict[str, Any]], float]
    compare: str  # ">=" or "<="
    bound: float
    unit: str


def _steady(results: dict[str, Any], jobs: str) -> float:
    return results["batch"]["runs"][jobs]["steady_articles_per_s"]


TARGETS = (
    Target("tagger tag --jobs 1 vs the floor (steady)", 2,
           lambda r: _steady(r, "1") / r["floor"]["articles_per_s"], ">=", 0.9, "x"),
    Target("tagger tag --jobs 2 vs --jobs 1 (steady)", 2, lambda r: _steady(r, "2") / _steady(r, "1"), ">=", 1.8, "x"),
    Target("time per kchar, 16x vs 1x (flat; bench's own bound)", 3,
           lambda r: r["growth"]["ratios"]["16x/1x"], "<=", 1.25, "x"),
    Target("REST p99 at concurrency 8", 4, lambda r: r["rest"]["levels"]["8"]["p99_ms"], "<=", 25, "ms"),
    Target("REST errors at concurrency 32", 4, lambda r: r["rest"]["levels"]["32"]["errors"], "<=", 0, ""),
    Target("bundle load (load_bundle, fresh process)", 5, lambda r: r["load_time"]["load_s"], "<=", 1, "s"),
    Target("bundle size", 5, lambda r: r["load_time"]["bundle_bytes"] / 1e6, "<=", 25, "MB"),
    Target("RSS per worker (largest)", 5, lambda r: r["memory"]["max_rss_mb"], "<=", 350, "MB"),
    Target("RSS growth over the requests (largest)", 5, lambda r: r["memory"]["max_growth_pct"], "<=", 10, "%"),
    Target("instructions per Tagger.tag call (callgrind)", 9, lambda r: r["instructions"]["tag_m_per_call"],
           "<=", 25, "M"),
)
_COMPARE = {">=": operator.ge, "<=": operator.le}


def fmt(value: Any, digits: int = 1) -> str:
    """A figure for the table: thousands separated, NaN and None as '-'."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.{digits}f}"


def _unit(unit: str) -> str:
    return unit if unit in ("", "x") else f" {unit}"


def check(target: Target, results: dict[str, Any]) -> dict[str, Any] | None:
    """The target's figure and verdict, or None when its section did not run.

    The verdict `ok` is None when the section ran but could not measure the figure (NaN).
    """
    try:
        value = float(target.figure(results))
    except (KeyError, ZeroDivisionError):
        return None
    ok = None if math.isnan(value) else bool(_COMPARE[target.compare](value, target.bound))
    return {"name": target.name, "section": target.section, "value": value, "compare": target.compare,
            "bound": target.bound, "unit": target.unit,
            "target": f"{target.compare} {fmt(target.bound, 2)}{_unit(target.unit)}", "ok": ok}


def checks(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in (check(t, results) for t in TARGETS) if c is not None]


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Columns aligned: the first to the left, the others to the right."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def targets_table(results: dict[str, Any]) -> str:
    verdicts = {True: "ok", False: "MISSED", None: "not measured"}
    rows = []
    for c in checks(results):
        value = fmt(int(c["value"]) if c["value"].is_integer() else c["value"], 2)
        rows.append([c["name"], value + _unit(c["unit"]) * (c["ok"] is not None), c["target"], verdicts[c["ok"]]])
    if not rows:
        return "   (none measured)"
    return table(["target", "measured", "bound", ""], rows)


def json_safe(value: Any) -> Any:
    """`value` with NaN and infinities as None, so the file is strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def write_json(results: dict[str, Any], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(json_safe(results), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
