"""Lookups and criteria aggregates over long ranges, answered from per-range indexes.

``MATCH(x, range, 0)``, exact ``VLOOKUP``/``HLOOKUP`` and ``SUMIFS``/``COUNTIFS``/``SUMIF``/
``COUNTIF``/``AVERAGEIF(S)`` in a loan book that looks up its own table would read the whole
range for every row (quadratic in the rows). Here each range (a reference, clipped to the used
area) is read once per pass into a :class:`RangeIndex`: its values, a hash map of text and
logical keys, the numbers sorted with their positions, and the criteria masks already asked
for. A lookup then costs a binary search or a hash probe; a criterion of equality a hash probe
or a sorted-window search; any other criterion is tested once per distinct criterion and
cached. Every candidate an index proposes is confirmed with the built-in's own test
(:func:`~pyfuncs.formulas.values.compare`, :func:`~pyfuncs.formulas.builtins.logic_lookup.criterion`),
so the answers are the built-ins' answers; anything unusual (wildcards, approximate matches,
arrays as arguments, ranges that differ in shape) goes to the built-in itself.

Ranges are indexed once their cells are all computed (reading them raises
:class:`~pyfuncs.formulas.schedule.Miss` before); the indexes live for one pass.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.builtins.logic_lookup import criterion, criterion_number
from pyfuncs.formulas.values import Arr, Ref, checked, compare, num, text_to_number

if TYPE_CHECKING:
    import numpy as np

    from pyfuncs.formulas.evaluator import Evaluator

#: Ranges shorter than this are left to the built-ins (reading them is cheap).
INDEX_MIN_CELLS = 48
#: Numbers within this relative distance are candidates for equality (confirmed by compare).
_NEAR = 1e-12
_WILDCARDS = frozenset("*?~")
#: The first characters of text that may read as a number (values.text_to_number).
_NUMBER_START = frozenset("0123456789+-.$ \t\n")


class RangeIndex:
    """One range's values in reading order, with lazily built lookup structures."""

    __slots__ = (
        "_any_error",
        "_arrays",
        "_numbers",
        "_positions",
        "masks",
        "results",
        "sorted_views",
        "values",
    )

    def __init__(self, values: list[Any]) -> None:
        self.values = values
        self.masks: dict[Any, np.ndarray] = {}
        #: Candidate sets of another range's equality criteria -> this range's numbers there,
        #: sorted (:func:`_compared`).
        self.sorted_views: dict[Any, tuple[list[float], np.ndarray, np.ndarray]] = {}
        #: (SUMIFS/AVERAGEIFS..., the equality criteria that chose the cells) -> the answer.
        self.results: dict[Any, Any] = {}
        self._positions: dict[Any, list[int]] | None = None
        self._numbers: tuple[list[float], list[int]] | None = None
        self._arrays: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self._any_error: bool | None = None

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(numbers with NaN elsewhere, is-a-number mask, is-an-error mask)."""
        np = _numpy()
        if self._arrays is None:
            values = self.values
            is_float = np.fromiter((type(v) is float for v in values), bool, len(values))
            floats = np.fromiter(
                (v if type(v) is float else math.nan for v in values), float, len(values)
            )
            is_error = np.fromiter((type(v) is ExcelError for v in values), bool, len(values))
            self._arrays = (floats, is_float, is_error)
        return self._arrays

    def has_errors(self) -> bool:
        """Whether any cell of the range holds an error (then a sum must look for one)."""
        if self._any_error is None:
            self._any_error = bool(self.arrays()[2].any())
        return self._any_error

    def positions(self, key: Any) -> list[int]:
        """Positions of text (case-folded) or logical ``key``, in order."""
        if self._positions is None:
            table: dict[Any, list[int]] = {}
            for i, v in enumerate(self.values):
                kind = type(v)
                if kind is str:
                    table.setdefault(("s", v.casefold()), []).append(i)
                elif kind is bool:
                    table.setdefault(("b", v), []).append(i)
            self._positions = table
        return self._positions.get(key, [])

    def near(self, x: float) -> list[int]:
        """Positions of numbers within ``_NEAR`` of ``x`` (relative), in order."""
        if self._numbers is None:
            pairs = [(v, i) for i, v in enumerate(self.values) if type(v) is float]
            if len(pairs) < len(self.values):
                # Numeric text is a candidate too: an equality criterion counts "5" as 5
                # (logic_lookup.criterion); exact MATCH confirms the type and drops it.
                pairs.extend(
                    (n, i)
                    for i, v in enumerate(self.values)
                    if type(v) is str
                    and v[:1] in _NUMBER_START
                    and (n := text_to_number(v)) is not None
                )
            pairs.sort()
            self._numbers = ([v for v, _ in pairs], [i for _, i in pairs])
        keys, where = self._numbers
        tol = abs(x) * _NEAR
        lo, hi = bisect_left(keys, x - tol), bisect_right(keys, x + tol)
        return sorted(where[lo:hi])

    def candidates(self, wanted: Any) -> list[int] | None:
        """Positions that may equal ``wanted`` (a superset), or ``None`` when no index helps."""
        kind = type(wanted)
        if kind is float:
            return self.near(wanted)
        if kind is str:
            if _WILDCARDS & set(wanted):
                return None
            return self.positions(("s", wanted.casefold()))
        if kind is bool:
            return self.positions(("b", wanted))
        return None


def range_index(ev: Evaluator, ref: Ref) -> RangeIndex:
    """The index of a reference's values for this pass (built on first use)."""
    ref = ev.clipped(ref)
    key = (ref.sheet, ref.r1, ref.c1, ref.r2, ref.c2)
    found = ev.indexes.get(key)
    if found is None:
        rows = ev.grid(ref)
        found = RangeIndex([v for row in rows for v in row])
        ev.indexes[key] = found
    return found


