"""The runtime lock carries what the service imports and nothing of the test kit; the Docker
image installs that lock alone; the wheel carries every package of the service."""
from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from reliability.test_rel_lock import pins

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ("model", "service", "training")  # what the wheel and the image carry
DEV_ONLY = ("pytest", "hypothesis", "schemathesis", "selenium", "py-spy", "dask", "distributed")
OPTIONAL = {"distributed": "service/batch_dask.py"}  # `--engine dask` says how to install it when missing


def third_party_imports(packages: tuple[str, ...]) -> dict[str, str]:
    """Top-level module -> first file importing it, for every absolute import of a module outside
    the standard library and the project in `packages` (lazy imports included)."""
    own = {p.name for p in ROOT.iterdir() if p.is_dir()}
    found: dict[str, str] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    top = name.partition(".")[0]
                    if top not in sys.stdlib_module_names and top not in own:
                        found.setdefault(top, str(path.relative_to(ROOT)))
    return found


# Run with `python -I` (no cwd, no PYTHONPATH, no user site): only what is installed answers.
# argv[1]: the modules; argv[2]: the runtime lock's names. Prints the modules no locked
# distribution provides, and the locked distributions' requirements missing from the lock.
CHECK = """
import json, re, sys
from importlib.metadata import distribution, packages_distributions
from packaging.requirements import Requirement

canonical = lambda name: re.sub(r"[-_.]+", "-", name).lower()
modules, locked = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
providers = packages_distributions()
unprovided = sorted(m for m in modules if not {canonical(d) for d in providers.get(m, [])} & locked)
unlocked = set()
for name in sorted(locked):
    for text in distribution(name).requires or []:
        req = Requirement(text)
        if (req.marker is None or req.marker.evaluate({"extra": ""})) and canonical(req.name) not in locked:
            unlocked.add(f"{req.name} (needed by {name})")
print(json.dumps({"unprovided": unprovided, "unlocked": sorted(unlocked)}))
"""


def test_both_locks_pin_every_line_exactly_and_share_nothing() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert {"flask", "gunicorn", "scikit-learn", "underthesea"} <= runtime.keys()
    assert sorted(runtime.keys() & dev.keys()) == []


def test_the_test_kit_is_in_the_dev_lock_only() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    assert sorted(set(DEV_ONLY) & runtime.keys()) == []
    assert sorted(set(DEV_ONLY) - dev.keys()) == []


def test_every_module_the_service_imports_comes_from_the_runtime_lock() -> None:
    modules = third_party_imports(SHIPPED)
    assert {"flask", "sklearn", "underthesea"} <= modules.keys()
    assert {m: f for m, f in modules.items() if m in OPTIONAL} == OPTIONAL  # and only there
    required = sorted(set(modules) - set(OPTIONAL))
    done = subprocess.run([sys.executable, "-I", "-c", CHECK, json.dumps(required), json.dumps(sorted(pins("requirements.lock")))],
                          capture_output=True, text=True, timeout=120, cwd=ROOT.parent)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    missing = {m: modules[m] for m in result["unprovided"]}
    assert missing == {}, f"imported by the service but in no distribution of requirements.lock: {missing}"
    assert result["unlocked"] == [], "requirements.lock is not closed under its own requirements"


def test_make_installs_both_locks_and_reinstalls_when_either_changes() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    variables = dict(re.findall(r"^(\w+) :?= (.*)$", makefile, re.MULTILINE))
    stamp = re.search(r"^\$\(STAMP\):(.*)$", makefile, re.MULTILINE)
    assert stamp, "no $(STAMP) rule"
    needs = " ".join(variables.get(word[2:-1], word) if word.startswith("$(") else word for word in stamp[1].split())
    assert {"requirements.lock", "requirements-dev.lock"} <= set(needs.split()), stamp[0]
    installs = [line for line in makefile.splitlines() if re.search(r"pip install .*-r requirements", line)]
    assert [sorted(re.findall(r"-r (\S+)", line)) for line in installs] == [["requirements-dev.lock", "requirements.lock"]]


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [line for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines()
             if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in joined.splitlines() if line.strip()]


def test_the_image_installs_the_runtime_lock_alone_and_imports_the_service() -> None:
    steps = dockerfile_instructions()
    copied = [args.split()[0] for op, args in steps if op in ("COPY", "ADD")]
    assert "requirements.lock" in copied
    assert [c for c in copied if "requirements" in c or c.endswith((".lock", ".txt"))] == ["requirements.lock"]
    runs = " && ".join(args for op, args in steps if op == "RUN")
    installs = re.findall(r"pip install ([^&;]*)", runs)
    assert installs, "the Dockerfile installs nothing with pip"
    files = [f for args in installs for f in re.findall(r"(?:-r|--requirement)\s+(\S+)", args)]
    assert [Path(f).name for f in files] == ["requirements.lock"]
    assert all("--no-deps" in args for args in installs if not re.search(r"(?:-r|--requirement)\s", args)), installs
    assert re.search(r"python -c \"[^\"]*import service\.app", runs), "the build does not import the service"


def test_the_wheel_carries_every_package_of_the_service() -> None:
    read_configuration = pytest.importorskip("setuptools.config.pyprojecttoml").read_configuration
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "[tool.setuptools] support is beta"
        packages = read_configuration(ROOT / "pyproject.toml", expand=True)["tool"]["setuptools"]["packages"]
    on_disk = {".".join(init.parent.relative_to(ROOT).parts) for top in SHIPPED for init in (ROOT / top).rglob("__init__.py")}
    assert {"service.watch", "model.heads"} <= on_disk
    assert sorted(on_disk - set(packages)) == []
