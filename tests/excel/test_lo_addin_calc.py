"""LibreOffice Calc computes gpucredit's functions through the add-in, in real workbooks.

Each test writes an .xlsx with openpyxl, lets headless LibreOffice (fresh profile, recalculation
on load, a timeout) recalculate it with the add-in, and reads back what LibreOffice saved.
Expected values come from LibreOffice's own built-in functions in the same sheet (IPMT, PPMT, EXP,
MAX, ^), from closed forms and hand calculations written here, and, for the plumbing of every
catalogue function, from ``pyfuncs.call`` on the same arguments.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from pyfuncs import ExcelError, call
from pyfuncs.catalogue import REGISTRY, catalogue
from pyfuncs.errors import EXCEL_ERROR_CODES
from pyfuncs.excel.libreoffice import build_oxt
from pyfuncs.excel.libreoffice.idl import expected_methods
from pyfuncs.refresh.libreoffice import (
    LibreOfficeError,
    Recalculated,
    computed_values,
    disagreements,
    fresh_profile,
    recalculate,
    recalculate_values,
    recalculate_workbook,
    run_soffice,
    soffice_path,
)

#: What each Excel error gpucredit returns shows as in LibreOffice 7.4 (measured; documented in
#: the README). Calc has no #SPILL! or #CALC!; they show as #VALUE!.
CALC_SHOWS = {
    "#VALUE!": "#VALUE!",
    "#NUM!": "#NUM!",
    "#DIV/0!": "#DIV/0!",
    "#N/A": "#N/A",
    "#NAME?": "#NAME?",
    "#NULL!": "#NULL!",
    "#REF!": "#REF!",
    "#SPILL!": "#VALUE!",
    "#CALC!": "#VALUE!",
}
REL = 1e-9


class Calc:
    """Builds a workbook, has LibreOffice recalculate it with the add-in, reads the values."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.runs = 0

    def run(
        self, build: Callable[[openpyxl.Workbook], None], *, with_gpucredit: bool = True
    ) -> tuple[dict[tuple[str, str], Any], Recalculated]:
        self.runs += 1
        book = openpyxl.Workbook()
        book.active.title = "Deal"
        build(book)
        source = self.work / f"book{self.runs}.xlsx"
        book.save(source)
        done = recalculate_workbook(
            source, self.work / f"out{self.runs}", with_gpucredit=with_gpucredit
        )
        return computed_values(done.path, formulas_only=False), done


@pytest.fixture(scope="session")
def calc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Calc, Recalculated]:
    """LibreOffice with the add-in, checked once on a one-cell workbook."""
    if soffice_path() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "LibreOffice is required in CI: .ci/run must install libreoffice-calc-nogui"
            )
        pytest.skip(
            "LibreOffice (soffice) is not installed; apt-get install libreoffice-calc-nogui"
        )
    engine = Calc(tmp_path_factory.mktemp("calc"))
    try:
        values, done = engine.run(lambda b: b.active.__setitem__("A1", "=_xldudf_GPU_DSCR(3,2)"))
    except LibreOfficeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the gpucredit add-in must work in CI: {exc}")
        pytest.skip(f"the gpucredit add-in cannot run in this LibreOffice: {exc}")
    assert values[("Deal", "A1")] == 1.5
    return engine, done


def same(got: Any, expected: Any) -> bool:
    """LibreOffice's value for a cell against what gpucredit computes for it."""
    if isinstance(expected, ExcelError):
        return isinstance(got, ExcelError) and got.code == CALC_SHOWS[expected.code]
    if expected is None:  # a blank result cell: Calc shows it empty and saves it as 0
        return got == 0.0
    if isinstance(expected, str):
        return got == expected
    return isinstance(got, float) and math.isclose(got, float(expected), rel_tol=REL, abs_tol=1e-12)


