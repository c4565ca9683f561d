"""Special forms: functions with lazy branches or that see references, not only values.

``IF``, ``IFERROR``, ``CHOOSE`` evaluate only the branch they take; ``ROW``, ``COLUMN``,
``ROWS``, ``COLUMNS``, ``INDEX`` and ``ANCHORARRAY`` work on the reference itself. Each maker
takes the evaluator, the argument trees, whether the context is an array formula and the
sheet, and returns the compiled closure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas import references
from pyfuncs.formulas.lookups import LOOKUP_FORMS
from pyfuncs.formulas.problems import UnsupportedFormulaError
from pyfuncs.formulas.values import NA, REF, SPILL, Arr, Ref, XlError, boolean, lift, num

if TYPE_CHECKING:
    from pyfuncs.formulas.evaluator import Evaluator


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

        def choose(f: Any, x: Any, y: Any) -> Any:
            chosen = pick(f)  # text that is not TRUE/FALSE is #VALUE!, not itself
            if type(chosen) is ExcelError:
                return chosen
            return x if chosen else y

        return lift(choose, [flag, a, b])

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
                # The formula's own cell; for a legacy array formula that is its whole area
                # (ECMA-376 Part 1, ROW and COLUMN: "as if reference referred to the cell
                # containing the formula"), so {=ROW()} over A15:A17 is {15;16;17}.
                host = ev.arrays[sheet].get((r, c)) if array else None
                if host is None or host.dynamic or host.array_ref is None:
                    return float(r if which == 0 else c)
                x = Ref(sheet, *host.array_ref)
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
        if i < 0 or j < 0:  # Excel's cached values in pycel's lookup.xlsx: #VALUE!, not #REF!
            return ExcelError("#VALUE!", "INDEX position is negative")
        if i > rows or j > cols:
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
        formula = ev.arrays[s].get(key)
        if formula is None or not formula.dynamic:
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


def _countblank(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    """COUNTBLANK of a reference counts the cells past the used area too (they are blank;
    the range read is clipped to the used area)."""
    if len(args) != 1:
        raise UnsupportedFormulaError("COUNTBLANK takes 1 argument", "COUNTBLANK")
    arg = ev.compile(args[0], True, sheet)

    def countblank(r: int, c: int) -> Any:
        x = arg(r, c)
        if type(x) is ExcelError:
            return x
        if type(x) is Ref:
            rows = ev.grid(x)
            read = sum(len(row) for row in rows)
            blank = sum(1 for row in rows for v in row if v is None or v == "")
            return float(blank + x.shape[0] * x.shape[1] - read)
        values = x.flat() if type(x) is Arr else [x]
        return float(sum(1 for v in values if v is None or v == ""))

    return countblank


SPECIAL: dict[str, Callable[[Evaluator, tuple, bool, int], Callable]] = {
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
    "COUNTBLANK": _countblank,
    **LOOKUP_FORMS,
    "OFFSET": references.offset,
    "INDIRECT": references.indirect,
    "LET": references.let,
}
