"""POST /v1/tag/batch: bad articles get an error entry in their place."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from api.checks import assert_problem, assert_problem_body
from conftest import AppFactory
from model.tagger import Tagger

GOOD = [
    {"id": "g1", "text": "Việt Nam và Nhật Bản hợp tác về 5G và bán dẫn."},
    {"id": "g2", "title": "Hàn Quốc", "text": "Samsung mở trung tâm trí tuệ nhân tạo tại Hà Nội."},
]


def test_one_bad_article_in_the_middle_keeps_the_others(client: FlaskClient, tiny_tagger: Tagger,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    tag_many = Tagger.tag_many

    def spy(self: Tagger, articles: Any, explain: bool = False) -> list[dict[str, Any]]:
        calls.append(len(articles))
        return tag_many(self, articles, explain)

    monkeypatch.setattr(Tagger, "tag_many", spy)
    response = client.post("/v1/tag/batch?scores=all",
                           json={"articles": [GOOD[0], {"id": "bad", "text": 3}, GOOD[1]]})
    assert response.status_code == 200, response.get_data(as_text=True)
    results = response.get_json()["results"]
    assert len(results) == 3
    assert results[0] == tag_many(tiny_tagger, [GOOD[0]])[0]
    assert results[2]["id"] == "g2" and "countries" in results[2]
    assert_problem_body(results[1], 422, "'text' must be a string")
    assert results[1]["index"] == 1
    assert calls == [2], "the good articles are tagged in one tag_many call"


def test_every_kind_of_bad_article_is_reported_at_its_index(client: FlaskClient) -> None:
    articles = [{"text": ""}, "not an object", GOOD[0], {"text": "ok", "id": [1]}, None]
    results = client.post("/v1/tag/batch", json={"articles": articles}).get_json()["results"]
    bad = [i for i, r in enumerate(results) if "index" in r]
    assert bad == [0, 1, 3, 4]
    assert [results[i]["index"] for i in bad] == bad
    assert results[2]["id"] == "g1"


def test_all_bad_is_still_a_200_with_only_errors(client: FlaskClient) -> None:
    response = client.post("/v1/tag/batch", json={"articles": [{}, {"text": 1}]})
    assert response.status_code == 200
    for i, entry in enumerate(response.get_json()["results"]):
        assert_problem_body(entry, 422)
        assert entry["index"] == i


def test_empty_batch_gives_empty_results(client: FlaskClient) -> None:
    assert client.post("/v1/tag/batch", json={"articles": []}).get_json() == {"results": []}


def test_explain_applies_to_every_article(client: FlaskClient) -> None:
    results = client.post("/v1/tag/batch?explain=true", json={"articles": GOOD}).get_json()["results"]
    assert all("evidence" in r for r in results)


def test_more_than_the_limit_is_422_with_the_limit(make_app: AppFactory) -> None:
    client = make_app(BATCH_MAX=2).test_client()
    assert client.post("/v1/tag/batch", json={"articles": GOOD}).status_code == 200
    body = assert_problem(client.post("/v1/tag/batch", json={"articles": GOOD + GOOD[:1]}), 422, "at most 2")
    assert body["limit"] == 2


def test_default_limit_is_64(client: FlaskClient) -> None:
    body = assert_problem(client.post("/v1/tag/batch", json={"articles": [GOOD[0]] * 65}), 422, "at most 64")
    assert body["limit"] == 64


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "'articles'"),
        ({"articles": {"text": "x"}}, "'articles'"),
        ([GOOD[0]], "'articles'"),
        ({"items": GOOD}, "'articles'"),
    ],
)
def test_a_body_without_an_articles_list_is_422(client: FlaskClient, payload: Any, message: str) -> None:
    assert_problem(client.post("/v1/tag/batch", json=payload), 422, message)
