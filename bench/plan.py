"""What one benchmark run measures and where it works: shared by bench.cli and bench.sections."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bench.settings import Sizes


@dataclass(frozen=True)
class Plan:
    """The model bundle to measure, the sizes, the section numbers chosen and a scratch directory."""

    model: Path
    sizes: Sizes
    sections: frozenset[int]
    workdir: Path
