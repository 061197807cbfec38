"""`tagger serve` as a subprocess on a free loopback port, and what /proc says about its workers."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.batch import tagger_command

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running `tagger serve`: its process (the gunicorn master), port and log file."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    workers: int

    def worker_pids(self) -> list[int]:
        """Pids of the gunicorn workers: the master's children."""
        return children(self.process.pid)

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def children(pid: int) -> list[int]:
    """Pids whose parent is `pid`, from /proc/<pid>/stat."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        # the command name (in parentheses) may hold spaces; the parent pid is the 2nd field after it
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def status_kb(pid: int, field: str) -> int | None:
    """A kB field of /proc/<pid>/status (VmRSS...), or of smaps_rollup (Pss...); None if absent."""
    for name in ("status", "smaps_rollup"):
        try:
            text = (Path("/proc") / str(pid) / name).read_text()
        except OSError:
            continue
        for line in text.splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def ready(port: int, host: str = HOST) -> bool:
    """True once GET /readyz answers 200."""
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/readyz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def stop(process: subprocess.Popen[bytes], grace_s: float = 15) -> None:
    """SIGTERM the master (gunicorn stops its workers), then SIGKILL its process group if it lingers."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace_s)
            return
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # its own group: start_new_session below
    except ProcessLookupError:
        pass
    process.wait()


@contextmanager
def serve(model: Path, workers: int, log: Path, timeout_s: float = 120,
          env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """Start `tagger serve` (with `env` added to the environment), wait (at most `timeout_s`)
    until it is ready, always stop it at the end.

    Raises
    ------
    RuntimeError
        If the server exits or is not ready in time (with the end of its log).
    """
    port = free_port()
    with open(log, "wb") as fh:
        process = subprocess.Popen([tagger_command(), "serve", "--host", HOST, "--port", str(port),
                                    "--workers", str(workers), "--model", str(model)],
                                   stdout=fh, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True, env={**os.environ, **(env or {})})
    server = Server(process, port, log, workers)
    try:
        deadline = time.monotonic() + timeout_s
        while not ready(port):
            if process.poll() is not None:
                raise RuntimeError(f"`tagger serve` exited with {process.returncode}:\n{server.log_tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"`tagger serve` was not ready after {timeout_s:.0f} s:\n{server.log_tail()}")
            time.sleep(0.2)
        while len(server.worker_pids()) < workers and time.monotonic() < deadline:
            time.sleep(0.1)  # /readyz answered from one worker; wait for the others to be forked
        yield server
    finally:
        stop(process)
