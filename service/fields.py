"""The input fields `tagger tag` carries into its results besides the tags.

Every result has `date` (ISO 8601 via `service.dates`, None when absent),
`title`, `source` and `url` (None when absent), then the fields `--keep`
names, in that order, so JSONL, CSV and Parquet outputs have the same fields.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from service.dates import normalise_date

CARRIED = ("date", "title", "source", "url")
# what the tagger writes: a kept field of the same name would be overwritten
RESULT_FIELDS = ("id", "countries", "topics", "cooperation", "partners", "scores", "evidence", "model_version")


class FieldError(ValueError):
    """A `--keep` name that cannot be kept."""


def kept_fields(keep: Sequence[str]) -> tuple[str, ...]:
    """`CARRIED` then the `--keep` names (deduplicated, in order).

    Raises
    ------
    FieldError
        If a name is blank or is one of the result's own fields.
    """
    names = list(CARRIED)
    for name in keep:
        if not name.strip():
            raise FieldError("--keep needs a field name, not a blank")
        if name in RESULT_FIELDS:
            raise FieldError(f"--keep {name}: '{name}' is a field of the result itself")
        if name not in names:
            names.append(name)
    return tuple(names)


def carried(record: Mapping[str, Any], names: Sequence[str]) -> tuple[dict[str, Any], bool]:
    """The `names` fields of an input `record` (None when absent) with `date`
    normalised, and whether its date was readable (absent counts as readable).
    CSV headers are lower-cased when read, so a name is also looked up lower-cased."""
    values = {name: record.get(name, record.get(name.lower())) for name in names}
    ok = True
    if "date" in values:
        values["date"], ok = normalise_date(values["date"])
    return values, ok
