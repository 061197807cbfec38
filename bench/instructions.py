"""Section 9: instructions per `Tagger.tag` call, as `python -m bench.cost --callgrind` counts them.

Runs only where valgrind is installed; elsewhere the figure is NaN ("not measured")
and `skipped` says why.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from bench.cost import instructions

CALLS = 30  # bench.cost's default with --callgrind


def run_instructions(model: Path, calls: int = CALLS) -> dict[str, Any]:
    """Millions of instructions per `Tagger.tag` call on section 4's article (`tag_m_per_call`).

    Raises
    ------
    RuntimeError
        If valgrind is installed but fails.
    """
    if shutil.which("valgrind") is None:
        return {"calls": 0, "tag_m_per_call": float("nan"), "skipped": "valgrind is not installed"}
    return {"calls": calls, "tag_m_per_call": instructions("tag", model, calls) / 1e6}
