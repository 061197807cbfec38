"""POST /v1/tag: one article in, its tags out; bad articles get 422."""
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from api.checks import assert_problem
from model.tagger import Tagger
from service.scores import lean

ARTICLE = {"id": "a1", "title": "Việt Nam và Nhật Bản hợp tác về 5G",
           "text": "Bộ trưởng Việt Nam tiếp Đại sứ Nhật Bản. Hai bên ký biên bản ghi nhớ hợp tác triển khai 5G."}
RESULT_KEYS = {"id", "countries", "topics", "cooperation", "partners", "scores", "model_version"}


def test_tag_returns_the_record_the_tagger_gives(client: FlaskClient, tiny_tagger: Tagger) -> None:
    response = client.post("/v1/tag", json=ARTICLE)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == RESULT_KEYS
    assert body == lean(tiny_tagger.tag(ARTICLE))
    assert body["id"] == "a1"
    full = client.post("/v1/tag?scores=all", json=ARTICLE).get_json()
    assert full == tiny_tagger.tag(ARTICLE)
    assert set(full["scores"]) == set(tiny_tagger.labels)


def test_explain_adds_evidence_for_each_given_label(client: FlaskClient) -> None:
    body = client.post("/v1/tag?explain=true", json=ARTICLE).get_json()
    given = (body["countries"] + body["topics"] + (["cooperation"] if body["cooperation"] else [])
             + [f"partner:{code}" for code in body["partners"]])
    assert given, "the tiny model should tag this article"
    assert set(body["evidence"]) == set(given)
    assert all(isinstance(terms, list) for terms in body["evidence"].values())


def test_a_cooperation_names_its_partner_with_a_score_and_evidence(client: FlaskClient) -> None:
    body = client.post("/v1/tag?explain=true", json=ARTICLE).get_json()
    assert body["cooperation"] is True and body["partners"] == ["JP"]
    assert "JP" in body["countries"]
    assert body["scores"]["partner:JP"] > body["scores"].get("partner:KR", 0.0)
    assert body["evidence"]["partner:JP"][:2] == ["Nhật Bản (x2)", "hợp tác"]  # its name, then the cooperation


def test_no_partner_without_cooperation(client: FlaskClient) -> None:
    body = client.post("/v1/tag", json={"title": "Mã độc tống tiền lan rộng tại Hàn Quốc",
                                        "text": "Tin tặc tấn công nhiều doanh nghiệp Hàn Quốc."}).get_json()
    assert body["cooperation"] is False and body["partners"] == []


@pytest.mark.parametrize("flag", ["false", "0", "no", ""])
def test_explain_off_has_no_evidence(client: FlaskClient, flag: str) -> None:
    body = client.post(f"/v1/tag?explain={flag}", json=ARTICLE).get_json()
    assert "evidence" not in body


def test_explain_must_be_a_yes_or_no(client: FlaskClient) -> None:
    assert_problem(client.post("/v1/tag?explain=maybe", json=ARTICLE), 400, "'explain'")


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ({"text": "Việt Nam ký hợp tác với Hàn Quốc", "id": 7}, 200, None),
        ({"text": "Việt Nam", "source": "vnexpress", "tags": [1, 2]}, 200, None),  # unknown fields ignored
        ({"text": "Việt Nam", "title": None, "lead": None, "id": None}, 200, None),
        ({"body": "Việt Nam và Mỹ"}, 200, None),  # the data files' name for text
        ({}, 422, "'text' is required"),
        ({"title": "Chỉ có tiêu đề"}, 422, "'text' is required"),
        ({"text": ""}, 422, "must not be empty"),
        ({"text": "   \n"}, 422, "must not be empty"),
        ({"text": None}, 422, "'text' is required"),
        ({"text": 5}, 422, "'text' must be a string, not int"),
        ({"text": ["a"]}, 422, "'text' must be a string, not list"),
        ({"text": "ok", "title": 3}, 422, "'title' must be a string"),
        ({"text": "ok", "lead": {"a": 1}}, 422, "'lead' must be a string"),
        ({"text": "ok", "id": 1.5}, 422, "'id' must be a string or an integer"),
        ({"text": "ok", "id": True}, 422, "'id' must be a string or an integer"),
        ([{"text": "ok"}], 422, "must be a JSON object, not list"),
        ("Việt Nam", 422, "must be a JSON object, not str"),
        (42, 422, "must be a JSON object, not int"),
    ],
)
def test_validation(client: FlaskClient, payload: Any, status: int, message: str | None) -> None:
    response = client.post("/v1/tag", json=payload)
    if status == 200:
        assert response.status_code == 200, response.get_data(as_text=True)
        assert set(response.get_json()) == RESULT_KEYS
    else:
        assert_problem(response, status, message)


def test_integer_id_comes_back_as_a_string(client: FlaskClient) -> None:
    assert client.post("/v1/tag", json={"id": 12, "text": "Việt Nam"}).get_json()["id"] == "12"
