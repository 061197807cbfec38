"""GET /metrics in one process (the test client): requests, latency, problems, articles, labels, model."""
from __future__ import annotations

from collections import Counter
from http import HTTPStatus

from flask.testing import FlaskClient

from api.prom import label_values, sample
from conftest import AppFactory
from model.tagger import Tagger
from service.tag_counts import label_counts

ARTICLES = [
    {"id": "m1", "title": "Việt Nam và Nhật Bản hợp tác về 5G",
     "text": "Bộ trưởng Việt Nam tiếp Đại sứ Nhật Bản. Hai bên ký biên bản ghi nhớ hợp tác triển khai 5G."},
    {"id": "m2", "title": "Mỹ siết xuất khẩu chip", "text": "Chính phủ Mỹ hạn chế xuất khẩu chip bán dẫn của Nvidia."},
    {"id": "m3", "text": "Tin tặc Trung Quốc tấn công mạng nhiều cơ quan, đánh cắp dữ liệu."},
]


def _metrics(client: FlaskClient) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_requests_are_counted_by_endpoint_and_status_and_timed(client: FlaskClient) -> None:
    for _ in range(3):
        client.get("/healthz")
    client.post("/v1/tag", json={"text": ""})
    client.get("/nowhere/at/all")
    text = _metrics(client)
    assert sample(text, "tagger_http_requests_total", endpoint="/healthz", status="200") == 3
    assert sample(text, "tagger_http_requests_total", endpoint="/v1/tag", status="422") == 1
    assert sample(text, "tagger_http_requests_total", endpoint="unmatched", status="404") == 1
    assert sample(text, "tagger_http_request_duration_seconds_count", endpoint="/healthz") == 3
    assert sample(text, "tagger_http_request_duration_seconds_bucket", endpoint="/healthz", le="+Inf") == 3
    assert sample(text, "tagger_problems_total", status="422", title=HTTPStatus(422).phrase) == 1
    assert sample(text, "tagger_problems_total", status="404", title="Not Found") == 1
    assert "tagger_problems_total{status=\"200\"" not in text


def test_articles_and_labels_count_what_was_tagged(client: FlaskClient, tiny_tagger: Tagger) -> None:
    client.post("/v1/tag", json=ARTICLES[0])
    response = client.post("/v1/tag/batch", json={"articles": [ARTICLES[1], {"text": 5}, ARTICLES[2]]})
    assert response.status_code == 200
    text = _metrics(client)
    assert sample(text, "tagger_articles_tagged_total") == 3
    expected = label_counts(tiny_tagger.tag_many(ARTICLES))
    assert expected, "the tiny model should give these articles some labels"
    assert label_values(text, "tagger_labels_given_total", "label") == dict(expected)


def test_model_version_is_a_gauge_set_to_one(client: FlaskClient, tiny_tagger: Tagger) -> None:
    assert sample(_metrics(client), "tagger_model_info", model_version=tiny_tagger.version) == 1


def test_each_app_counts_only_its_own_requests(make_app: AppFactory) -> None:
    first, second = make_app().test_client(), make_app().test_client()
    first.get("/healthz")
    assert sample(_metrics(second), "tagger_http_requests_total", endpoint="/healthz", status="200") == 0


def test_metrics_off_means_no_route_and_no_path_in_the_document(make_app: AppFactory) -> None:
    client = make_app(METRICS=False).test_client()
    assert client.get("/metrics").status_code == 404
    assert "/metrics" not in client.get("/openapi.json").get_json()["paths"]
    assert client.post("/v1/tag", json=ARTICLES[0]).status_code == 200


def test_label_counts_take_topics_cooperation_partners_and_the_big_four() -> None:
    records = [
        {"countries": ["JP", "TH"], "topics": ["ai", "5g"], "cooperation": True, "partners": ["JP", "TH"]},
        {"countries": ["US", "CN", "KR"], "topics": ["ai"], "cooperation": False, "partners": []},
        {"countries": ["DE"], "topics": [], "cooperation": False},  # a record from before `partners`
    ]
    assert label_counts(records) == Counter({"ai": 2, "5g": 1, "cooperation": 1, "partner:JP": 1, "partner:TH": 1,
                                             "JP": 1, "US": 1, "CN": 1, "KR": 1})
