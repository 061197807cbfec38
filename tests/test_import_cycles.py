"""No import cycles among the project's packages (model, service, training, bench).

Every import statement counts, wherever it stands (module level, under `if TYPE_CHECKING:`,
or inside a function): a lazy import hides a cycle from Python, not from the reader.
"""
from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("model", "service", "training", "bench")


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted module name -> source file, for every .py file under the packages."""
    files = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return files


def project_imports(module: str, path: Path, modules: set[str]) -> set[str]:
    """The modules of `modules` that `module` imports. `from X import a` depends on X.a when that is
    a module, else on X; `import X.Y` on the longest of X.Y, X that is a module. A package's parents
    are left out, so a package's __init__ importing its own submodules is not a cycle."""
    def nearest(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(nearest(alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module if path.name == "__init__.py" else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{base}".rstrip(".")
            found.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else nearest(base)
                         for alias in node.names)
    return found - {None, module}


def import_graph(root: Path, packages: Iterable[str]) -> dict[str, set[str]]:
    """Module -> the project modules it imports (third-party and standard modules left out)."""
    files = module_files(root, packages)
    return {module: project_imports(module, path, set(files)) for module, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_project_has_no_import_cycles() -> None:
    graph = import_graph(ROOT, PACKAGES)
    assert {"bench.cli", "bench.sections", "service.app", "model.bundle"} <= graph.keys()
    assert cycles(graph) == []


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_a_lazy_or_type_checking_import_cycle_is_found(tmp_path: Path) -> None:
    write(tmp_path, {
        "pkg/__init__.py": "from pkg.a import run\n",
        "pkg/a.py": "def run():\n    from pkg.b import helper\n    return helper()\n",
        "pkg/b.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import a\n",
        "pkg/c.py": "from . import d\n",
        "pkg/d.py": "from .c import thing\n",
        "pkg/e.py": "import os\nfrom pkg.a import run\n",
    })
    assert sorted(cycles(import_graph(tmp_path, ["pkg"]))) == [["pkg.a", "pkg.b"], ["pkg.c", "pkg.d"]]


def test_a_package_importing_its_own_submodule_is_not_a_cycle(tmp_path: Path) -> None:
    write(tmp_path, {
        "pkg/__init__.py": "from pkg.app import create\n",
        "pkg/app.py": "from pkg import api, errors\n\ndef create():\n    return api, errors\n",
        "pkg/api.py": "from pkg.errors import problem\n",
        "pkg/errors.py": "def problem():\n    pass\n",
    })
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.app"] == {"pkg.api", "pkg.errors"}
    assert cycles(graph) == []
