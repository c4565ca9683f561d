"""LibreOffice Calc, headless, as an independent spreadsheet engine that knows gpucredit's functions.

Used to recalculate a workbook with a second engine (tests use it as an oracle, and
``gpucredit refresh --engine libreoffice`` through :func:`recalculate_values`). Facts from
docs/libreoffice.md: LibreOffice keeps cached values on load unless ``OOXMLRecalcMode`` is 0; a
reused profile can hang, so every run gets a fresh profile and a hard timeout, and the whole
process group is killed when the timeout strikes.

With ``with_gpucredit=True`` (the default) LibreOffice also computes ``GPU.*`` functions: the
add-in of :mod:`pyfuncs.excel.libreoffice` is built once per process into a temporary folder and
given to each run as LibreOffice's *bundled extensions* folder (``-env:BUNDLED_EXTENSIONS=``,
which stands in for the distribution's, empty with ``libreoffice-calc-nogui``, for that run).
LibreOffice registers bundled extensions into the fresh profile when it starts, so nothing is
installed anywhere else and no ``unopkg`` run is needed (``unopkg add`` refuses to run as root
without ``--shared``, which would change the system's installation unless
``-env:UNO_SHARED_PACKAGES_CACHE`` points elsewhere; that route works too, and costs a second
process of about 0.6 s). The workbook is first copied
with calls spelled ``GPU.X(`` (:mod:`pyfuncs.excel.libreoffice.spelling`), the only spelling
LibreOffice 7.4 resolves.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import math
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from pyfuncs.errors import EXCEL_ERROR_CODES, ExcelError, GpuCreditError
from pyfuncs.xlsx.reader import load_book
from pyfuncs.xlsx.sheet_xml import CellXml, cell_name

#: The fresh profile's settings (``registrymodifications.xcu``). Recalculate on load
#: (``OOXMLRecalcMode``/``ODFRecalcMode`` 0 = always), and never run a user's document macros:
#: ``DisableMacrosExecution`` switches macro execution off altogether, ``MacroSecurityLevel`` 3
#: ("very high": only macros from trusted file locations, and the profile lists none) guards
#: the same door twice, and ``BlockUntrustedRefererLinks`` keeps a document from fetching
#: linked content. Names and types as LibreOffice 7.4 declares them in its configuration
#: schema (officecfg/registry/schema/org/openoffice/Office/Common.xcs, group
#: ``Security/Scripting``; installed as share/registry/main.xcd); the levels are described at
#: https://help.libreoffice.org/latest/en-US/text/shared/optionen/macrosecurity_sl.html
PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting">
 <prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
</oor:items>
"""
#: The add-in writes what it ran on (Python, numpy, pyfuncs, its methods) to this file.
ADDIN_STATUS_ENV = "GPUCREDIT_LO_STATUS"
#: Environment that would point LibreOffice's Python at our virtual environment instead.
_FOREIGN_PYTHON_ENV = (
    "PYTHONHOME",
    "PYTHONPATH",
    "PYTHONSTARTUP",
    "PYTHONUSERBASE",
    "VIRTUAL_ENV",
)


class LibreOfficeError(GpuCreditError, RuntimeError):
    """LibreOffice is missing, timed out, produced no output, or the add-in did not load."""


@dataclass(frozen=True)
class Recalculated:
    """One LibreOffice recalculation.

    Attributes
    ----------
    path : Path
        LibreOffice's recalculated copy, as .xlsx.
    addin : dict or None
        What the gpucredit add-in reported from inside LibreOffice: ``python`` (version),
        ``prefix``, ``numpy``/``numpy_file``, ``scipy``/``scipy_file``, ``pyfuncs_file``,
        ``methods`` (as Calc's reflection sees them), ``import_error``. ``None`` without the
        add-in, or when LibreOffice never created it.
    gpu_calls : int
        Calls of gpucredit functions found in the workbook's formulas (-1: not an .xlsx).
    """

    path: Path
    addin: dict[str, Any] | None
    gpu_calls: int