def cell_ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def put(sheet: Worksheet, row: int, col: int, grid: list[list[Any]]) -> str:
    """Write ``grid`` with its top-left at (row, col); its A1 range."""
    for i, line in enumerate(grid):
        for j, value in enumerate(line):
            sheet.cell(row=row + i, column=col + j, value=value)
    return f"{cell_ref(row, col)}:{cell_ref(row + len(grid) - 1, col + len(grid[0]) - 1)}"


def array(sheet: Worksheet, ref: str, formula: str) -> None:
    """A legacy array formula {=...} over the fixed range ``ref``."""
    sheet[ref.split(":")[0]] = ArrayFormula(ref, formula)


# --- the add-in as LibreOffice runs it ----------------------------------------------------------


def test_addin_runs_in_libreoffices_python_on_our_package_copy(calc):
    _, done = calc
    status = done.addin
    # LibreOffice's own interpreter, not this virtual environment.
    assert status["prefix"] != sys.prefix and status["python"].startswith("3.")
    assert status["import_error"] is None
    # numpy and scipy from that interpreter's packages (Debian: python3-numpy, python3-scipy).
    for lib in ("numpy_file", "scipy_file"):
        assert not status[lib].startswith(sys.prefix), status[lib]
    # pyfuncs from the copy inside the extension, not from this checkout.
    assert "/pythonpath/pyfuncs/" in status["pyfuncs_file"]
    # The compiled interface (gpucredit.rdb) as LibreOffice reads it matches the registry.
    assert status["methods"] == expected_methods()
    print(
        f"\nLibreOffice ran the add-in on Python {status['python'].split()[0]} "
        f"({status['prefix']}), numpy {status['numpy']} ({status['numpy_file']}), "
        f"scipy {status['scipy']}"
    )


def test_an_activated_virtual_environment_does_not_leak_into_libreoffice(calc, monkeypatch):
    # .ci/run activates .venv: python3 on PATH is then the venv's, which LibreOffice's embedded
    # Python would take as its home (and fail to load the workbook at all).
    engine, _ = calc
    venv_bin = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("VIRTUAL_ENV", sys.prefix)
    values, done = engine.run(lambda b: b.active.__setitem__("A1", "=GPU.LTV(3,4)"))
    assert values[("Deal", "A1")] == 0.75
    assert done.addin["prefix"] != sys.prefix and done.addin["import_error"] is None


def test_every_catalogue_function_computes_as_in_pyfuncs(calc):
    """One call of every registry function, spelled as Excel stores it, arguments generic."""
    engine, _ = calc
    blocks: list[tuple[str, int, Any]] = []
    ranges = {
        "range": [[1.2], [1.1], [1.0], [0.9], [0.8], [0.7]],
        "array": [[0.02], [0.05], [0.08]],
        "keyvalue": [["name", 1.0]],
    }

    def build(book: openpyxl.Workbook) -> None:
        sheet, inputs = book.active, book.create_sheet("Inputs")
        row = 1
        for spec in catalogue():
            free_text = iter(("gpus", "tenor_years"))
            texts: list[str] = []
            values: list[Any] = []
            height, col = 1, 1
            for i, arg in enumerate(spec.args):
                if arg.optional:
                    texts.append("")
                    values.append(None)
                elif arg.kind in ranges:
                    grid = ranges[arg.kind]
                    texts.append("Inputs!" + put(inputs, row, col, grid))
                    values.append(grid)
                    height, col = max(height, len(grid)), col + len(grid[0])
                elif arg.kind == "text":
                    # a text from a list: its first choice; a free text names an assumption
                    word = arg.choices[0] if arg.choices else next(free_text)
                    texts.append(f'"{word}"')
                    values.append(word)
                elif arg.kind in ("bool", "headers"):
                    texts.append("TRUE")
                    values.append(True)
                elif arg.kind == "integer":
                    texts.append("12")
                    values.append(12.0)
                else:  # multiples of 0.25: years x 12 stays a whole number of months
                    texts.append(f"{0.25 * (i + 2):g}")
                    values.append(0.25 * (i + 2))
            while texts and texts[-1] == "":
                texts.pop()
                values.pop()
            expected = call(spec.name, *values)
            formula = f"={spec.stored_name}({','.join(texts)})"
            if isinstance(expected, list):
                end = cell_ref(row + len(expected) - 1, 1 + len(expected[0]))
                array(sheet, f"B{row}:{end}", formula)
                height = max(height, len(expected))
            elif spec.result.kind == "scalar":
                sheet[f"B{row}"] = formula
            else:
                array(sheet, f"B{row}:B{row}", formula)
            blocks.append((spec.name, row, expected))
            row += height + 1

    values, done = engine.run(build)
    assert done.gpu_calls == len(catalogue())
    checked = 0
    for name, row, expected in blocks:
        grid = expected if isinstance(expected, list) else [[expected]]
        for i, line in enumerate(grid):
            for j, want in enumerate(line):
                got = values.get(("Deal", cell_ref(row + i, 2 + j)))
                assert same(got, want), (name, i, j, got, want)
                checked += 1
    assert checked > 3 * len(catalogue())


