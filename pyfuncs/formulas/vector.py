"""Filled-down runs evaluated as numpy vectors: one formula shape applied over a whole column.

A *run* is a column of consecutive cells holding the same formula shape (a filled-down or
shared formula: the same tree of relative offsets, :func:`~pyfuncs.formulas.compiler.shape_key`)
that reads nothing inside the run itself. Its tree is compiled once into a function of a block
of rows; the first time the scheduler asks for any cell of the run, the cells it reads are
computed first (a :class:`~pyfuncs.formulas.schedule.Miss` naming them all), then the whole run
is computed at once and every cell of it lands in its place.

Exactness: the vector path gives, bit for bit, what the cell-by-cell closures give, or leaves
the row to them. Only operations whose numpy form is the same IEEE operation as the scalar one
run on arrays (``+ - * /``, negation, percent, the comparisons with Excel's tolerance, ``IF``,
the cancelling last ``+``/``-`` snapped to 0 as :func:`~pyfuncs.formulas.values.snapped_sum`
does); ``^`` and built-ins taking values (``ROUND``, ``PMT``...) call the very scalar function
on each row; ``SUM`` of a window of one column is ``math.fsum`` of the window, as ``SUM`` is. A
row whose inputs are not all numbers (blank, text, TRUE, an error) or whose result is not a
finite number (a division by zero, an overflow) is computed by the cell's own closure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import repeat
from typing import TYPE_CHECKING, Any

from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.schedule import PENDING, WAITING, Miss
from pyfuncs.formulas.values import power

if TYPE_CHECKING:
    from pyfuncs.formulas.evaluator import Evaluator

#: Shorter runs are left to the closures (numpy's fixed cost per call would not pay back).
MIN_RUN = 32
_APPROX = 2.0**-48  # Excel's comparison tolerance, as in pyfuncs.formulas.values.compare
_FLOAT = {float}


class NotVector(Exception):  # noqa: N818 - a signal, not an error
    """The tree has an element the vector compiler does not handle."""


class Fallback(Exception):  # noqa: N818 - a signal, not an error
    """The run cannot be computed as a block now (a cell it reads waits on the current path)."""


#: A compiled node: (function of (first row, rows, column) -> (values, ok mask or None), kind)
#: where kind is "f" (float64 values) or "b" (booleans).
Node = tuple[Callable[[int, int, int], tuple[Any, Any]], str]


class VectorCompiler:
    """Compiles formula trees of one sheet into block functions, reading ``ev``'s values."""

    def __init__(self, ev: Evaluator, sheet: int) -> None:
        import numpy

        self.np = numpy
        self.ev = ev
        self.sheet = sheet
        self.reads: list[tuple[int, int, bool, int, bool, int, bool, int, bool]] = []

    # --- compiling -------------------------------------------------------------------------
    def compile(self, node: Any) -> Node:
        kind = node[0]
        np = self.np
        if kind == "num":
            value = np.float64(node[1])
            return (lambda r0, n, c: (value, None)), "f"
        if kind == "bool":
            flag = np.bool_(node[1])
            return (lambda r0, n, c: (flag, None)), "b"
        if kind == "ref":
            return self._ref(node), "f"
        if kind in ("neg", "pct", "pos"):
            return self._unary(kind, self.compile(node[1]))
        if kind == "bin":
            return self._binary(node[1], self.compile(node[2]), self.compile(node[3]))
        if kind == "call":
            return self._call(node[1], node[2])
        raise NotVector(kind)

    def _target(self, sheet_name: str | None) -> int:
        target = self.ev._sheet_of(sheet_name, self.sheet)
        if target is None:
            raise NotVector("unknown sheet")
        return target

    def _ref(self, node: Any) -> Callable:
        _, sheet_name, r1, ra1, c1, ca1, r2, ra2, c2, ca2 = node
        if (r1, ra1, c1, ca1) != (r2, ra2, c2, ca2):
            raise NotVector("a range read as a value")
        target = self._target(sheet_name)
        self.reads.append((target, r1, ra1, c1, ca1, r2, ra2, c2, ca2))
        gather = self._gather
        if ra1 and ca1:

            def fixed(r0: int, n: int, c: int) -> tuple[Any, Any]:
                values, ok = gather(target, r1, 1, c1)
                return values[0], (None if ok is None else ok[0])

            return fixed

        def column(r0: int, n: int, c: int) -> tuple[Any, Any]:
            return gather(target, r1 if ra1 else r0 + r1, 1 if ra1 else n, c1 if ca1 else c + c1)

        return column

    def _gather(self, sheet: int, first: int, n: int, col: int) -> tuple[Any, Any]:
        """The values of ``n`` cells of a column as float64, with the mask of number cells;
        :class:`Miss` naming the formula cells not computed yet."""
        blocks = self.ev.blocks.get((sheet, col))
        if blocks is not None:
            for start, block, mask in blocks:
                i = first - start
                if i >= 0 and i + n <= len(block):
                    return block[i : i + n], (None if mask is None else mask[i : i + n])
        np = self.np
        if first < 1 or col < 1:
            raise Fallback("a reference off the sheet")
        values = list(
            map(self.ev.vals[sheet].get, zip(range(first, first + n), repeat(col, n), strict=True))
        )
        types = set(map(type, values))
        if types == _FLOAT:
            found = np.array(values, dtype=np.float64), None
            self._keep(sheet, first, col, found)
            return found
        if object in types:  # PENDING or WAITING: formula cells not computed yet
            if values.count(WAITING):
                raise Fallback("a cell on the current path")
            rows = [first + i for i, v in enumerate(values) if v is PENDING]
            if not all(map(self.ev.cells[sheet].__contains__, zip(rows, repeat(col)))):
                raise Fallback("an array member")  # its anchor decides
            # the scheduler takes the last key first: the top row first, so that a column
            # filled down from itself (each row reading the one above) is computed in order
            rows.reverse()
            raise Miss(list(zip(repeat(sheet), rows, repeat(col))))
        ok = np.array([type(v) is float for v in values], dtype=bool)
        found = np.array([v if type(v) is float else 0.0 for v in values], dtype=np.float64), ok
        self._keep(sheet, first, col, found)
        return found

    def _keep(self, sheet: int, first: int, col: int, found: tuple[Any, Any]) -> None:
        """A column read whole (no cell pending): its values are final for the pass."""
        if len(found[0]) >= 8:
            self.ev.blocks.setdefault((sheet, col), []).append((first, *found))

    def _unary(self, kind: str, operand: Node) -> Node:
        fn, operand_kind = operand
        if kind == "pos":
            return operand
        np = self.np

        def unary(r0: int, n: int, c: int) -> tuple[Any, Any]:
            x, ok = fn(r0, n, c)
            x = x.astype(np.float64) if operand_kind == "b" else x
            return (-x if kind == "neg" else x / 100.0), ok

        return unary, "f"

    def _binary(self, op: str, left: Node, right: Node) -> Node:
        np = self.np
        (lf, lk), (rf, rk) = left, right
        if op in ("=", "<>", "<", ">", "<=", ">="):
            if lk != "f" or rk != "f":
                raise NotVector("comparison of TRUE/FALSE")

            def comparison(r0: int, n: int, c: int) -> tuple[Any, Any]:
                (a, oka), (b, okb) = lf(r0, n, c), rf(r0, n, c)
                equal = (a == b) | (np.abs(a - b) <= _APPROX * np.maximum(np.abs(a), np.abs(b)))
                if op == "=":
                    out = equal
                elif op == "<>":
                    out = ~equal
                elif op == "<":
                    out = ~equal & (a < b)
                elif op == ">":
                    out = ~equal & (a > b)
                elif op == "<=":
                    out = equal | (a < b)
                else:
                    out = equal | (a > b)
                return out, _both(oka, okb)

            return comparison, "b"
        if op == "^":
            return self._power(left, right), "f"
        if op not in ("+", "-", "*", "/", "+0", "-0"):
            raise NotVector(op)

        def arithmetic(r0: int, n: int, c: int) -> tuple[Any, Any]:
            (a, oka), (b, okb) = lf(r0, n, c), rf(r0, n, c)
            if lk == "b":
                a = a.astype(np.float64)
            if rk == "b":
                b = b.astype(np.float64)
            ok = _both(oka, okb)
            with np.errstate(all="ignore"):
                if op == "+":
                    out = a + b
                elif op == "-":
                    out = a - b
                elif op == "*":
                    out = a * b
                elif op == "/":
                    ok = _both(ok, b != 0.0)
                    out = a / b
                else:  # "+0", "-0": the last operation, a cancelling sum snapped to 0
                    b = b if op == "+0" else -b
                    out = a + b
                    near = (a == -b) | (np.abs(a + b) <= _APPROX * np.maximum(np.abs(a), np.abs(b)))
                    out = np.where((out != 0.0) & ((a > 0.0) != (b > 0.0)) & near, 0.0, out)
            return out, _both(ok, np.isfinite(out))

        return arithmetic, "f"

    def _power(self, left: Node, right: Node) -> Callable:
        """``x^y``: ``math.pow`` on each row, as :func:`~pyfuncs.formulas.values.power` calls
        it, mapped in C; the rows it gives an error (``0^0``, ``0^-1``, a fractional power of
        a negative number, an overflow) are left to the closures."""
        np = self.np
        (lf, _), (rf, _) = left, right
        pow_ = math.pow

        def one(x: float, y: float) -> float:
            out = power(x, y)
            return out if type(out) is float else math.nan

        def power_(r0: int, n: int, c: int) -> tuple[Any, Any]:
            (x, okx), (y, oky) = lf(r0, n, c), rf(r0, n, c)
            x = np.broadcast_to(x, (n,)).astype(np.float64)
            y = np.broadcast_to(y, (n,)).astype(np.float64)
            bad = ((x == 0.0) & (y <= 0.0)) | ((x < 0.0) & (y != np.floor(y)))
            xs, ys = np.where(bad, 1.0, x).tolist(), y.tolist()
            try:
                out = list(map(pow_, xs, ys))
            except (OverflowError, ValueError):
                out = list(map(one, xs, ys))
            values = np.array(out, dtype=np.float64)
            return values, _both(_both(okx, oky), ~bad & np.isfinite(values))

        return power_

    def _call(self, name: str, args: tuple) -> Node:
        if name == "IF":
            return self._if(args)
        if name == "SUM" and len(args) == 1 and args[0][0] == "ref":
            return self._window_sum(args[0]), "f"
        if name == "IFERROR" and len(args) == 2 and ("missing",) not in args:
            # a row whose value is not a finite number is left to the closure, which catches
            # the error: on every other row IFERROR(x, y) is x
            return self.compile(args[0])
        if any(a[0] == "missing" for a in args):
            raise NotVector("an empty argument")
        from pyfuncs.formulas import kernels  # numpy: imported once a run is vectorised

        if name == "ROUND" and len(args) == 2:
            places = _constant(args[1])
            if places is not None and int(places) in kernels.ROUND_PLACES:
                return self._round(self.compile(args[0]), int(places)), "f"
        if name == "PMT" and 3 <= len(args) <= 5:
            return self._pmt([self.compile(a) for a in args]), "f"
        if name in ("MIN", "MAX") and all(_one_value(a) for a in args):
            return self._extreme([self.compile(a) for a in args], name == "MAX"), "f"
        spec = BUILTINS.get(name)
        if spec is None or spec.volatile:
            raise NotVector(name)
        if len(args) < spec.min_args or (spec.max_args is not None and len(args) > spec.max_args):
            raise NotVector("arity")
        if any(spec.kind(i) != "v" or arg[0] == "missing" for i, arg in enumerate(args)):
            raise NotVector("an argument taken as a reference or omitted")
        fn = spec.fn
        if spec.context:
            ev = self.ev

            def with_context(*values: Any) -> Any:
                return fn(ev, *values)

            return self._elementwise(with_context, [self.compile(a) for a in args]), "f"
        return self._elementwise(fn, [self.compile(a) for a in args]), "f"

    def _round(self, operand: Node, places: int) -> Callable:
        from pyfuncs.formulas.kernels import round_half_up

        fn, _kind = operand
        np = self.np

        def round_(r0: int, n: int, c: int) -> tuple[Any, Any]:
            x, ok = fn(r0, n, c)
            x = np.broadcast_to(x, (n,)).astype(np.float64)
            return round_half_up(x, places), ok

        return round_

    def _pmt(self, operands: list[Node]) -> Callable:
        """PMT's kernel when the rate and the term are one number for the block; else the
        scalar function on each row."""
        from pyfuncs.formulas.kernels import pmt_shared_terms

        np = self.np
        spec = BUILTINS["PMT"]
        each = self._elementwise(spec.fn, operands)

        def pmt(r0: int, n: int, c: int) -> tuple[Any, Any]:
            values, ok = [], None
            for fn, kind in operands:
                x, okx = fn(r0, n, c)
                values.append(x.astype(np.float64) if kind == "b" else x)
                ok = _both(ok, okx)
            rate, nper = values[0], values[1]
            if np.ndim(rate) or np.ndim(nper):
                return each(r0, n, c)
            if ok is not None and not np.ndim(ok) and not ok:
                return np.zeros(n), np.zeros(n, dtype=bool)  # no row is all numbers
            fv = values[3] if len(values) > 3 else 0.0
            when = values[4] if len(values) > 4 else 0.0
            found = pmt_shared_terms(float(rate), float(nper), values[2], fv, when)
            if found is None:
                return np.zeros(n), np.zeros(n, dtype=bool)  # an error on every row
            out = np.broadcast_to(found[0], (n,))
            return out, _both(ok, np.isfinite(out))

        return pmt

    def _extreme(self, operands: list[Node], larger: bool) -> Callable:
        from pyfuncs.formulas.kernels import extreme as extreme_of

        np = self.np

        def extreme(r0: int, n: int, c: int) -> tuple[Any, Any]:
            columns, ok = [], None
            for fn, kind in operands:
                x, okx = fn(r0, n, c)
                x = np.broadcast_to(x, (n,))
                columns.append(x.astype(np.float64) if kind == "b" else x)
                ok = _both(ok, okx)
            return extreme_of(columns, larger), ok

        return extreme

    def _elementwise(self, fn: Callable, operands: list[Node]) -> Callable:
        """A scalar function called on each row's values (exactly the scalar result)."""
        np = self.np

        def each(r0: int, n: int, c: int) -> tuple[Any, Any]:
            columns = []
            ok = None
            for operand, _kind in operands:
                x, okx = operand(r0, n, c)
                ok = _both(ok, okx)
                x = np.broadcast_to(x, (n,)).tolist()
                columns.append(x)
            out = []
            good = []
            for values in zip(*columns, strict=True):
                try:
                    v = fn(*values)
                except Exception:  # the row is left to the closure, which says what it gives
                    v = None
                if type(v) is float and v - v == 0.0:
                    out.append(v)
                    good.append(True)
                else:
                    out.append(0.0)
                    good.append(False)
            return np.array(out, dtype=np.float64), _both(ok, np.array(good, dtype=bool))

        return each

    def _if(self, args: tuple) -> Node:
        if len(args) != 3 or any(a == ("missing",) for a in args):
            raise NotVector("IF without both branches")
        (cf, ck), (yf, yk), (nf, nk) = (self.compile(a) for a in args)
        if yk != nk:
            raise NotVector("IF branches of different kinds")
        np = self.np

        def if_(r0: int, n: int, c: int) -> tuple[Any, Any]:
            flag, okc = cf(r0, n, c)
            if ck == "f":
                flag = flag != 0.0
            (yes, oky), (no, okn) = yf(r0, n, c), nf(r0, n, c)
            out = np.where(flag, yes, no)
            oky = True if oky is None else oky
            okn = True if okn is None else okn
            ok = _both(okc, np.where(flag, oky, okn))
            return np.broadcast_to(out, (n,)), ok

        return if_, yk

    def _window_sum(self, node: Any) -> Callable:
        """``SUM`` of one column's window that moves with the row (or is fixed)."""
        _, sheet_name, r1, ra1, c1, ca1, r2, ra2, c2, ca2 = node
        if (c1, ca1) != (c2, ca2):
            raise NotVector("SUM of several columns")
        target = self._target(sheet_name)
        self.reads.append((target, r1, ra1, c1, ca1, r2, ra2, c2, ca2))
        np = self.np
        fsum = math.fsum

        def window(r0: int, n: int, c: int) -> tuple[Any, Any]:
            col = c1 if ca1 else c + c1
            tops = [r1 if ra1 else r + r1 for r in (r0, r0 + n - 1)]
            bottoms = [r2 if ra2 else r + r2 for r in (r0, r0 + n - 1)]
            first = min(*tops, *bottoms)
            last = max(*tops, *bottoms)
            if first < 1:
                raise Fallback("a window off the sheet")
            block, ok = self._gather(target, first, last - first + 1, col)  # Miss: pending
            raw = (block if ok is None else np.where(ok, block, np.nan)).tolist()
            out = None
            if ra1 == ra2:  # the same width on every row: slices made and summed in C
                a0 = (min(r1, r2) if ra1 else r0 + min(r1, r2)) - first
                width = abs(r2 - r1) + 1
                step = 0 if ra1 else 1  # a fixed window, or one moving down a row a row
                starts = range(a0, a0 + n * step, step) if step else repeat(a0, n)
                stops = range(a0 + width, a0 + width + n) if step else repeat(a0 + width, n)
                try:
                    out = list(map(fsum, map(raw.__getitem__, map(slice, starts, stops))))
                except (ValueError, OverflowError):  # inf - inf, or too large: row by row
                    out = None
            if out is None:
                out = []
                for i in range(n):
                    a = r1 if ra1 else r0 + i + r1
                    b = r2 if ra2 else r0 + i + r2
                    a, b = min(a, b) - first, max(a, b) - first
                    try:
                        out.append(fsum(raw[a : b + 1]))
                    except (ValueError, OverflowError):  # the closure says what it gives
                        out.append(math.nan)
            values = np.array(out, dtype=np.float64)
            return values, np.isfinite(values)

        return window


def _constant(node: Any) -> float | None:
    """The number a constant argument (``2``, ``-2``) stands for, else None."""
    if node[0] == "num":
        return node[1]
    if node[0] == "neg" and node[1][0] == "num":
        return -node[1][1]
    return None


def _one_value(node: Any) -> bool:
    """An argument that is one value (not a range, an array or a name that may be one)."""
    if node[0] == "ref":
        return node[2:6] == node[6:10]
    return node[0] in ("num", "bool", "bin", "neg", "pct", "call")


def _both(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return a & b


def reaches_itself(reads: list[tuple], sheet: int, col: int, first: int, last: int) -> bool:
    """Whether a run of rows ``first..last`` of column ``col`` reads a cell of the run."""
    for target, r1, ra1, c1, ca1, r2, ra2, c2, ca2 in reads:
        if target != sheet:
            continue
        cols = [c1 if ca1 else col + c1, c2 if ca2 else col + c2]
        if not min(cols) <= col <= max(cols):
            continue
        rows = [r1 if ra1 else first + r1, r1 if ra1 else last + r1]
        rows += [r2 if ra2 else first + r2, r2 if ra2 else last + r2]
        if min(rows) <= last and max(rows) >= first:
            return True
    return False
