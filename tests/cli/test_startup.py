"""``gpucredit --help`` and the help of every command start without the numeric stack.

Start-up is most of a cheap command's time: numpy, scipy, pandas and the web framework are
imported by the commands that compute or serve, when they run, never to print help. (pydantic
is imported by typer itself to read a command's options, so only the top-level help is free
of it.)
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = """
import json, sys
sys.argv = ["gpucredit", *sys.argv[1:]]
from pyfuncs.cli import main
try:
    main()
except SystemExit:
    pass
heavy = ("numpy", "scipy", "pandas", "pydantic", "fastapi", "uvicorn", "openpyxl", "pyfuncs.deal")
print("LOADED " + json.dumps(sorted(m for m in sys.modules if m in heavy)))
"""


def _loaded(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith("LOADED")][-1]
    return json.loads(line.removeprefix("LOADED "))


def test_top_level_help_imports_none_of_the_heavy_modules():
    assert _loaded("--help") == []


@pytest.mark.parametrize("command", ["serve", "certs", "build", "refresh", "call", "docs"])
def test_a_command_help_imports_no_numeric_stack(command):
    loaded = _loaded(command, "--help")
    assert not {"numpy", "scipy", "pandas", "fastapi", "uvicorn", "pyfuncs.deal"} & set(loaded)
