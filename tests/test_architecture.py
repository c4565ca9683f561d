"""The rules between the rooms (docs/architecture.md), checked by walking every import.

The credit math (the top-level modules and ``deal/``) imports no face; the catalogue imports nothing
of the package; the xlsx layer knows nothing of formulas or refreshes; every catalogue function
lives in a module the catalogue lists.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pyfuncs
from pyfuncs.catalogue import CATALOGUE_MODULES, CATEGORY_ORDER, catalogue

PACKAGE = Path(pyfuncs.__file__).parent
FACES = {"excel", "server", "cli", "templates", "refresh", "formulas", "xlsx"}


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "extension" in path.parts:  # runs inside LibreOffice's own Python
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pyfuncs"):
            if node.module == "pyfuncs":
                names |= {f"pyfuncs.{a.name}" for a in node.names}
            else:
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("pyfuncs")}
    return names


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "package"
    return parts[1] if parts[1] in FACES | {"deal"} else "math"


def test_the_math_imports_no_face():
    offences = [
        f"{name} imports {target}"
        for name, path in _modules().items()
        if _room(name) in ("math", "deal")
        for target in _imports(path)
        if _room(target) in FACES
    ]
    assert offences == []


def test_the_catalogue_imports_nothing_of_the_package():
    assert _imports(PACKAGE / "catalogue.py") == set()


def test_lower_rooms_do_not_reach_up():
    above = {
        "xlsx": {"formulas", "refresh", "templates", "cli", "server"},
        "formulas": {"refresh", "templates", "cli", "server"},
        "excel": {"refresh", "templates", "cli", "server", "formulas", "xlsx"},
        "server": {"refresh", "templates", "cli", "formulas", "xlsx"},
    }
    offences = [
        f"{name} imports {target}"
        for name, path in _modules().items()
        for target in _imports(path)
        if _room(target) in above.get(_room(name), set())
    ]
    assert offences == []


def test_importing_the_math_loads_no_face():
    code = (
        "import sys, pyfuncs; pyfuncs.catalogue(); "
        "print(sorted(m for m in sys.modules if m.split('.')[1:2] and "
        f"m.split('.')[1] in {sorted(FACES)!r} and m.startswith('pyfuncs')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_function_lives_in_a_listed_module_with_one_category():
    by_module: dict[str, set[str]] = {}
    for spec in catalogue():
        assert spec.func.__module__ in CATALOGUE_MODULES, spec.name
        by_module.setdefault(spec.func.__module__, set()).add(spec.category)
    assert all(len(categories) == 1 for categories in by_module.values()), by_module
    assert set(by_module) == set(CATALOGUE_MODULES)
    assert {s.category for s in catalogue()} == set(CATEGORY_ORDER)
