"""What a batch run works on: the job, its counts, the records it passes along and its errors.

The other `service.batch_*` modules share these: `batch_inputs` reads and checks
records, `batch_engines` and `batch_pool` tag them, `batch_formats` and
`batch_outputs` write them, `batch_run` drives a run.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from model.errors import TaggerError
from service.fields import CARRIED

STDIN = "-"
Outcome = dict[str, Any] | str  # a result record, or why the article could not be tagged


class BatchError(TaggerError):
    """A batch cannot start or go on: missing input, unusable or foreign output."""


@dataclass(frozen=True)
class BatchJob:
    """What to tag and where to; `output` None means stdout."""

    inputs: list[str]
    output: Path | None
    errors: Path
    fmt: str = "jsonl"
    explain: bool = False
    chunk_size: int = 200
    resume: bool = False
    overwrite: bool = False
    fields: tuple[str, ...] = CARRIED  # input fields carried into results (service.fields.kept_fields)


@dataclass
class Counts:
    """Records tagged by this run, skipped as already in the output, and not tagged;
    labels given by this run (`service.tag_counts.label_counts`)."""

    tagged: int = 0
    skipped: int = 0
    errors: int = 0
    labels: Counter[str] = field(default_factory=Counter)
    bad_dates: int = 0  # dates kept as given because they could not be read


@dataclass(frozen=True)
class Problem:
    """A record that was not tagged: one line of the errors file."""

    source: str
    line: int | None
    id: str | None
    reason: str

    def to_json(self) -> str:
        return json.dumps({"input": self.source, "line": self.line, "id": self.id, "reason": self.reason},
                          ensure_ascii=False)


@dataclass(frozen=True)
class Pending:
    """A valid record waiting to be tagged; `article` is what the tagger sees,
    `extra` the input fields carried into its result (never sent to engines)."""

    source: str
    line: int | None
    id: str
    article: dict[str, str]
    extra: dict[str, Any] = field(default_factory=dict)
