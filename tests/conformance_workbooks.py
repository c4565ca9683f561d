"""Refresh Excel-saved workbooks with no input changed and compare every formula cell with the
value Excel cached in the file.

Used by tests/formulas/test_conformance.py on the workbooks listed in
tests/data/conformance/MANIFEST, and by hand on any folder of workbooks::

    python tests/conformance_workbooks.py FOLDER

It prints, per file, ``refused`` (with the engine's reason), or the cells compared and those
that differ, then the totals: files refreshed and refused, cells compared and agreeing.
"""

from __future__ import annotations

import math
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.evaluator import Evaluator, RefreshRefusedError
from pyfuncs.xlsx.reader import load_book
from pyfuncs.xlsx.sheet_xml import cell_name


@dataclass
class WorkbookReport:
    path: Path
    refused: str | None = None
    compared: int = 0
    differing: list[tuple[str, Any, Any]] = field(default_factory=list)  # cell, ours, Excel's


def saved_by_excel(path: Path) -> bool:
    """True when docProps/app.xml names Microsoft Excel as the application that saved it."""
    try:
        with zipfile.ZipFile(path) as z:
            app = z.read("docProps/app.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return False
    return "<Application>Microsoft Excel</Application>" in app or "Microsoft Macintosh Excel" in app


def same(ours: Any, cached: Any) -> bool:
    """Equal as Excel shows values: numbers to 15 significant digits (within 1E-15 relative),
    errors by code, a blank result as Excel's cached 0 or empty text."""
    if isinstance(cached, ExcelError) or isinstance(ours, ExcelError):
        return getattr(ours, "code", None) == getattr(cached, "code", None)
    if ours is None:
        return cached in (None, 0.0, "")
    if isinstance(cached, bool) or isinstance(ours, bool):
        return ours == cached
    if isinstance(cached, float) and isinstance(ours, float):
        return (
            math.isclose(ours, cached, rel_tol=1e-14, abs_tol=1e-300)
            or f"{ours:.15g}" == f"{cached:.15g}"
        )
    if cached is None:
        return ours in ("", 0.0)
    return ours == cached


def check(path: Path) -> WorkbookReport:
    report = WorkbookReport(path)
    try:
        book = load_book(path)
        cached = {
            (sheet.name, cell_name(r, c)): sheet.values.get((r, c))
            for sheet in book.sheets
            for (r, c) in sheet.formulas
        }
        ev = Evaluator(book)
        ev.run()
        result = ev.result()
    except RefreshRefusedError as exc:
        report.refused = str(exc)
        return report
    except Exception as exc:
        report.refused = f"CRASH {type(exc).__name__}: {exc}"
        return report
    for key, excel_value in cached.items():
        ours = result.values.get(key)
        report.compared += 1
        if not same(ours, excel_value):
            report.differing.append((f"{key[0]}!{key[1]}", ours, excel_value))
    return report


def main(folder: str) -> None:
    files = sorted(p for p in Path(folder).glob("*.xlsx") if saved_by_excel(p))
    reports = [check(p) for p in files]
    refused = [r for r in reports if r.refused]
    compared = sum(r.compared for r in reports)
    agreeing = compared - sum(len(r.differing) for r in reports)
    for r in reports:
        if r.refused:
            print(f"refused  {r.path.name}: {r.refused[:160]}")
        else:
            print(
                f"ok       {r.path.name}: {r.compared - len(r.differing)}/{r.compared} cells agree"
            )
            for cell, ours, theirs in r.differing[:3]:
                print(f"           {cell}: ours {ours!r}, Excel {theirs!r}")
    print(
        f"{len(files)} Excel-saved files: {len(files) - len(refused)} refreshed, {len(refused)} "
        f"refused ({len(refused) / max(len(files), 1):.0%}); {agreeing}/{compared} formula cells agree"
    )


if __name__ == "__main__":
    main(sys.argv[1])
