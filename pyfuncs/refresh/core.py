"""The headless refresh: set inputs, recompute every formula, write the new cached values.

The user's file is never re-saved by a spreadsheet library. Only the worksheet parts whose cells
change are rewritten, surgically (:mod:`sheet_xml`); every other part of the zip is copied
byte for byte. The output is written atomically; the input file is replaced only with
``in_place=True``.

Engines
-------
An engine is any object with ``name`` and ``recalculate(book, inputs) -> Recalculation``, where
``book`` is the loaded :class:`~pyfuncs.xlsx.reader.Book` and ``inputs`` the resolved inputs
(already applied to ``book``'s values). It returns the new value of every formula cell and of
every cell of an array range, keyed ``(sheet name, "B3")``; the writer consumes that mapping.
:class:`BuiltinEngine` is the general engine; ``pyfuncs.refresh.libreoffice_engine`` is the
LibreOffice hook; a template fast path (the deal engine) can be added the same way.

``fullCalcOnLoad``: we leave the workbook part (and its ``calcPr``) untouched. Our values are
exact, so Excel need not recalculate on open; forcing it would also make every ``GPU.*`` cell
show ``#NAME?``/``#BUSY!`` until the add-in loads, defeating the cached values
(docs/excel-files.md: only volatile custom functions recalculate on open). A file that already asks
for a full calculation on load (openpyxl writes ``fullCalcOnLoad="1"``) keeps asking.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pyfuncs.errors import ExcelError, GpuCreditError
from pyfuncs.fileio import write_bytes_atomic
from pyfuncs.formulas.evaluator import CellValues, Evaluator, Recalculation
from pyfuncs.refresh.inputs import Input, resolve
from pyfuncs.refresh.validate import produced_errors
from pyfuncs.xlsx.reader import Book, load_book
from pyfuncs.xlsx.sheet_xml import NewValue, parse_cell_name, rewrite_sheet


class Engine(Protocol):
    """What the refresh needs from an engine."""

    name: str

    def recalculate(self, book: Book, inputs: list[Input]) -> Recalculation: ...


class RefreshError(GpuCreditError):
    """A refresh that cannot be done as asked (bad output path, iterative calculation...)."""


class ProducedErrorsError(RefreshError):
    """The recalculation turned formula cells that held values into errors (nothing written)."""

    def __init__(self, cells: list[tuple[str, Any, Any]], error_cells: int) -> None:
        super().__init__(f"{len(cells)} formula cell(s) that held values now hold errors")
        self.cells = cells  # ("Sheet!B3", old value, new ExcelError)
        self.error_cells = error_cells  # every error cell of the result


class BuiltinEngine:
    """The general engine (:mod:`pyfuncs.formulas.evaluator`)."""

    name = "builtin"

    def recalculate(self, book: Book, inputs: list[Input]) -> Recalculation:
        evaluator = Evaluator(book)
        evaluator.run()
        result = evaluator.result()
        if evaluator.pinned and book.iterate:
            raise RefreshError(
                "the workbook has circular references and iterative calculation switched on; "
                "iterative calculation is not supported by the builtin engine "
                f"({result.warnings[0]})"
            )
        return result


@dataclass
class RefreshReport:
    source: Path
    target: Path
    engine: str
    formulas: int
    changed: int
    seconds: float
    inputs: list[tuple[str, str, Any, Any]] = field(default_factory=list)  # target, cell, old, new
    warnings: list[str] = field(default_factory=list)
    parts_rewritten: list[str] = field(default_factory=list)
    error_cells: int = 0  # formula cells holding an error after the refresh
    produced_errors: list[tuple[str, Any, Any]] = field(default_factory=list)  # cell, old, new


@contextmanager
def paused_gc() -> Iterator[None]:
    """Python's cyclic garbage collector switched off for the block (back on after, if it was).

    A refresh builds millions of small objects that live until it ends (cells, formulas,
    compiled closures); every 700 allocations the collector walks the young ones and, as the
    heap grows, all of them again, which costs a quarter of the time of loading and compiling
    a 1,000,000-formula model (measured by ``benchmarks/bench_refresh.py``). Reference counting
    still frees everything that is not in a cycle; the cycles a refresh makes are collected
    when the collector is switched back on.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def default_output(source: Path) -> Path:
    """``deal.xlsx`` -> ``deal.refreshed.xlsx`` beside it."""
    return source.with_name(f"{source.stem}.refreshed{source.suffix}")


def check_paths(source: Path, out: Path | None, in_place: bool, force: bool = False) -> Path:
    """The output path, refusing combinations that would touch the input by accident.

    An existing file at the output path (``--out``, or the default ``NAME.refreshed.xlsx``) is
    never replaced unless ``force``: it may be a user's own workbook.
    """
    source = Path(source)
    if not source.is_file():
        raise RefreshError(f"{source} does not exist")
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise RefreshError(f"{source.name}: only .xlsx and .xlsm workbooks can be refreshed")
    if in_place and out is not None:
        raise RefreshError("give either --out or --in-place, not both")
    if in_place:
        return source
    target = Path(out) if out is not None else default_output(source)
    if target.resolve() == source.resolve():
        raise RefreshError(f"--out is the input file {source.name}; use --in-place to replace it")
    if target.suffix.lower() != source.suffix.lower():
        raise RefreshError(
            f"--out {target.name} must keep the input's extension {source.suffix} "
            "(Excel refuses a macro workbook saved as .xlsx and vice versa)"
        )
    if target.exists() and not force:
        raise RefreshError(f"{target} exists; choose another --out or add --force to replace it")
    return target