def _big(x: Any) -> bool:
    return type(x) is Ref and (x.r2 - x.r1 + 1) * (x.c2 - x.c1 + 1) >= INDEX_MIN_CELLS


def _first_equal(index: RangeIndex, wanted: Any) -> int | None:
    """The first position equal to ``wanted`` as exact MATCH sees it; -1 none; None: no index."""
    found = index.candidates(wanted)
    if found is None:
        return None
    values = index.values
    for i in found:
        v = values[i]
        if type(v) is type(wanted) and compare(wanted, v) == 0:
            return i
    return -1


def _scalar(ev: Evaluator, fn: Callable, r: int, c: int, array: bool) -> Any:
    return ev.value_of(fn(r, c), r, c, array)


def _match(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    fallback = ev.compile_builtin("MATCH", args, array, sheet)
    if len(args) != 3:
        return fallback
    value, mode = ev.compile(args[0], array, sheet), ev.compile(args[2], array, sheet)
    lookup = ev.compile(args[1], True, sheet)

    def match(r: int, c: int) -> Any:
        where = lookup(r, c)
        if not _big(where) or (where.r1 != where.r2 and where.c1 != where.c2):
            return fallback(r, c)
        kind = _scalar(ev, mode, r, c, array)
        wanted = _scalar(ev, value, r, c, array)
        if type(kind) not in (float, bool) or type(wanted) in (Arr, ExcelError):
            return fallback(r, c)
        if int(num(kind)) != 0:
            return fallback(r, c)
        if wanted is None:
            wanted = 0.0
        i = _first_equal(range_index(ev, where), wanted)
        if i is None:
            return fallback(r, c)
        if i < 0:
            return ExcelError("#N/A", "MATCH found no value")
        return float(i + 1)

    return match


def _table_lookup(name: str) -> Callable:
    by_row = name == "HLOOKUP"

    def make(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
        fallback = ev.compile_builtin(name, args, array, sheet)
        if len(args) != 4:
            return fallback  # approximate by default: the built-in's sorted search
        value, column, loose = (ev.compile(args[i], array, sheet) for i in (0, 2, 3))
        table = ev.compile(args[1], True, sheet)

        def lookup(r: int, c: int) -> Any:
            where = table(r, c)
            if not _big(where):
                return fallback(r, c)
            flag = _scalar(ev, loose, r, c, array)
            n = _scalar(ev, column, r, c, array)
            wanted = _scalar(ev, value, r, c, array)
            if type(flag) not in (float, bool) or flag or type(n) is not float:
                return fallback(r, c)
            if type(wanted) in (Arr, ExcelError):
                return fallback(r, c)
            width = where.shape[0] if by_row else where.shape[1]
            k = int(n)
            if not 1 <= k <= width:
                return fallback(r, c)
            if by_row:
                keys = Ref(where.sheet, where.r1, where.c1, where.r1, where.c2)
            else:
                keys = Ref(where.sheet, where.r1, where.c1, where.r2, where.c1)
            i = _first_equal(range_index(ev, keys), 0.0 if wanted is None else wanted)
            if i is None:
                return fallback(r, c)
            if i < 0:
                return ExcelError("#N/A", "lookup value not found")
            if by_row:
                v = ev.cell(where.sheet, where.r1 + k - 1, where.c1 + i)
            else:
                v = ev.cell(where.sheet, where.r1 + i, where.c1 + k - 1)
            return 0.0 if v is None else v

        return lookup

    return make


# --- criteria ------------------------------------------------------------------------------


def _equality_target(spec: Any) -> Any:
    """The value an equality criterion looks for (``5``, ``"=5"``, ``"abc"``), or ``None``
    when the criterion is something else (a comparison, a wildcard, a blank test)."""
    kind = type(spec)
    if kind in (float, bool):
        return spec
    if kind is not str:
        return None
    operand = spec[1:] if spec.startswith("=") else spec
    if operand[:1] in ("<", ">", "=") or operand == "" or _WILDCARDS & set(operand):
        return None
    if operand.upper() in ("TRUE", "FALSE"):
        return operand.upper() == "TRUE"
    number = text_to_number(operand)
    return number if number is not None else operand


def _comparison(spec: Any) -> tuple[str, float] | None:
    """``(">=", 5.0)`` for a numeric comparison criterion such as ``">=5"``, else ``None``."""
    if type(spec) is not str:
        return None
    for op in ("<=", ">=", "<>", "<", ">"):
        if spec.startswith(op):
            if op == "<>":
                return None  # numeric text is not equal as a number: the built-in's test
            operand = spec[len(op) :]
            if operand.strip().upper() in ("TRUE", "FALSE"):
                return None
            number = criterion_number(op, operand)
            return None if number is None else (op, number)
    return None


_NP_OPS = {
    "<": "less",
    ">": "greater",
    "<=": "less_equal",
    ">=": "greater_equal",
    "<>": "not_equal",
}


def _numpy() -> Any:
    """numpy, imported when a criteria range is first indexed (a refresh without lookups
    never loads it)."""
    import numpy

    return numpy


_MAX_MASKS = 64  # cached masks a range keeps (criteria that repeat across rows)


def _comparison_mask(
    index: RangeIndex, op: str, target: float, test: Callable, positions: np.ndarray | None
) -> np.ndarray:
    """Which cells (of ``positions``, or all) meet a numeric comparison: decided by numpy
    where the number is clearly apart from the target, by the built-in's test where it is
    within ``_NEAR`` (the built-ins compare with a tolerance)."""
    np = _numpy()
    floats, is_float, _ = index.arrays()
    if positions is not None:
        floats, is_float = floats[positions], is_float[positions]
    with np.errstate(invalid="ignore"):
        d = floats - target
        border = is_float & (np.abs(d) <= _NEAR * np.maximum(np.abs(floats), abs(target)))
        mask = np.where(is_float, getattr(np, _NP_OPS[op])(d, 0.0), op == "<>")
    for k in np.flatnonzero(border):
        i = int(k) if positions is None else int(positions[k])
        mask[k] = test(index.values[i])
    return mask


def _compared(
    index: RangeIndex,
    op: str,
    target: float,
    test: Callable,
    positions: np.ndarray,
    view_key: Any,
) -> np.ndarray:
    """The ``positions`` (in reading order) whose cells meet a numeric comparison, from this
    range's numbers at those positions sorted once per candidate set (``view_key``).

    A loan book asks each segment's rows for balances above each loan's own balance: the
    segment's candidates are the same on every row, so their numbers are sorted once and each
    row costs two binary searches. The numbers within ``2 * _NEAR`` (relative) of the target
    are decided by the built-in's test, as :func:`_comparison_mask` decides its border; cells
    that are not numbers meet only ``"<>"``.
    """
    np = _numpy()
    view = index.sorted_views.get(view_key)
    if view is None:
        floats, is_float, _ = index.arrays()
        here = is_float[positions]
        numbers_at = positions[here]
        order = np.argsort(floats[numbers_at], kind="stable")
        view = (floats[numbers_at][order].tolist(), numbers_at[order], positions[~here])
        if len(index.sorted_views) < _MAX_MASKS:
            index.sorted_views[view_key] = view
    keys, where, others = view
    tol = 2 * _NEAR * abs(target)
    lo, hi = bisect_left(keys, target - tol), bisect_right(keys, target + tol)
    # Numbers equal to the target are decided by the operator (compare gives 0); only those
    # merely near it need the built-in's test.
    equal_lo, equal_hi = bisect_left(keys, target, lo, hi), bisect_right(keys, target, lo, hi)
    values = index.values
    near = [*where[lo:equal_lo].tolist(), *where[equal_hi:hi].tolist()]
    border = [i for i in near if test(values[i])]
    parts = [np.array(border, dtype=np.intp)]
    if op in ("<=", ">="):
        parts.append(where[equal_lo:equal_hi])
    if op in ("<", "<=", "<>"):
        parts.append(where[:lo])
    if op in (">", ">=", "<>"):
        parts.append(where[hi:])
    if op == "<>":
        parts.append(others)
    return np.sort(np.concatenate(parts))


_READ: dict[tuple[type, Any], tuple[Callable, Any, tuple[str, float] | None]] = {}


def _read_criterion(spec: Any) -> tuple[Callable, Any, tuple[str, float] | None]:
    """A criterion's test, its equality target and its numeric comparison, read once per
    distinct criterion (a loan book repeats each segment's criterion on every row)."""
    key = (type(spec), spec)
    found = _READ.get(key)
    if found is None:
        found = (criterion(spec), _equality_target(spec), _comparison(spec))
        if len(_READ) > 10_000:
            _READ.clear()
        _READ[key] = found
    return found


def _chosen(ev: Evaluator, pairs: list[tuple[Ref, Any]]) -> tuple[np.ndarray, tuple | None]:
    """Positions (in reading order) meeting every (range, criterion) pair, and the key of the
    equality criteria that chose them when no other criterion did (else None).

    An equality criterion proposes candidates from the hash map or the sorted numbers (each
    confirmed by the built-in's test), so a lookup of one loan's segment costs that segment's
    rows; numeric comparisons are numpy masks over those candidates (or over the range); any
    other criterion is the built-in's test, its mask cached per distinct criterion.
    """
    np = _numpy()
    indexes = [range_index(ev, ref) for ref, _ in pairs]
    read = [_read_criterion(spec) for _, spec in pairs]
    positions: np.ndarray | None = None
    rest = []
    view_key: tuple | None = ()  # the equality criteria that chose ``positions``
    for index, (_, spec), (test, target, numeric) in zip(indexes, pairs, read, strict=True):
        found = index.candidates(target) if target is not None else None
        if found is None:
            rest.append((index, spec, test, numeric))
            continue
        key = ("=", type(spec), spec)
        view_key = (*view_key, id(index), key)  # indexes live for the pass, as the views
        confirmed = index.masks.get(key)
        if confirmed is None:
            values = index.values
            confirmed = np.array([i for i in found if test(values[i])], dtype=np.intp)
            if len(index.masks) < _MAX_MASKS:
                index.masks[key] = confirmed
        positions = confirmed if positions is None else np.intersect1d(positions, confirmed)
    size = len(indexes[0].values)
    mask = None if positions is not None else np.ones(size, bool)
    for index, spec, test, numeric in rest:
        if positions is not None:
            if numeric is not None and view_key is not None:
                positions = _compared(index, *numeric, test, positions, view_key)
            elif numeric is not None:
                positions = positions[_comparison_mask(index, *numeric, test, positions)]
            else:
                values = index.values
                keep = [test(values[int(i)]) for i in positions]
                positions = positions[np.array(keep, dtype=bool)] if keep else positions
            view_key = None  # the positions are no longer those of the equality criteria alone
            continue
        if numeric is not None:
            mask &= _comparison_mask(index, *numeric, test, None)
            continue
        key = (type(spec), spec)
        cached = index.masks.get(key)
        if cached is None:
            cached = np.fromiter((test(v) for v in index.values), bool, size)
            if len(index.masks) < _MAX_MASKS:
                index.masks[key] = cached
        mask &= cached
    chosen = positions if positions is not None else np.flatnonzero(mask)
    return chosen, (view_key if positions is not None and view_key else None)


def _criteria_aggregate(name: str) -> Callable:
    """SUMIFS, COUNTIFS, AVERAGEIFS, SUMIF, COUNTIF, AVERAGEIF from the indexes."""
    plural = name.endswith("S")
    has_values = name != "COUNTIFS" and name != "COUNTIF"

    def make(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
        fallback = ev.compile_builtin(name, args, array, sheet)
        compiled = [ev.compile(a, True, sheet) for a in args]
        values_arg: Callable | None
        if plural:
            values_arg = compiled[0] if has_values else None
            rest = compiled[1:] if has_values else compiled
            if len(rest) % 2 or not rest:
                return fallback
            ranges, specs = (
                rest[0::2],
                [ev.compile(a, array, sheet) for a in args[len(args) - len(rest) + 1 :: 2]],
            )
        else:
            if len(args) < 2:
                return fallback
            ranges, specs = [compiled[0]], [ev.compile(args[1], array, sheet)]
            values_arg = (compiled[2] if len(args) > 2 else compiled[0]) if has_values else None

        def aggregate(r: int, c: int) -> Any:
            refs = [fn(r, c) for fn in ranges]
            if not all(_big(x) for x in refs):
                return fallback(r, c)
            shape = refs[0].shape
            if any(x.shape != shape for x in refs):
                return fallback(r, c)
            target = values_arg(r, c) if values_arg is not None else None
            if values_arg is not None and (type(target) is not Ref or target.shape != shape):
                return fallback(r, c)
            spec_values = [ev.value_of(fn(r, c), r, c, array) for fn in specs]
            if any(type(s) in (Arr, Ref, ExcelError) for s in spec_values):
                return fallback(r, c)
            spec_values = [0.0 if s is None else s for s in spec_values]
            chosen, by_equality = _chosen(ev, list(zip(refs, spec_values, strict=True)))
            if values_arg is None:
                kept = ev.clipped(refs[0]).shape
                past = shape[0] * shape[1] - kept[0] * kept[1]  # blank cells past the used area
                if past and all(criterion(s)(None) for s in spec_values):
                    return float(len(chosen) + past)
                return float(len(chosen))
            target_index = range_index(ev, target)
            if by_equality is None:
                return _aggregate_of(name, target_index, chosen)
            # The same segment's sum asked on every row (SUMIFS(balance,segment,B2)): the
            # positions depend on the equality criteria alone, so the answer is kept.
            memo = target_index.results  # per pass, as the index
            found = memo.get((name, by_equality))
            if found is None:
                found = _aggregate_of(name, target_index, chosen)
                if len(memo) < _MAX_RESULTS:
                    memo[(name, by_equality)] = found
            return found

        return aggregate

    return make


_MAX_RESULTS = 4096  # aggregates a target range keeps per pass (one per segment asked)


def _aggregate_of(name: str, target_index: RangeIndex, chosen: np.ndarray) -> Any:
    """SUM/AVERAGE (``name``) of the target range's numbers at ``chosen``: the first error
    there (reading order) for a sum, ``math.fsum`` as SUM adds."""
    np = _numpy()
    floats, is_float, is_error = target_index.arrays()
    average = name.startswith("AVERAGE")
    if not average and target_index.has_errors() and is_error[chosen].any():
        return target_index.values[int(chosen[np.argmax(is_error[chosen])])]
    picked = floats[chosen][is_float[chosen]]
    if average:
        if not len(picked):
            return ExcelError("#DIV/0!", "division by zero")
        return checked(math.fsum(picked.tolist()) / len(picked))
    return checked(math.fsum(picked.tolist()))


_FORMS: dict[str, Callable[[Evaluator, tuple, bool, int], Callable]] = {
    "MATCH": _match,
    "VLOOKUP": _table_lookup("VLOOKUP"),
    "HLOOKUP": _table_lookup("HLOOKUP"),
    "SUMIFS": _criteria_aggregate("SUMIFS"),
    "COUNTIFS": _criteria_aggregate("COUNTIFS"),
    "AVERAGEIFS": _criteria_aggregate("AVERAGEIFS"),
    "SUMIF": _criteria_aggregate("SUMIF"),
    "COUNTIF": _criteria_aggregate("COUNTIF"),
    "AVERAGEIF": _criteria_aggregate("AVERAGEIF"),
}

#: The forms above for the built-ins that exist (their fallback).
LOOKUP_FORMS = {name: form for name, form in _FORMS.items() if name in BUILTINS}
