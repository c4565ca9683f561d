"""Refresh speed: gpucredit's engine against LibreOffice and formualizer, at scale.

Run: ``python benchmarks/bench_refresh.py`` (add ``--templates`` for the template workbooks and
the ``formulas`` package). Every figure is measured in this run (the median of ``--repeats`` runs, with
the machine's load average printed first) and printed with its ratio and target; nothing is
asserted.

Models (written straight as XML): a 100,000-formula model (chains, IF, windowed SUMs, PMT,
ROUND, a second sheet), a 16,000-formula loan book whose 2,000 rows look up their own table
(INDEX/MATCH, exact VLOOKUP, SUMIFS and COUNTIFS with comparison criteria), and a
1,000,000-formula model (time and peak memory of the whole process).

- gpucredit whole process: ``gpucredit refresh gen.xlsx --out ...`` (start, imports, load,
  recalculate, write).
- LibreOffice whole process: headless ``--convert-to xlsx`` with recalculation on load, on a
  fresh profile as ``pyfuncs.refresh.libreoffice.recalculate`` runs it. Target: gpucredit at
  least 1.5x faster on 100,000 formulas.
- formualizer (MIT, Rust; ``pip install formualizer``, installed only for this benchmark):
  ``load_workbook`` + ``evaluate_all`` in process, against gpucredit's load + recalculate in
  process. Target: within 5x.
- Lookups: the loan book at 2,000 and 8,000 rows, in process; the time must grow with the
  rows, not with their square (a lookup scanning its range).
- 1,000,000 formulas: whole process under 20 s and 2 GB peak resident memory.
- Bytecode: gpucredit's modules are compiled first (``compileall``), as an installed package
  has them, so a machine with ``PYTHONDONTWRITEBYTECODE=1`` does not time compiling Python.
- Phases (each model, in process, the median of ``--repeats`` runs): the steps of
  ``pyfuncs.refresh.core.refresh`` timed one by one, wall and CPU seconds: load (zip read and
  sheet XML scan, ``load_book``), compile (``Evaluator(book)``), run (``run`` + ``result``) and
  write (the surgical rewrite of the sheets, the zip, the atomic write).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from pyfuncs.refresh.libreoffice import fresh_profile, soffice_path

ROOT = Path(__file__).resolve().parent.parent


def _xlsx(path: Path, sheets: list[tuple[str, str]]) -> Path:
    """A minimal workbook written straight as XML (openpyxl takes minutes for 1M formulas)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
        for i in range(1, len(sheets) + 1)
    )
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.sheet.main+xml"/>{overrides}</Types>'
    )
    root_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
        '"http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        f'Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    entries = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
        for i, (name, _) in enumerate(sheets, start=1)
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} '
        f'xmlns:r="{rel_ns}"><sheets>{entries}</sheets><calcPr calcId="191029"/></workbook>'
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{rel_ns}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    workbook_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns='
        f'"http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", root_rels)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels)
        for i, (_, data) in enumerate(sheets, start=1):
            archive.writestr(
                f"xl/worksheets/sheet{i}.xml",
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {ns}>'
                f"<sheetData>{data}</sheetData></worksheet>",
            )
    return path


def _row(r: int, cells: list[tuple[str, object]]) -> str:
    out = []
    for col, value in cells:
        ref = f"{col}{r}"
        if isinstance(value, str) and value.startswith("="):
            formula = value[1:].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            out.append(f'<c r="{ref}"><f>{formula}</f></c>')
        elif isinstance(value, str):
            out.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
        else:
            out.append(f'<c r="{ref}"><v>{value}</v></c>')
    return f'<row r="{r}">{"".join(out)}</row>'


