"""The harness runs as `python -m bench` from the repository root and is not an
installed package, so plain `pytest` (unlike `python -m pytest`) cannot import it
without the root on the path."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)
