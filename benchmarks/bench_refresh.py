"""Refresh speed: gpucredit's engine against LibreOffice and the ``formulas`` package.

Run: ``python benchmarks/bench_refresh.py [--cells 10000] [--formulas-cells 2000]``. Every
timing is a whole process (start, load, recalculate, write), as a user would run it, measured
in this run; ratios are printed against the targets. Nothing is asserted.

- gpucredit: ``gpucredit refresh gen.xlsx --out ...`` (Python start and imports included).
- LibreOffice: headless ``--convert-to xlsx`` with recalculation on load, (a) on a fresh
  profile as ``pyfuncs.refresh.libreoffice.recalculate`` runs it, (b) on a warmed profile.
- ``formulas`` (EUPL, never a runtime dependency; ``pip install formulas`` to include it):
  load, calculate and write. It is slow, so it runs on ``--formulas-cells`` formulas and the
  gpucredit time on the same smaller workbook is what the ratio compares.
- Templates: every workbook under ``workbooks/``, against LibreOffice with gpucredit's Calc add-in
  (whole process, Python included) and against ``formulas`` with the GPU functions registered.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

from pyfuncs.refresh.libreoffice import fresh_profile, soffice_path

ROOT = Path(__file__).resolve().parent.parent


def generate(path: Path, formulas: int) -> Path:
    """A model of ``formulas`` formulas: chains, IF, windowed SUMs, PMT, ROUND, a second sheet."""
    rows = max(1, formulas // 5)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Model"
    for r in range(1, rows + 1):
        sheet.cell(row=r, column=1, value=1000 + (r * 37) % 500)
        previous = f"B{r - 1}/2" if r > 1 else "0"
        sheet.cell(row=r, column=2, value=f"=A{r}*1.01+{previous}")
        sheet.cell(row=r, column=3, value=f"=IF(B{r}>1500,B{r}*0.5,B{r}^2/1000)")
        sheet.cell(row=r, column=4, value=f"=SUM(A{max(1, r - 10)}:A{r})")
        sheet.cell(row=r, column=5, value=f"=PMT(Summary!$B$1/12,60,-A{r})")
        sheet.cell(row=r, column=6, value=f"=ROUND(C{r}+D{r}-E{r},2)")
    summary = book.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Rate", 0.08
    book.save(path)
    return path


def timed(command: list[str], timeout: float = 900) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {(done.stderr or done.stdout)[-400:]}")
    return elapsed


def best(repeats: int, command: list[str]) -> float:
    return min(timed(command) for _ in range(repeats))


def gpucredit(source: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "pyfuncs.cli", "refresh", str(source), "--out", str(out)]


def libreoffice(source: Path, out_dir: Path, profile: str) -> list[str]:
    return [
        soffice_path() or "soffice",
        f"-env:UserInstallation={profile}",
        "--headless",
        "--norestore",
        "--convert-to",
        "xlsx:Calc MS Excel 2007 XML",
        "--outdir",
        str(out_dir),
        str(source),
    ]


def libreoffice_times(source: Path, work: Path, repeats: int) -> tuple[float, float]:
    """(fresh profile, warmed profile) whole-process seconds."""
    fresh = []
    for i in range(repeats):
        profile = fresh_profile(work / f"fresh{i}")
        fresh.append(timed(libreoffice(source, work / "lo", profile)))
    warm_profile = fresh_profile(work / "warm")
    timed(libreoffice(source, work / "lo", warm_profile))  # first run builds the profile
    warm = best(repeats, libreoffice(source, work / "lo", warm_profile))
    return min(fresh), warm


def in_process(source: Path, out: Path, repeats: int) -> float:
    from pyfuncs.refresh.core import refresh

    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        refresh(source, out)
        times.append(time.perf_counter() - start)
    return min(times)


FORMULAS_SCRIPT = """
import sys, formulas
model = formulas.ExcelModel().loads(sys.argv[1]).finish()
solution = model.calculate()
model.write(dirpath=sys.argv[2])
"""

#: The same, with every GPU function registered under the name Excel stores
#: (``_xldudf_GPU_X``) and evaluated through ``pyfuncs.call``, so templates can be compared.
FORMULAS_GPU_SCRIPT = """
import sys, numpy as np, formulas, schedula as sh
from formulas.functions import get_functions
from formulas.tokens.operand import XlError
import pyfuncs
from pyfuncs.errors import ExcelError
from pyfuncs.catalogue import catalogue

def excel(a):
    if isinstance(a, np.ndarray):
        if a.ndim == 2:
            return [[excel(v) for v in row] for row in a.tolist()]
        return excel(a.item()) if a.size == 1 else [[excel(v) for v in a.ravel().tolist()]]
    if isinstance(a, XlError):
        return ExcelError(str(a))
    if a is sh.EMPTY or a == "":
        return None
    return a

