"""The general formula engine: every formula of a workbook recomputed with Excel's semantics.

Design
------
- Each formula is parsed once into a host-independent tree (:mod:`formula_parser`) and compiled
  into nested Python closures ``f(row, col)``; identical trees on one sheet (a filled-down column,
  a shared formula) share one compiled closure.
- Evaluation is on demand: cells are computed in sheet order, and reading a formula cell that
  is not yet computed computes it first (a depth-first walk of the dependency graph, so ranges,
  defined names and cross-sheet references need no separate graph). Deep chains run on a thread
  with a large stack.
- A cell read while it is being computed closes a circular reference. With iterative
  calculation off, Excel warns and shows 0 in the cells of the cycle; we pin those cells at 0,
  recompute everything once more so their dependents are consistent, and report them. With
  iterative calculation on, the refresh refuses (not implemented) rather than guess.
- Dynamic arrays spill into their range when it is empty (``#SPILL!`` when not); a spill that
  changed size makes a second pass with the new ranges, so readers of the spill see it whole.
  Legacy array formulas fill their fixed range (a smaller result pads with ``#N/A``, a single row
  or column repeats, as Excel does). A normal formula whose result is a range takes the implicit
  intersection with its own row or column; an array result shows its top-left value.
- What cannot be evaluated (an unknown function, a structured or external reference, the union
  or intersection operator) is found while compiling, before anything is computed, and the
  refresh is refused naming the cells and the function.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import BUILTINS, Builtin
from pyfuncs.formulas.parser import (
    MAX_COL,
    MAX_ROW,
    FormulaSyntaxError,
    parse_formula,
)
from pyfuncs.formulas.values import (
    NA,
    NAME,
    REF,
    SPILL,
    VALUE,
    Arr,
    Ref,
    XlError,
    checked,
    element,
    lift,
    num,
    scalar_op,
)
from pyfuncs.xlsx.reader import Book, DefinedName, Formula
from pyfuncs.xlsx.sheet_xml import cell_name, range_name

_PENDING = object()
_RUNNING = object()
Key = tuple[int, int, int]  # sheet index, row, column


class UnsupportedFormulaError(Exception):
    """A formula the engine cannot evaluate; ``function`` names the culprit when there is one."""

    def __init__(self, reason: str, function: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.function = function


class RefreshRefusedError(Exception):
    """The workbook holds formulas the engine cannot evaluate; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (cell "Sheet!A1", reason)
        shown = "; ".join(f"{cell}: {reason}" for cell, reason in problems[:12])
        more = f" (and {len(problems) - 12} more)" if len(problems) > 12 else ""
        super().__init__(f"cannot evaluate {len(problems)} formula cell(s): {shown}{more}")


@dataclass
class Recalculation:
    """What an engine hands the writer.

    Attributes
    ----------
    values : dict
        (sheet name, "B3") -> new value of every formula cell and every cell of an array range
        (``None`` clears a cell that an array no longer covers).
    array_refs : dict
        (sheet name, "B3") -> new ``ref`` of an array anchor whose spill range changed size.
    formulas : int
        Formula cells computed.
    warnings : list of str
        Things the user should know (circular references).
    """

    values: dict[tuple[str, str], Any] = field(default_factory=dict)
    array_refs: dict[tuple[str, str], str] = field(default_factory=dict)
    formulas: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class _Cell:
    formula: Formula
    fn: Callable[[int, int], Any]