def test_spellings_scalars_columns_tables_and_builtins_agree(calc):
    engine, _ = calc
    principal, rate, n = 1_000_000.0, 0.1, 12

    def build(book: openpyxl.Workbook) -> None:
        s = book.active
        s["A1"], s["B1"] = 3.0, 2.0
        s["C1"] = "=_xldudf_GPU_DSCR(A1,B1)"  # as Excel stores an Office.js call
        s["C2"] = "=GPU.DSCR(A1,B1)"  # as typed with the Office.js add-in
        s["C3"] = "=GPU_DSCR(A1,B1)"  # as typed with xlwings
        s["C4"] = "=A1/B1"
        array(s, "C5:C5", "=_xldudf_GPU_DSCR(A1,B1)")  # Excel's one-cell dynamic array form
        s["C6"] = "=_xldudf_GPU_DSCR(A1,B1)*2+1"
        # A column result over a fixed range, next to Calc's own formula for it.
        array(s, "E1:E24", "=_xldudf_GPU_RENT_CURVE(2.35,24,0.28)")
        for t in range(1, 25):
            s[f"F{t}"] = f"=2.35*(1-0.28)^(({t}-1)/12)"
            s[f"G{t}"] = f"=MAX(0.5,2.35*(1-0.28)^(({t}-1)/12)*(1-0.25)^(({t}>=7)+({t}>=19)))"
        s["H1"], s["H2"] = 7, 19
        array(s, "I1:I24", "=_xldudf_GPU_RENT_CURVE(2.35,24,0.28,12,H1:H2,0.25,0.5)")
        # Optional arguments omitted at the end, and in the middle (gen_periods).
        array(s, "J1:J24", "=_xldudf_GPU_RENT_CURVE(2.35,24)")
        array(s, "K1:K24", "=_xldudf_GPU_RENT_CURVE(2.35,24,,,,0.25)")
        # A result smaller than its range: the extra cells show #N/A, as in Excel.
        array(s, "L1:L5", "=_xldudf_GPU_RENT_CURVE(2.35,3,0)")
        # Mixed with Excel built-ins.
        s["M1"] = "=SUM(_xldudf_GPU_RENT_CURVE(2.35,24,0.28))"
        s["M2"] = "=ROWS(_xldudf_GPU_RENT_CURVE(2.35,24))"
        # A table with its header row, next to IPMT/PPMT/PMT.
        array(s, "O1:T13", f'=_xldudf_GPU_DEBT_SCHEDULE({principal},{rate},1,12,"annuity",0,TRUE)')
        for t in range(1, n + 1):
            r = t + 1
            s[f"V{r}"] = f"=-IPMT({rate}/12,{t},{n},{principal})"
            s[f"W{r}"] = f"=-PPMT({rate}/12,{t},{n},{principal})"
            s[f"X{r}"] = f"=-PMT({rate}/12,{n},{principal})"
        # Element by element over ranges, against Calc's arithmetic.
        put(s, 30, 1, [[0.9, 1.5, 0.05, 0.04], [1.1, 2.0, 0.02, 0.10], [1.2, 0.8, 0.065, 0.03]])
        array(s, "F30:F32", "=_xldudf_GPU_LTV(A30:A32,B30:B32)")
        array(s, "G30:G32", "=_xldudf_GPU_HAZARD_RATE(C30:C32)")
        array(s, "H30:H32", "=_xldudf_GPU_FLOATING_RATE(D30:D32,0.06,0.035)")
        array(s, "I30:I32", "=_xldudf_GPU_CUMULATIVE_PD(C30:C32,5)")
        for r in (30, 31, 32):
            s[f"K{r}"] = f"=A{r}/B{r}"
            s[f"L{r}"] = f"=C{r}/(1-0.35)"
            s[f"M{r}"] = f"=MAX(D{r},0.035)+0.06"
            s[f"N{r}"] = f"=1-EXP(-C{r}*5)"

    v, done = engine.run(build)
    assert done.gpu_calls == 17
    cell = lambda ref: v[("Deal", ref)]  # noqa: E731
    for ref in ("C1", "C2", "C3", "C5"):
        assert cell(ref) == pytest.approx(cell("C4"), rel=REL) == pytest.approx(1.5)
    assert cell("C6") == pytest.approx(4.0)
    for t in range(1, 25):
        assert cell(f"E{t}") == pytest.approx(cell(f"F{t}"), rel=REL)
        assert cell(f"I{t}") == pytest.approx(cell(f"G{t}"), rel=REL)
        # Omitted arguments take the catalogue defaults (annual_decline 0.28).
        assert cell(f"J{t}") == pytest.approx(cell(f"F{t}"), rel=REL)
        assert cell(f"K{t}") == pytest.approx(cell(f"F{t}"), rel=REL)
    assert [cell(f"L{t}") for t in (1, 2, 3)] == [2.35, 2.35, 2.35]
    assert cell("L4") == cell("L5") == ExcelError("#N/A", "computed by LibreOffice")
    q = 0.72 ** (1 / 12)  # geometric rent path: sum of 2.35 q^k, k = 0..23
    assert cell("M1") == pytest.approx(2.35 * (1 - q**24) / (1 - q), rel=REL)
    assert cell("M2") == 24.0
    assert [cell(f"{c}1") for c in "OPQRST"] == list(REGISTRY["DEBT_SCHEDULE"].result.columns)
    for t in range(1, n + 1):
        r = t + 1
        assert cell(f"O{r}") == t
        assert cell(f"Q{r}") == pytest.approx(cell(f"V{r}"), rel=REL)
        assert cell(f"R{r}") == pytest.approx(cell(f"W{r}"), rel=REL)
        assert cell(f"S{r}") == pytest.approx(cell(f"X{r}"), rel=REL)
    assert cell("T13") == pytest.approx(0.0, abs=1e-6)
    for r in (30, 31, 32):
        for got, built_in in zip("FGHI", "KLMN", strict=True):
            assert cell(f"{got}{r}") == pytest.approx(cell(f"{built_in}{r}"), rel=REL)