def generate(path: Path, formulas: int) -> Path:
    """A model of ``formulas`` formulas: chains, IF, windowed SUMs, PMT, ROUND, a second sheet."""
    rows = max(1, formulas // 5)
    data = []
    for r in range(1, rows + 1):
        previous = f"B{r - 1}/2" if r > 1 else "0"
        data.append(
            _row(
                r,
                [
                    ("A", 1000 + (r * 37) % 500),
                    ("B", f"=A{r}*1.01+{previous}"),
                    ("C", f"=IF(B{r}>1500,B{r}*0.5,B{r}^2/1000)"),
                    ("D", f"=SUM(A{max(1, r - 10)}:A{r})"),
                    ("E", f"=PMT(Summary!$B$1/12,60,-A{r})"),
                    ("F", f"=ROUND(C{r}+D{r}-E{r},2)"),
                ],
            )
        )
    summary = _row(1, [("A", "Rate"), ("B", 0.08)])
    return _xlsx(path, [("Model", "".join(data)), ("Summary", summary)])


def loan_book(path: Path, loans: int = 2_000) -> Path:
    """A loan book of ``loans`` rows, 8 formulas a row, each row looking up its own table:
    INDEX/MATCH on the loan id, SUMIFS and COUNTIFS by segment with comparison criteria, and
    an exact VLOOKUP (16,000 formulas for 2,000 loans)."""
    n = loans + 1
    ids, seg, bal, rate = (f"${c}$2:${c}${n}" for c in "ABCD")
    data = [
        _row(1, [(c, h) for c, h in zip("ABCD", ["id", "segment", "balance", "rate"], strict=True)])
    ]
    for r in range(2, n + 1):
        data.append(
            _row(
                r,
                [
                    ("A", 7919 * r % 100_003),
                    ("B", f"S{r % 20}"),
                    ("C", 10_000 + (r * 7_717) % 90_000),
                    ("D", round(0.04 + (r * 13 % 50) / 1000, 4)),
                    ("E", f"=INDEX({bal},MATCH(A{r},{ids},0))"),
                    ("F", f"=SUMIFS({bal},{seg},B{r})"),
                    ("G", f'=COUNTIFS({seg},B{r},{bal},">"&C{r})'),
                    ("H", f"=E{r}/F{r}"),
                    ("I", f"=VLOOKUP(A{r},$A$2:$D${n},4,FALSE)*E{r}"),
                    ("J", f'=SUMIFS({bal},{seg},B{r},{rate},">="&D{r})'),
                    ("K", f"=INDEX({rate},MATCH(A{max(2, r - 1)},{ids},0))"),
                    ("L", f"=IF(G{r}<3,H{r},0)"),
                ],
            )
        )
    return _xlsx(path, [("Loans", "".join(data))])


def run_timed(command: list[str], timeout: float = 900) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its children) of one run of ``command``.

    On a machine shared with other work the wall time stretches with the load; the CPU time
    much less, so both are printed."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {(done.stderr or done.stdout)[-400:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu


def timed(command: list[str], timeout: float = 900) -> float:
    return run_timed(command, timeout)[0]


def medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def best(repeats: int, command: list[str]) -> float:
    """The median of ``repeats`` runs (a shared machine makes single runs noisy)."""
    return statistics.median(timed(command) for _ in range(repeats))


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


def line(
    label: str, ours: float, theirs: float, target: str, cpu: tuple[float, float] | None = None
) -> None:
    print(f"{label:<58} {ours:8.2f} s {theirs:8.2f} s {theirs / ours:8.2f}x   {target}")
    if cpu is not None:
        mine, other = cpu
        print(
            f"{'  the same in CPU seconds':<58} {mine:8.2f} s {other:8.2f} s {other / mine:8.2f}x"
        )


PHASES_SCRIPT = """
import json, sys, time
from pathlib import Path
from pyfuncs.fileio import write_bytes_atomic
from pyfuncs.formulas.evaluator import Evaluator
from pyfuncs.refresh.core import paused_gc, write_values
from pyfuncs.xlsx.reader import load_book

paused_gc().__enter__()  # as refresh runs
laps = {}
def lap(name, start):
    laps[name] = (time.perf_counter() - start[0], time.process_time() - start[1])
    return time.perf_counter(), time.process_time()

now = time.perf_counter(), time.process_time()
book = load_book(Path(sys.argv[1]))
now = lap("load", now)
evaluator = Evaluator(book)
now = lap("compile", now)
evaluator.run()
result = evaluator.result()
now = lap("run", now)
parts, changed = write_values(book, result, [])
write_bytes_atomic(Path(sys.argv[2]), book.package.to_bytes(parts))
lap("write", now)
print(json.dumps(laps))
"""

#: The phases of a refresh, in the order they run.
PHASES = ("load", "compile", "run", "write")


