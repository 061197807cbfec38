"""`tagger serve`: a bad bundle stops it cleanly; a good one serves over gunicorn."""
from __future__ import annotations

import gc
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from model.bundle import manifest_path
from service import serve_cli
from service.cli import main

START_TIMEOUT_S = 90  # a bound on waiting, not a performance check


@pytest.fixture
def corrupt_bundle(tiny_bundle_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "corrupt.joblib"
    shutil.copy(tiny_bundle_path, path)
    shutil.copy(manifest_path(tiny_bundle_path), manifest_path(path))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def no_gunicorn(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Stand in for gunicorn so a test never starts a server by mistake; records its options."""
    started: list[dict] = []
    monkeypatch.setattr(serve_cli, "run_gunicorn", lambda app, options: started.append(options))
    return started


def test_corrupt_bundle_exits_non_zero_with_the_message(runner: CliRunner, corrupt_bundle: Path,
                                                        no_gunicorn: list[dict]) -> None:
    result = runner.invoke(main, ["serve", "--model", str(corrupt_bundle), "--port", "8001"])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # a ClickException, not a crash
    assert "does not match the checksum in its manifest" in result.output
    assert "Traceback" not in result.output
    assert no_gunicorn == []


def test_missing_bundle_exits_non_zero(runner: CliRunner, tmp_path: Path, no_gunicorn: list[dict]) -> None:
    result = runner.invoke(main, ["serve", "--model", str(tmp_path / "none.joblib")])
    assert result.exit_code == 1
    assert "no model bundle at" in result.output


def test_bad_setting_exits_non_zero(runner: CliRunner, tiny_bundle_path: Path, no_gunicorn: list[dict]) -> None:
    result = runner.invoke(main, ["serve", "--model", str(tiny_bundle_path)], env={"TAGGER_WORKERS": "many"})
    assert result.exit_code == 1
    assert "TAGGER_WORKERS must be a whole number" in result.output


def test_options_beat_environment_which_beats_defaults(runner: CliRunner, tiny_bundle_path: Path,
                                                       no_gunicorn: list[dict]) -> None:
    env = {"PORT": "9100", "TAGGER_WORKERS": "3", "TAGGER_LOG_LEVEL": "WARNING"}
    result = runner.invoke(main, ["serve", "--model", str(tiny_bundle_path), "--workers", "2"], env=env)
    assert result.exit_code == 0, result.output
    (options,) = no_gunicorn
    assert options["bind"] == "127.0.0.1:9100"
    assert options["workers"] == 2
    assert options["preload_app"] is True
    assert options["loglevel"] == "warning"


def test_loaded_model_is_frozen_out_of_garbage_collection_before_gunicorn_forks(
        runner: CliRunner, tiny_bundle_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frozen_at_start: list[int] = []
    monkeypatch.setattr(serve_cli, "run_gunicorn", lambda app, options: frozen_at_start.append(gc.get_freeze_count()))
    gc.unfreeze()
    try:
        result = runner.invoke(main, ["serve", "--model", str(tiny_bundle_path)])
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
    assert result.exit_code == 0, result.output
    assert frozen_at_start and frozen_at_start[0] > 0


def test_workers_default_to_one_per_core(runner: CliRunner, tiny_bundle_path: Path, no_gunicorn: list[dict],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAGGER_WORKERS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(6)), raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    result = runner.invoke(main, ["serve", "--model", str(tiny_bundle_path)])
    assert result.exit_code == 0, result.output
    assert no_gunicorn[0]["workers"] == 6


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def live_server(tiny_bundle_path: Path, tmp_path: Path) -> Iterator[str]:
    """`tagger serve` in a real subprocess on a free loopback port; yields its base URL."""
    port = _free_port()
    log = tmp_path / "serve.log"
    env = {**os.environ, "TAGGER_MAX_BYTES": "20000", "TAGGER_LOG_LEVEL": "INFO"}
    command = [sys.executable, "-c", "from service.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port), "--workers", "1", "--model", str(tiny_bundle_path)]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, f"tagger serve exited early:\n{log.read_text()}"
            try:
                with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            assert time.monotonic() < deadline, f"not ready after {START_TIMEOUT_S}s:\n{log.read_text()}"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.mark.slow
def test_serve_tags_over_http(live_server: str, tiny_tagger) -> None:
    article = {"id": "live-1", "text": "Việt Nam và Nhật Bản hợp tác về 5G."}
    request = urllib.request.Request(live_server + "/v1/tag?scores=all", data=json.dumps(article).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200
        assert response.headers["X-Request-ID"]
        body = json.loads(response.read())
    assert body == tiny_tagger.tag(article)

    # A chunked body over TAGGER_MAX_BYTES, through gunicorn's real dechunking.
    host, port = live_server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    chunks = [b'{"text": "', *([b"x" * 5_000] * 6), b'"}']
    conn.request("POST", "/v1/tag", body=iter(chunks), headers={"Content-Type": "application/json"},
                 encode_chunked=True)
    response = conn.getresponse()
    problem = json.loads(response.read())
    conn.close()
    assert response.status == 413
    assert response.getheader("Content-Type") == "application/problem+json"
    assert problem["status"] == 413 and "20000 bytes" in problem["detail"]
