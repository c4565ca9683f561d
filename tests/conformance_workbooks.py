"""Refresh Excel-saved workbooks with no input changed and compare every formula cell with the
value Excel cached in the file.

Used by tests/formulas/test_conformance_workbooks.py on the workbooks listed in
tests/data/conformance/workbooks.toml, and by hand::

    python tests/conformance_workbooks.py            # the committed suite: the coverage report
    python tests/conformance_workbooks.py FOLDER     # any folder of workbooks

Each workbook goes through :func:`pyfuncs.refresh.core.refresh` (load, recalculate with the
built-in engine, write) into a scratch file; the values written there are compared with the
values Excel cached in the original. Every part of the package other than the worksheets must
come out byte-identical.

Tolerance (:func:`same`): numbers agree when they are within 1E-14 relative of each other or
print the same at 15 significant digits (Excel shows and stores results to 15 significant
digits); errors agree by code; text and booleans exactly; a blank result agrees with Excel's
cached 0 or empty text.
"""

from __future__ import annotations

import hashlib
import math
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.evaluator import RefreshRefusedError
from pyfuncs.refresh.core import refresh
from pyfuncs.xlsx.reader import load_book
from pyfuncs.xlsx.sheet_xml import cell_name, parse_cell_name

CONFORMANCE = Path(__file__).parent / "data" / "conformance"
MANIFEST = CONFORMANCE / "workbooks.toml"


@dataclass
class WorkbookReport:
    path: Path
    refused: str | None = None
    compared: int = 0
    differing: list[tuple[str, Any, Any]] = field(default_factory=list)  # cell, ours, Excel's
    changed_parts: list[str] = field(default_factory=list)  # non-worksheet parts not kept