def phase_times(source: Path, out: Path, repeats: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds of each phase of a refresh, each run in a fresh process
    (so one run's caches do not speed up the next)."""
    import json

    runs = []
    for _ in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", PHASES_SCRIPT, str(source), str(out)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"phases failed: {(done.stderr or done.stdout)[-400:]}")
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    return {name: medians([tuple(run[name]) for run in runs]) for name in PHASES}


def print_phases(label: str, source: Path, work: Path, repeats: int) -> None:
    times = phase_times(source, work / f"{source.stem}-phases.xlsx", repeats)
    cells = ", ".join(f"{name} {wall:.2f} s ({cpu:.2f} CPU)" for name, (wall, cpu) in times.items())
    total = sum(wall for wall, _ in times.values())
    total_cpu = sum(cpu for _, cpu in times.values())
    print(f"  {label} phases: {cells}; sum {total:.2f} s ({total_cpu:.2f} CPU)")


ONE_MILLION_SCRIPT = """
import resource, sys, time
from pathlib import Path
started = time.perf_counter()
from pyfuncs.refresh.core import refresh
refresh(Path(sys.argv[1]), Path(sys.argv[2]))
elapsed = time.perf_counter() - started
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, time.process_time())
"""


def load_and_recalculate(source: Path, repeats: int) -> tuple[float, float]:
    """gpucredit in process: load the workbook, compile and compute every formula, as
    ``refresh`` does (the garbage collector paused), median wall and CPU seconds."""
    from pyfuncs.formulas.evaluator import Evaluator
    from pyfuncs.refresh.core import paused_gc
    from pyfuncs.xlsx.reader import load_book

    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        with paused_gc():  # as refresh runs
            evaluator = Evaluator(load_book(source))
            evaluator.run()
            evaluator.result()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return medians(times)


def formualizer_time(source: Path, repeats: int) -> tuple[float, float] | None:
    """formualizer in process: load the workbook and evaluate every formula
    (median wall and CPU seconds)."""
    try:
        import formualizer
    except ImportError:
        return None
    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        book = formualizer.load_workbook(str(source))
        book.evaluate_all()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return medians(times)


def compare_model(label: str, source: Path, work: Path, repeats: int) -> None:
    """Whole process against LibreOffice, in process against formualizer."""
    runs = iter(range(10_000))
    ours, ours_cpu = medians(
        [
            run_timed(gpucredit(source, work / f"{source.stem}-{next(runs)}.xlsx"))
            for _ in range(repeats)
        ]
    )
    print(f"{label}: gpucredit whole process {ours:.2f} s ({ours_cpu:.2f} CPU seconds)")
    if soffice_path():
        profile = fresh_profile(work / f"lo-{source.stem}")
        lo, lo_cpu = medians(
            [run_timed(libreoffice(source, work / "lo", profile)) for _ in range(repeats)]
        )
        line(f"{label} vs LibreOffice (whole process)", ours, lo, ">= 1.5x", (ours_cpu, lo_cpu))
    else:
        print("LibreOffice is not installed: no LibreOffice ratio")
    inside, inside_cpu = load_and_recalculate(source, repeats)
    theirs = formualizer_time(source, repeats)
    if theirs is None:
        print("formualizer is not installed (pip install formualizer): no ratio")
    else:
        line(
            f"{label} vs formualizer (load + recalculate in process)",
            inside,
            theirs[0],
            ">= 0.2x",
            (inside_cpu, theirs[1]),
        )
    print_phases(label, source, work, repeats)


def lookup_scaling(work: Path, loans: int, repeats: int, factor: int = 4) -> None:
    """The loan book at ``loans`` and ``factor`` times as many rows (the same 20 segments, so
    each segment grows too), load + recalculate in process: a lookup answered by scanning its
    range would make the time grow with the square of the rows (``factor ** 2``)."""
    small = load_and_recalculate(loan_book(work / "scale-small.xlsx", loans), repeats)[0]
    large = load_and_recalculate(loan_book(work / "scale-large.xlsx", loans * factor), repeats)[0]
    print(
        f"loan book {loans:,} -> {loans * factor:,} rows, load + recalculate in process: "
        f"{small:.2f} s -> {large:.2f} s, x{large / small:.1f} "
        f"(linear x{factor}, quadratic x{factor**2}; target: linear)"
    )


def one_million(work: Path, repeats: int) -> None:
    """Whole process, median of ``repeats`` fresh processes (wall, peak memory, CPU)."""
    source = generate(work / "million.xlsx", 1_000_000)
    runs = []
    for i in range(repeats):
        done = subprocess.run(
            [sys.executable, "-c", ONE_MILLION_SCRIPT, str(source), str(work / f"m-{i}.xlsx")],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            print(f"1,000,000 formulas: failed: {(done.stderr or done.stdout)[-300:]}")
            return
        runs.append([float(x) for x in done.stdout.split()])
    seconds, kilobytes, cpu = (statistics.median(run[i] for run in runs) for i in range(3))
    print(
        f"{'1,000,000 formulas, whole process (target < 20 s, < 2 GB)':<58} "
        f"{seconds:8.2f} s {kilobytes / 1024**2:8.2f} GB   ({cpu:.2f} CPU seconds)"
    )
    print_phases("1,000,000 formulas", source, work, repeats)


def templates_and_formulas(work: Path, args: argparse.Namespace) -> None:
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
    templates = sorted((ROOT / "workbooks").glob("*.xlsx")) if (ROOT / "workbooks").exists() else []
    for template in templates:
        copy = work / template.name
        shutil.copy(template, copy)
        mine = best(args.repeats, gpucredit(copy, work / f"t-{template.name}"))
        if soffice_path():
            lo = libreoffice_addin_time(copy, work / f"lo-{template.stem}", args.repeats)
            line(f"template {template.name} vs LibreOffice + gpucredit add-in", mine, lo, "> 1x")
        theirs = formulas_time(copy, work / f"f-{template.stem}", FORMULAS_GPU_SCRIPT)
        if theirs is not None:
            line(f"template {template.name} vs formulas + GPU functions", mine, theirs, ">= 100x")
    if not templates:
        print("no templates under workbooks/ yet: template ratios not measured")


def compile_bytecode() -> str:
    """Compile gpucredit's modules to bytecode first, as an installed package has them.

    ``pip install`` compiles every module of a wheel (its default), and an editable install
    writes the caches on first import. A process with ``PYTHONDONTWRITEBYTECODE=1`` (set on some
    machines and CI images) never writes them, so each run would compile the whole package
    from source again, about 0.1 s of the whole-process time no user pays twice.
    """
    import compileall

    import pyfuncs

    package = Path(pyfuncs.__file__).parent
    ok = compileall.compile_dir(package, quiet=2, force=False)
    state = "compiled" if ok else "could NOT all be compiled"
    flag = os.environ.get("PYTHONDONTWRITEBYTECODE")
    note = f" (PYTHONDONTWRITEBYTECODE={flag} here)" if flag else ""
    return f"bytecode of {package}: {state} before timing, as an installed package has it{note}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=100_000, help="formulas of the first model")
    parser.add_argument("--loans", type=int, default=2_000, help="rows of the loan book")
    parser.add_argument("--formulas-cells", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-million", action="store_true", help="skip the 1,000,000 model")
    parser.add_argument("--templates", action="store_true", help="also the template workbooks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-refresh-") as tmp:
        work = Path(tmp)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"{os.cpu_count()} cores, load average {load}; times are medians of {args.repeats} runs"
        )
        print(compile_bytecode())
        print(f"{'':58} {'gpucredit':>10} {'other':>10} {'ratio':>9}   target")
        startup = best(args.repeats, [sys.executable, "-c", "import pyfuncs.refresh.core"])
        print(f"{'Python start and imports (import pyfuncs.refresh.core)':<58} {startup:8.2f} s")
        big = generate(work / "gen.xlsx", args.cells)
        compare_model(f"{args.cells:,} formulas", big, work, args.repeats)
        book = loan_book(work / "loans.xlsx", args.loans)
        compare_model(f"loan book, {args.loans * 8:,} formulas", book, work, args.repeats)
        lookup_scaling(work, args.loans, args.repeats)
        if not args.no_million:
            one_million(work, args.repeats)
        if args.templates:
            templates_and_formulas(work, args)


if __name__ == "__main__":
    main()