def test_errors_show_as_the_same_excel_errors(calc):
    engine, _ = calc
    codes = sorted(EXCEL_ERROR_CODES)

    def build(book: openpyxl.Workbook) -> None:
        s = book.active
        s["A1"] = "=_xldudf_GPU_DSCR(1.2,0)"  # zero debt service
        array(s, "B1:B4", "=_xldudf_GPU_RENT_CURVE(2,-1)")  # whole call out of domain
        s["C1"] = '=_xldudf_GPU_HAZARD_RATE("abc")'  # text for a number
        put(s, 1, 5, [[1.3], [1.2], [1.15]])
        s["D1"] = "=_xldudf_GPU_BREACH_PERIOD(E1:E3,1.1)"  # never breaches
        put(s, 1, 7, [[1.3, 1.0], [0.9, 0.0], [1.2, 1.0]])
        array(s, "I1:I3", "=_xldudf_GPU_DSCR(G1:G3,H1:H3)")  # one bad period, others computed
        # An error value handed in (as text, the way the function server gets it) comes back as
        # that error: every code gpucredit knows travels through the add-in.
        for i, code in enumerate(codes, start=10):
            s[f"A{i}"] = f'="{code}"'
            s[f"B{i}"] = f"=_xldudf_GPU_HAZARD_RATE(A{i})"
        # Where LibreOffice differs from Excel, before the add-in is even called:
        s["A30"], s["A31"] = 1.0, "=1/0"
        s["B30"] = "=_xldudf_GPU_DSCR(A30:A31,1)"  # a range holding an error: Calc's Err:504
        s["B31"] = "=_xldudf_GPU_DSCR(1,1,1)"  # too many arguments: Calc's Err:504
        s["B32"] = "=_xldudf_GPU_HAZARD_RATE(0.065,A39)"  # A39 blank: Calc passes 0, not blank
        s["B33"] = "=_xldudf_GPU_HAZARD_RATE(A31)"  # one cell holding an error: passed through

    v, _ = engine.run(build)
    cell = lambda ref: v[("Deal", ref)]  # noqa: E731
    code = lambda ref: cell(ref).code if isinstance(cell(ref), ExcelError) else cell(ref)  # noqa: E731
    assert code("A1") == "#DIV/0!" and call("DSCR", 1.2, 0).code == "#DIV/0!"
    assert [code(f"B{r}") for r in range(1, 5)] == ["#NUM!"] * 4
    assert code("C1") == "#VALUE!"
    assert code("D1") == "#N/A"
    assert cell("I1") == pytest.approx(1.3) and cell("I3") == pytest.approx(1.2)
    assert code("I2") == "#DIV/0!"
    assert {c: code(f"B{i}") for i, c in enumerate(codes, start=10)} == CALC_SHOWS
    assert code("B30") == code("B31") == "#VALUE!"
    assert call("DSCR", [[1.0], [ExcelError("#DIV/0!")]], 1)[1][0].code == "#DIV/0!"  # Excel
    assert cell("B32") == pytest.approx(0.065)  # recovery 0; Excel's blank would mean 0.35
    assert code("B33") == "#DIV/0!"


