"""Processes of a run, read from /proc: found while it runs, watched after its parent is killed.

A process is known by its pid and its start time (field 22 of /proc/<pid>/stat),
so a pid the kernel hands to a new process is never mistaken for the old one.
A zombie counts as gone: it has exited and only waits for its new parent to reap it.
"""
from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reliability.live import children


@dataclass(frozen=True)
class Proc:
    pid: int
    started: int  # clock ticks after boot


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the name (state first), or None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()  # the name may hold spaces and parentheses


def proc(pid: int) -> Proc | None:
    fields = _stat(pid)
    return None if fields is None else Proc(pid, int(fields[19]))


def descendants(pid: int) -> set[Proc]:
    """Every live process below `pid` (children, their children, ...)."""
    found: set[Proc] = set()
    todo = [pid]
    while todo:
        for child in children(todo.pop()):
            known = proc(child)
            if known is not None and known not in found:
                found.add(known)
                todo.append(child)
    return found


def alive(procs: Iterable[Proc]) -> set[Proc]:
    """Those of `procs` still running (not exited, not a zombie, pid not reused)."""
    running = set()
    for p in procs:
        fields = _stat(p.pid)
        if fields is not None and fields[0] != "Z" and int(fields[19]) == p.started:
            running.add(p)
    return running


def wait_gone(procs: set[Proc], timeout: float) -> tuple[set[Proc], float]:
    """Wait up to `timeout` s for `procs` to end; those still alive, and the seconds waited."""
    start = time.monotonic()
    while (left := alive(procs)) and time.monotonic() - start < timeout:
        time.sleep(0.05)
    return left, time.monotonic() - start


def kill_all(procs: Iterable[Proc], group: int | None = None) -> None:
    """SIGKILL `procs` that still run, and process group `group`: test clean-up, whatever happened."""
    if group is not None:
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    for p in alive(procs):
        try:
            os.kill(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
