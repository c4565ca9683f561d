"""A refresh of a workbook of built-ins loads neither the deal engine nor scipy or pandas.

Start-up is most of a small refresh's time, so ``pyfuncs`` exports its names lazily and the
formula engine imports the GPU functions only when a workbook calls one.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl

SCRIPT = """
import sys
from pathlib import Path
from pyfuncs.refresh.core import refresh
refresh(Path(sys.argv[1]), Path(sys.argv[2]))
heavy = ("pyfuncs.deal", "scipy", "pandas", "openpyxl", "pydantic")
print(sorted({m.split(".")[0] if not m.startswith("pyfuncs") else m for m in sys.modules
              if m.startswith(heavy)}))
"""


def test_a_builtin_only_refresh_leaves_the_heavy_modules_unloaded(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"] = 1000
    sheet["B1"] = "=PMT(0.05/12,60,-A1)"
    sheet["C1"] = "=ROUND(B1*2,2)"
    source = tmp_path / "small.xlsx"
    book.save(source)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(source), str(tmp_path / "out.xlsx")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_functions_named_like_their_modules_stay_functions():
    code = (
        "import pyfuncs, pyfuncs.borrowing_base, pyfuncs.ltv\n"
        "from pyfuncs.catalogue import catalogue\n"
        "catalogue()\n"
        "print(callable(pyfuncs.borrowing_base), callable(pyfuncs.ltv), callable(pyfuncs.catalogue),"
        " pyfuncs.ltv(50.0, 100.0))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True", "0.5"]