def cell(v):
    return XlError(v.code) if isinstance(v, ExcelError) else ("" if v is None else v)

def wrap(name):
    def gpu(*args):
        out = pyfuncs.call(name, *[excel(a) for a in args])
        if isinstance(out, list):
            return np.array([[cell(v) for v in row] for row in out], dtype=object)
        return cell(out)
    return gpu

functions = get_functions()
for spec in catalogue():
    functions["_XLDUDF_GPU_" + spec.name] = wrap(spec.name)
model = formulas.ExcelModel().loads(sys.argv[1]).finish()
solution = model.calculate()
model.write(dirpath=sys.argv[2])
"""


def formulas_time(source: Path, out_dir: Path, script: str = FORMULAS_SCRIPT) -> float | None:
    try:
        import formulas  # noqa: F401
    except ImportError:
        return None
    out_dir.mkdir(exist_ok=True)
    return timed([sys.executable, "-c", script, str(source), str(out_dir)])


LO_ADDIN_SCRIPT = """
import sys
from pathlib import Path
from pyfuncs.refresh.libreoffice import recalculate_workbook
recalculate_workbook(Path(sys.argv[1]), Path(sys.argv[2]), with_gpucredit=True)
"""


def libreoffice_addin_time(source: Path, out_dir: Path, repeats: int) -> float:
    """Whole process: Python builds the add-in and respells a copy, then soffice recalculates."""
    return best(repeats, [sys.executable, "-c", LO_ADDIN_SCRIPT, str(source), str(out_dir)])


def line(label: str, ours: float, theirs: float, target: str) -> None:
    print(f"{label:<58} {ours:8.2f} s {theirs:8.2f} s {theirs / ours:8.1f}x   {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=10_000)
    parser.add_argument("--formulas-cells", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        work = Path(tmp)
        big = generate(work / "gen.xlsx", args.cells)
        ours = best(args.repeats, gpucredit(big, work / "ours.xlsx"))
        print(f"{'':58} {'gpucredit':>10} {'other':>10} {'ratio':>9}   target")
        startup = best(args.repeats, [sys.executable, "-c", "import pyfuncs.refresh.core"])
        inside = in_process(big, work / "inside.xlsx", args.repeats)
        print(f"{'of which: Python start and imports (import pyfuncs...)':<58} {startup:8.2f} s")
        print(f"{'of which: load, recalculate, write (in process)':<58} {inside:8.2f} s")
        if soffice_path():
            fresh, warm = libreoffice_times(big, work, args.repeats)
            line(f"{args.cells:,} formulas vs LibreOffice, fresh profile", ours, fresh, "> 1x")
            line(f"{args.cells:,} formulas vs LibreOffice, warmed profile", ours, warm, "> 1x")
        else:
            print("LibreOffice is not installed: no LibreOffice ratio")
        small = generate(work / "small.xlsx", args.formulas_cells)
        theirs = formulas_time(small, work / "formulas-out")
        if theirs is None:
            print("the formulas package is not installed (pip install formulas): no ratio")
        else:
            ours_small = best(args.repeats, gpucredit(small, work / "ours-small.xlsx"))
            line(
                f"{args.formulas_cells:,} formulas vs the formulas package",
                ours_small,
                theirs,
                ">= 100x",
            )
        templates = (
            sorted((ROOT / "workbooks").glob("*.xlsx")) if (ROOT / "workbooks").exists() else []
        )
        for template in templates:
            copy = work / template.name
            shutil.copy(template, copy)
            mine = best(args.repeats, gpucredit(copy, work / f"t-{template.name}"))
            if soffice_path():
                lo = libreoffice_addin_time(copy, work / f"lo-{template.stem}", args.repeats)
                line(
                    f"template {template.name} vs LibreOffice + gpucredit add-in", mine, lo, "> 1x"
                )
            theirs = formulas_time(copy, work / f"f-{template.stem}", FORMULAS_GPU_SCRIPT)
            if theirs is not None:
                line(
                    f"template {template.name} vs formulas + GPU functions", mine, theirs, ">= 100x"
                )
        build = [sys.executable, "-m", "pyfuncs.cli", "build"]
        started = time.perf_counter()
        for name in ("neocloud", "miner", "datacenter"):
            timed([*build, name, "--out", str(work / f"built-{name}.xlsx"), "--force"])
        print(
            f"{'build all three templates (three whole processes)':<58} {time.perf_counter() - started:8.2f} s"
        )
        if not templates:
            print("no templates under workbooks/ yet: template ratios not measured")


if __name__ == "__main__":
    main()
