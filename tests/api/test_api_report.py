"""POST /v1/report: the counts of `tagger report` as JSON; bad requests get 422 problems."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from api.checks import assert_problem
from conftest import AppFactory
from report.hand import BY_MONTH, PARTNERS_BY_MONTH, records


def _as_csv_rows(body: dict[str, Any]) -> list[tuple[str, ...]]:
    return sorted((c["period"] or "", c["country"] or "", c["topic"] or "", str(c["cooperation"]).lower(),
                   str(c["articles"])) for c in body["counts"])


def test_counts_equal_the_hand_count(client: FlaskClient) -> None:
    response = client.post("/v1/report", json={"records": records()})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert _as_csv_rows(body) == sorted(BY_MONTH)
    assert sorted((p["period"], p["partner"], str(p["articles"])) for p in body["partners"]) == sorted(
        PARTNERS_BY_MONTH)
    assert (body["total"], body["matched"], body["undated"], body["periods"]) == (
        10, 10, 1, ["2025-08", "2025-09", "2025-10"])
    assert {"period": "2025-10", "topic": "semiconductors", "articles": 3} in body["topics"]
    assert body["per_period"] == [{"period": "2025-08", "articles": 2, "cooperation": 1},
                                  {"period": "2025-09", "articles": 3, "cooperation": 2},
                                  {"period": "2025-10", "articles": 4, "cooperation": 3}]
    assert body["rising"]["cells"] == [{"country": "JP", "topic": "semiconductors", "last": 3, "mean": 1.0,
                                        "score": 1.4142}]
    assert body["rising"]["partners"] == [{"partner": "JP", "last": 3, "mean": 1.0, "score": 1.4142}]


def test_filters_and_quarters(client: FlaskClient) -> None:
    body = client.post("/v1/report", json={"records": records(), "by": "quarter", "country": ["jp"],
                                           "cooperation": True}).get_json()
    assert _as_csv_rows(body) == [("2025-Q3", "JP", "semiconductors", "true", "2"),
                                  ("2025-Q4", "JP", "semiconductors", "true", "3")]
    assert body["matched"] == 5 and body["by"] == "quarter"


def test_the_scores_and_other_fields_of_tag_results_are_accepted(client: FlaskClient) -> None:
    tagged = [{**r, "scores": {"ai": 0.5}, "evidence": {}, "date": "hôm qua"} for r in records()[:2]]
    body = client.post("/v1/report", json={"records": tagged, "by": "year"}).get_json()
    assert (body["matched"], body["undated"]) == (2, 2)  # an unreadable date is kept but has no period


def test_filters_keeping_nothing_are_an_empty_answer(client: FlaskClient) -> None:
    response = client.post("/v1/report", json={"records": records(), "topic": ["quantum"]})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert (body["total"], body["matched"], body["counts"], body["periods"], body["rising"]["cells"]) == (
        10, 0, [], [], [])


def test_more_records_than_the_limit_is_422_with_the_limit(make_app: AppFactory) -> None:
    client = make_app(REPORT_MAX=3).test_client()
    body = assert_problem(client.post("/v1/report", json={"records": records()}), 422, "at most 3 records")
    assert body["limit"] == 3


@pytest.mark.parametrize(("payload", "message"), [
    ([], "list of tagged records under 'records'"),
    ({"records": "x"}, "list of tagged records under 'records'"),
    ({"records": []}, "it is empty"),
    ({"records": [1]}, "record 0 must be a JSON object"),
    ({"records": [{"title": "t", "text": "bài"}]}, "record 0 is not a tagged record (no countries, topics, "
                                                   "cooperation): tag it first"),
    ({"records": [{"countries": [], "topics": [], "cooperation": "yes"}]}, "'cooperation' must be true or false"),
    ({"records": [{"countries": "JP", "topics": [], "cooperation": True}]}, "'countries' must be a list"),
    ({"records": [{"countries": [1], "topics": [], "cooperation": True}]}, "'countries'[0] must be a string"),
    ({"records": [{"countries": [], "topics": [], "cooperation": True, "title": 5}]}, "'title' must be a string"),
    ('{"records": [{"countries": [], "topics": [], "cooperation": true, "date": "\\ud800"}]}', "lone surrogate"),
    ({"records": records(), "top": 0}, "'top' must be a whole number from 1 to 100"),
    ({"records": records(), "by": "week"}, "--by must be one of month, quarter, year"),
    ({"records": records(), "since": "tomorrow"}, "is not a date"),
    ({"records": records(), "cooperation": 1}, "'cooperation' must be true or false"),
])
def test_bad_requests_are_422_problems(client: FlaskClient, payload: Any, message: str) -> None:
    sent = {"data": payload, "content_type": "application/json"} if isinstance(payload, str) else {"json": payload}
    assert_problem(client.post("/v1/report", **sent), 422, message)


def test_not_json_is_415_and_broken_json_400(client: FlaskClient) -> None:
    assert_problem(client.post("/v1/report", data="x", content_type="text/plain"), 415)
    assert_problem(client.post("/v1/report", data="{", content_type="application/json"), 400)
