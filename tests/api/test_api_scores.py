"""Lean `scores` by default (topics, cooperation, mentioned countries); `?scores=all` for every label."""
from __future__ import annotations

from flask.testing import FlaskClient

from api.checks import assert_problem
from model.labels import COOPERATION, TOPICS
from model.tagger import Tagger
from service.scores import lean

ARTICLES = [
    {"id": "s1", "title": "Hàn Quốc và Việt Nam hợp tác", "text": "Samsung và Việt Nam hợp tác về trí tuệ nhân tạo."},
    {"id": "s2", "text": "Giá rau tăng mạnh tại chợ trong tuần qua."},
]


def test_lean_scores_are_the_topics_cooperation_and_the_scored_countries(client: FlaskClient,
                                                                         tiny_tagger: Tagger) -> None:
    for article in ARTICLES:
        full = tiny_tagger.tag(article)["scores"]
        body = client.post("/v1/tag", json=article).get_json()
        assert set(body["scores"]) == {*TOPICS, COOPERATION} | {k for k, v in full.items() if v > 0}
        assert set(body["countries"]) <= set(body["scores"])
        assert all(body["scores"][k] == full[k] for k in body["scores"])
        assert len(body["scores"]) < len(full)


def test_scores_all_gives_every_label_in_one_and_in_batch(client: FlaskClient, tiny_tagger: Tagger) -> None:
    one = client.post("/v1/tag?scores=all", json=ARTICLES[0]).get_json()
    batch = client.post("/v1/tag/batch?scores=ALL", json={"articles": ARTICLES}).get_json()["results"]
    lean_batch = client.post("/v1/tag/batch?scores=lean", json={"articles": ARTICLES}).get_json()["results"]
    assert one == tiny_tagger.tag(ARTICLES[0])
    assert batch == tiny_tagger.tag_many(ARTICLES)
    assert lean_batch == [lean(r) for r in tiny_tagger.tag_many(ARTICLES)]
    assert all(set(r["scores"]) == set(tiny_tagger.labels) for r in batch)


def test_another_scores_value_is_a_400(client: FlaskClient) -> None:
    assert_problem(client.post("/v1/tag?scores=some", json=ARTICLES[0]), 400, "'scores' must be lean or all")
    assert_problem(client.post("/v1/tag/batch?scores=1", json={"articles": ARTICLES}), 400, "'scores'")


def test_the_lean_rule_keeps_given_countries_and_partner_keys_of_mentioned_ones() -> None:
    record = {"id": "x", "countries": ["JP"], "topics": [], "cooperation": True, "partners": ["JP", "TH"],
              "scores": {"ai": 0.0, "5g": 0.2, "semiconductors": 0.0, "cybersecurity": 0.0, "cooperation": 0.9,
                         "JP": 0.0, "KR": 0.31, "US": 0.0, "TH": 0.0, "CN": 0.0,
                         "partner:JP": 0.0, "partner:KR": 0.0, "partner:US": 0.0, "partner:TH": 0.0,
                         "partner:DE": 0.4},
              "model_version": "v"}
    assert lean(record) == {**record, "scores": {
        "ai": 0.0, "5g": 0.2, "semiconductors": 0.0, "cybersecurity": 0.0, "cooperation": 0.9,
        "JP": 0.0, "KR": 0.31, "TH": 0.0, "partner:JP": 0.0, "partner:KR": 0.0, "partner:TH": 0.0,
        "partner:DE": 0.4}}
    assert record["scores"]["US"] == 0.0, "lean returns a new record, the tagger's stays whole"
