"""Live `tagger serve` processes, a plain HTTP client and a load generator.

Servers are real subprocesses on a free loopback port, so what is tested is
gunicorn's own request parsing, dechunking, forking and worker replacement,
not Flask's test client. Worker pids and their memory come from /proc.
"""
from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HOST = "127.0.0.1"
START_TIMEOUT_S = 120  # bounds on waiting for a busy machine, not performance checks
STOP_TIMEOUT_S = 30
REQUEST_TIMEOUT_S = 60
TAGGER = [sys.executable, "-c", "from service.cli import main; main()"]


def report(name: str, figures: dict[str, Any]) -> None:
    """Print the figures as one JSON line and add them to $RELIABILITY_REPORT."""
    line = json.dumps({"test": name, **figures})
    print(f"\nRELIABILITY {line}")
    target = os.environ.get("RELIABILITY_REPORT")
    if target:
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        known = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        known[name] = figures
        path.write_text(json.dumps(known, indent=2) + "\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Reply:
    """A response: status, headers (lower-case names) and the raw body."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(port: int, method: str, path: str, body: bytes | Iterable[bytes] | None = None,
            headers: Mapping[str, str] | None = None, timeout: float = REQUEST_TIMEOUT_S) -> Reply:
    """One request on a new connection; an iterable body is sent chunked."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=dict(headers or {}))
        response = conn.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


def children(pid: int) -> set[int]:
    """Pids whose parent is `pid` (from /proc/*/stat: the kernel may lack task/*/children)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # exited while we looked
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the name may hold spaces and parentheses
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(entry.name))
    return found


def rss_kib(pid: int) -> int:
    """Resident set size of `pid` in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise LookupError(f"no VmRSS for pid {pid}")


@dataclass
class LiveServer:
    """A running `tagger serve`: its process (the gunicorn master), port and log file."""

    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def request(self, method: str, path: str, body: bytes | Iterable[bytes] | None = None,
                headers: Mapping[str, str] | None = None) -> Reply:
        return request(self.port, method, path, body, headers)

    def post_json(self, path: str, payload: Any, headers: Mapping[str, str] | None = None) -> Reply:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return self.request("POST", path, data, {"Content-Type": "application/json", **(headers or {})})

    def workers(self) -> set[int]:
        """Pids of the gunicorn workers: the children of the master."""
        return children(self.proc.pid)

    def wait_for_workers(self, count: int, exclude: Collection[int] = (), timeout: float = START_TIMEOUT_S) -> set[int]:
        """Wait until `count` workers run, none of them in `exclude`; return their pids."""
        deadline = time.monotonic() + timeout
        while True:
            pids = self.workers()
            if len(pids) == count and not pids.intersection(exclude):
                return pids
            assert self.proc.poll() is None, f"tagger serve exited:\n{self.log_text()}"
            assert time.monotonic() < deadline, f"workers {pids} after {timeout}s, wanted {count}:\n{self.log_text()}"
            time.sleep(0.05)

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


@contextmanager
def serve(bundle: Path, log: Path, *, workers: int = 2, env: Mapping[str, str] | None = None,
          extra_args: Sequence[str] = ()) -> Iterator[LiveServer]:
    """Run `tagger serve` on a free loopback port until the block ends; yield it once /readyz answers."""
    port = free_port()
    command = [*TAGGER, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers),
               "--model", str(bundle), *extra_args]
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    server = LiveServer(proc, port, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert proc.poll() is None, f"tagger serve exited early:\n{server.log_text()}"
            try:
                if request(port, "GET", "/readyz", timeout=5).status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            assert time.monotonic() < deadline, f"not ready after {START_TIMEOUT_S}s:\n{server.log_text()}"
            time.sleep(0.2)
        server.wait_for_workers(workers)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_S)


# --- load -----------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    """One load request: when it ended and what went wrong (None when it succeeded)."""

    finished: float
    error: str | None


@dataclass
class LoadRun:
    """Outcomes of a load run, filled as it goes (so another thread can watch it)."""

    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def done(self) -> int:
        return len(self.outcomes)

    def errors(self, since: float = 0.0, until: float = float("inf")) -> Counter[str]:
        return Counter(o.error for o in self.outcomes if o.error and since <= o.finished < until)


def _one(port: int, article: dict[str, Any]) -> str | None:
    body = json.dumps(article, ensure_ascii=False).encode("utf-8")
    try:
        reply = request(port, "POST", "/v1/tag", body, {"Content-Type": "application/json"})
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__
    if reply.status != 200:
        return f"HTTP {reply.status}"
    try:
        if reply.json()["id"] != article["id"]:
            return "wrong id"
    except (ValueError, KeyError):
        return "bad body"
    return None


def run_load(port: int, articles: Sequence[dict[str, Any]], total: int, concurrency: int,
             into: LoadRun | None = None, prefix: str = "load") -> LoadRun:
    """POST `total` articles to /v1/tag from `concurrency` threads, one connection per request.

    Article i is ``articles[i % len(articles)]`` with the id ``<prefix>-<i>``; a
    request counts as an error unless it gets a 200 whose body echoes that id.
    """
    run = into if into is not None else LoadRun()
    lock = threading.Lock()
    following = iter(range(total))

    def worker() -> None:
        while True:
            with lock:
                i = next(following, None)
            if i is None:
                return
            error = _one(port, {**articles[i % len(articles)], "id": f"{prefix}-{i}"})
            run.outcomes.append(Outcome(time.monotonic(), error))  # list.append is atomic

    start = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(worker) for _ in range(concurrency)]:
            future.result()
    run.seconds = time.monotonic() - start
    return run