def test_without_the_addin_gpu_functions_are_unknown(calc):
    engine, _ = calc
    v, done = engine.run(
        lambda b: b.active.__setitem__("A1", "=GPU.DSCR(3,2)"), with_gpucredit=False
    )
    assert v[("Deal", "A1")] == ExcelError("#NAME?", "computed by LibreOffice")
    assert done.addin is None


def test_recalculate_values_for_the_refresh_command(calc, tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Inputs"
    book.active["A1"] = 1.3
    out = book.create_sheet("Cover")
    out["A1"] = "=_xldudf_GPU_DSCR(Inputs!A1,1)"
    out["A2"] = "text"
    array(out, "B1:B3", "=_xldudf_GPU_RENT_CURVE(2,3,0.5,1)")
    out["C1"] = "=_xldudf_GPU_LTV(1,0)"
    source = tmp_path / "model.xlsx"
    book.save(source)
    before = source.read_bytes()
    values = recalculate_values(source)
    assert source.read_bytes() == before  # the user's workbook is never written
    assert values == {
        ("Cover", "A1"): pytest.approx(1.3),
        ("Cover", "B1"): 2.0,
        ("Cover", "B2"): 1.0,
        ("Cover", "B3"): 0.5,
        ("Cover", "C1"): ExcelError("#DIV/0!", "computed by LibreOffice"),
    }
    # Our reader of LibreOffice's file agrees with openpyxl's.
    path = recalculate(source, tmp_path / "out")
    data = openpyxl.load_workbook(path, data_only=True)["Cover"]
    assert [data[c].value for c in ("A1", "B1", "B2", "B3", "C1")] == [
        pytest.approx(1.3),
        2,
        1,
        0.5,
        "#DIV/0!",
    ]
    with pytest.raises(LibreOfficeError, match="refusing to overwrite"):
        recalculate(path, path.parent)


def test_a_timeout_kills_libreoffice_and_says_so(calc, tmp_path):
    book = openpyxl.Workbook()
    book.active["A1"] = "=_xldudf_GPU_DSCR(3,2)"
    source = tmp_path / "slow.xlsx"
    book.save(source)
    with pytest.raises(LibreOfficeError, match="timed out"):
        recalculate(source, tmp_path / "out", timeout=0.2)
    # Nothing of that run is left: its profile lived under a gpucredit-lo- folder now gone.
    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert not [line for line in running.splitlines() if str(tmp_path) in line]


def test_the_oxt_installs_with_unopkg_into_a_throwaway_installation(calc, tmp_path):
    """The packaged extension, installed the documented way, computes the functions too."""
    oxt = build_oxt(tmp_path / "gpucredit.oxt")
    book = openpyxl.Workbook()
    book.active["A1"] = "=GPU.HAZARD_RATE(0.065,0.35)"
    book.save(tmp_path / "book.xlsx")
    # unopkg refuses to run as root without --shared; a --shared install goes into the
    # UNO_SHARED_PACKAGES_CACHE named here, a throwaway folder, never the system's.
    places = [
        f"-env:UserInstallation={fresh_profile(tmp_path / 'profile')}",
        f"-env:UNO_SHARED_PACKAGES_CACHE={(tmp_path / 'shared').as_uri()}",
    ]
    shared = ["--shared"] if os.geteuid() == 0 else []
    unopkg = str(Path(soffice_path()).resolve().parent / "unopkg")
    run_soffice([unopkg, "add", *shared, *places, str(oxt)], tmp_path, timeout=120)
    command = [soffice_path(), *places, "--headless", "--norestore", "--convert-to", "xlsx"]
    run_soffice([*command, "--outdir", "out", "book.xlsx"], tmp_path, timeout=120)
    values = computed_values(tmp_path / "out" / "book.xlsx")
    assert values[("Sheet", "A1")] == pytest.approx(0.065 / 0.65, rel=REL)


def with_cached_values(path: Path, rows: str) -> Path:
    """Replace the first sheet of the .xlsx at ``path`` by ``rows`` of <c> cells with values."""
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )
    out = path.with_name(f"cached-{path.name}")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else zin.read(info)
            zout.writestr(info, data)
    return out


