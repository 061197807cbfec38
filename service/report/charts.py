"""The report's PNG charts, drawn with matplotlib's Agg backend (no display needed)."""
from __future__ import annotations

import io
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
from matplotlib.figure import Figure  # noqa: E402

from service.report.counts import Tables  # noqa: E402

CHARTS = {"topics.png": "Articles per period per topic", "partners.png": "Top partner countries per period",
          "heatmap.png": "Countries × topics (articles, all periods)"}


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


def _empty(title: str, why: str) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 2.5))
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.5, why, ha="center", va="center", fontsize=11, color="#555")
    return _png(fig)


def _period_ticks(ax: plt.Axes, periods: list[str]) -> None:
    step = max(1, len(periods) // 12)
    ax.set_xticks(range(0, len(periods), step), [periods[i] for i in range(0, len(periods), step)],
                  rotation=45, ha="right")


def topics_chart(tables: Tables) -> bytes:
    """One line per topic: articles per period."""
    title = CHARTS["topics.png"]
    if not tables.topic_series:
        return _empty(title, "no dated article with a topic")
    periods = tables.periods
    series: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    index = {p: i for i, p in enumerate(periods)}
    for period, topic, n in tables.topic_series:
        series[topic][index[period]] = n
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for topic in sorted(series, key=lambda t: -sum(series[t])):
        ax.plot(range(len(periods)), series[topic], marker="o", label=topic)
    _period_ticks(ax, periods)
    ax.set_ylabel("articles")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    return _png(fig)


def partners_chart(tables: Tables) -> bytes:
    """Stacked bars: cooperation articles per period of the `top` partners (the rest as 'other')."""
    title = CHARTS["partners.png"]
    dated = [(p, partner, n) for p, partner, n in tables.partners if p]
    if not dated:
        return _empty(title, "no dated cooperation article with partners\n(the model in use may not give partners)")
    totals: dict[str, int] = defaultdict(int)
    for _, partner, n in dated:
        totals[partner] += n
    chosen = sorted(totals, key=lambda k: (-totals[k], k))[:tables.filters.top]
    periods = tables.periods
    index = {p: i for i, p in enumerate(periods)}
    stacks: dict[str, list[int]] = defaultdict(lambda: [0] * len(periods))
    for period, partner, n in dated:
        stacks[partner if partner in chosen else "other"][index[period]] += n
    fig, ax = plt.subplots(figsize=(9, 4.5))
    bottom = [0] * len(periods)
    for partner in [*chosen, *(["other"] if "other" in stacks else [])]:
        ax.bar(range(len(periods)), stacks[partner], bottom=bottom, label=partner)
        bottom = [b + v for b, v in zip(bottom, stacks[partner])]
    _period_ticks(ax, periods)
    ax.set_ylabel("cooperation articles")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8, ncol=2)
    return _png(fig)


def heatmap_chart(tables: Tables) -> bytes:
    """The `top` countries (by articles) against the topics, each cell's count written in it."""
    title = CHARTS["heatmap.png"]
    if not tables.heat:
        return _empty(title, "no article with both a country and a topic")
    totals: dict[str, int] = defaultdict(int)
    for country, _, n in tables.heat:
        totals[country] += n
    countries = sorted(totals, key=lambda c: (-totals[c], c))[:tables.filters.top]
    topics = sorted({t for _, t, _ in tables.heat})
    grid = [[0] * len(topics) for _ in countries]
    for country, topic, n in tables.heat:
        if country in countries:
            grid[countries.index(country)][topics.index(topic)] = n
    fig, ax = plt.subplots(figsize=(1.6 * len(topics) + 2.5, 0.45 * len(countries) + 1.8))
    image = ax.imshow(grid, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(topics)), topics, rotation=30, ha="right")
    ax.set_yticks(range(len(countries)), countries)
    peak = max(max(row) for row in grid) or 1
    for i, row in enumerate(grid):
        for j, n in enumerate(row):
            ax.text(j, i, str(n), ha="center", va="center", fontsize=8, color="white" if n > peak / 2 else "black")
    fig.colorbar(image, ax=ax, label="articles")
    ax.set_title(title)
    return _png(fig)


def all_charts(tables: Tables) -> dict[str, bytes]:
    """File name -> PNG bytes of every chart."""
    return {"topics.png": topics_chart(tables), "partners.png": partners_chart(tables),
            "heatmap.png": heatmap_chart(tables)}
