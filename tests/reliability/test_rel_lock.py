"""Dependencies are pinned: the two locks hold exact versions and `make` installs from them."""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)==(?P<version>[A-Za-z0-9][A-Za-z0-9.+!_-]*)")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lock: str = "requirements.lock") -> dict[str, str]:
    """Canonical name -> version of each line of `lock` (requirements.lock or requirements-dev.lock)."""
    found: dict[str, str] = {}
    for number, line in enumerate((ROOT / lock).read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = PIN.fullmatch(line)
        assert match, f"{lock} line {number} is not name==version: {line!r}"
        name = canonical(match["name"])
        assert name not in found, f"{name} is pinned twice"
        found[name] = match["version"]
    return found


def test_every_line_of_the_lock_is_an_exact_pin() -> None:
    assert len(pins()) > 10
    assert len(pins("requirements-dev.lock")) > 5


def test_every_runtime_dependency_is_pinned() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {canonical(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0]) for spec in project["dependencies"]}
    assert names - set(pins()) == set()


def test_make_installs_from_the_lock() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    installs = [line.strip() for line in makefile.splitlines() if "pip install" in line]
    assert any(re.search(r"pip install .*-r requirements\.lock", line) for line in installs), installs
    for line in installs:  # the project itself comes without its dependencies: the lock has them
        if line.endswith("-e ."):
            assert "--no-deps" in line, line
    test_rule = re.search(r"^test:(.*)$", makefile, re.MULTILINE)
    assert test_rule and "install" in test_rule[1].split(), "make test installs (from the lock) first"