def test_cached_values_are_checked_against_libreoffice(calc, tmp_path):
    openpyxl.Workbook().save(tmp_path / "model.xlsx")

    def model(b2: str, c1: str) -> Path:
        return with_cached_values(
            tmp_path / "model.xlsx",
            '<row r="1"><c r="A1"><f>_xldudf_GPU_DSCR(3,2)</f><v>1.5</v></c>'
            '<c r="B1"><f t="array" ref="B1:B3">_xldudf_GPU_RENT_CURVE(2,3,0.5,1)</f><v>2</v></c>'
            f'<c r="C1" t="e"><f>_xldudf_GPU_LTV(1,0)</f><v>{c1}</v></c></row>'
            f'<row r="2"><c r="B2"><v>{b2}</v></c></row><row r="3"><c r="B3"><v>0.5</v></c></row>',
        )

    assert disagreements(model("1", "#DIV/0!")) == []
    # 1.00000001 is within 1e-8 but not 1e-9 of LibreOffice's 1; #N/A is not #DIV/0!.
    found = disagreements(model("1.00000001", "#N/A"))
    assert sorted(line.split(":")[0] for line in found) == ["Sheet!B2", "Sheet!C1"]
    assert disagreements(model("1.00000001", "#DIV/0!"), rel_tol=1e-7) == []
