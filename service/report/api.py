"""`POST /v1/report`: tagged records in, their counts out (the Trends tab of the page uses it)."""
from __future__ import annotations

import duckdb
from flask import Blueprint, Response, current_app, jsonify

from model.errors import InputError
from service.api import json_body
from service.errors import problem_response
from service.report.counts import count_tables
from service.report.inputs import ReportError
from service.report.records import filters_from, records_table, tables_json

bp = Blueprint("report", __name__)


@bp.post("/v1/report")
def report() -> Response:
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise InputError("send a JSON object with a list of tagged records under 'records'")
    limit = current_app.config["REPORT_MAX"]
    if len(body["records"]) > limit:
        return problem_response(422, f"a report counts at most {limit} records, this request has "
                                f"{len(body['records'])}; use `tagger report` for more", limit=limit)
    filters = filters_from(body)
    table = records_table(body["records"])
    try:
        with duckdb.connect() as con:
            con.execute("SET threads = 1")  # one request must not take every core of the server
            con.register("records", table)
            # filters keeping nothing is an answer here (matched 0), not a bad request
            tables = count_tables(con, "SELECT * FROM records", filters, none_kept_ok=True)
    except ReportError as exc:
        raise InputError(str(exc)) from None
    return jsonify(tables_json(tables))