def application(path: Path) -> str:
    """The application and version docProps/app.xml names, e.g. ``Microsoft Excel 16.0300``."""
    try:
        with zipfile.ZipFile(path) as z:
            app = z.read("docProps/app.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError):
        return ""

    def tag(name: str) -> str:
        start = app.find(f"<{name}>")
        end = app.find(f"</{name}>")
        return app[start + len(name) + 2 : end] if 0 <= start < end else ""

    return " ".join(t for t in (tag("Application"), tag("AppVersion")) if t)


def saved_by_excel(path: Path) -> bool:
    """True when docProps/app.xml names Microsoft Excel as the application that saved it."""
    app = application(path)
    return app.startswith("Microsoft Excel") or app.startswith("Microsoft Macintosh Excel")


def same(ours: Any, cached: Any) -> bool:
    """Equal as Excel shows values: numbers to 15 significant digits (within 1E-14 relative),
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


def _worksheet_parts(book) -> set[str]:
    return {sheet.part.lstrip("/") for sheet in book.sheets}


def check(path: Path) -> WorkbookReport:
    """Refresh ``path`` into a scratch file and compare every formula cell with Excel's value."""
    report = WorkbookReport(path)
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / f"refreshed{path.suffix}"
        try:
            book = load_book(path)
            cached = {
                (sheet.name, cell_name(r, c)): sheet.values.get((r, c))
                for sheet in book.sheets
                for (r, c) in sheet.formulas
            }
            refresh(path, out)
            refreshed = load_book(out)
        except RefreshRefusedError as exc:
            report.refused = str(exc)
            return report
        except Exception as exc:  # a crash is a finding of the suite, not a crash of it
            report.refused = f"CRASH {type(exc).__name__}: {exc}"
            return report
        written = {sheet.name: sheet.values for sheet in refreshed.sheets}
        worksheets = _worksheet_parts(book)
        with zipfile.ZipFile(path) as before, zipfile.ZipFile(out) as after:
            kept = {n: after.read(n) for n in after.namelist()}
            for name in before.namelist():
                if name not in worksheets and kept.get(name) != before.read(name):
                    report.changed_parts.append(name)
    for (sheet_name, ref), excel_value in cached.items():
        ours = written[sheet_name].get(parse_cell_name(ref))
        report.compared += 1
        if not same(ours, excel_value):
            report.differing.append((f"{sheet_name}!{ref}", ours, excel_value))
    return report


# ---------------------------------------------------------------------------------------------
# The committed suite


@dataclass
class Entry:
    """One workbook of the manifest."""

    file: str
    source: str
    path: str
    origin: str
    sha256: str
    saved_by: str
    disagreements: dict[str, str] = field(default_factory=dict)  # cell -> reason
    refused: str | None = None  # the reason, when the engine is known to refuse it


def manifest(path: Path = MANIFEST) -> tuple[dict[str, dict[str, str]], list[Entry]]:
    """The sources (repository, commit, licence) and the workbooks of the manifest."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sources = data["source"]
    entries = []
    for item in data["workbook"]:
        entries.append(
            Entry(
                file=item["file"],
                source=item["source"],
                path=item["path"],
                origin=item["origin"],
                sha256=item["sha256"],
                saved_by=item["saved_by"],
                disagreements=dict(item.get("disagreements", {})),
                refused=item.get("refused"),
            )
        )
    return sources, entries


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Coverage:
    reports: list[tuple[Entry, WorkbookReport]]

    @property
    def files(self) -> int:
        return len(self.reports)

    @property
    def refused(self) -> list[tuple[Entry, WorkbookReport]]:
        return [(e, r) for e, r in self.reports if r.refused]

    @property
    def compared(self) -> int:
        return sum(r.compared for _, r in self.reports)

    @property
    def agreeing(self) -> int:
        return self.compared - sum(len(r.differing) for _, r in self.reports)

    def refusal_causes(self) -> str:
        """The refusals counted by the cause the manifest records, e.g. `` (unsupported function
        BASE: 2)``; empty when nothing is refused."""
        causes: dict[str, int] = {}
        for entry, _ in self.refused:
            cause = entry.refused or "NOT IN THE MANIFEST"
            causes[cause] = causes.get(cause, 0) + 1
        if not causes:
            return ""
        return " (" + ", ".join(f"{c}: {n}" for c, n in sorted(causes.items())) + ")"

    def lines(self) -> list[str]:
        """The report: per file, then the totals, the known disagreements and refusals."""
        out = []
        for entry, r in self.reports:
            if r.refused:
                out.append(f"refused  {entry.file}: {r.refused[:160]}")
            else:
                out.append(
                    f"ok       {entry.file}: {r.compared - len(r.differing)}/{r.compared} cells agree"
                )
        pct = 100.0 * self.agreeing / max(self.compared, 1)
        out.append(
            f"Excel-saved workbooks: {self.files} files, {self.files - len(self.refused)} "
            f"refreshed, {len(self.refused)} refused{self.refusal_causes()}; {self.agreeing}/"
            f"{self.compared} formula cells agree with Excel's cached values ({pct:.2f}%)"
        )
        for entry, r in self.reports:
            by_reason: dict[str, list[tuple[str, Any, Any]]] = {}
            for cell, ours, theirs in r.differing:
                reason = entry.disagreements.get(cell, "NOT IN THE MANIFEST")
                by_reason.setdefault(reason, []).append((cell, ours, theirs))
            for reason, cells in by_reason.items():
                cell, ours, theirs = cells[0]
                names = ", ".join(c for c, _, _ in cells[:6]) + (", ..." if len(cells) > 6 else "")
                out.append(
                    f"  differs  {entry.file}: {len(cells)} cell(s) {names} (e.g. {cell}: ours "
                    f"{_shown(ours)}, Excel {_shown(theirs)}): {reason}"
                )
        for entry, r in self.refused:
            out.append(f"  refused  {entry.file}: {entry.refused or r.refused}")
        return out


def _shown(value: Any) -> str:
    if isinstance(value, ExcelError):
        return value.code
    return repr(value)


def run_suite(path: Path = MANIFEST) -> Coverage:
    """Refresh every workbook of the manifest."""
    _, entries = manifest(path)
    return Coverage([(e, check(path.parent / e.file)) for e in entries])


def main(argv: list[str]) -> None:
    if not argv:
        for line in run_suite().lines():
            print(line)
        return
    files = sorted(
        p for p in Path(argv[0]).iterdir() if p.suffix in (".xlsx", ".xlsm") and saved_by_excel(p)
    )
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
            if r.changed_parts:
                print(f"           parts not kept byte-identical: {', '.join(r.changed_parts)}")
    print(
        f"{len(files)} Excel-saved files: {len(files) - len(refused)} refreshed, {len(refused)} "
        f"refused ({len(refused) / max(len(files), 1):.0%}); {agreeing}/{compared} formula cells agree"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