def apply_inputs(book: Book, assignments: list[tuple[str, Any]]) -> list[Input]:
    inputs = [resolve(book, target, value) for target, value in assignments]
    for item in inputs:
        item.sheet.values[(item.row, item.col)] = item.value
    return inputs


def write_values(
    book: Book, result: Recalculation, inputs: list[Input]
) -> tuple[dict[str, bytes], int]:
    """The rewritten sheet parts, and how many cells changed value.

    ``book``'s sheets hold the values the file stores (before the inputs).
    """
    by_sheet = _by_sheet(result)
    changed = 0
    per_sheet: dict[str, dict[tuple[int, int], Any]] = {}
    originals = {s.name: s.values for s in book.sheets}
    for sheet_name, cells in by_sheet.items():
        stored = originals[sheet_name]
        get = stored.get
        for key, value in cells.items():
            old = get(key)
            if old is value:
                continue
            kind = type(old)
            # a new type (a blank turned into a number...), or another value of the same type
            if kind is not type(value) or not (
                (kind is float and old == value) or _same(old, value)
            ):
                changed += 1
        per_sheet[sheet_name] = cells  # plain values: stored as a formula's results
    copied: set[str] = set()
    for item in inputs:
        name = item.sheet.name
        if name not in copied:  # never write the inputs into the result itself
            per_sheet[name] = dict(per_sheet.get(name, {}))
            copied.add(name)
        per_sheet[name][(item.row, item.col)] = NewValue(item.value, "inlineStr")
    refs: dict[str, dict[tuple[int, int], str]] = {}
    for (sheet_name, ref), area in result.array_refs.items():
        refs.setdefault(sheet_name, {})[parse_cell_name(ref)] = area
    parts: dict[str, bytes] = {}
    for sheet in book.sheets:
        values = per_sheet.get(sheet.name, {})
        sheet_refs = refs.get(sheet.name, {})
        if not values and not sheet_refs:
            continue
        text = rewrite_sheet(sheet.xml, values, sheet_refs)
        if text != sheet.xml.text:
            parts[sheet.part] = text.encode("utf-8")
    return parts, changed


def _by_sheet(result: Recalculation) -> dict[str, dict[tuple[int, int], Any]]:
    """The result's values per sheet by (row, column)."""
    if isinstance(result.values, CellValues):
        return result.values.by_sheet
    out: dict[str, dict[tuple[int, int], Any]] = {}
    for (sheet_name, ref), value in result.values.items():
        out.setdefault(sheet_name, {})[parse_cell_name(ref)] = value
    return out


def _same(old: Any, new: Any) -> bool:
    if type(old) is not type(new):
        return False
    if type(old) is float:
        return old == new or abs(old - new) <= 1e-15 * max(abs(old), abs(new))
    if hasattr(old, "code"):
        return old.code == new.code
    return old == new


def refresh(
    source: Path,
    out: Path | None = None,
    *,
    assignments: list[tuple[str, Any]] | None = None,
    in_place: bool = False,
    engine: Engine | None = None,
    force: bool = False,
    allow_errors: bool = True,
) -> RefreshReport:
    """Set inputs, recompute, and write the workbook's new cached values.

    Parameters
    ----------
    source : Path
        The workbook (.xlsx or .xlsm).
    out : Path, optional
        Where to write; default ``<name>.refreshed.xlsx`` beside the source.
    assignments : list of (target, value)
        Inputs: defined names or ``Sheet!A1`` and their values.
    in_place : bool
        Replace ``source`` itself (atomically).
    engine : Engine, optional
        Default :class:`BuiltinEngine`.
    force : bool
        Replace an existing file at the output path (otherwise :class:`RefreshError`).
    allow_errors : bool
        With False, raise :class:`ProducedErrorsError` and write nothing when a formula cell
        that held a value (not blank, not an error) now holds an error.

    Returns
    -------
    RefreshReport
        What was computed and written.
    """
    with paused_gc():
        return _refresh(source, out, assignments, in_place, engine, force, allow_errors)


def _refresh(
    source: Path,
    out: Path | None,
    assignments: list[tuple[str, Any]] | None,
    in_place: bool,
    engine: Engine | None,
    force: bool,
    allow_errors: bool,
) -> RefreshReport:
    started = time.perf_counter()
    target = check_paths(Path(source), out, in_place, force)
    engine = engine or BuiltinEngine()
    book = load_book(Path(source))
    # The stored values, kept aside while the inputs are written in (no copy without inputs).
    old_values = {s.name: dict(s.values) if assignments else s.values for s in book.sheets}
    inputs = apply_inputs(book, assignments or [])
    result = engine.recalculate(book, inputs)
    for sheet in book.sheets:  # count changes against the file, not against the inputs
        sheet.values = old_values[sheet.name]
    produced = produced_errors(old_values, result.values)
    error_cells = sum(isinstance(v, ExcelError) for v in result.values.values())
    if produced and not allow_errors:
        raise ProducedErrorsError(produced, error_cells)
    parts, changed = write_values(book, result, inputs)
    write_bytes_atomic(target, book.package.to_bytes(parts))
    report = RefreshReport(
        source=Path(source),
        target=target,
        engine=engine.name,
        formulas=result.formulas,
        changed=changed,
        seconds=time.perf_counter() - started,
        warnings=list(result.warnings),
        parts_rewritten=sorted(parts),
        error_cells=error_cells,
        produced_errors=produced,
    )
    for item in inputs:
        old = old_values[item.sheet.name].get((item.row, item.col))
        report.inputs.append((item.target, item.where, old, item.value))
    return report
