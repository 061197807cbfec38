"""Tagged records sent to `POST /v1/report`: checked, then handed to DuckDB as an Arrow table,
so the endpoint counts with the same SQL as `tagger report` (service.report.counts)."""
from __future__ import annotations

from typing import Any

import pyarrow as pa

from model.errors import InputError
from service.dates import normalise_date
from service.report.counts import Filters, Tables
from service.report.rising import rising_cells, rising_partners

SCHEMA = pa.schema([("id", pa.string()), ("date", pa.string()), ("title", pa.string()), ("url", pa.string()),
                    ("countries", pa.list_(pa.string())), ("topics", pa.list_(pa.string())),
                    ("partners", pa.list_(pa.string())), ("cooperation", pa.bool_())])
MAX_TOP = 100


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InputError(f"{where} must be a string, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{where} must be valid Unicode text (it holds a lone surrogate)") from None
    return value


def _optional_text(value: Any, where: str) -> str | None:
    return None if value is None else _text(value, where)


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list):
        raise InputError(f"{where} must be a list of strings")
    return [_text(v, f"{where}[{i}]") for i, v in enumerate(value)]


def records_table(records: Any) -> pa.Table:
    """The records as a table of `SCHEMA`.

    Raises
    ------
    InputError
        If `records` is not a list of tagged records (each an object with
        `countries` and `topics` lists of strings and a boolean `cooperation`;
        `partners` a list when present; `id`, `title`, `url` strings when present).
    """
    if not isinstance(records, list):
        raise InputError("send a JSON object with a list of tagged records under 'records'")
    rows = []
    for i, record in enumerate(records):
        where = f"record {i}"
        if not isinstance(record, dict):
            raise InputError(f"{where} must be a JSON object, not {type(record).__name__}")
        missing = [k for k in ("countries", "topics", "cooperation") if k not in record]
        if missing:
            raise InputError(f"{where} is not a tagged record (no {', '.join(missing)}): tag it first")
        if not isinstance(record["cooperation"], bool):
            raise InputError(f"{where}: 'cooperation' must be true or false")
        date = normalise_date(record.get("date")).value
        ident = record.get("id")
        rows.append({
            "id": str(ident) if isinstance(ident, int) and not isinstance(ident, bool)
            else _optional_text(ident, f"{where}: 'id'"),
            "date": _optional_text(date if date is None or isinstance(date, str) else str(date), f"{where}: 'date'"),
            "title": _optional_text(record.get("title"), f"{where}: 'title'"),
            "url": _optional_text(record.get("url"), f"{where}: 'url'"),
            "countries": _strings(record["countries"], f"{where}: 'countries'"),
            "topics": _strings(record["topics"], f"{where}: 'topics'"),
            "partners": _strings(record.get("partners") or [], f"{where}: 'partners'"),
            "cooperation": record["cooperation"],
        })
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def filters_from(body: dict[str, Any]) -> Filters:
    """The request's filters (all optional).

    Raises
    ------
    InputError
        If a filter has the wrong type or value.
    """
    by = body.get("by", "month")
    top = body.get("top", 10)
    if not isinstance(top, int) or isinstance(top, bool) or not 1 <= top <= MAX_TOP:
        raise InputError(f"'top' must be a whole number from 1 to {MAX_TOP}")
    cooperation = body.get("cooperation", False)
    if not isinstance(cooperation, bool):
        raise InputError("'cooperation' must be true or false")
    return Filters(by=_text(by, "'by'"), since=_optional_text(body.get("since"), "'since'"),
                   until=_optional_text(body.get("until"), "'until'"),
                   countries=tuple(c.upper() for c in _strings(body.get("country", []), "'country'")),
                   topics=tuple(t.lower() for t in _strings(body.get("topic", []), "'topic'")),
                   cooperation=cooperation, top=top)


def tables_json(tables: Tables) -> dict[str, Any]:
    """The counts as the endpoint's JSON body."""
    f = tables.filters
    return {
        "by": f.by, "periods": tables.periods, "total": tables.total, "matched": tables.matched,
        "undated": tables.undated,
        "counts": [{"period": p, "country": c, "topic": t, "cooperation": k, "articles": n}
                   for p, c, t, k, n in tables.counts],
        "partners": [{"period": p, "partner": partner, "articles": n} for p, partner, n in tables.partners],
        "topics": [{"period": p, "topic": t, "articles": n} for p, t, n in tables.topic_series],
        "per_period": [{"period": p, "articles": n, "cooperation": k} for p, n, k in tables.per_period],
        "rising": {
            "cells": [{"country": r.key[0], "topic": r.key[1], "last": r.last, "mean": round(r.mean, 4),
                       "score": round(r.score, 4)} for r in rising_cells(tables.counts, tables.periods, f.top)],
            "partners": [{"partner": r.key[0], "last": r.last, "mean": round(r.mean, 4), "score": round(r.score, 4)}
                         for r in rising_partners(tables.partners, tables.periods, f.top)],
        },
    }
