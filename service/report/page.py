"""report.html: one self-contained page (charts inline as base64 PNG, sortable
tables, a few example titles per cell); it loads nothing from anywhere."""
from __future__ import annotations

import base64
from collections import defaultdict
from html import escape
from typing import Any

from service.report.charts import CHARTS
from service.report.counts import Tables
from service.report.rising import Rise, rising_cells, rising_partners

MAX_ROWS = 500  # rows of a counts table on the page; the CSV files have them all

STYLE = """body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem auto;max-width:75rem;padding:0 1rem;color:#222}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}img{max-width:100%;display:block;margin:.5rem 0 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #ddd;padding:.3rem .5rem;
vertical-align:top;text-align:left}th{background:#f3f5f8;cursor:pointer;user-select:none}td.n{text-align:right}
th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}
ul.ex{margin:0;padding-left:1rem;font-size:12px}ul.ex span{color:#666}.note{color:#555}"""

SCRIPT = """document.querySelectorAll("table.sortable th").forEach(th => th.addEventListener("click", () => {
  const col = th.cellIndex, body = th.closest("table").tBodies[0], up = th.getAttribute("aria-sort") !== "ascending";
  th.parentNode.querySelectorAll("th").forEach(h => h.removeAttribute("aria-sort"));
  th.setAttribute("aria-sort", up ? "ascending" : "descending");
  const key = r => { const c = r.cells[col]; return c.dataset.v !== undefined ? Number(c.dataset.v) : c.textContent; };
  [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
    return (typeof x === "number" ? x - y : String(x).localeCompare(String(y))) * (up ? 1 : -1); })
    .forEach(r => body.appendChild(r));
}));"""


def _cell(value: Any) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        shown = f"{value:.2f}" if isinstance(value, float) else str(value)
        return f'<td class="n" data-v="{value}">{shown}</td>'
    return f"<td>{escape(str(value)) if value not in (None, '') else '—'}</td>"


def _examples(found: list[tuple[str, str | None, str | None]]) -> str:
    items = []
    for title, date, url in found:
        text = escape(title)
        link = f'<a href="{escape(url)}">{text}</a>' if url and url.startswith(("http://", "https://")) else text
        items.append(f"<li>{link} <span>{escape(date or 'undated')}</span></li>")
    return f'<td><ul class="ex">{"".join(items)}</ul></td>' if items else "<td></td>"


def _table(headers: list[str], rows: list[tuple[list[Any], list[Any]]]) -> str:
    """A sortable table; each row is its plain values and its examples."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(_cell(v) for v in values) + _examples(examples) + "</tr>"
                   for values, examples in rows)
    return f'<table class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _rising(tables: Tables) -> str:
    last = tables.periods[-1] if tables.periods else None
    if len(tables.periods) < 2:
        return '<p class="note">Fewer than two periods: nothing to compare the last one with.</p>'
    cells: list[Rise] = rising_cells(tables.counts, tables.periods, tables.filters.top)
    partners: list[Rise] = rising_partners(tables.partners, tables.periods, tables.filters.top)
    note = (f'<p class="note">Last period {escape(last or "")} against the average of the '
            f"{len(tables.periods) - 1} before; score = (last − mean) / √(mean + 1) (docs/report.md). "
            "A last period still under way has fewer articles than a whole one.</p>")
    cell_rows = [([r.key[0], r.key[1], r.last, r.mean, r.score], tables.examples.get((last, *r.key), []))
                 for r in cells]
    partner_rows = [([r.key[0], r.last, r.mean, r.score], tables.partner_examples.get((last, *r.key), []))
                    for r in partners]
    return (note + "<h3>Country × topic</h3>" +
            (_table(["country", "topic", "last", "mean before", "score", "examples (last period)"], cell_rows)
             if cell_rows else '<p class="note">No cell rose.</p>') + "<h3>Partners</h3>" +
            (_table(["partner", "last", "mean before", "score", "examples (last period)"], partner_rows)
             if partner_rows else '<p class="note">No partner rose (or the input has no partners).</p>'))


def _counts(tables: Tables) -> tuple[str, str]:
    merged: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for period, country, topic, cooperation, n in tables.counts:
        merged[(period, country, topic)][0] += n
        merged[(period, country, topic)][1] += n if cooperation else 0
    ranked = sorted(merged.items(), key=lambda kv: (-kv[1][0], str(kv[0])))
    shown = [([k[0] or "undated", k[1], k[2], v[0], v[1]], tables.examples.get(k, [])) for k, v in ranked[:MAX_ROWS]]
    counts = _table(["period", "country", "topic", "articles", "cooperation", "examples"], shown)
    partner_rows = sorted(tables.partners, key=lambda r: (-r[2], str(r[0]), r[1]))[:MAX_ROWS]
    partners = _table(["period", "partner", "cooperation articles", "examples"],
                      [([p or "undated", partner, n], tables.partner_examples.get((p, partner), []))
                       for p, partner, n in partner_rows]) if partner_rows else \
        '<p class="note">No cooperation article with partners.</p>'
    more = f" (the {MAX_ROWS} largest; counts.csv has all {len(merged)})" if len(merged) > MAX_ROWS else ""
    return f'<p class="note">Empty country or topic (—): the article names none.{escape(more)}</p>' + counts, partners


def render_page(tables: Tables, charts: dict[str, bytes], inputs: list[str]) -> str:
    """The whole report.html."""
    span = f"{tables.periods[0]} to {tables.periods[-1]}" if tables.periods else "no dated article"
    images = "".join(f'<h2>{escape(CHARTS[name])}</h2><img alt="{escape(CHARTS[name])}" id="chart-{name[:-4]}" '
                     f'src="data:image/png;base64,{base64.b64encode(png).decode()}">' for name, png in charts.items())
    counts, partners = _counts(tables)
    f = tables.filters
    summary = (f"{tables.total} tagged records read from {', '.join(inputs)}; {tables.matched} kept by the filters "
               f"({f.describe()}), {tables.undated} of them undated; by {f.by}, {span}.")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Tagged news report</title>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><style>{STYLE}</style></head><body>"
            f"<h1>Tagged news report</h1><p id='summary'>{escape(summary)}</p>{images}"
            f"<h2>Rising</h2>{_rising(tables)}<h2>Counts</h2>{counts}<h2>Partners</h2>{partners}"
            f"<script>{SCRIPT}</script></body></html>")
