"""Worker processes that end with their parent, however the parent ends (SIGKILL included).

A worker calls `die_with_parent` first thing after it is forked or spawned
(`tagger tag --jobs N`'s pool initializer, `tagger serve`'s gunicorn
``post_fork`` hook). On Linux the kernel then sends the worker SIGKILL the
moment its parent exits (``prctl(PR_SET_PDEATHSIG)``): nothing has to run in the
dying parent, so it works after a SIGKILL or the OOM killer too, and costs no
thread and no polling.

The kernel sends that signal when the *thread* that forked the worker ends, not
the process. So it is armed only in a worker forked by its parent's main thread
(which lives as long as the process); a worker forked by another thread, a
spawned worker, and a platform without ``prctl`` get a watchdog thread instead,
which polls the parent pid every `WATCH_INTERVAL_S` seconds. Either way, a
parent that died before the guard was armed (between the fork and the call)
is caught by comparing ``os.getppid()`` with the pid the parent gave.
"""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import get_all_start_methods
from typing import Literal

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PR_GET_PDEATHSIG = 2
WATCH_INTERVAL_S = 1.0
Guard = Literal["signal", "watchdog"]

_guard: Guard | None = None  # what `die_with_parent` armed in this process


@dataclass(frozen=True)
class Parent:
    """The process a worker must not outlive, as that process sees itself before forking."""

    pid: int
    main_thread: int  # `threading.get_ident()` of its main thread

    @classmethod
    def this_process(cls) -> Parent:
        """This process, to hand to the workers it is about to start."""
        ident = threading.main_thread().ident
        assert ident is not None, "the main thread has started"
        return cls(os.getpid(), ident)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, as a container's cpuset sets it, not
    the host's), at least 1: the size of a pool of workers."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # no sched_getaffinity (not Linux)
        return os.cpu_count() or 1


def pool_start_method() -> str:
    """'fork' where the platform has it (workers share the parent's memory and get the death
    signal), else 'spawn' (a fresh interpreter, watched by `die_with_parent`'s watchdog)."""
    return "fork" if "fork" in get_all_start_methods() else "spawn"


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _arm_death_signal() -> bool:
    """Ask the kernel for SIGKILL when the forking thread ends; False where that cannot be had."""
    prctl = _prctl()
    if prctl is None:
        return False
    zero = ctypes.c_ulong(0)
    return prctl(ctypes.c_int(PR_SET_PDEATHSIG), ctypes.c_ulong(signal.SIGKILL), zero, zero, zero) == 0


def parent_death_signal() -> int:
    """The signal this process gets when its parent ends (0: none, or not Linux)."""
    prctl = _prctl()
    if prctl is None:
        return 0
    value = ctypes.c_int(0)
    zero = ctypes.c_ulong(0)
    if prctl(ctypes.c_int(PR_GET_PDEATHSIG), ctypes.c_ulong(ctypes.addressof(value)), zero, zero, zero) != 0:
        return 0
    return value.value


def guard() -> Guard | None:
    """What `die_with_parent` armed in this process: 'signal', 'watchdog', or None (not called)."""
    return _guard


def _end() -> None:
    """End this process at once, as the death signal would (no cleanup: the parent is gone)."""
    kill = getattr(signal, "SIGKILL", None)
    if kill is not None:
        os.kill(os.getpid(), kill)
    os._exit(1)


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_INTERVAL_S)
    _end()


def die_with_parent(parent: Parent, *, forked: bool = True) -> Guard:
    """Make this worker process end when `parent` ends; return the guard armed.

    Call it first thing in the worker. `parent` is what the parent's
    `Parent.this_process()` gave before starting the worker (not a
    ``os.getppid()`` read here, which may already be init's); it must be the
    worker's real parent, so a worker started by a fork server cannot use it.
    `forked` is False for a spawned worker (a fresh interpreter: the thread
    that started it is unknown). If the parent is already gone, this process
    ends here. Raises nothing.
    """
    global _guard
    by_main_thread = forked and threading.get_ident() == parent.main_thread  # a fork keeps the forking thread's id
    if by_main_thread and _arm_death_signal():
        _guard = "signal"
    else:
        threading.Thread(target=_watch, args=(parent.pid,), name="lifeline-watchdog", daemon=True).start()
        _guard = "watchdog"
    if os.getppid() != parent.pid:  # died between the fork and the arming: no signal will come
        _end()
    return _guard
