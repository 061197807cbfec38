"""A real `tagger watch` process killed with SIGKILL at any point of a cycle, then restarted:
every item archived exactly once, every alert raised exactly once. And SIGTERM ends it after
the cycle in flight."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from model.tagger import Tagger
from service.watch import archive as store
from service.watch.faults import CRASH_ENV
from service.watch.rules import load_rules
from watch.conftest import real_items, written_items
from watch.feedserver import Route, rss
from watch.helpers import archived, log_lines, once

WAIT_S = 120
RULES = '[quiet]\ncooperation = false\n\n[coop]\ncooperation = true\n'  # every item: exactly one alert

pytestmark = pytest.mark.slow


def command(bundle: Path, feeds: Path, archive: Path, *extra: str) -> list[str]:
    return [sys.executable, "-c", "from service.cli import main; main()", "watch", str(feeds), "-o", str(archive),
            "--model", str(bundle), "--rules", str(feeds.with_name("rules.toml")), "--timeout", "5", *extra]


def run(args: list[str], crash_at: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at:
        env[CRASH_ENV] = crash_at
    return subprocess.run(args, capture_output=True, text=True, timeout=WAIT_S, env=env)


def setup(tmp_path: Path, server, items: list[dict]) -> Path:
    server.routes["/feed.xml"] = Route(rss("Tin", items))
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# the test feed\n{server.url('/feed.xml')}\n", encoding="utf-8")
    (tmp_path / "rules.toml").write_text(RULES, encoding="utf-8")
    return feeds


def assert_each_once(archive: Path, expected_ids: list[str]) -> None:
    ids = [r["id"] for r in archived(archive)]
    assert Counter(ids) == Counter(expected_ids), "lost or duplicated items"
    raised = [line for line in (store.sibling(archive, ".alerts.jsonl").read_text(encoding="utf-8").splitlines())]
    assert len(raised) == len(expected_ids), "lost or duplicated alerts"
    assert {line.split('"item": {"id": "', 1)[1].split('"', 1)[0] for line in raised} == set(expected_ids)


@pytest.mark.parametrize(("name", "point", "torn"), [
    ("news.jsonl", "tagged", False),
    ("news.jsonl", "archived", False),
    ("news.jsonl", "archived", True),  # killed in the middle of the write: a torn last line
    ("news.jsonl", "alerted", False),
    ("news.jsonl", "committed", False),
    ("news", "part-written", False),
    ("news", "alerted", False),
])
def test_a_kill_at_any_point_loses_nothing_and_writes_nothing_twice(server, real_rows, tiny_bundle_path: Path,
                                                                     tiny_tagger: Tagger, tmp_path: Path, name: str,
                                                                     point: str, torn: bool) -> None:
    # Only the killed cycle needs a process of its own; the others run here, which is quicker.
    first, second = real_items(real_rows, 30, 3), real_items(real_rows, 32, 3) + written_items("c")[:1]
    feeds, archive = setup(tmp_path, server, first), tmp_path / name
    rules = load_rules(tmp_path / "rules.toml", tiny_tagger.labels)
    once([server.url("/feed.xml")], archive, tiny_tagger, rules)
    server.routes["/feed.xml"] = Route(rss("Tin", second))  # one item already seen, three new
    killed = run(command(tiny_bundle_path, feeds, archive, "--once"), crash_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    if torn:
        data = archive.read_bytes()
        archive.write_bytes(data[:data.rstrip(b"\n").rfind(b"\n") + 40])
    expected = [i["guid"] for i in first] + [i["guid"] for i in second[1:]]
    for _ in range(2):  # the restart, then a clean cycle that adds nothing
        once([server.url("/feed.xml")], archive, tiny_tagger, rules)
        assert_each_once(archive, expected)


def test_a_kill_from_outside_mid_loop_then_a_restart_keeps_every_item_once(server, real_rows,
                                                                          tiny_bundle_path: Path,
                                                                          tmp_path: Path) -> None:
    items = real_items(real_rows, 40, 6)
    feeds, archive = setup(tmp_path, server, items[:2]), tmp_path / "news.jsonl"
    child = subprocess.Popen(command(tiny_bundle_path, feeds, archive, "--every", "0.2s"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        for n in range(3, 7):  # the feed grows while the watch loops; killed in its 4th cycle or so
            deadline = time.monotonic() + WAIT_S
            while server.hits["/feed.xml"] < n - 1 and child.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            server.routes["/feed.xml"] = Route(rss("Tin", items[:n]))
        assert child.poll() is None, child.stderr.read()
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        child.stderr.close()
    restarted = run(command(tiny_bundle_path, feeds, archive, "--once"))
    assert restarted.returncode == 0, restarted.stderr
    assert_each_once(archive, [i["guid"] for i in items])


def test_sigterm_finishes_the_cycle_in_flight_then_exits(server, tiny_bundle_path: Path, tmp_path: Path) -> None:
    items = written_items("t")
    feeds, archive = setup(tmp_path, server, items), tmp_path / "news.jsonl"
    server.routes["/feed.xml"].delay = 1.5  # the fetch is in flight when SIGTERM arrives
    child = subprocess.Popen(command(tiny_bundle_path, feeds, archive, "--every", "1h"), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + WAIT_S
        while server.hits["/feed.xml"] < 1 and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        child.send_signal(signal.SIGTERM)
        _, stderr = child.communicate(timeout=WAIT_S)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 0, stderr
    assert [line["new"] for line in log_lines(stderr)] == [4]  # one cycle, finished
    assert_each_once(archive, [i["guid"] for i in items])
