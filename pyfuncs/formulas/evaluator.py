"""The general formula engine: every formula of a workbook recomputed with Excel's semantics.

Design
------
- Each formula is parsed once into a host-independent tree (:mod:`~pyfuncs.formulas.parser`)
  and compiled into Python closures ``f(row, col)`` (:mod:`~pyfuncs.formulas.compiler`);
  identical trees on one sheet (a filled-down column, a shared formula) share one closure.
- Evaluation order is a topological order found iteratively (:mod:`~pyfuncs.formulas.schedule`):
  no recursion from cell to cell, so chains of any length work; circular references show 0 and
  are reported, as Excel does with iterative calculation off. With iterative calculation on, the
  refresh refuses (not implemented) rather than guess.
- Results land in their cell, legacy array range or dynamic spill
  (:mod:`~pyfuncs.formulas.spills`).
- Ranges are clipped to the used area of the workbook, as Excel computes them: a reference of
  more than :data:`CLIP_MIN_CELLS` cells keeps only as many rows (columns) as the workbook uses,
  so ``SUM(B1:XFD1048576)`` reads a handful of cells and two whole columns still line up.
- What cannot be evaluated (an unknown function, an external reference, a data table, an array
  range larger than :data:`~pyfuncs.formulas.spills.MAX_ARRAY_CELLS`) is found while compiling,
  before anything is computed, and the refresh is refused naming the cells and the function.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import itemgetter
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.compiler import Compiler, parse_cached, shape_key
from pyfuncs.formulas.parser import FormulaSyntaxError
from pyfuncs.formulas.problems import RefreshRefusedError, UnsupportedFormulaError
from pyfuncs.formulas.references import VOLATILE, Areas
from pyfuncs.formulas.schedule import PENDING, WAITING, Key, Miss, Scheduler, on_deep_stack
from pyfuncs.formulas.special_forms import SPECIAL
from pyfuncs.formulas.spills import (
    MAX_ARRAY_CELLS,
    Placement,
    area_cells,
    cell_value,
    cells_of,
)
from pyfuncs.formulas.values import Arr, Ref, XlError, checked, snap_root
from pyfuncs.formulas.vector import MIN_RUN, Fallback
from pyfuncs.xlsx.reader import Book, Formula
from pyfuncs.xlsx.sheet_xml import cell_name, parse_cell_name, range_name

_VOLATILE_TEXT = re.compile(rf"\b(?:_xlfn\.)?(?:{'|'.join(sorted(VOLATILE))})\(", re.I)
#: References larger than this are clipped to the rows and columns the workbook uses.
CLIP_MIN_CELLS = 65_536
#: The most cells a range may hold once clipped (beyond: ``#NUM!`` in the cell, with a reason).
MAX_RANGE_CELLS = 10_000_000


class CellValues(MutableMapping):
    """Cell values by ``(sheet name, "B3")``, stored per sheet by (row, column).

    A mapping like a dict keyed ``(sheet name, "B3")``; :attr:`by_sheet` gives the writer each
    sheet's values keyed by (row, column) without spelling and parsing a million cell names.
    """

    def __init__(self, items: Any = ()) -> None:
        self.by_sheet: dict[str, dict[tuple[int, int], Any]] = {}
        for key, value in dict(items).items():
            self[key] = value

    def sheet(self, name: str) -> dict[tuple[int, int], Any]:
        """The values of one sheet by (row, column), created empty when absent."""
        cells = self.by_sheet.get(name)
        if cells is None:
            cells = self.by_sheet[name] = {}
        return cells

    @staticmethod
    def _key(key: tuple[str, str]) -> tuple[str, tuple[int, int]]:
        name, ref = key
        try:
            return name, parse_cell_name(ref)
        except (ValueError, TypeError, AttributeError):
            raise KeyError(key) from None

    def __getitem__(self, key: tuple[str, str]) -> Any:
        name, cell = self._key(key)
        try:
            return self.by_sheet[name][cell]
        except KeyError:
            raise KeyError(key) from None

    def __setitem__(self, key: tuple[str, str], value: Any) -> None:
        name, cell = self._key(key)
        self.sheet(name)[cell] = value

    def __delitem__(self, key: tuple[str, str]) -> None:
        name, cell = self._key(key)
        try:
            del self.by_sheet[name][cell]
        except KeyError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        try:
            name, cell = self._key(key)  # type: ignore[arg-type]
        except (KeyError, ValueError):
            return False
        return cell in self.by_sheet.get(name, {})

    def __iter__(self) -> Iterator[tuple[str, str]]:
        for name, cells in self.by_sheet.items():
            for key in cells:
                yield name, cell_name(*key)

    def __len__(self) -> int:
        return sum(len(cells) for cells in self.by_sheet.values())

    def items(self) -> Any:  # type: ignore[override]
        return [
            ((name, cell_name(*key)), value)
            for name, cells in self.by_sheet.items()
            for key, value in cells.items()
        ]

    def values(self) -> Any:  # type: ignore[override]
        return [value for cells in self.by_sheet.values() for value in cells.values()]

    def __repr__(self) -> str:
        return f"CellValues({dict(self.items())!r})"


@dataclass
class Recalculation:
    """What an engine hands the writer.

    Attributes
    ----------
    values : CellValues
        (sheet name, "B3") -> new value of every formula cell and every cell of an array range
        (``None`` clears a cell that an array no longer covers).
    array_refs : dict
        (sheet name, "B3") -> new ``ref`` of an array anchor whose spill range changed size.
    formulas : int
        Formula cells computed.
    warnings : list of str
        Things the user should know (circular references).
    volatile : list of (sheet name, "B3")
        Cells whose formulas use a volatile function (OFFSET, INDIRECT, NOW...): Excel
        recomputes them on every change.
    """

    values: CellValues = field(default_factory=CellValues)
    array_refs: dict[tuple[str, str], str] = field(default_factory=dict)
    formulas: int = 0
    warnings: list[str] = field(default_factory=list)
    volatile: list[tuple[str, str]] = field(default_factory=list)  # (sheet, "B3"), OFFSET...


_LEFT = object()  # a row the vector path leaves to the cell's closure


class _Run:
    """A filled-down run of one column computed as a block (:mod:`pyfuncs.formulas.vector`)."""

    __slots__ = ("col", "computed", "failed", "first", "fn", "last", "scalar", "sheet")

    def __init__(self, sheet: int, col: int, first: int, last: int, fn: Any, scalar: Any) -> None:
        self.sheet, self.col, self.first, self.last = sheet, col, first, last
        self.fn = fn  # the block function of the run's shape
        self.scalar = scalar  # the closure of the shape, cell by cell
        self.computed = -1  # the pass that computed the block
        self.failed = False  # a cell it reads waits on the path: cell by cell from now on


class Evaluator(Compiler, Scheduler, Placement):
    """Computes every formula of a :class:`Book` (after inputs were written into its values)."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.sheet_index = {s.name.casefold(): s.index for s in book.sheets}
        self.vals: list[dict[tuple[int, int], Any]] = []
        #: Per sheet: (row, column) of each formula cell -> its closure ``f(row, col)``.
        self.cells: list[dict[tuple[int, int], Any]] = [{} for _ in book.sheets]
        #: Per sheet: (row, column) of each array formula (legacy or dynamic) -> its formula.
        self.arrays: list[dict[tuple[int, int], Formula]] = [{} for _ in book.sheets]
        self.extent = (1, 1)
        self._compiled: dict[tuple[Any, bool, int], Any] = {}
        self._names_compiling: set[str] = set()
        self.areas: dict[Key, tuple[int, int, int, int]] = {}
        self.owner: list[dict[tuple[int, int], tuple[int, int]]] = []
        self.work: list[Key] = []
        self.cycle_cells: set[Key] = set()
        self.changed_area = False
        self.pinned: set[Key] = set()
        self.indexes: dict[tuple[int, int, int, int, int], Any] = {}  # per pass (lookups)
        #: Per pass: (sheet, column) -> blocks of computed values the vector path read or wrote,
        #: each (first row, float64 values, mask of number cells or None: all numbers).
        self.blocks: dict[tuple[int, int], list[tuple[int, Any, Any]]] = {}
        self.let_scopes: list[dict[str, Any]] = []
        self.volatile: list[tuple[str, str]] = []  # cells using OFFSET, INDIRECT, NOW...
        self.pass_number = 0
        self.vector_runs = 0  # filled-down runs given a block function
        on_deep_stack(self._compile_all)

    # --- compile --------------------------------------------------------------------------
    def _compile_all(self) -> None:
        runs: dict[int, list[int]] = {}  # shape number << 15 | column -> rows: filled down
        shapes: dict[int, tuple[int, Any, Formula]] = {}  # number -> sheet, key, a formula
        problems: list[tuple[str, str]] = []
        by_shape: dict[int, Any] = {}  # one closure per shape (text with relative offsets)
        failed: dict[int, str] = {}  # shapes that cannot be compiled -> why
        volatile_shapes: set[int] = set()
        max_r, max_c = 1, 1
        count = 0
        for sheet in self.book.sheets:
            s = sheet.index
            cells = self.cells[s]
            ids_by_kind: dict[str, dict[Any, int]] = {}  # kind -> shape key -> shape number
            shared: dict[int, int] = {}  # id of a shared formula's one Formula -> its shape
            arrays = self.arrays[s]
            for cell, formula in sheet.formulas.items():
                kind = formula.kind
                if kind == "dataTable" or formula.array_ref:
                    where = f"{sheet.name}!{cell_name(*cell)}"
                    if kind == "dataTable":
                        problems.append((where, "data tables (What-If) are not supported"))
                        continue
                    area = formula.array_ref
                    if area_cells(area) > MAX_ARRAY_CELLS:
                        problems.append(
                            (
                                where,
                                f"the array formula's range {range_name(*area)} covers "
                                f"{area_cells(area):,} cells, more than the limit of "
                                f"{MAX_ARRAY_CELLS:,}",
                            )
                        )
                        continue
                    max_r = max(max_r, area[2])
                    max_c = max(max_c, area[3])
                key = shared.get(id(formula)) if kind == "shared" else None
                if key is None:
                    ids = ids_by_kind.get(kind)
                    if ids is None:
                        ids = ids_by_kind[kind] = {}
                    skey = shape_key(formula.text, formula.host)
                    key = ids.get(skey)
                    if key is None:
                        key = ids[skey] = count
                        count += 1
                        shapes[key] = (s, skey, formula)
                        try:
                            tree = parse_cached(formula.text, formula.host, skey)
                            by_shape[key] = self.compile(snap_root(tree), kind == "array", s)
                        except (UnsupportedFormulaError, FormulaSyntaxError) as exc:
                            failed[key] = (
                                exc.reason if isinstance(exc, UnsupportedFormulaError) else str(exc)
                            )
                        if _VOLATILE_TEXT.search(formula.text):
                            volatile_shapes.add(key)
                    if kind == "shared":
                        shared[id(formula)] = key
                fn = by_shape.get(key)
                if fn is None:
                    where = f"{sheet.name}!{cell_name(*cell)}"
                    problems.append((where, f"{failed[key]} in ={formula.text[:80]}"))
                    continue
                cells[cell] = fn
                if kind == "array":
                    arrays[cell] = formula
                if key in volatile_shapes:
                    self.volatile.append((sheet.name, cell_name(*cell)))
                elif kind != "array":
                    packed = key << 15 | cell[1]
                    rows = runs.get(packed)
                    if rows is None:
                        rows = runs[packed] = []
                    rows.append(cell[0])
            for keys in (sheet.formulas, sheet.values):  # every cell with a value or a formula
                if keys:
                    max_r = max(max_r, max(map(itemgetter(0), keys)))
                    max_c = max(max_c, max(map(itemgetter(1), keys)))
        if problems:
            raise RefreshRefusedError(problems)
        self.extent = (max_r, max_c)
        self._vector_runs(runs, shapes)

    def _vector_runs(self, runs: dict[int, list[int]], shapes: dict) -> None:
        """Give each filled-down run that reads nothing of itself one block function
        (:mod:`~pyfuncs.formulas.vector`); its cells' closures stay for the rows it leaves."""
        long = [(packed, rows) for packed, rows in runs.items() if len(rows) >= MIN_RUN]
        if not long:
            return
        from pyfuncs.formulas.vector import NotVector, VectorCompiler, reaches_itself

        compiled: dict[Any, Any] = {}
        for packed, rows in long:
            key, c = packed >> 15, packed & 0x7FFF
            rows.sort()
            if rows[-1] - rows[0] == len(rows) - 1:  # one unbroken run (the common case)
                segments = [(rows[0], rows[-1])]
            else:
                segments, start = [], 0
                for i in range(1, len(rows) + 1):
                    if i == len(rows) or rows[i] != rows[i - 1] + 1:
                        if i - start >= MIN_RUN:
                            segments.append((rows[start], rows[i - 1]))
                        start = i
            if not segments:
                continue
            s, skey, formula = shapes[key]
            if key not in compiled:
                vc = VectorCompiler(self, s)
                try:
                    tree = snap_root(parse_cached(formula.text, formula.host, skey))
                    fn, _kind = vc.compile(tree)
                    compiled[key] = (fn, vc.reads)
                except (NotVector, UnsupportedFormulaError, FormulaSyntaxError):
                    compiled[key] = None
            if compiled[key] is None:
                continue
            fn, reads = compiled[key]
            cells = self.cells[s]
            for first, last in segments:
                if reaches_itself(reads, s, c, first, last):
                    continue
                run = _Run(s, c, first, last, fn, cells[(first, c)])
                self.vector_runs += 1
                cells.update(
                    dict.fromkeys(zip(range(first, last + 1), repeat(c)), self._run_trigger(run))
                )

    def _run_trigger(self, run: _Run) -> Any:
        def trigger(r: int, c: int) -> Any:
            if run.failed or run.computed == self.pass_number:
                return run.scalar(r, c)
            try:
                own = self._compute_run(run, r)
            except Fallback:
                run.failed = True
                return run.scalar(r, c)
            return own if own is not _LEFT else run.scalar(r, c)

        return trigger

    def _compute_run(self, run: _Run, row: int) -> Any:
        """Every cell of ``run`` computed at once; its rows left to the closures stay pending."""
        import numpy as np

        n = run.last - run.first + 1
        block, ok = run.fn(run.first, n, run.col)
        run.computed = self.pass_number
        block = np.broadcast_to(block, (n,))
        if ok is not None:
            ok = np.broadcast_to(ok, (n,))
            if ok.all():
                ok = None
        values = block.tolist()
        keys = list(zip(range(run.first, run.last + 1), repeat(run.col, n), strict=True))
        vals = self.vals[run.sheet]
        states = list(map(vals.get, keys))
        i = row - run.first
        own = values[i] if ok is None or ok[i] else _LEFT
        if ok is None:
            vals.update(zip(keys, values, strict=True))
        else:
            good = ok.tolist()
            vals.update(zip(compress(keys, good), compress(values, good), strict=True))
        if states.count(PENDING) == n - 1 and states[i] is WAITING:
            vals[keys[i]] = WAITING  # the row asked for: placed by compute
            if ok is None:  # every cell is the block's: the vector path may read it as is
                self.blocks.setdefault((run.sheet, run.col), []).append((run.first, block, None))
        else:
            for key, state in zip(keys, states, strict=True):
                if state is not PENDING:  # the row asked for, a cell pinned by a cycle
                    vals[key] = state
        return own

    # --- reading values --------------------------------------------------------------------
    def value_of(self, x: Any, r: int, c: int, array: bool) -> Any:
        """A reference as a value: one cell's value, an array (array context), or the implicit
        intersection with the host cell's row or column (a normal formula)."""
        if type(x) is not Ref:
            if type(x) is Areas:
                return ExcelError("#VALUE!", "a reference of several areas is not one value")
            return x
        if x.r1 == x.r2 and x.c1 == x.c2:
            return self.cell(x.sheet, x.r1, x.c1)
        if array:
            return self.array(x)
        return self.intersect(x, r, c)

    def intersect(self, ref: Ref, r: int, c: int) -> Any:
        if ref.r1 == ref.r2 and ref.c1 == ref.c2:
            return self.cell(ref.sheet, ref.r1, ref.c1)
        if ref.c1 == ref.c2 and ref.r1 <= r <= ref.r2:
            return self.cell(ref.sheet, r, ref.c1)
        if ref.r1 == ref.r2 and ref.c1 <= c <= ref.c2:
            return self.cell(ref.sheet, ref.r1, c)
        if ref.r1 <= r <= ref.r2 and ref.c1 <= c <= ref.c2:
            return self.cell(ref.sheet, r, c)
        return ExcelError("#VALUE!", "the range does not intersect the formula's row or column")

    def clipped(self, ref: Ref) -> Ref:
        """A large reference cut to as many rows and columns as the workbook uses.

        Cells past the used area are blank, so every function sees the same values; every
        large reference keeps the same number of rows (columns), so ranges that must line up
        (``SUMIFS(C:C,A:A,...)``, ``A:A*B:B``) still do.
        """
        rows, cols = ref.r2 - ref.r1 + 1, ref.c2 - ref.c1 + 1
        if rows * cols <= CLIP_MIN_CELLS:
            return ref
        rows, cols = min(rows, self.extent[0]), min(cols, self.extent[1])
        return Ref(ref.sheet, ref.r1, ref.c1, ref.r1 + rows - 1, ref.c1 + cols - 1)

    def grid(self, ref: Ref) -> list[list[Any]]:
        """The values of a reference (clipped) as rows, blanks as ``None``; raises
        :class:`~pyfuncs.formulas.schedule.Miss` naming every formula cell not computed yet."""
        ref = self.clipped(ref)
        size = (ref.r2 - ref.r1 + 1) * (ref.c2 - ref.c1 + 1)
        if size > MAX_RANGE_CELLS:
            raise XlError(
                ExcelError(
                    "#NUM!",
                    f"the range holds {size:,} used cells, more than the limit of "
                    f"{MAX_RANGE_CELLS:,}",
                )
            )
        get = self.vals[ref.sheet].get
        cols = range(ref.c1, ref.c2 + 1)
        if ref.c1 == ref.c2:
            c = ref.c1
            rows = [[get((r, c))] for r in range(ref.r1, ref.r2 + 1)]
        else:
            rows = [[get((r, c)) for c in cols] for r in range(ref.r1, ref.r2 + 1)]
        for row in rows:
            if PENDING in row or WAITING in row:
                self._miss_in(ref, rows)
        return rows

    def _miss_in(self, ref: Ref, rows: list[list[Any]]) -> None:
        keys: list[Key] = []
        seen: set[Key] = set()
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is PENDING or v is WAITING:
                    key = self.pending_key(ref.sheet, ref.r1 + i, ref.c1 + j)
                    if key is not None and key not in seen:
                        seen.add(key)
                        keys.append(key)
                    elif key is None:
                        row[j] = 0.0
        if keys:
            raise Miss(keys)

    def array(self, ref: Ref) -> Arr:
        return Arr(self.grid(ref))

    # --- computing ---------------------------------------------------------------------------
    def compute(self, sheet: int, key: tuple[int, int], fn: Any) -> None:
        try:
            result = fn(*key)
        except XlError as exc:
            result = exc.value
        formula = self.arrays[sheet].get(key)
        if formula is not None:
            self.place(sheet, key, formula, result)
            return
        kind = type(result)
        if kind is float:
            if result - result != 0.0:  # inf or nan
                result = checked(result)
        elif kind is Ref:
            result = cell_value(self.intersect(result, *key))
        elif kind is Arr:
            result = cell_value(result.values[0][0])
        elif result is None or kind is int:
            result = cell_value(result)
        self.vals[sheet][key] = result

    def _setup_pass(self, base: list[dict[tuple[int, int], Any]]) -> None:
        self.pass_number += 1
        self.vals = [dict(v) for v in base]
        self.indexes = {}
        self.blocks = {}
        self.owner = [{} for _ in self.book.sheets]
        for s, cells in enumerate(self.cells):
            vals = self.vals[s]
            vals.update(dict.fromkeys(cells, PENDING))
            for key, formula in self.arrays[s].items():
                area = self.areas[(s, *key)] if formula.dynamic else formula.array_ref
                for cell in cells_of(area or (*key, *key)):
                    if cell != key and cell not in cells:
                        self.owner[s][cell] = key
                        vals[cell] = PENDING
        for s, r, c in self.pinned:
            self.vals[s][(r, c)] = 0.0

    def run(self) -> None:
        """Compute every formula; a pass repeats (at most 8) while spill ranges change size."""
        base = [sheet.values for sheet in self.book.sheets]  # each pass works on a copy
        for s, arrays in enumerate(self.arrays):
            for key, f in arrays.items():
                if f.dynamic:
                    self.areas[(s, *key)] = f.array_ref or (*key, *key)

        def passes() -> None:
            for _ in range(8):
                self.changed_area = False
                self._setup_pass(base)
                for s, cells in enumerate(self.cells):
                    vals = self.vals[s]
                    for key, fn in cells.items():
                        if vals.get(key) is not PENDING:
                            continue
                        # The common case first: everything the cell reads is computed.
                        vals[key] = WAITING
                        self.work = [(s, *key)]
                        try:
                            self.compute(s, key, fn)
                        except Miss as miss:
                            self.settle((s, *key), miss.keys)
                if not self.changed_area:
                    return

        on_deep_stack(passes)

    def result(self) -> Recalculation:
        out = Recalculation(formulas=sum(len(c) for c in self.cells), volatile=list(self.volatile))
        for sheet in self.book.sheets:
            s = sheet.index
            vals = self.vals[s]
            name = sheet.name
            own = self.cells[s]
            if not own:
                continue
            values = out.values.sheet(name)
            values.update(zip(own, map(vals.get, own), strict=True))
            for key, v in values.items():
                if v is PENDING or v is WAITING:
                    values[key] = 0.0
            for key, f in self.arrays[s].items():
                stored = f.array_ref or (*key, *key)
                area = self.areas[(s, *key)] if f.dynamic else stored
                for cell in cells_of(area):
                    if cell != key and cell not in own:
                        values[cell] = _final(vals.get(cell))
                for cell in cells_of(stored):
                    if cell not in own and cell not in values:
                        values[cell] = None
                if area != stored:
                    out.array_refs[(name, cell_name(*key))] = range_name(*area)
        if self.pinned:
            cells = sorted(self.pinned)
            shown = ", ".join(
                f"{self.book.sheets[s].name}!{cell_name(r, c)}" for s, r, c in cells[:10]
            )
            more = f" and {len(cells) - 10} more" if len(cells) > 10 else ""
            out.warnings.append(
                f"circular reference through {shown}{more}: shown as 0, as Excel does with "
                "iterative calculation off"
            )
        return out


def _final(value: Any) -> Any:
    if value is PENDING or value is WAITING:
        return 0.0
    return value


#: Names the engine evaluates (built-ins and special forms), for the docs and the tests.
SUPPORTED_FUNCTIONS = sorted({*BUILTINS, *SPECIAL})

__all__ = [
    "SUPPORTED_FUNCTIONS",
    "CellValues",
    "Evaluator",
    "Recalculation",
    "RefreshRefusedError",
    "UnsupportedFormulaError",
]