class Evaluator:
    """Computes every formula of a :class:`Book` (after inputs were written into its values)."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.sheet_index = {s.name.casefold(): s.index for s in book.sheets}
        self.vals: list[dict[tuple[int, int], Any]] = []
        self.cells: list[dict[tuple[int, int], _Cell]] = [{} for _ in book.sheets]
        self.extent = (1, 1)
        self._compiled: dict[tuple[Any, bool, int], Callable[[int, int], Any]] = {}
        self._names_compiling: set[str] = set()
        self.areas: dict[Key, tuple[int, int, int, int]] = {}
        self.owner: list[dict[tuple[int, int], tuple[int, int]]] = []
        self.stack: list[Key] = []
        self.cycle_cells: set[Key] = set()
        self._new_cycle = False
        self._changed_area = False
        self.pinned: set[Key] = set()
        self._compile_all()

    # --- compile --------------------------------------------------------------------------
    def _compile_all(self) -> None:
        problems: list[tuple[str, str]] = []
        max_r, max_c = 1, 1
        for sheet in self.book.sheets:
            for (r, c), formula in sheet.formulas.items():
                max_r, max_c = max(max_r, r), max(max_c, c)
                where = f"{sheet.name}!{cell_name(r, c)}"
                if formula.kind == "dataTable":
                    problems.append((where, "data tables (What-If) are not supported"))
                    continue
                try:
                    tree = _parse_cached(formula.text, formula.host)
                    fn = self.compile(tree, formula.kind == "array", sheet.index)
                except (UnsupportedFormulaError, FormulaSyntaxError) as exc:
                    reason = exc.reason if isinstance(exc, UnsupportedFormulaError) else str(exc)
                    problems.append((where, f"{reason} in ={formula.text[:80]}"))
                    continue
                self.cells[sheet.index][(r, c)] = _Cell(formula, fn)
                if formula.array_ref:
                    max_r = max(max_r, formula.array_ref[2])
                    max_c = max(max_c, formula.array_ref[3])
            for r, c in sheet.values:
                max_r, max_c = max(max_r, r), max(max_c, c)
        if problems:
            raise RefreshRefusedError(problems)
        self.extent = (max_r, max_c)

    def compile(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        key = (node, array, sheet)
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compile(node, array, sheet)
            self._compiled[key] = fn
        return fn

    def _compile(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        kind = node[0]
        if kind in ("num", "str", "bool"):
            value = node[1]
            return lambda r, c: value
        if kind == "err":
            err = ExcelError(node[1], "error in the formula")
            return lambda r, c: err
        if kind == "missing":
            return lambda r, c: None
        if kind == "arr":
            constant = Arr(
                [[ExcelError(v[1]) if isinstance(v, tuple) else v for v in row] for row in node[1]]
            )
            return lambda r, c: constant
        if kind == "ref":
            return self._compile_ref(node, sheet)
        if kind == "name":
            return self._compile_name(node, array, sheet)
        if kind in ("neg", "pos", "pct", "single"):
            return self._compile_unary(kind, self.compile(node[1], array, sheet), array)
        if kind == "bin":
            return self._compile_binary(node, array, sheet)
        if kind == "range":
            return self._compile_range(node, array, sheet)
        if kind == "call":
            return self._compile_call(node[1], node[2], array, sheet)
        if kind == "gpu":
            return self._compile_gpu(node[1], node[2], array, sheet)
        raise UnsupportedFormulaError(f"unsupported formula element {kind}")

    def _sheet_of(self, name: str | None, sheet: int) -> int | None:
        if name is None:
            return sheet
        return self.sheet_index.get(name.casefold())

    def _compile_ref(self, node: Any, sheet: int) -> Callable[[int, int], Any]:
        _, sheet_name, r1, ra1, c1, ca1, r2, ra2, c2, ca2 = node
        target = self._sheet_of(sheet_name, sheet)
        if target is None:
            return lambda r, c: REF
        if ra1 and ca1 and ra2 and ca2:
            ref = Ref(target, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
            return lambda r, c: ref

        def make(r: int, c: int) -> Any:
            a = r1 if ra1 else r + r1
            b = c1 if ca1 else c + c1
            d = r2 if ra2 else r + r2
            e = c2 if ca2 else c + c2
            if a < 1 or b < 1 or d < 1 or e < 1 or max(a, d) > MAX_ROW or max(b, e) > MAX_COL:
                return REF
            return Ref(target, min(a, d), min(b, e), max(a, d), max(b, e))

        return make

    def _compile_name(self, node: Any, array: bool, sheet: int) -> Callable[[int, int], Any]:
        _, qualifier, name = node
        scope = sheet if qualifier is None else self._sheet_of(qualifier, sheet)
        defined: DefinedName | None = None
        if scope is not None:
            defined = self.book.name_lookup(name, scope)
            if qualifier is not None and defined is not None and defined.sheet_index != scope:
                defined = None
        if defined is None:
            missing = ExcelError("#NAME?", f"no defined name {name!r}")
            return lambda r, c: missing
        token = f"{defined.sheet_index}:{defined.name.casefold()}"
        if token in self._names_compiling:
            raise UnsupportedFormulaError(f"defined name {name} refers to itself")
        self._names_compiling.add(token)
        try:
            tree = _parse_cached(defined.text, (1, 1))
            return self.compile(tree, array, sheet)
        except FormulaSyntaxError as exc:
            raise UnsupportedFormulaError(f"defined name {name}: {exc}") from None
        finally:
            self._names_compiling.discard(token)

    def _compile_unary(self, kind: str, operand: Callable, array: bool) -> Callable:
        value = self.value_of

        if kind == "single":

            def single(r: int, c: int) -> Any:
                x = operand(r, c)
                if type(x) is Ref:
                    return self.intersect(x, r, c)
                if type(x) is Arr:
                    return x.values[0][0]
                return x

            return single

        def scalar(x: Any) -> Any:
            if type(x) is ExcelError:
                return x
            try:
                n = num(x)
            except XlError as exc:
                return exc.value
            if kind == "neg":
                return -n
            if kind == "pct":
                return n / 100.0
            return x  # unary plus keeps the value as it is

        def unary(r: int, c: int) -> Any:
            x = value(operand(r, c), r, c, array)
            if type(x) is Arr:
                return lift(scalar, [x])
            return scalar(x)

        return unary

    def _compile_binary(self, node: Any, array: bool, sheet: int) -> Callable:
        op = scalar_op(node[1])
        left = self.compile(node[2], array, sheet)
        right = self.compile(node[3], array, sheet)
        value = self.value_of

        def binary(r: int, c: int) -> Any:
            a = value(left(r, c), r, c, array)
            b = value(right(r, c), r, c, array)
            if type(a) is Arr or type(b) is Arr:
                return lift(op, [a, b])
            return op(a, b)

        return binary

    def _compile_range(self, node: Any, array: bool, sheet: int) -> Callable:
        left = self.compile(node[1], array, sheet)
        right = self.compile(node[2], array, sheet)

        def span(r: int, c: int) -> Any:
            a, b = left(r, c), right(r, c)
            if type(a) is ExcelError:
                return a
            if type(b) is ExcelError:
                return b
            if type(a) is not Ref or type(b) is not Ref:
                return ExcelError("#VALUE!", "the range operator needs references")
            if a.sheet != b.sheet:
                return REF
            return Ref(a.sheet, min(a.r1, b.r1), min(a.c1, b.c1), max(a.r2, b.r2), max(a.c2, b.c2))

        return span

    def _compile_call(self, name: str, args: tuple, array: bool, sheet: int) -> Callable:
        special = _SPECIAL.get(name)
        if special is not None:
            return special(self, args, array, sheet)
        spec = BUILTINS.get(name)
        if spec is None:
            raise UnsupportedFormulaError(f"function {name} is not supported", name)
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            bad = ExcelError("#VALUE!", f"{name} takes {spec.arity_text} arguments")
            return lambda r, c: bad  # Excel would not accept the formula; never a crash
        kinds = [spec.kind(i) for i in range(len(args))]
        compiled = [
            self.compile(arg, array or kind == "a", sheet)
            for arg, kind in zip(args, kinds, strict=True)
        ]
        return _call_builtin(self, spec, kinds, compiled, array)

    def _compile_gpu(self, spelling: str, args: tuple, array: bool, sheet: int) -> Callable:
        from pyfuncs.catalogue import lookup

        spec = lookup(spelling)
        if spec is None:
            raise UnsupportedFormulaError(
                f"gpucredit function {spelling} is not in the catalogue", spelling
            )
        compiled = [self.compile(arg, array, sheet) for arg in args]
        grid = self.grid

        def gpu(r: int, c: int) -> Any:
            from pyfuncs.excel.dispatch import call

            values = []
            for fn in compiled:
                x = fn(r, c)
                if type(x) is Ref:
                    x = grid(x)
                elif type(x) is Arr:
                    x = x.values
                values.append(x)
            result = call(spec.name, *values)
            if isinstance(result, list):
                if not result or not result[0]:
                    return ExcelError("#CALC!", f"{spec.name} returned an empty array")
                return Arr([["" if v is None else v for v in row] for row in result])
            return "" if result is None else result

        return gpu

    # --- reading values --------------------------------------------------------------------
    def cell(self, sheet: int, r: int, c: int) -> Any:
        v = self.vals[sheet].get((r, c))
        if v is _PENDING or v is _RUNNING:
            return self._demand(sheet, r, c, v)
        return v

    def _demand(self, sheet: int, r: int, c: int, state: Any) -> Any:
        key = (sheet, r, c)
        if state is _RUNNING:
            self._close_cycle(key)
            return 0.0
        anchor = (r, c) if (r, c) in self.cells[sheet] else self.owner[sheet].get((r, c))
        if anchor is None:
            return None
        self.compute(sheet, anchor)
        v = self.vals[sheet].get((r, c))
        if v is _PENDING or v is _RUNNING:
            self._close_cycle((sheet, *anchor))
            return 0.0
        return v

    def _close_cycle(self, key: Key) -> None:
        members = self.stack[self.stack.index(key) :] if key in self.stack else [key]
        for member in members:
            if member not in self.cycle_cells:
                self.cycle_cells.add(member)
                self._new_cycle = True

    def value_of(self, x: Any, r: int, c: int, array: bool) -> Any:
        """A reference as a value: one cell's value, an array (array context), or the implicit
        intersection with the host cell's row or column (a normal formula)."""
        if type(x) is not Ref:
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
        """Whole-column or whole-row references cut to the used part of the workbook."""
        r2, c2 = ref.r2, ref.c2
        if ref.r1 == 1 and r2 == MAX_ROW:
            r2 = max(1, min(r2, self.extent[0]))
        if ref.c1 == 1 and c2 == MAX_COL:
            c2 = max(1, min(c2, self.extent[1]))
        return Ref(ref.sheet, ref.r1, ref.c1, r2, c2)

    def grid(self, ref: Ref) -> list[list[Any]]:
        """The values of a reference as rows (blanks as ``None``)."""
        cell = self.cell
        s = ref.sheet
        return [
            [cell(s, r, c) for c in range(ref.c1, ref.c2 + 1)] for r in range(ref.r1, ref.r2 + 1)
        ]

    def array(self, ref: Ref) -> Arr:
        return Arr(self.grid(ref))

    # --- computing ---------------------------------------------------------------------------
    def compute(self, sheet: int, key: tuple[int, int]) -> None:
        vals = self.vals[sheet]
        if vals.get(key) is not _PENDING:
            return
        entry = self.cells[sheet][key]
        full = (sheet, *key)
        vals[key] = _RUNNING
        self.stack.append(full)
        try:
            result = entry.fn(*key)
        except XlError as exc:
            result = exc.value
        finally:
            self.stack.pop()
        self._place(sheet, key, entry.formula, result)

    def _place(self, sheet: int, key: tuple[int, int], formula: Formula, result: Any) -> None:
        vals = self.vals[sheet]
        r, c = key
        if formula.kind != "array":
            if type(result) is Ref:
                result = self.intersect(result, r, c)
            elif type(result) is Arr:
                result = result.values[0][0]
            vals[key] = _cell_value(result)
            return
        if type(result) is Ref:
            result = (
                self.array(result) if result.shape != (1, 1) else self.value_of(result, r, c, True)
            )
        arr = result if type(result) is Arr else Arr([[result]])
        if formula.dynamic:
            self._spill(sheet, key, arr)
            return
        r1, c1, r2, c2 = formula.array_ref or (r, c, r, c)
        for i in range(r2 - r1 + 1):
            for j in range(c2 - c1 + 1):
                vals[(r1 + i, c1 + j)] = _cell_value(element(arr, i, j))

    def _spill(self, sheet: int, key: tuple[int, int], arr: Arr) -> None:
        vals = self.vals[sheet]
        owner = self.owner[sheet]
        r, c = key
        old = self.areas[(sheet, r, c)]
        area = (r, c, r + arr.rows - 1, c + arr.cols - 1)
        blocked = area[2] > MAX_ROW or area[3] > MAX_COL
        if not blocked:
            for i in range(area[0], area[2] + 1):
                for j in range(area[1], area[3] + 1):
                    if (i, j) == key:
                        continue
                    if (i, j) in self.cells[sheet] or (owner.get((i, j)) not in (None, key)):
                        blocked = True
                        break
                    if owner.get((i, j)) is None and vals.get((i, j)) is not None:
                        blocked = True
                        break
                if blocked:
                    break
        for cell in _cells_of(old):
            if cell != key and owner.get(cell) == key:
                vals[cell] = None
        if blocked:
            vals[key] = SPILL
            area = (r, c, r, c)
        else:
            for i in range(arr.rows):
                for j in range(arr.cols):
                    vals[(r + i, c + j)] = _cell_value(arr.values[i][j])
        if area != old:
            self.areas[(sheet, r, c)] = area
            self._changed_area = True

    def _setup_pass(self, base: list[dict[tuple[int, int], Any]]) -> None:
        self.vals = [dict(v) for v in base]
        self.owner = [{} for _ in self.book.sheets]
        for s, cells in enumerate(self.cells):
            vals = self.vals[s]
            for key, entry in cells.items():
                vals[key] = _PENDING
                formula = entry.formula
                if formula.kind != "array":
                    continue
                area = self.areas[(s, *key)] if formula.dynamic else formula.array_ref
                for cell in _cells_of(area or (*key, *key)):
                    if cell != key and cell not in cells:
                        self.owner[s][cell] = key
                        vals[cell] = _PENDING
        for s, r, c in self.pinned:
            self.vals[s][(r, c)] = 0.0

    def run(self) -> None:
        """Compute every formula (in a thread with a deep stack, for long chains)."""
        base = [dict(sheet.values) for sheet in self.book.sheets]
        for s, cells in enumerate(self.cells):
            for key, entry in cells.items():
                f = entry.formula
                if f.kind == "array" and f.dynamic:
                    self.areas[(s, *key)] = f.array_ref or (*key, *key)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(8):
                    self._new_cycle = self._changed_area = False
                    self._setup_pass(base)
                    for s, cells in enumerate(self.cells):
                        for key in cells:
                            if (s, *key) in self.pinned:
                                continue
                            self.compute(s, key)
                    if self._new_cycle:
                        self.pinned |= self.cycle_cells
                    if not self._new_cycle and not self._changed_area:
                        return
            except BaseException as exc:  # handed to the calling thread
                errors.append(exc)

        limit = sys.getrecursionlimit()
        size = threading.stack_size()
        try:
            sys.setrecursionlimit(max(limit, 400_000))
            threading.stack_size(512 * 1024 * 1024)
            thread = threading.Thread(target=work, name="gpucredit-recalc")
            thread.start()
        finally:
            threading.stack_size(size)
        thread.join()
        sys.setrecursionlimit(limit)
        if errors:
            raise errors[0]

    def result(self) -> Recalculation:
        out = Recalculation(formulas=sum(len(c) for c in self.cells))
        for sheet in self.book.sheets:
            s = sheet.index
            vals = self.vals[s]
            for key, entry in self.cells[s].items():
                f = entry.formula
                name = sheet.name
                out.values[(name, cell_name(*key))] = _final(vals.get(key))
                if f.kind != "array":
                    continue
                stored = f.array_ref or (*key, *key)
                area = self.areas[(s, *key)] if f.dynamic else stored
                for cell in _cells_of(area):
                    if cell != key and cell not in self.cells[s]:
                        out.values[(name, cell_name(*cell))] = _final(vals.get(cell))
                for cell in _cells_of(stored):
                    if cell not in self.cells[s] and (name, cell_name(*cell)) not in out.values:
                        out.values[(name, cell_name(*cell))] = None
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
    if value is _PENDING or value is _RUNNING:
        return 0.0
    return value


