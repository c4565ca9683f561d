"""LibreOffice recalculation with the gpucredit add-in, against the same workbook in built-ins.

Run: ``python benchmarks/bench_libreoffice.py [--formulas N] [--repeats R]``. Every timing is a
whole LibreOffice process (fresh profile, recalculation on load, save as .xlsx), as
``recalculate`` runs it. Cases, each on N rows of inputs:

- built-ins:     N cells ``=A/B`` and one 12-row column of ``=r*(1-d)^((t-1)/12)``, no add-in
                 (the baseline);
- add-in idle:   the same workbook with the add-in loaded but never called;
- one GPU call:  built-ins plus a single ``GPU.DSCR`` (the add-in's fixed cost: importing
                 numpy, scipy and pyfuncs in LibreOffice's Python);
- GPU:           N cells ``=_xldudf_GPU_DSCR(A,B)`` and one ``{=_xldudf_GPU_RENT_CURVE(...)}``.

Ratios are against the baseline measured in the same run; nothing is asserted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

from pyfuncs.refresh.libreoffice import bundled_extensions, recalculate_workbook, soffice_path


def workbook(path: Path, n: int, gpu: bool, one_gpu_call: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for i in range(1, n + 1):
        sheet[f"A{i}"] = 1.0 + (i % 97) / 100
        sheet[f"B{i}"] = 0.8 + (i % 89) / 100
        sheet[f"C{i}"] = f"=_xldudf_GPU_DSCR(A{i},B{i})" if gpu else f"=A{i}/B{i}"
    if gpu:
        sheet["E1"] = ArrayFormula("E1:E12", "=_xldudf_GPU_RENT_CURVE(2.35,12,0.28)")
    else:
        for t in range(1, 13):
            sheet[f"E{t}"] = f"=2.35*(1-0.28)^(({t}-1)/12)"
    if one_gpu_call:
        sheet["F1"] = "=_xldudf_GPU_DSCR(A1,B1)"
    book.save(path)
    return path


def best_of(repeats: int, source: Path, out: Path, with_gpucredit: bool) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        recalculate_workbook(source, out, with_gpucredit=with_gpucredit)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formulas", type=int, default=1000, help="GPU formulas (default 1000)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per case, best kept")
    args = parser.parse_args()
    if soffice_path() is None:
        raise SystemExit("LibreOffice (soffice) is not installed")
    n = args.formulas
    bundled_extensions()  # built once per process; not part of any timing
    with tempfile.TemporaryDirectory(prefix="gpucredit-bench-lo-") as tmp:
        work = Path(tmp)
        plain = workbook(work / "plain.xlsx", n, gpu=False)
        one = workbook(work / "one.xlsx", n, gpu=False, one_gpu_call=True)
        gpu = workbook(work / "gpu.xlsx", n, gpu=True)
        out = work / "out"
        cases = [
            ("built-ins, no add-in (baseline)", plain, False),
            ("built-ins, add-in loaded, idle", plain, True),
            ("built-ins + one GPU call", one, True),
            (f"{n:,} GPU.DSCR + GPU.RENT_CURVE", gpu, True),
        ]
        times = {label: best_of(args.repeats, path, out, addin) for label, path, addin in cases}
    base = times[cases[0][0]]
    print(f"LibreOffice whole-process recalculation, {n:,} formula rows, best of {args.repeats}")
    for label, seconds in times.items():
        print(f"  {label:<38} {seconds:7.2f} s   {seconds / base:5.2f}x baseline")
    idle, one_call, full = (times[label] for label, _, _ in cases[1:])
    print(f"  loading the add-in (extension, Python, component): {idle - base:6.2f} s")
    print(f"  first call (imports numpy, scipy, pyfuncs):       {one_call - idle:6.2f} s")
    print(
        f"  each further GPU call:                            {(full - one_call) / n * 1e6:6.0f} us"
    )


if __name__ == "__main__":
    main()
