"""The API echoes an article's `date` normalised as `tagger tag` writes it (service.dates)."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

TEXT = "Việt Nam và Nhật Bản hợp tác về 5G."


@pytest.mark.parametrize(("given", "echoed"), [
    ("14/08/2025", "2025-08-14"), ("2025-08-14T10:20:00Z", "2025-08-14T10:20:00+00:00"), ("2019-05", "2019-05"),
    (None, None), ("", None), ("hôm qua", "hôm qua"), (2025, 2025),
])
def test_tag_echoes_the_normalised_date(client: FlaskClient, given: Any, echoed: Any) -> None:
    response = client.post("/v1/tag", json={"text": TEXT, "date": given})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["date"] == echoed


def test_no_date_member_no_date_in_the_result(client: FlaskClient) -> None:
    assert "date" not in client.post("/v1/tag", json={"text": TEXT}).get_json()


def test_batch_echoes_each_articles_date(client: FlaskClient) -> None:
    body = {"articles": [{"text": TEXT, "date": "4/8/2025"}, {"text": TEXT}, {"text": "", "date": "2025"}]}
    results = client.post("/v1/tag/batch", json=body).get_json()["results"]
    assert results[0]["date"] == "2025-08-04"
    assert "date" not in results[1]
    assert results[2]["status"] == 422 and "date" not in results[2]
