"""The counts behind a report, as SQL on DuckDB over a relation of tagged records.

`count_tables` materialises the records (`inputs.tagged_view_sql`, or the API's
records), applies the filters and returns every table the CSV files, the
charts, the page and `POST /v1/report` show. An article counts once in each
(period, country, topic) cell it falls in: an article naming Japan and Korea
about AI counts under JP × ai and KR × ai. No country or no topic is NULL (an
empty cell in the CSV).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from service.dates import normalise_date
from service.report.inputs import ReportError

MONTH = r"'^\d{4}-(0[1-9]|1[0-2])'"
PERIODS = {
    "month": f"CASE WHEN regexp_matches(date, {MONTH}) THEN substr(date, 1, 7) END",
    "quarter": f"CASE WHEN regexp_matches(date, {MONTH}) THEN substr(date, 1, 4) || '-Q' || "
               "CAST((CAST(substr(date, 6, 2) AS INTEGER) + 2) // 3 AS VARCHAR) END",
    "year": r"CASE WHEN regexp_matches(date, '^\d{4}(-|T|$)') THEN substr(date, 1, 4) END",
}
EXAMPLES = 3  # example titles per cell


@dataclass(frozen=True)
class Filters:
    """What to count: the period size, a date range, and the countries, topics and cooperation to keep."""

    by: str = "month"
    since: str | None = None
    until: str | None = None
    countries: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    cooperation: bool = False
    top: int = 10

    def describe(self) -> str:
        parts = [f"{name} {', '.join(v) if isinstance(v, tuple) else v}" for name, v in (
            ("since", self.since), ("until", self.until), ("country", self.countries), ("topic", self.topics))
            if v]
        return "; ".join(parts + (["cooperation only"] if self.cooperation else [])) or "none"


@dataclass
class Tables:
    """Everything a report shows. Rows are tuples in the order their CSV columns name."""

    filters: Filters
    total: int  # records read
    matched: int  # records the filters kept
    undated: int  # of those, without a usable date (no period)
    periods: list[str]
    counts: list[tuple[str | None, str | None, str | None, bool, int]]  # period, country, topic, cooperation, n
    partners: list[tuple[str | None, str, int]]  # period, partner, cooperation articles
    topic_series: list[tuple[str, str, int]]  # period, topic, articles
    heat: list[tuple[str, str, int]]  # country, topic, articles (all periods)
    per_period: list[tuple[str, int, int]] = field(default_factory=list)  # period, articles, cooperation articles
    examples: dict[tuple[Any, ...], list[tuple[str, str | None, str | None]]] = field(default_factory=dict)
    partner_examples: dict[tuple[Any, ...], list[tuple[str, str | None, str | None]]] = field(default_factory=dict)


def _date_bound(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    iso, ok = normalise_date(value)
    if not ok or iso is None:
        raise ReportError(f"--{name} {value!r} is not a date (use 2025-08, 2025-08-14 or 14/08/2025)")
    return str(iso)[:10]


def _literal(values: tuple[str, ...]) -> str:
    return "[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]::VARCHAR[]"


def _where(filters: Filters) -> str:
    since, until = _date_bound("since", filters.since), _date_bound("until", filters.until)
    conditions = ["TRUE"]
    if since or until:
        conditions.append(r"regexp_matches(date, '^\d{4}')")
    if since:
        conditions.append(f"date >= left('{since}', length(date))")  # a year-month is in if its month is
    if until:
        conditions.append(f"left(date, {len(until)}) <= '{until}'")
    if filters.countries:
        conditions.append(f"list_has_any(countries, {_literal(filters.countries)})")
    if filters.topics:
        conditions.append(f"list_has_any(topics, {_literal(filters.topics)})")
    if filters.cooperation:
        conditions.append("cooperation")
    return " AND ".join(conditions)


def _within(column: str, values: tuple[str, ...]) -> str:
    return f"list_contains({_literal(values)}, {column})" if values else "TRUE"


def _or_null(column: str) -> str:
    return f"unnest(CASE WHEN len({column}) = 0 THEN [NULL::VARCHAR] ELSE {column} END)"


def _examples(con: duckdb.DuckDBPyConnection, table: str, keys: str) -> dict[tuple[Any, ...], list[Any]]:
    """Up to EXAMPLES titled rows per `keys` cell, newest first. Cells carry only the row's
    number (rid), not its title and URL, to keep them small; a top-n aggregate picks the
    rows (five times faster than a window over every cell), then they are joined back."""
    outer = ", ".join(f"c.{key.strip()}" for key in keys.split(","))
    rows = con.execute(f"""
        WITH top AS (SELECT {keys}, max_by(rid, coalesce(date, '') || '|' || coalesce(id, ''), {EXAMPLES}) AS rids
                     FROM {table} WHERE titled GROUP BY ALL),
             picked AS (SELECT {keys}, unnest(rids) AS rid, unnest(range(len(rids))) AS rank FROM top)
        SELECT {outer}, t.title, t.date, t.url FROM picked AS c JOIN tagged AS t ON t.rowid = c.rid
        ORDER BY {outer}, c.rank""").fetchall()
    found: dict[tuple[Any, ...], list[Any]] = {}
    width = keys.count(",") + 1
    for row in rows:
        found.setdefault(tuple(row[:width]), []).append(tuple(row[width:]))
    return found


def count_tables(con: duckdb.DuckDBPyConnection, source_sql: str, filters: Filters,
                 progress: Callable[[str], None] = lambda step: None, none_kept_ok: bool = False) -> Tables:
    """Count the records `source_sql` selects.

    Raises
    ------
    ReportError
        If there is no record, the filters keep none (unless `none_kept_ok`:
        then the tables are empty), a date bound is not a date, or DuckDB
        cannot read an input.
    """
    if filters.by not in PERIODS:
        raise ReportError(f"--by must be one of {', '.join(PERIODS)}, not {filters.by!r}")
    where = _where(filters)
    try:
        progress("reading the tagged records")
        con.execute("SET preserve_insertion_order = false")  # less memory; every query here orders itself
        con.execute(f"CREATE OR REPLACE TEMP TABLE tagged AS SELECT *, {PERIODS[filters.by]} AS period, "
                    f"coalesce(title, '') <> '' AS titled FROM ({source_sql})")
        total = con.execute("SELECT count(*) FROM tagged").fetchone()[0]  # type: ignore[index]
        if not total:
            raise ReportError("the input holds no tagged record: it is empty")
        con.execute(f"CREATE OR REPLACE TEMP VIEW chosen AS SELECT rowid AS rid, * FROM tagged WHERE {where}")
        matched, undated = con.execute("SELECT count(*), count(*) - count(period) FROM chosen").fetchone()  # type: ignore[misc]
        if not matched and not none_kept_ok:
            raise ReportError(f"no article matches the filters ({filters.describe()}) among {total} records")
        progress(f"counting {matched} articles")
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE cells AS
            WITH by_country AS (SELECT rid, id, date, titled, period, cooperation, topics,
                                {_or_null('countries')} AS country FROM chosen)
            SELECT rid, id, date, titled, period, cooperation, country, {_or_null('topics')} AS topic FROM by_country
            WHERE {_within('country', filters.countries)}""")
        if filters.topics:
            con.execute(f"DELETE FROM cells WHERE NOT {_within('topic', filters.topics)}")
        con.execute(f"""CREATE OR REPLACE TEMP TABLE partner_cells AS
            SELECT * FROM (SELECT rid, id, date, titled, period, unnest(partners) AS partner FROM chosen
                           WHERE cooperation) WHERE {_within('partner', filters.countries)}""")
        tables = Tables(
            filters=filters, total=total, matched=matched, undated=undated,
            periods=[r[0] for r in con.execute(
                "SELECT DISTINCT period FROM chosen WHERE period IS NOT NULL ORDER BY 1").fetchall()],
            counts=con.execute("SELECT period, country, topic, cooperation, count(*) FROM cells "
                               "GROUP BY ALL ORDER BY period NULLS LAST, country NULLS FIRST, topic NULLS FIRST, "
                               "cooperation").fetchall(),
            partners=con.execute("SELECT period, partner, count(*) FROM partner_cells GROUP BY ALL "
                                 "ORDER BY period NULLS LAST, 3 DESC, partner").fetchall(),
            topic_series=con.execute("SELECT period, topic, count(DISTINCT id) FROM cells WHERE period IS NOT NULL "
                                     "AND topic IS NOT NULL GROUP BY ALL ORDER BY 1, 2").fetchall(),
            heat=con.execute("SELECT country, topic, count(*) FROM cells WHERE country IS NOT NULL AND topic IS "
                             "NOT NULL GROUP BY ALL ORDER BY 3 DESC, 1, 2").fetchall(),
            per_period=con.execute("SELECT period, count(*), count(*) FILTER (WHERE cooperation) FROM chosen "
                                   "WHERE period IS NOT NULL GROUP BY ALL ORDER BY 1").fetchall(),
        )
        progress("finding example titles")
        tables.examples = _examples(con, "cells", "period, country, topic")
        tables.partner_examples = _examples(con, "partner_cells", "period, partner")
    except duckdb.Error as exc:
        raise ReportError(f"DuckDB could not read the input: {str(exc).splitlines()[0]}") from None
    return tables
