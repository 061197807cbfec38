"""Schemathesis against a live `tagger serve` with an API key: no 5xx, every response as /openapi.json says.

The CLI runs in a subprocess against the keyed server (sending its key), with a fixed seed and
a bounded number of cases per operation, in positive and negative modes. The
server's request log is read back to count what was sent and what came back.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from reliability.conftest import API_KEY
from reliability.live import LiveServer

MAX_EXAMPLES = 100  # per operation and phase; about 300 requests in all
SEED = 20261123
RUN_TIMEOUT_S = 600
CHECKS = ["not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance"]


def schemathesis_command() -> list[str]:
    installed = Path(sys.executable).with_name("schemathesis")
    found = str(installed) if installed.exists() else shutil.which("schemathesis")
    if found is None:
        pytest.skip("schemathesis is not installed (pip install -e '.[test]')")
    return [found]


def logged_requests(server: LiveServer, skip: int) -> Counter[tuple[str, int]]:
    """(path, status) of the request log lines after the first `skip` lines."""
    seen: Counter[tuple[str, int]] = Counter()
    for line in server.log_text().splitlines()[skip:]:
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("event") == "request":
            seen[(entry["path"], entry["status"])] += 1
    return seen


@pytest.mark.slow
def test_schemathesis_finds_no_server_error_and_no_response_off_the_spec(keyed_server: LiveServer,
                                                                          tmp_path: Path) -> None:
    before = len(keyed_server.log_text().splitlines())
    command = [*schemathesis_command(), "run", f"{keyed_server.base}/openapi.json",
               "--header", f"Authorization: Bearer {API_KEY}",
               "--checks", ",".join(CHECKS), "--phases", "examples,coverage,fuzzing", "--mode", "all",
               "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--workers", "1",
               "--generation-database", "none", "--request-timeout", "60", "--no-color",
               "--report", "junit", "--report-dir", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-20_000:] + result.stderr[-5_000:]
    assert "No issues found" in result.stdout, result.stdout[-20_000:]

    seen = logged_requests(keyed_server, before)
    print(f"schemathesis: {sum(seen.values())} requests, by (path, status): {dict(sorted(seen.items()))}")
    assert sum(seen.values()) >= 200, "schemathesis sent too few requests to mean much"
    assert not [key for key in seen if key[1] >= 500]
    assert {path for path, _ in seen} >= {"/v1/tag", "/v1/tag/batch", "/v1/model", "/healthz", "/readyz", "/metrics"}
    assert {status for path, status in seen if path.startswith("/v1/")} & {200}, "the key should open /v1/*"
    assert API_KEY not in keyed_server.log_text()