def soffice_path() -> str | None:
    """The ``soffice`` executable, or ``None`` when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def fresh_profile(root: Path) -> str:
    """Create a LibreOffice user profile under ``root``; its URL.

    The profile recalculates every formula on load and runs no document macro
    (:data:`PROFILE_XCU`): the workbooks are users' files, and may come from anyone.
    """
    user = root / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(PROFILE_XCU, encoding="utf-8")
    return root.resolve().as_uri()


@cache
def bundled_extensions() -> Path:
    """A folder holding the unpacked gpucredit extension, built once per process.

    It is only read by LibreOffice (each run registers it into its own fresh profile), so runs
    share it; it is removed when the process exits.
    """
    from pyfuncs.excel.libreoffice import build_extension

    root = Path(tempfile.mkdtemp(prefix="gpucredit-lo-extensions-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    build_extension(root / "gpucredit")
    return root


def _office_environment() -> dict[str, str]:
    """Our environment, minus what would point LibreOffice's Python at another Python.

    LibreOffice embeds the system's Python without naming its program, so that Python finds its
    prefix by searching PATH for ``python3``: with a virtual environment activated it would
    take the venv as its prefix, lose the system's packages (``uno`` among them) and LibreOffice
    would fail to open the workbook at all ("source file could not be loaded", measured). The
    system's own bin folders therefore come first on PATH.
    """
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_PYTHON_ENV}
    system_bins = ["/usr/bin", "/bin"]
    rest = [p for p in env.get("PATH", "").split(os.pathsep) if p and p not in system_bins]
    env["PATH"] = os.pathsep.join(system_bins + rest)
    return env


def run_soffice(
    command: list[str], cwd: Path, timeout: float, env: dict[str, str] | None = None
) -> str:
    """Run a LibreOffice command in its own process group; kill the whole group on timeout.

    ``soffice`` is a shell script that starts ``oosplash`` and ``soffice.bin``: killing only the
    script on timeout would leave them running. ``env`` defaults to ours, cleaned for
    LibreOffice's Python. Returns the combined output.
    """
    process = subprocess.Popen(
        command,
        cwd=cwd,
        env=_office_environment() if env is None else env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        process.communicate()
        raise LibreOfficeError(f"LibreOffice timed out after {timeout:g} s") from None
    _kill_group(process.pid)  # anything LibreOffice left behind in its group
    return output or ""


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def recalculate_workbook(
    source: Path, out_dir: Path, timeout: float = 120.0, *, with_gpucredit: bool = True
) -> Recalculated:
    """Open ``source`` in headless LibreOffice, recalculate every formula, save a copy as .xlsx.

    Parameters
    ----------
    source : Path
        The workbook to recalculate (left untouched).
    out_dir : Path
        Where the recalculated copy is written (same file name, .xlsx).
    timeout : float
        Seconds before LibreOffice is killed.
    with_gpucredit : bool
        Load the gpucredit add-in so ``GPU.*`` functions compute (in any spelling Excel or
        xlwings stores them).

    Returns
    -------
    Recalculated
        The copy, what the add-in reported, and how many gpucredit calls the workbook has.

    Raises
    ------
    LibreOfficeError
        LibreOffice is missing, failed or timed out; or the workbook calls gpucredit functions
        and the add-in did not load or could not import its Python libraries.
    """
    soffice = soffice_path()
    if soffice is None:
        raise LibreOfficeError("LibreOffice (soffice) is not installed")
    source = Path(source)
    if not source.is_file():
        raise LibreOfficeError(f"no workbook at {source}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    env = _office_environment()
    with tempfile.TemporaryDirectory(prefix="gpucredit-lo-") as tmp:
        work = Path(tmp)
        profile = fresh_profile(work / "profile")
        command = [soffice, f"-env:UserInstallation={profile}"]
        workbook, calls, status_file = source.resolve(), -1, work / "addin-status.json"
        if with_gpucredit:
            from pyfuncs.excel.libreoffice.spelling import respell_workbook

            (work / "in").mkdir()
            workbook = work / "in" / source.name
            calls = respell_workbook(source, workbook).calls
            command.append(f"-env:BUNDLED_EXTENSIONS={bundled_extensions().as_uri()}")
            env[ADDIN_STATUS_ENV] = str(status_file)
        command += [
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out_dir.resolve()),
            str(workbook),
        ]
        target = out_dir / (source.stem + ".xlsx")
        if target.resolve() == source.resolve():
            raise LibreOfficeError(f"refusing to overwrite {source}: choose another out_dir")
        target.unlink(missing_ok=True)
        output = run_soffice(command, work, timeout, env)
        addin = _read_status(status_file) if with_gpucredit else None
        if not target.exists():
            detail = output.strip().splitlines()[-1:] or ["no output"]
            hint = ""
            if with_gpucredit and addin is None:
                hint = (
                    " (the gpucredit add-in did not start either: is LibreOffice's Python sound?)"
                )
            raise LibreOfficeError(f"LibreOffice failed on {source.name}: {detail[0]}{hint}")
    if with_gpucredit and calls > 0:
        _check_addin(addin)
    return Recalculated(target, addin, calls)


def recalculate(
    source: Path, out_dir: Path, timeout: float = 120.0, *, with_gpucredit: bool = True
) -> Path:
    """Recalculate ``source`` in LibreOffice; the path of its .xlsx copy in ``out_dir``.

    See :func:`recalculate_workbook` for the parameters.
    """
    return recalculate_workbook(source, out_dir, timeout, with_gpucredit=with_gpucredit).path


def _read_status(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _check_addin(status: dict[str, Any] | None) -> None:
    """Refuse loudly when the workbook needed the add-in and it did not work."""
    if status is None:
        raise LibreOfficeError(
            "the gpucredit add-in did not load in LibreOffice; its Python components need "
            "python3-uno (Debian: apt-get install python3-uno)"
        )
    if status.get("import_error"):
        last = status["import_error"].strip().splitlines()[-1]
        raise LibreOfficeError(
            f"the gpucredit add-in could not import its libraries in LibreOffice's Python "
            f"{status.get('python', '?').split()[0]}: {last}; on Debian: "
            "apt-get install python3-numpy python3-scipy"
        )
    from pyfuncs.excel.libreoffice.idl import expected_methods

    wanted = expected_methods()
    if status.get("methods") != wanted:
        missing = sorted(set(wanted) - set(status.get("methods") or {}))
        raise LibreOfficeError(
            "LibreOffice sees another gpucredit interface than the registry's "
            f"(missing: {', '.join(missing) or 'none; signatures differ'}); "
            "run: python -m pyfuncs.excel.libreoffice build"
        )


# --- reading LibreOffice's computed values ------------------------------------------------------
# Through the one xlsx reader (pyfuncs.xlsx.reader); LibreOffice's output is read as it means
# it, which differs from a cached value in three ways (tested in tests/xlsx/test_reader.py):
# a formula cell of type "str" or "inlineStr" without a value is the empty text "" (a formula
# that returned ""), not a blank; an error code Excel does not know (LibreOffice's "Err:502")
# is #VALUE! naming it; and errors carry the reason "computed by LibreOffice".


def _computed(cell: CellXml, cached: Any) -> Any:
    """A cell's value as LibreOffice computed it, from the reader's cached value."""
    if cell.type in ("str", "inlineStr") and cached is None:
        return ""
    if cell.type == "e":
        code = (cell.value_text or "").strip()
        if code in EXCEL_ERROR_CODES:
            return ExcelError(code, "computed by LibreOffice")
        return ExcelError("#VALUE!", f"LibreOffice error {code[:20]}")
    return cached


def computed_values(
    workbook: Path, *, formulas_only: bool = True
) -> dict[tuple[str, str], float | str | bool | ExcelError | None]:
    """The values saved in an .xlsx, by (sheet name, cell) such as ``("Deal", "B7")``.

    Parameters
    ----------
    workbook : Path
        An .xlsx written by LibreOffice (or any SpreadsheetML writer that stores values).
    formulas_only : bool
        Only cells holding a formula or lying inside an array formula's range.

    Returns
    -------
    dict
        Numbers as float, text as str, booleans as bool, errors as
        :class:`~pyfuncs.errors.ExcelError`, a formula cell without a value as ``None``.

    Raises
    ------
    WorkbookFileError
        The file is not a workbook the reader can read (one line naming the part and cell).
    """
    book = load_book(Path(workbook))
    values: dict[tuple[str, str], Any] = {}
    for sheet in book.sheets:
        in_arrays: set[tuple[int, int]] = set()
        for formula in sheet.formulas.values():
            if formula.kind == "array" and formula.array_ref is not None:
                r1, c1, r2, c2 = formula.array_ref
                in_arrays |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        for key, cell in sheet.cells.items():
            if formulas_only and cell.formula is None and key not in in_arrays:
                continue
            values[(sheet.name, cell_name(*key))] = _computed(cell, sheet.values.get(key))
    return values


def recalculate_values(
    source: Path,
    timeout: float = 120.0,
    *,
    with_gpucredit: bool = True,
    formulas_only: bool = True,
) -> dict[tuple[str, str], float | str | bool | ExcelError | None]:
    """Recalculate ``source`` in LibreOffice and return the computed values of its formulas.

    The engine behind ``gpucredit refresh --engine libreoffice``: LibreOffice never saves over
    ``source``; its copy lives in a temporary folder and only the values come back, for the
    caller to write into the original file's cells.

    Parameters
    ----------
    source : Path
        The workbook (.xlsx or .xlsm; read only).
    timeout : float
        Seconds before LibreOffice is killed.
    with_gpucredit : bool
        Compute ``GPU.*`` functions with the gpucredit add-in.
    formulas_only : bool
        Only formula cells and the cells of array-formula ranges (else every stored value).

    Returns
    -------
    dict
        ``{(sheet name, "A1"): value}``; values as in :func:`computed_values`.
    """
    with tempfile.TemporaryDirectory(prefix="gpucredit-lo-values-") as tmp:
        done = recalculate_workbook(Path(source), Path(tmp), timeout, with_gpucredit=with_gpucredit)
        return computed_values(done.path, formulas_only=formulas_only)


def _agrees(cached: Any, fresh: Any, rel_tol: float, abs_tol: float) -> bool:
    from pyfuncs.excel.libreoffice.bridge import CALC_SHOWS

    if type(cached) is ExcelError:
        return type(fresh) is ExcelError and fresh.code == CALC_SHOWS.get(cached.code, cached.code)
    if cached is None or cached == "":  # a blank result: Calc saves it as 0 or leaves it empty
        return fresh in (None, "", 0.0)
    if isinstance(cached, bool) or isinstance(fresh, bool):
        return type(fresh) in (bool, float) and float(fresh) == float(cached)
    if isinstance(cached, str) or isinstance(fresh, str):
        return cached == fresh
    return isinstance(fresh, float) and math.isclose(
        fresh, cached, rel_tol=rel_tol, abs_tol=abs_tol
    )


def disagreements(
    workbook: Path,
    *,
    rel_tol: float = 1e-9,
    abs_tol: float = 1e-12,
    timeout: float = 120.0,
) -> list[str]:
    """Where LibreOffice's recalculation of ``workbook`` differs from the values cached in it.

    The oracle check for generated and refreshed workbooks: every formula cell's cached value
    (what gpucredit wrote) against LibreOffice's fresh value, numbers to ``rel_tol`` relative
    (``abs_tol`` for results that should be zero), errors by the code LibreOffice shows for them.

    Parameters
    ----------
    workbook : Path
        An .xlsx with cached values (read only).
    rel_tol, abs_tol : float
        Tolerances for numbers (LibreOffice saves 15 significant digits).
    timeout : float
        Seconds before LibreOffice is killed.

    Returns
    -------
    list of str
        One line per disagreeing cell (``"Deal!B7: cached 1.2, LibreOffice 1.3"``); empty when
        the two engines agree everywhere.
    """
    cached = computed_values(Path(workbook))
    fresh = recalculate_values(Path(workbook), timeout)
    missing = object()
    return [
        f"{sheet}!{cell}: cached {value!r}, LibreOffice {fresh.get((sheet, cell), 'nothing')!r}"
        for (sheet, cell), value in cached.items()
        if not _agrees(value, fresh.get((sheet, cell), missing), rel_tol, abs_tol)
    ]
