"""Fault injection for the crash tests (tests/watch): `tagger watch` kills itself with
SIGKILL at the named point when TAGGER_WATCH_CRASH_AT names it. Unset, nothing happens."""
from __future__ import annotations

import os
import signal

CRASH_ENV = "TAGGER_WATCH_CRASH_AT"
POINTS = ("fetched", "tagged", "part-written", "archived", "alerted", "committed")


def crash_point(name: str) -> None:
    """Die here, as `kill -9` would, if TAGGER_WATCH_CRASH_AT is `name`."""
    if os.environ.get(CRASH_ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
