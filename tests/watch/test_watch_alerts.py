"""Alert rules: matched into ARCHIVE.alerts.jsonl, delivered to webhooks off the tagging path."""
from __future__ import annotations

import threading
from pathlib import Path

import pytest

from model.tagger import Tagger
from service.watch import archive as store
from service.watch import webhook
from service.watch.alerts import AlertLog
from service.watch.cycle import Watch, run_cycle
from service.watch.feeds import WatchError
from service.watch.loop import watch_logger
from service.watch.rules import Rule, load_rules
from service.watch.state import State
from watch.conftest import real_items, written_items
from watch.feedserver import Route, rss
from watch.helpers import alert_states, archived, once


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "FIRST_PAUSE_S", 0.01)


def write_rules(path: Path, text: str, labels) -> list[Rule]:
    path.write_text(text, encoding="utf-8")
    return load_rules(path, labels)


def test_every_matching_item_raises_one_alert_per_rule(server, real_rows, tiny_tagger: Tagger, tmp_path) -> None:
    server.routes["/a.xml"] = Route(rss("Tin", real_items(real_rows, 0, 8) + written_items("w")))
    topic = next(label for label in ("semiconductors", "ai", "5g", "cybersecurity") if label in tiny_tagger.labels)
    rules = write_rules(tmp_path / "rules.toml", f'[quiet]\ncooperation = false\n\n[topic]\ntopics = ["{topic}"]\n'
                        'min_score = 0.0\n', tiny_tagger.labels)
    archive = tmp_path / "news.jsonl"
    once([server.url("/a.xml")], archive, tiny_tagger, rules)
    records = archived(archive)
    expected = {f"{rule.name}|{r['id']}" for r in records for rule in rules if rule.matches(r)}
    states = alert_states(archive)
    assert set(states) == expected
    assert any(a.startswith("quiet|") for a in expected)  # the rule matched something
    assert {a["status"] for a in states.values()} == {"recorded"}  # no webhook
    for alert in states.values():
        assert alert["item"] == next(r for r in records if r["id"] == alert["item"]["id"])
    once([server.url("/a.xml")], archive, tiny_tagger, rules)  # nothing new, no new alert
    lines = store.sibling(archive, ".alerts.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(expected)


def test_a_webhook_that_fails_first_is_retried_until_delivered(server, tiny_tagger: Tagger, tmp_path) -> None:
    server.routes["/a.xml"] = Route(rss("Tin", written_items("h")))
    server.routes["/hook"] = Route(post_statuses=[500, 503])
    rules = [Rule("all", cooperation=False, webhook=server.url("/hook")),
             Rule("coop", cooperation=True, webhook=server.url("/hook"))]
    archive = tmp_path / "news.jsonl"
    once([server.url("/a.xml")], archive, tiny_tagger, rules)
    states = alert_states(archive)
    assert len(states) == 4 and {a["status"] for a in states.values()} == {"delivered"}
    statuses = [status for _, status, _ in server.posts]
    assert statuses[:3] == [500, 503, 200] and statuses[3:] == [200] * 3
    assert max(a["attempts"] for a in states.values()) == 3
    assert {body["alert_id"] for _, status, body in server.posts if status == 200} == set(states)
    assert all(body["item"]["title"] for _, _, body in server.posts)


def test_an_undelivered_alert_stays_pending_and_is_retried_next_cycle(server, tiny_tagger: Tagger, tmp_path) -> None:
    server.routes["/a.xml"] = Route(rss("Tin", written_items("p")[:1]))
    server.routes["/hook"] = Route(post_statuses=[500] * webhook.TRIES_PER_ROUND)
    rules = [Rule("all", cooperation=False, webhook=server.url("/hook")),
             Rule("coop", cooperation=True, webhook=server.url("/hook"))]
    archive = tmp_path / "news.jsonl"
    once([server.url("/a.xml")], archive, tiny_tagger, rules)
    (alert,) = alert_states(archive).values()
    assert (alert["status"], alert["attempts"], alert["error"]) == ("pending", 3, "HTTP 500 Internal Server Error")
    once([server.url("/a.xml")], archive, tiny_tagger, rules)  # a restart: the pending alert is offered again
    (alert,) = alert_states(archive).values()
    assert (alert["status"], alert["attempts"], alert["error"]) == ("delivered", 4, None)
    assert [status for _, status, _ in server.posts] == [500, 500, 500, 200]


def test_a_dead_webhook_gives_up_after_the_most_attempts(server, tiny_tagger: Tagger, tmp_path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook, "MAX_ATTEMPTS", 4)
    server.routes["/a.xml"] = Route(rss("Tin", written_items("d")[:1]))
    rules = [Rule("all", cooperation=False, webhook=server.url("/gone")),
             Rule("coop", cooperation=True, webhook=server.url("/gone"))]
    archive = tmp_path / "news.jsonl"
    for _ in range(3):
        once([server.url("/a.xml")], archive, tiny_tagger, rules)
    (alert,) = alert_states(archive).values()
    assert (alert["status"], alert["attempts"]) == ("failed", 4)


def test_a_hanging_webhook_does_not_hold_up_tagging(server, tiny_tagger: Tagger, tmp_path) -> None:
    hold = threading.Event()
    server.routes["/a.xml"] = Route(rss("Tin", written_items("n")))
    server.routes["/hook"] = Route(hold=hold)
    rules = [Rule("all", cooperation=False, webhook=server.url("/hook")),
             Rule("coop", cooperation=True, webhook=server.url("/hook"))]
    archive = tmp_path / "news.jsonl"
    state, log = State(store.sibling(archive, ".state.sqlite")), AlertLog(store.sibling(archive, ".alerts.jsonl"))
    stop = threading.Event()
    deliverer = webhook.Deliverer(log, {"all": server.url("/hook"), "coop": server.url("/hook")}, stop)
    watch = Watch([server.url("/a.xml")], archive, tiny_tagger, state, log, rules, watch_logger())
    try:
        run_cycle(watch)
        assert deliverer.offer() == 4
        server.routes["/a.xml"] = Route(rss("Tin", written_items("n2")))
        run_cycle(watch)  # a second cycle runs while the first delivery still waits on the receiver
        assert not hold.is_set() and server.posts == []
        assert len(archived(archive)) == 8 and state.last_cycle() == 2
        assert deliverer.offer() == 4  # the new ones; the queued ones are not queued twice
    finally:
        hold.set()
        deliverer.close(30)
        state.close()
    assert len(server.posts) == 8
    assert {a["status"] for a in alert_states(archive).values()} == {"delivered"}


@pytest.mark.parametrize(("record", "rule", "expected"), [
    ({"countries": ["JP"], "topics": ["semiconductors"], "cooperation": True}, Rule("r", countries=("JP", "KR"),
     topics=("semiconductors",), cooperation=True), True),
    ({"countries": ["CN"], "topics": ["semiconductors"], "cooperation": True}, Rule("r", countries=("JP", "KR"),
     topics=("semiconductors",), cooperation=True), False),
    ({"countries": ["JP"], "topics": ["semiconductors"], "cooperation": False}, Rule("r", countries=("JP",),
     cooperation=True), False),
    ({"countries": ["JP"], "topics": [], "cooperation": True, "partners": ["JP"]}, Rule("r", partners=("JP",)), True),
    ({"countries": ["JP"], "topics": [], "cooperation": True}, Rule("r", partners=("JP",)), False),  # old model
    ({"countries": ["JP"], "topics": [], "cooperation": False, "scores": {"JP": 0.55}},
     Rule("r", countries=("JP",), min_score=0.6), False),
    ({"countries": ["JP", "KR"], "topics": [], "cooperation": False, "scores": {"JP": 0.55, "KR": 0.7}},
     Rule("r", countries=("JP", "KR"), min_score=0.6), True),
    ({"countries": [], "topics": [], "cooperation": True, "partners": ["KR"], "scores": {"partner:KR": 0.4}},
     Rule("r", partners=("KR",), min_score=0.5), False),
])
def test_rules_match_on_every_condition(record: dict, rule: Rule, expected: bool) -> None:
    assert rule.matches(record) is expected


@pytest.mark.parametrize(("text", "message"), [
    ("[a]\ncountries = 'JP'\n", "countries must be a list"),
    ("[a]\ntopics = ['chips']\n", "does not give topics chips"),
    ("[a]\ncountries = ['XX']\n", "does not give countries XX"),
    ("[a]\ncooperation = 'yes'\n", "cooperation must be true or false"),
    ("[a]\ncooperation = true\nmin_score = 2\n", "min_score must be a number from 0 to 1"),
    ("[a]\ncooperation = true\nwebhook = 'ftp://x'\n", "webhook must be an http(s) URL"),
    ("[a]\ncooperation = true\ncolour = 'red'\n", "unknown key(s) colour"),
    ("[a]\nmin_score = 0.5\n", "sets no condition"),
    ("a = 1\n", "must be a table"),
    ("[a\n", "not valid TOML"),
    ("", "has no rule"),
])
def test_bad_rules_files_are_refused_with_a_clear_message(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WatchError) as caught:
        load_rules(path, ["JP", "KR", "semiconductors", "cooperation"])
    assert message in str(caught.value)
