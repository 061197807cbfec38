"""Section 9: the callgrind count per `Tagger.tag` call, with a stand-in valgrind (the real one takes minutes)."""
from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import pytest

from bench.instructions import run_instructions

FAKE_VALGRIND = """#!/bin/sh
# writes callgrind's totals line where it is asked to, as valgrind would after the counted calls
for arg in "$@"; do
  case "$arg" in --callgrind-out-file=*) printf 'events: Ir\\ntotals: 750000000\\n' > "${arg#*=}";; esac
done
"""


def test_the_count_is_per_call_in_millions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "valgrind"
    fake.write_text(FAKE_VALGRIND)
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert run_instructions(tmp_path / "m.joblib", calls=30) == {"calls": 30, "tag_m_per_call": 25.0}


def test_without_valgrind_the_figure_is_nan_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no valgrind on it
    result = run_instructions(tmp_path / "m.joblib")
    assert math.isnan(result["tag_m_per_call"]) and result["skipped"] == "valgrind is not installed"


def test_a_failing_valgrind_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "valgrind"
    fake.write_text("#!/bin/sh\necho 'valgrind: cannot start' >&2\nexit 1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(RuntimeError, match="valgrind failed"):
        run_instructions(tmp_path / "m.joblib")
