"""The output formats of `tagger tag`: JSONL and CSV, each rendering results
and reading back the id of a line it wrote (for --resume).

Parquet, a folder of part files rather than lines, is `service.outputs_parquet`.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from model.tagger import Tagger
from service.batch_job import BatchError
from service.fields import CARRIED


class JsonlFormat:
    """One JSON result a line: id, the carried fields, the tags (`partners` when the model gives them)."""

    def __init__(self, version: str, explain: bool, fields: tuple[str, ...] = CARRIED) -> None:
        self.version, self.explain, self.fields = version, explain, fields

    def header(self) -> str:
        return ""

    def render(self, results: list[dict[str, Any]]) -> str:
        keys = ["id", *self.fields, "countries", "topics", "partners", "cooperation", "scores",
                *(["evidence"] if self.explain else []), "model_version"]
        # A record of a v1 model has no partners: an empty list, as for no cooperation, not null.
        return "".join(json.dumps({**{k: r.get(k) for k in keys}, "partners": r.get("partners") or []},
                                  ensure_ascii=False) + "\n" for r in results)

    def line_id(self, line: str, number: int) -> str | None:
        """The id of an output line written by a run like this one.

        Raises
        ------
        BatchError
            If the line is not such a result (other model, --explain or format).
        """
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise BatchError(f"line {number} of the output is not a JSONL result") from None
        if not isinstance(record, dict) or not isinstance(record.get("id"), str):
            raise BatchError(f"line {number} of the output is not a result with an id")
        if record.get("model_version") != self.version:
            raise BatchError(f"line {number} of the output was written by model {record.get('model_version')}, "
                             f"this run uses {self.version}")
        if ("evidence" in record) != self.explain:
            written = "without" if self.explain else "with"
            raise BatchError(f"line {number} of the output was written {written} --explain")
        return record["id"]


class CsvFormat:
    """id, carried fields, `;`-joined countries, topics and partners, cooperation, `score_<label>`,
    model_version[, evidence]. A carried value that is not text is written as JSON."""

    def __init__(self, labels: list[str], version: str, explain: bool, fields: tuple[str, ...] = CARRIED) -> None:
        self.labels, self.version, self.explain, self.fields = labels, version, explain, fields
        self.columns = ["id", *fields, "countries", "topics", "partners", "cooperation",
                        *(f"score_{label}" for label in labels), "model_version", *(["evidence"] if explain else [])]

    def _rows(self, rows: Iterable[list[Any]]) -> str:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        return buffer.getvalue()

    def header(self) -> str:
        return self._rows([self.columns])

    def render(self, results: list[dict[str, Any]]) -> str:
        rows = []
        for r in results:
            scores = r.get("scores", {})
            extras = [v if isinstance(v, str) else "" if v is None else json.dumps(v, ensure_ascii=False)
                       for v in (r.get(name) for name in self.fields)]
            row = [r["id"], *extras, ";".join(r["countries"]), ";".join(r["topics"]), ";".join(r.get("partners") or []),
                   "true" if r["cooperation"] else "false", *(scores.get(label, "") for label in self.labels),
                   r["model_version"]]
            if self.explain:  # JSON keeps the cell on one line, which resuming relies on
                row.append(json.dumps(r.get("evidence", {}), ensure_ascii=False))
            rows.append(row)
        return self._rows(rows)

    def line_id(self, line: str, number: int) -> str | None:
        """The id of an output line (None for the header); raises BatchError like `JsonlFormat`."""
        row = next(csv.reader([line]), [])
        if number == 1:
            if row != self.columns:
                raise BatchError("the output's CSV columns differ from this run's (other model, labels or --explain)")
            return None
        if len(row) != len(self.columns):
            raise BatchError(f"line {number} of the output is not a CSV result")
        if row[self.columns.index("model_version")] != self.version:
            raise BatchError(f"line {number} of the output was written by another model, this run uses {self.version}")
        return row[0]


OutputFormat = JsonlFormat | CsvFormat


def output_format(name: str, tagger: Tagger, explain: bool, fields: tuple[str, ...] = CARRIED) -> OutputFormat:
    """The writer for `--format` NAME ('jsonl' or 'csv')."""
    if name == "csv":
        return CsvFormat(list(tagger.labels), tagger.version, explain, fields)
    return JsonlFormat(tagger.version, explain, fields)
