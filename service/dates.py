"""One normalisation of article dates to ISO 8601, shared by `tagger tag` and the API.

Accepted: ISO dates and datetimes (`2025-08-14`, `2025-08-14T10:20:00+07:00`,
`Z`, a space instead of `T`), a year-month (`2019-05`, as the data files have
for whole articles), a year, `dd/mm/yyyy` (also with `-` or `.`, the
Vietnamese order), `yyyy/mm/dd`, and RSS's RFC 2822 dates. A datetime keeps its
time and offset; nothing is converted to another time zone, so the date part
stays the day the article was published where it was published.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
YEAR = re.compile(r"\d{4}")
DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
YEAR_FIRST = re.compile(r"(\d{4})[/.](\d{1,2})[/.](\d{1,2})")
MIN_YEAR, MAX_YEAR = 1900, 2100


class NormalDate(NamedTuple):
    """`value`: the ISO 8601 text, None when absent, or the input as given when `ok` is False."""

    value: Any
    ok: bool


def _year_ok(year: int) -> bool:
    return MIN_YEAR <= year <= MAX_YEAR


def _iso(text: str) -> str | None:
    """The ISO 8601 form of `text`, or None when it is not a date this module knows."""
    if YEAR.fullmatch(text):
        return text if _year_ok(int(text)) else None
    if match := YEAR_MONTH.fullmatch(text):
        year, month = int(match[1]), int(match[2])
        return f"{year:04d}-{month:02d}" if _year_ok(year) and 1 <= month <= 12 else None
    for pattern, order in ((DAY_FIRST, (3, 2, 1)), (YEAR_FIRST, (1, 2, 3))):
        if match := pattern.fullmatch(text):
            try:
                day = date(*(int(match[i]) for i in order))
            except ValueError:
                return None
            return day.isoformat() if _year_ok(day.year) else None
    try:
        day = date.fromisoformat(text)  # also the basic form 20250814
        return day.isoformat() if _year_ok(day.year) else None
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)  # RSS: "Thu, 14 Aug 2025 10:20:00 +0700"
        except (TypeError, ValueError, IndexError):
            return None
    if not _year_ok(moment.year):
        return None
    return moment.isoformat(timespec="seconds" if not moment.microsecond else "microseconds")


def normalise_date(value: Any) -> NormalDate:
    """`value` as ISO 8601; `(None, True)` when absent or blank; `(value, False)`
    when it is not a date (kept as given so no data is lost). Raises nothing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return NormalDate(None, True)
    if not isinstance(value, str):
        return NormalDate(value, False)
    iso = _iso(value.strip())
    return NormalDate(value, False) if iso is None else NormalDate(iso, True)

