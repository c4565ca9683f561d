"""Logical, information, lookup and conditional-aggregate built-ins."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import OMITTED, builtin, integer, omitted, values_of, vector
from pyfuncs.formulas.values import (
    DIV0,
    VALUE,
    Arr,
    XlError,
    boolean,
    checked,
    compare,
    text_to_number,
)

# --- logical ----------------------------------------------------------------------------------


def _logicals(args: tuple[Any, ...]) -> list[bool]:
    out: list[bool] = []
    for arg in args:
        if type(arg) is Arr:
            for v in arg.flat():
                if type(v) is ExcelError:
                    raise XlError(v)
                if type(v) in (bool, float):
                    out.append(bool(v))
        elif arg is not None:
            out.append(boolean(arg))
    if not out:
        raise XlError(ExcelError("#VALUE!", "no logical values"))
    return out


@builtin("AND", params="r*", min_args=1)
def and_(*args: Any) -> Any:
    return all(_logicals(args))


@builtin("OR", params="r*", min_args=1)
def or_(*args: Any) -> Any:
    return any(_logicals(args))


@builtin("XOR", params="r*", min_args=1)
def xor(*args: Any) -> Any:
    return sum(_logicals(args)) % 2 == 1


@builtin("NOT", params="v")
def not_(x: Any) -> Any:
    return not boolean(x)


@builtin("TRUE", params="", min_args=0)
def true() -> Any:
    return True


@builtin("FALSE", params="", min_args=0)
def false() -> Any:
    return False


def _is(test: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda x: test(x)


builtin("ISERROR", params="v", errors_ok=True)(_is(lambda x: type(x) is ExcelError))
builtin("ISERR", params="v", errors_ok=True)(
    _is(lambda x: type(x) is ExcelError and x.code != "#N/A")
)
builtin("ISNA", params="v", errors_ok=True)(
    _is(lambda x: type(x) is ExcelError and x.code == "#N/A")
)
builtin("ISNUMBER", params="v", errors_ok=True)(_is(lambda x: type(x) is float))
builtin("ISTEXT", params="v", errors_ok=True)(_is(lambda x: type(x) is str))
builtin("ISNONTEXT", params="v", errors_ok=True)(_is(lambda x: type(x) is not str))
builtin("ISLOGICAL", params="v", errors_ok=True)(_is(lambda x: type(x) is bool))
builtin("ISBLANK", params="v", errors_ok=True)(_is(lambda x: x is None))


# --- lookup -----------------------------------------------------------------------------------

_WILD = re.compile(r"~([*?~])|([*?])|([^*?~]+|~)")


def _wildcard(pattern: str) -> re.Pattern[str]:
    parts = []
    for escaped, wild, plain in _WILD.findall(pattern):
        if escaped:
            parts.append(re.escape(escaped))
        elif wild:
            parts.append(".*" if wild == "*" else ".")
        else:
            parts.append(re.escape(plain))
    return re.compile("".join(parts), re.I | re.S)


def _same_kind(a: Any, b: Any) -> bool:
    return type(a) is type(b)


def _exact_match(value: Any, items: list[Any]) -> int:
    if type(value) is str and any(ch in value for ch in "*?~"):
        pattern = _wildcard(value)
        for i, item in enumerate(items):
            if type(item) is str and pattern.fullmatch(item):
                return i
        return -1
    for i, item in enumerate(items):
        if _same_kind(value, item) and compare(value, item) == 0:
            return i
    return -1


def _sorted_match(value: Any, items: list[Any], descending: bool) -> int:
    """Excel's approximate match: the last item <= value (ascending) or >= value (descending),
    among items of the value's type; -1 when none. Descending, the scan stops at the first
    equal item: ``MATCH(<blank>, {0;1;2;3;4}, -1)`` is 1 and ``MATCH(-1, {0;1;2;3;4}, -1)`` 5
    (Excel's cached values in pycel's lookup.xlsx)."""
    found = -1
    for i, item in enumerate(items):
        if not _same_kind(value, item):
            continue
        order = compare(item, value)
        if descending and order == 0:
            return i
        if (order <= 0 and not descending) or (order >= 0 and descending):
            found = i
        else:
            break
    return found


def _lookup_value(value: Any) -> Any:
    if type(value) is ExcelError:
        raise XlError(value)
    return 0.0 if value is None else value


@builtin("MATCH", params="vav", min_args=2)
def match(value: Any, lookup: Any, kind: Any = OMITTED) -> Any:
    items = vector(lookup)
    wanted = _lookup_value(value)
    mode = 1 if omitted(kind) else integer(kind)
    if mode == 0:
        i = _exact_match(wanted, items)
    else:
        i = _sorted_match(wanted, items, descending=mode < 0)
    if i < 0:
        return ExcelError("#N/A", "MATCH found no value")
    return float(i + 1)


def _table_lookup(value: Any, table: Any, index: Any, approximate: Any, by_row: bool) -> Any:
    arr = table if type(table) is Arr else Arr([[table]])
    wanted = _lookup_value(value)
    n = integer(index)
    width = arr.rows if by_row else arr.cols
    if n < 1:
        return VALUE
    if n > width:
        return ExcelError("#REF!", "the column index is past the table")
    keys = arr.values[0] if by_row else [row[0] for row in arr.values]
    loose = True if omitted(approximate) else boolean(approximate)
    i = _sorted_match(wanted, keys, False) if loose else _exact_match(wanted, keys)
    if i < 0:
        return ExcelError("#N/A", "lookup value not found")
    return arr.values[n - 1][i] if by_row else arr.values[i][n - 1]


@builtin("VLOOKUP", params="vavv", min_args=3)
def vlookup(value: Any, table: Any, index: Any, approximate: Any = OMITTED) -> Any:
    return _empty_zero(_table_lookup(value, table, index, approximate, by_row=False))


@builtin("HLOOKUP", params="vavv", min_args=3)
def hlookup(value: Any, table: Any, index: Any, approximate: Any = OMITTED) -> Any:
    return _empty_zero(_table_lookup(value, table, index, approximate, by_row=True))


def _empty_zero(value: Any) -> Any:
    return 0.0 if value is None else value


@builtin("TRANSPOSE", params="a")
def transpose(arr: Any) -> Any:
    if type(arr) is not Arr:
        return arr
    return Arr([list(col) for col in zip(*arr.values, strict=True)])


# --- conditional aggregates -----------------------------------------------------------------

_CRITERION = re.compile(r"^(<=|>=|<>|=|<|>)?(.*)$", re.S)
_ORDER_OPS = frozenset(("<", ">", "<=", ">="))


def criterion_number(op: str, operand: str) -> float | None:
    """The number a criterion's operand stands for: numeric text (``"5"``, ``"5%"``), or after
    an ordering operator a date or time as Excel reads it (``"<5/3/2011"``, en-US: LibreOffice
    countifs.fods row 36); ``None`` when it is text."""
    number = text_to_number(operand)
    if number is None and op in _ORDER_OPS and operand[:1].isdigit():
        from pyfuncs.formulas.builtins.dates import parse_date_text

        number = parse_date_text(operand)
    return number


def _as_number(v: Any) -> Any:
    """A cell as an equality criterion sees it: text that reads as a number is that number
    (``COUNTIF(r,"=5")`` counts the text "5" as well as 5, LibreOffice countif.fods rows
    46-52; Excel compares numbers stored as text as numbers, hence its known false matches of
    long digit strings at 15 significant digits)."""
    if type(v) is str:
        number = text_to_number(v)
        return v if number is None else number
    return v


def criterion(spec: Any) -> Callable[[Any], bool]:
    """A COUNTIF/SUMIF criterion (``5``, ``">=2"``, ``"<>x"``, ``"a*"``) as a test of a cell."""
    if type(spec) is ExcelError:
        raise XlError(spec)
    if spec is None:
        spec = 0.0
    if type(spec) is bool:
        return lambda v: type(v) is bool and v == spec
    if type(spec) is float:
        return lambda v: type(w := _as_number(v)) is float and compare(w, spec) == 0
    m = _CRITERION.match(spec)
    assert m is not None
    op, operand = m.group(1) or "", m.group(2)
    number = criterion_number(op, operand)
    if operand.upper() in ("TRUE", "FALSE"):
        target: Any = operand.upper() == "TRUE"
    elif number is not None:
        target = number
    else:
        target = operand
    if op in ("", "=") and type(target) is str:
        if operand == "":
            return (lambda v: v is None) if op == "=" else (lambda v: v is None or v == "")
        pattern = _wildcard(target)
        return lambda v: type(v) is str and pattern.fullmatch(v) is not None
    if op == "<>" and type(target) is str:
        if operand == "":
            # Any cell that is not empty, a formula's empty text included (LibreOffice
            # countif.fods row 45, tdf#148948; "<>" counts all but empty cells in Excel).
            return lambda v: v is not None
        pattern = _wildcard(target)
        return lambda v: not (type(v) is str and pattern.fullmatch(v) is not None)
    tests = {
        "": lambda o: o == 0,
        "=": lambda o: o == 0,
        "<>": lambda o: o != 0,
        "<": lambda o: o < 0,
        ">": lambda o: o > 0,
        "<=": lambda o: o <= 0,
        ">=": lambda o: o >= 0,
    }
    test = tests[op]
    equality = op in ("", "=", "<>") and type(target) is float

    def check(v: Any) -> bool:
        if equality:
            v = _as_number(v)
        if type(v) is not type(target):
            return op == "<>"
        return test(compare(v, target))

    return check


def _cells(arg: Any) -> list[Any]:
    return values_of(arg)


def _pairs(args: tuple[Any, ...]) -> list[bool]:
    """Cells meeting every (range, criterion) pair of a SUMIFS/COUNTIFS."""
    if len(args) % 2:
        raise XlError(VALUE)
    ranges = [_cells(args[i]) for i in range(0, len(args), 2)]
    tests = [criterion(args[i]) for i in range(1, len(args), 2)]
    size = len(ranges[0])
    if any(len(r) != size for r in ranges):
        raise XlError(ExcelError("#VALUE!", "criteria ranges differ in size"))
    return [all(t(r[k]) for r, t in zip(ranges, tests, strict=True)) for k in range(size)]


def _sum_where(values: list[Any], chosen: list[bool]) -> float:
    total = []
    for v, keep in zip(values, chosen, strict=False):
        if keep:
            if type(v) is ExcelError:
                raise XlError(v)
            if type(v) is float:
                total.append(v)
    return math.fsum(total)


@builtin("COUNTIF", params="rv")
def countif(cells: Any, spec: Any) -> Any:
    test = criterion(spec)
    return float(sum(1 for v in _cells(cells) if test(v)))


@builtin("SUMIF", params="rvr", min_args=2)
def sumif(cells: Any, spec: Any, sum_cells: Any = OMITTED) -> Any:
    test = criterion(spec)
    keys = _cells(cells)
    values = keys if omitted(sum_cells) or sum_cells is None else _cells(sum_cells)
    return checked(_sum_where(values, [test(v) for v in keys]))


@builtin("AVERAGEIF", params="rvr", min_args=2)
def averageif(cells: Any, spec: Any, avg_cells: Any = OMITTED) -> Any:
    test = criterion(spec)
    keys = _cells(cells)
    values = keys if omitted(avg_cells) or avg_cells is None else _cells(avg_cells)
    chosen = [test(v) and type(x) is float for v, x in zip(keys, values, strict=False)]
    count = sum(chosen)
    if not count:
        return DIV0
    return checked(_sum_where(values, chosen) / count)


@builtin("COUNTIFS", params="rv**", min_args=2)
def countifs(*args: Any) -> Any:
    return float(sum(_pairs(args)))


@builtin("SUMIFS", params="rrv**", min_args=3)
def sumifs(sum_cells: Any, *args: Any) -> Any:
    values = _cells(sum_cells)
    chosen = _pairs(args)
    if len(chosen) != len(values):
        return ExcelError("#VALUE!", "sum range and criteria ranges differ in size")
    return checked(_sum_where(values, chosen))


def _extreme(largest: bool):
    def extreme(values_cells: Any, *args: Any) -> Any:
        values = _cells(values_cells)
        chosen = _pairs(args)
        if len(chosen) != len(values):
            return ExcelError("#VALUE!", "the range and the criteria ranges differ in size")
        picked = []
        for v, keep in zip(values, chosen, strict=True):
            if keep:
                if type(v) is ExcelError:
                    raise XlError(v)
                if type(v) is float:
                    picked.append(v)
        if not picked:
            return 0.0
        return max(picked) if largest else min(picked)

    return extreme


builtin("MAXIFS", params="rrv**", min_args=3)(_extreme(True))
builtin("MINIFS", params="rrv**", min_args=3)(_extreme(False))


@builtin("AVERAGEIFS", params="rrv**", min_args=3)
def averageifs(avg_cells: Any, *args: Any) -> Any:
    values = _cells(avg_cells)
    chosen = _pairs(args)
    if len(chosen) != len(values):
        return ExcelError("#VALUE!", "average range and criteria ranges differ in size")
    keep = [c and type(v) is float for v, c in zip(values, chosen, strict=True)]
    if not any(keep):
        return DIV0
    return checked(_sum_where(values, keep) / sum(keep))


@builtin("IFS", params="vv**", min_args=2, errors_ok=True)
def ifs(*args: Any) -> Any:
    """The value after the first TRUE condition; none TRUE is #N/A (Microsoft, "IFS")."""
    if len(args) % 2:
        return ExcelError("#N/A", "IFS needs condition and value pairs")
    for i in range(0, len(args), 2):
        if type(args[i]) is ExcelError:
            return args[i]
        if boolean(args[i]):
            return args[i + 1]
    return ExcelError("#N/A", "IFS: no condition is TRUE")


@builtin("SWITCH", params="vvv*", min_args=3, errors_ok=True)
def switch(expression: Any, *args: Any) -> Any:
    """The result beside the first value equal to ``expression``, else the default (an odd
    last argument), else #N/A (Microsoft, "SWITCH function"). A blank cell is the number 0
    here: it matches 0 but neither FALSE nor "" (Excel's cached values in pycel's
    logical.xlsx: ``SWITCH(FALSE, <blank>, "match")`` and ``SWITCH(<blank>, "", "match")`` are
    #N/A)."""
    if type(expression) is ExcelError:
        return expression
    if expression is None:
        expression = 0.0
    for i in range(0, len(args) - 1, 2):
        candidate = 0.0 if args[i] is None else args[i]
        if type(candidate) is ExcelError:
            return candidate
        if type(candidate) is type(expression) and compare(candidate, expression) == 0:
            return args[i + 1]
    if len(args) % 2:
        return args[-1]
    return ExcelError("#N/A", "SWITCH: no value matches")