def _cell_value(value: Any) -> Any:
    """A formula's result as it lands in a cell: a blank reference shows 0."""
    if value is None:
        return 0.0
    if type(value) is float:
        return checked(value)
    if type(value) is int:
        return float(value)
    return value


def _cells_of(area: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    r1, c1, r2, c2 = area
    return [(i, j) for i in range(r1, r2 + 1) for j in range(c1, c2 + 1)]


_PARSED: dict[Any, Any] = {}
# A cell reference in formula text (not a function name such as LOG10, not part of a name).
_REF_TEXT = re.compile(r"(?<![\w.$\\])(\$?)([A-Za-z]{1,3})(\$?)(\d+)(?![\w(!.\[])")


def _shape(text: str, host: tuple[int, int]) -> str | None:
    """The formula with relative references as offsets from ``host`` (R1C1-like), so a column
    of filled-down formulas shares one key and is parsed once. Only for text without string
    literals or quoted names, where a reference-looking word is always a reference."""
    if '"' in text or "'" in text or "[" in text:
        return None
    r0, c0 = host

    def offset(m: re.Match[str]) -> str:
        col = 0
        for ch in m.group(2).upper():
            col = col * 26 + ord(ch) - 64
        row = int(m.group(4))
        c = f"C{col}" if m.group(1) else f"C[{col - c0}]"
        r = f"R{row}" if m.group(3) else f"R[{row - r0}]"
        return r + c

    return _REF_TEXT.sub(offset, text)


def _parse_cached(text: str, host: tuple[int, int]) -> Any:
    shape = _shape(text, host)
    key: Any = ("shape", shape) if shape is not None else (text, host)
    tree = _PARSED.get(key)
    if tree is None:
        tree = parse_formula(text, host)
        if len(_PARSED) > 200_000:
            _PARSED.clear()
        _PARSED[key] = tree
    return tree


# --- calling built-in functions ------------------------------------------------------------


def _call_builtin(
    ev: Evaluator, spec: Builtin, kinds: list[str], compiled: list[Callable], array: bool
) -> Callable[[int, int], Any]:
    fn = spec.fn
    value_of = ev.value_of
    clipped = ev.clipped
    as_array = ev.array
    value_positions = [i for i, k in enumerate(kinds) if k == "v"]
    errors_ok = spec.errors_ok
    wants_context = spec.context

    def scalar_call(*args: Any) -> Any:
        if not errors_ok:
            for i in value_positions:
                if type(args[i]) is ExcelError:
                    return args[i]
        try:
            return fn(ev, *args) if wants_context else fn(*args)
        except XlError as exc:
            return exc.value

    def call(r: int, c: int) -> Any:
        args = []
        lifted = False
        for kind, arg in zip(kinds, compiled, strict=True):
            x = arg(r, c)
            if kind == "v":
                x = value_of(x, r, c, array)
                if type(x) is Arr:
                    lifted = True
            elif type(x) is Ref:
                x = as_array(clipped(x))
            args.append(x)
        if lifted:
            positions = set(value_positions)

            def element_call(*vals: Any) -> Any:
                return scalar_call(*vals)

            arrays = [a if i in positions else _Opaque(a) for i, a in enumerate(args)]
            out = lift(lambda *v: element_call(*[_unwrap(x) for x in v]), arrays)
            return out
        return scalar_call(*args)

    return call


class _Opaque:
    """An argument that must not be broadcast (a range argument beside lifted scalars)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def _unwrap(x: Any) -> Any:
    return x.value if type(x) is _Opaque else x


# --- special forms: lazy branches and functions that see references ---------------------------


def _if(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    if not 1 <= len(args) <= 3:
        raise UnsupportedFormulaError("IF takes 1 to 3 arguments", "IF")
    cond = ev.compile(args[0], array, sheet)
    yes = ev.compile(args[1], array, sheet) if len(args) > 1 else (lambda r, c: True)
    no = ev.compile(args[2], array, sheet) if len(args) > 2 else (lambda r, c: False)
    if len(args) > 1 and args[1] == ("missing",):
        yes = lambda r, c: 0.0  # noqa: E731 - IF(x,,y) gives 0, as Excel does
    if len(args) > 2 and args[2] == ("missing",):
        no = lambda r, c: 0.0  # noqa: E731
    from pyfuncs.formulas.values import boolean

    def pick(flag: Any) -> bool | ExcelError:
        if type(flag) is ExcelError:
            return flag
        try:
            return boolean(flag)
        except XlError as exc:
            return exc.value

    def if_(r: int, c: int) -> Any:
        flag = ev.value_of(cond(r, c), r, c, array)
        if type(flag) is not Arr:
            chosen = pick(flag)
            if type(chosen) is ExcelError:
                return chosen
            return yes(r, c) if chosen else no(r, c)
        a = ev.value_of(yes(r, c), r, c, True)
        b = ev.value_of(no(r, c), r, c, True)
        return lift(
            lambda f, x, y: f if type(pick(f)) is ExcelError else (x if pick(f) else y),
            [flag, a, b],
        )

    return if_


def _iferror(only_na: bool) -> Callable:
    def make(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
        name = "IFNA" if only_na else "IFERROR"
        if len(args) != 2:
            raise UnsupportedFormulaError(f"{name} takes 2 arguments", name)
        first = ev.compile(args[0], array, sheet)
        second = ev.compile(args[1], array, sheet)

        def caught(x: Any) -> bool:
            return type(x) is ExcelError and (not only_na or x.code == "#N/A")

        def iferror(r: int, c: int) -> Any:
            try:
                x = ev.value_of(first(r, c), r, c, array)
            except XlError as exc:
                x = exc.value
            if type(x) is Arr:
                if not any(caught(v) for v in x.flat()):
                    return x
                alt = ev.value_of(second(r, c), r, c, True)
                return lift(lambda v, a: (0.0 if a is None else a) if caught(v) else v, [x, alt])
            if caught(x):
                alt = ev.value_of(second(r, c), r, c, array)
                return 0.0 if alt is None else alt
            return x

        return iferror

    return make


def _choose(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    if len(args) < 2:
        raise UnsupportedFormulaError("CHOOSE takes at least 2 arguments", "CHOOSE")
    index = ev.compile(args[0], array, sheet)
    options = [ev.compile(a, array, sheet) for a in args[1:]]

    def pick(i: Any, r: int, c: int) -> Any:
        if type(i) is ExcelError:
            return i
        try:
            n = int(num(i))
        except XlError as exc:
            return exc.value
        if not 1 <= n <= len(options):
            return ExcelError("#VALUE!", f"CHOOSE index {n} is out of range")
        return options[n - 1](r, c)

    def choose(r: int, c: int) -> Any:
        i = ev.value_of(index(r, c), r, c, array)
        if type(i) is Arr:
            return lift(lambda k: ev.value_of(pick(k, r, c), r, c, False), [i])
        return pick(i, r, c)

    return choose


def _ref_arg(ev: Evaluator, args: tuple, array: bool, sheet: int, name: str) -> Callable:
    if len(args) > 1:
        raise UnsupportedFormulaError(f"{name} takes at most 1 argument", name)
    if not args:
        return lambda r, c: None
    return ev.compile(args[0], array, sheet)


def _row_col(which: int) -> Callable:
    name = "ROW" if which == 0 else "COLUMN"

    def make(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
        arg = _ref_arg(ev, args, array, sheet, name)

        def row_col(r: int, c: int) -> Any:
            x = arg(r, c)
            if x is None:
                return float(r if which == 0 else c)
            if type(x) is ExcelError:
                return x
            if type(x) is not Ref:
                return ExcelError("#VALUE!", f"{name} needs a reference")
            if which == 0:
                if x.r1 == x.r2 or not array:
                    return float(x.r1)
                return Arr([[float(i)] for i in range(x.r1, x.r2 + 1)])
            if x.c1 == x.c2 or not array:
                return float(x.c1)
            return Arr([[float(j) for j in range(x.c1, x.c2 + 1)]])

        return row_col

    return make


def _rows_cols(which: int) -> Callable:
    name = "ROWS" if which == 0 else "COLUMNS"

    def make(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
        if len(args) != 1:
            raise UnsupportedFormulaError(f"{name} takes 1 argument", name)
        arg = ev.compile(args[0], True, sheet)

        def count(r: int, c: int) -> Any:
            x = arg(r, c)
            if type(x) is ExcelError:
                return x
            if type(x) in (Ref, Arr):
                return float(x.shape[which])
            return 1.0

        return count

    return make


def _index(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    if not 2 <= len(args) <= 3:
        raise UnsupportedFormulaError("INDEX takes 2 or 3 arguments here", "INDEX")
    source = ev.compile(args[0], True, sheet)
    row_arg = ev.compile(args[1], array, sheet)
    col_arg = ev.compile(args[2], array, sheet) if len(args) > 2 else None

    def number(x: Any, r: int, c: int) -> int:
        x = ev.value_of(x, r, c, False)
        if x is None:
            return 0
        return int(num(x))

    def index(r: int, c: int) -> Any:
        x = source(r, c)
        if type(x) is ExcelError:
            return x
        try:
            i = number(row_arg(r, c), r, c)
            j = number(col_arg(r, c), r, c) if col_arg else 0
        except XlError as exc:
            return exc.value
        rows, cols = x.shape if type(x) in (Ref, Arr) else (1, 1)
        if col_arg is None and rows == 1 and cols > 1:
            i, j = 0, i  # INDEX(row, n) picks the n-th column
        if i < 0 or j < 0 or i > rows or j > cols:
            return ExcelError("#REF!", "INDEX position is outside the range")
        if type(x) is Ref:
            r1, r2 = (x.r1 + i - 1,) * 2 if i else (x.r1, x.r2)
            c1, c2 = (x.c1 + j - 1,) * 2 if j else (x.c1, x.c2)
            return Ref(x.sheet, r1, c1, r2, c2)
        arr = x if type(x) is Arr else Arr([[x]])
        if i and j:
            return arr.values[i - 1][j - 1]
        if i:
            return Arr([arr.values[i - 1]])
        if j:
            return Arr([[row[j - 1]] for row in arr.values])
        return arr

    return index


def _anchorarray(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    if len(args) != 1 or args[0][0] != "ref":
        raise UnsupportedFormulaError(
            "the spill operator (#) needs a cell reference", "ANCHORARRAY"
        )
    arg = ev.compile(args[0], array, sheet)

    def anchor(r: int, c: int) -> Any:
        x = arg(r, c)
        if type(x) is not Ref:
            return x
        s, key = x.sheet, (x.r1, x.c1)
        entry = ev.cells[s].get(key)
        if entry is None or not entry.formula.dynamic:
            return REF
        ev.cell(s, *key)  # computes the anchor (and its spill) first
        area = ev.areas[(s, *key)]
        if ev.vals[s].get(key) is SPILL:
            return SPILL
        return Ref(s, *area)

    return anchor


def _single(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    if len(args) != 1:
        raise UnsupportedFormulaError("SINGLE takes 1 argument", "SINGLE")
    return ev._compile_unary("single", ev.compile(args[0], array, sheet), array)


def _na_fn(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    return lambda r, c: NA


_SPECIAL: dict[str, Callable[[Evaluator, tuple, bool, int], Callable]] = {
    "IF": _if,
    "IFERROR": _iferror(False),
    "IFNA": _iferror(True),
    "CHOOSE": _choose,
    "ROW": _row_col(0),
    "COLUMN": _row_col(1),
    "ROWS": _rows_cols(0),
    "COLUMNS": _rows_cols(1),
    "INDEX": _index,
    "ANCHORARRAY": _anchorarray,
    "SINGLE": _single,
    "NA": _na_fn,
}

#: Names the engine evaluates (built-ins and special forms), for the docs and the tests.
SUPPORTED_FUNCTIONS = sorted({*BUILTINS, *_SPECIAL})

# Unused names kept importable for the function modules' typing.
__all__ = [
    "NAME",
    "VALUE",
    "Evaluator",
    "Recalculation",
    "RefreshRefusedError",
    "UnsupportedFormulaError",
]
