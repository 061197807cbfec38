"""GET /v1/alerts: the alerts file of `tagger watch`, newest first, each in its last status."""
from __future__ import annotations

from pathlib import Path

import pytest

from conftest import AppFactory


def test_alerts_are_listed_newest_first_in_their_last_status(make_app: AppFactory, alerts_file: Path) -> None:
    client = make_app(ALERTS_PATH=str(alerts_file)).test_client()
    response = client.get("/v1/alerts")
    assert response.status_code == 200
    body = response.get_json()
    assert body["count"] == 2
    assert [(a["alert_id"], a["status"], a["attempts"]) for a in body["alerts"]] == [
        ("chips|a2", "recorded", 0), ("chips|a1", "delivered", 1)]
    assert body["alerts"][0]["item"]["title"].startswith("Nhật Bản")


@pytest.mark.parametrize(("since", "ids"), [
    ("2026-03-02", ["chips|a2"]),
    ("2026-03-01T08:00:00+00:00", ["chips|a2", "chips|a1"]),
    ("2026-03-01T09:00:00+07:00", ["chips|a2", "chips|a1"]),  # 02:00 UTC, before a1
    ("2026-04-01", []),
])
def test_since_keeps_the_alerts_raised_from_then_on(make_app: AppFactory, alerts_file: Path, since: str,
                                                    ids: list[str]) -> None:
    client = make_app(ALERTS_PATH=str(alerts_file)).test_client()
    response = client.get("/v1/alerts", query_string={"since": since})
    assert response.status_code == 200, response.get_json()
    assert [a["alert_id"] for a in response.get_json()["alerts"]] == ids


def test_limit_keeps_the_newest(make_app: AppFactory, alerts_file: Path) -> None:
    response = make_app(ALERTS_PATH=str(alerts_file)).test_client().get("/v1/alerts?limit=1")
    assert [a["alert_id"] for a in response.get_json()["alerts"]] == ["chips|a2"]


@pytest.mark.parametrize(("query", "message"), [
    ({"since": "last week"}, "'since' must be an ISO 8601"),
    ({"since": "2026-13-01"}, "'since' must be an ISO 8601"),
    ({"limit": "0"}, "'limit' must be a whole number from 1 to 1000"),
    ({"limit": "many"}, "'limit' must be a whole number"),
    ({"limit": "²"}, "'limit' must be a whole number"),  # a digit to str.isdigit, not to int()
    ({"since": "0001-01-01T00:00:00+05:00"}, "'since' must be an ISO 8601"),  # before the earliest time
])
def test_bad_parameters_are_a_400_problem(make_app: AppFactory, alerts_file: Path, query: dict, message: str) -> None:
    response = make_app(ALERTS_PATH=str(alerts_file)).test_client().get("/v1/alerts", query_string=query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert message in response.get_json()["detail"]


def test_without_an_alerts_file_setting_it_is_a_404_problem(client) -> None:
    response = client.get("/v1/alerts")
    assert response.status_code == 404
    assert "TAGGER_ALERTS_PATH" in response.get_json()["detail"]


def test_a_configured_file_not_written_yet_means_no_alerts(make_app: AppFactory, tmp_path: Path) -> None:
    response = make_app(ALERTS_PATH=str(tmp_path / "absent.alerts.jsonl")).test_client().get("/v1/alerts")
    assert response.status_code == 200
    assert response.get_json() == {"alerts": [], "count": 0}
