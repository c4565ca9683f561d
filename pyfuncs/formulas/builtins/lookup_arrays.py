"""Lookup and dynamic-array built-ins (Microsoft's page of each function): LOOKUP, XLOOKUP,
XMATCH, SEQUENCE, FILTER, SORT, SORTBY, UNIQUE.

Matching follows Excel: a number never equals text; text compares ignoring case; XLOOKUP's
``match_mode`` is 0 exact, -1 exact or next smaller, 1 exact or next larger, 2 wildcards
(``*``, ``?``, ``~``); ``search_mode`` 1 first to last, -1 last to first, 2 and -2 binary search
of ascending and descending data. A blank cell in a result array comes back as 0, as Excel
spills it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import (
    OMITTED,
    builtin,
    integer,
    omitted,
    optional,
    optional_bool,
)
from pyfuncs.formulas.builtins.text import wildcard_regex
from pyfuncs.formulas.values import NA, Arr, XlError, boolean, compare, num, text

CALC_EMPTY = ExcelError("#CALC!", "the result is empty")


def _given(value: Any) -> bool:
    """The dynamic-array functions read an empty argument as left out: ``SORT(A1:B9,,-1)``
    sorts by the first column, ``XLOOKUP(x,a,b,,2)`` is #N/A when nothing matches."""
    return not (omitted(value) or value is None)


def _opt(value: Any, default: float) -> float:
    return optional(value, default) if _given(value) else default


def _grid(arg: Any) -> Arr:
    return arg if type(arg) is Arr else Arr([[arg]])


def _blank_zero(v: Any) -> Any:
    return 0.0 if v is None else v


def _wanted(value: Any) -> Any:
    if type(value) is ExcelError:
        raise XlError(value)
    return 0.0 if value is None else value


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and compare(a, b) == 0


def find_position(wanted: Any, items: list[Any], match_mode: int, search_mode: int) -> int:
    """0-based position of XLOOKUP/XMATCH's match in ``items``, or -1."""
    if match_mode not in (-1, 0, 1, 2) or search_mode not in (-2, -1, 1, 2):
        raise XlError(ExcelError("#VALUE!", "match_mode or search_mode out of range"))
    if abs(search_mode) == 2:
        return _binary(wanted, items, match_mode, descending=search_mode < 0)
    order = range(len(items)) if search_mode == 1 else range(len(items) - 1, -1, -1)
    if match_mode == 2 and type(wanted) is str:
        pattern = wildcard_regex(wanted)
        return next((i for i in order if type(items[i]) is str and pattern.fullmatch(items[i])), -1)
    best = -1
    for i in order:
        item = items[i]
        if type(item) is not type(wanted):
            continue
        c = compare(item, wanted)
        if c == 0:
            return i
        if match_mode == -1 and c < 0 and (best < 0 or compare(item, items[best]) > 0):
            best = i
        if match_mode == 1 and c > 0 and (best < 0 or compare(item, items[best]) < 0):
            best = i
    return best


def _binary(wanted: Any, items: list[Any], match_mode: int, descending: bool) -> int:
    low, high = 0, len(items) - 1
    below = above = -1  # positions of the nearest smaller and larger items seen
    while low <= high:
        mid = (low + high) // 2
        item = items[mid]
        c = (
            compare(item, wanted)
            if type(item) is type(wanted)
            else (-1 if type(item) is float else 1)
        )
        if c == 0:
            return mid
        if c < 0:
            below = mid
        else:
            above = mid
        if (c < 0) != descending:
            low = mid + 1
        else:
            high = mid - 1
    if match_mode == -1:
        return below
    if match_mode == 1:
        return above
    return -1


@builtin("XLOOKUP", params="vaavvv", min_args=3, errors_ok=True)
def xlookup(
    value: Any,
    lookup: Any,
    result: Any,
    if_not_found: Any = OMITTED,
    match_mode: Any = OMITTED,
    search_mode: Any = OMITTED,
) -> Any:
    """The item of ``result`` beside the match of ``value`` in ``lookup`` (a row or column);
    a 2-D ``result`` gives the whole row (or column) of the match."""
    keys, res = _grid(lookup), _grid(result)
    if keys.rows > 1 and keys.cols > 1:
        return ExcelError("#VALUE!", "XLOOKUP's lookup array must be one row or one column")
    by_rows = keys.cols == 1 and not (keys.rows == 1 and res.rows == 1 and res.cols > 1)
    items = [row[0] for row in keys.values] if by_rows else keys.values[0]
    if (res.rows if by_rows else res.cols) != len(items):
        return ExcelError("#VALUE!", "XLOOKUP's lookup and return arrays differ in size")
    mm = integer(_opt(match_mode, 0.0))
    sm = integer(_opt(search_mode, 1.0))
    i = find_position(_wanted(value), items, mm, sm)
    if i < 0:
        if not _given(if_not_found):
            return ExcelError("#N/A", "XLOOKUP found no match")
        return if_not_found
    if by_rows:
        row = res.values[i]
        return _blank_zero(row[0]) if len(row) == 1 else Arr([[_blank_zero(v) for v in row]])
    column = [r[i] for r in res.values]
    return _blank_zero(column[0]) if len(column) == 1 else Arr([[_blank_zero(v)] for v in column])


@builtin("XMATCH", params="vavv", min_args=2)
def xmatch(value: Any, lookup: Any, match_mode: Any = OMITTED, search_mode: Any = OMITTED) -> Any:
    keys = _grid(lookup)
    if keys.rows > 1 and keys.cols > 1:
        return ExcelError("#VALUE!", "XMATCH's lookup array must be one row or one column")
    i = find_position(
        _wanted(value),
        keys.flat(),
        integer(_opt(match_mode, 0.0)),
        integer(_opt(search_mode, 1.0)),
    )
    if i < 0:
        return ExcelError("#N/A", "XMATCH found no match")
    return float(i + 1)


@builtin("LOOKUP", params="vaa", min_args=2)
def lookup(value: Any, vector: Any, result: Any = OMITTED) -> Any:
    """LOOKUP's vector form (the last item <= value in sorted ``vector``, and the item in the
    same position of ``result``) and array form (search the first row or column, whichever is
    longer, return from the last one)."""
    keys = _grid(vector)
    wanted = _wanted(value)
    if omitted(result):
        if keys.cols > keys.rows:
            items, out = keys.values[0], keys.values[-1]
        else:
            items, out = [r[0] for r in keys.values], [r[-1] for r in keys.values]
    else:
        # A lookup range of several rows and columns is searched along its longer side, as
        # the array form is (LibreOffice lookup.fods rows 414-446: a 2x5 range, its first row).
        wide = keys.rows == 1 or (keys.cols > keys.rows)
        items = keys.values[0] if wide else [r[0] for r in keys.values]
        results = _grid(result)
        if results.rows > 1 and results.cols > 1:
            # A result range of several rows and columns: #N/A (Excel's cached value in
            # pycel's lookup.xlsx for LOOKUP(2,B5:C9,E5:F9)).
            return ExcelError("#N/A", "LOOKUP's result range must be one row or one column")
        out = results.flat()
    found = -1
    for i, item in enumerate(items):
        if type(item) is not type(wanted):
            continue
        if compare(item, wanted) <= 0:
            found = i
        else:
            break
    if found < 0:
        return ExcelError("#N/A", "LOOKUP: no value is less than or equal to the lookup value")
    if found >= len(out):
        return NA
    return _blank_zero(out[found])


@builtin("SEQUENCE", params="vvvv", min_args=1)
def sequence(rows: Any, cols: Any = OMITTED, start: Any = OMITTED, step: Any = OMITTED) -> Any:
    r, c = integer(rows), integer(_opt(cols, 1.0))
    first, by = _opt(start, 1.0), _opt(step, 1.0)
    if r < 0 or c < 0:
        return ExcelError("#VALUE!", "SEQUENCE needs a positive size")
    if r == 0 or c == 0:
        return CALC_EMPTY
    if r * c > 1_048_576 * 16_384:
        return ExcelError("#NUM!", "SEQUENCE too large")
    return Arr([[first + (i * c + j) * by for j in range(c)] for i in range(r)])


def _truthy(v: Any) -> bool:
    if type(v) is ExcelError:
        raise XlError(v)
    if type(v) is str:
        raise XlError(ExcelError("#VALUE!", "FILTER's include must be TRUE/FALSE or numbers"))
    return bool(v) if v is not None else False


@builtin("FILTER", params="aav", min_args=2, errors_ok=True)
def filter_(array: Any, include: Any, if_empty: Any = OMITTED) -> Any:
    data, keep = _grid(array), _grid(include)
    if keep.cols == 1 and keep.rows == data.rows:
        rows = [row for row, k in zip(data.values, keep.values, strict=True) if _truthy(k[0])]
        out = rows
    elif keep.rows == 1 and keep.cols == data.cols:
        picks = [j for j, k in enumerate(keep.values[0]) if _truthy(k)]
        out = [[row[j] for j in picks] for row in data.values] if picks else []
    else:
        return ExcelError("#VALUE!", "FILTER's include must match the array's rows or columns")
    if not out or not out[0]:
        return CALC_EMPTY if not _given(if_empty) else if_empty
    return Arr([[_blank_zero(v) for v in row] for row in out])


def _sort_key(v: Any) -> tuple[int, Any]:
    """Excel's sort order: numbers, text (ignoring case), FALSE, TRUE, errors, blanks."""
    if type(v) is float:
        return (0, v)
    if type(v) is str:
        return (1, v.casefold())
    if type(v) is bool:
        return (2, v)
    if type(v) is ExcelError:
        return (3, 0)
    return (4, 0)


def _order(keys: list[list[Any]], ascending: list[bool]) -> list[int]:
    def cmp(a: int, b: int) -> int:
        for column, up in zip(keys, ascending, strict=True):
            ka, kb = _sort_key(column[a]), _sort_key(column[b])
            if ka == kb:
                continue
            if ka[0] == 4 or kb[0] == 4:  # blanks last either way
                return 1 if ka[0] == 4 else -1
            less = ka < kb
            return (-1 if less else 1) if up else (1 if less else -1)
        return 0

    return sorted(range(len(keys[0])), key=functools.cmp_to_key(cmp))


def _direction(value: Any) -> bool:
    d = integer(value)
    if d not in (1, -1):
        raise XlError(ExcelError("#VALUE!", "sort order must be 1 or -1"))
    return d == 1


@builtin("SORT", params="avvv", min_args=1)
def sort(array: Any, index: Any = OMITTED, order: Any = OMITTED, by_col: Any = OMITTED) -> Any:
    data = _grid(array)
    columns = optional_bool(by_col, False) if _given(by_col) else False
    lines = [list(c) for c in zip(*data.values, strict=True)] if columns else data.values
    k = integer(_opt(index, 1.0))
    width = len(lines[0])
    if not 1 <= k <= width:
        return ExcelError("#VALUE!", "SORT index outside the array")
    up = _direction(_opt(order, 1.0))
    picked = [lines[i] for i in _order([[line[k - 1] for line in lines]], [up])]
    out = [list(c) for c in zip(*picked, strict=True)] if columns else picked
    return Arr([[_blank_zero(v) for v in row] for row in out])


@builtin("SORTBY", params="aav**", min_args=2)
def sortby(array: Any, *pairs: Any) -> Any:
    data = _grid(array)
    keys, ups = [], []
    by_rows = True
    for i in range(0, len(pairs), 2):
        by = _grid(pairs[i])
        if by.cols == 1 and by.rows == data.rows:
            keys.append([r[0] for r in by.values])
        elif by.rows == 1 and by.cols == data.cols:
            keys.append(by.values[0])
            by_rows = False
        else:
            return ExcelError("#VALUE!", "SORTBY's by_array must match the array")
        ups.append(_direction(pairs[i + 1]) if i + 1 < len(pairs) else True)
    order = _order(keys, ups)
    if by_rows:
        out = [data.values[i] for i in order]
    else:
        out = [[row[i] for i in order] for row in data.values]
    return Arr([[_blank_zero(v) for v in row] for row in out])


def _identity(line: list[Any]) -> tuple[Any, ...]:
    return tuple(v.casefold() if type(v) is str else (0.0 if v is None else v) for v in line)


@builtin("UNIQUE", params="avv", min_args=1)
def unique(array: Any, by_col: Any = OMITTED, exactly_once: Any = OMITTED) -> Any:
    data = _grid(array)
    columns = optional_bool(by_col, False) if _given(by_col) else False
    once = optional_bool(exactly_once, False) if _given(exactly_once) else False
    lines = [list(c) for c in zip(*data.values, strict=True)] if columns else data.values
    counts: dict[tuple[Any, ...], int] = {}
    first: dict[tuple[Any, ...], list[Any]] = {}
    for line in lines:
        key = _identity(line)
        counts[key] = counts.get(key, 0) + 1
        first.setdefault(key, line)
    kept = [first[k] for k in first if not once or counts[k] == 1]
    if not kept:
        return CALC_EMPTY
    out = [list(c) for c in zip(*kept, strict=True)] if columns else kept
    return Arr([[_blank_zero(v) for v in row] for row in out])


__all__ = ["boolean", "num"]


# --- ADDRESS ---------------------------------------------------------------------------------

_PLAIN_SHEET = re.compile(r"(?:\[[^\]]+\])?[^\W\d][\w.]*")


@builtin("ADDRESS", params="vvvvv", min_args=2)
def address(
    row: Any, col: Any, abs_num: Any = OMITTED, a1: Any = OMITTED, sheet: Any = OMITTED
) -> Any:
    """A cell's address as text: ``ADDRESS(2,3)`` is ``$C$2``, ``ADDRESS(77,300)`` ``$KN$77``,
    ``ADDRESS(2,3,2,FALSE)`` ``R2C[3]``, ``ADDRESS(2,3,1,FALSE,"EXCEL SHEET")``
    ``'EXCEL SHEET'!R2C3`` (Microsoft's ADDRESS page); abs_num 1 absolute, 2 absolute row,
    3 absolute column, 4 relative; an empty a1 is A1 style (ECMA-376 Part 4's
    ``ADDRESS(5,7,,,"Sheet1")`` is ``Sheet1!$G$5``). A row or column below 1 or past the grid,
    or an abs_num outside 1-4, is an error: #VALUE! here, as we believe Excel shows it
    (ECMA-376 Part 4 documents #NUM!; LibreOffice's address.fods checks only for an error). A
    sheet name that is not a plain name (spaces, punctuation, a leading digit) is quoted, its
    quotes doubled.
    """
    from pyfuncs.xlsx.sheet_xml import col_letters

    r, c = integer(row), integer(col)
    kind = integer(abs_num) if _given(abs_num) else 1
    if not (1 <= r <= 1_048_576 and 1 <= c <= 16_384 and 1 <= kind <= 4):
        return ExcelError("#VALUE!", "ADDRESS: row, column or abs_num out of range")
    row_absolute, col_absolute = kind in (1, 2), kind in (1, 3)
    if not _given(a1) or boolean(a1):  # left out or empty: A1 style
        ref = f"{'$' if col_absolute else ''}{col_letters(c)}{'$' if row_absolute else ''}{r}"
    else:
        ref = f"R{r if row_absolute else f'[{r}]'}C{c if col_absolute else f'[{c}]'}"
    if omitted(sheet):
        return ref
    name = text(sheet)
    if name == "":
        return f"!{ref}"
    if not _PLAIN_SHEET.fullmatch(name):
        name = "'" + name.replace("'", "''") + "'"
    return f"{name}!{ref}"


# --- reshaping arrays: VSTACK, HSTACK, TAKE, DROP, CHOOSECOLS, CHOOSEROWS, TOCOL, TOROW, EXPAND,
# WRAPROWS, WRAPCOLS (Microsoft's page of each function). A missing part of a stacked, expanded or
# wrapped result is #N/A unless pad_with says otherwise; a result with no cells is #CALC!.


def _rows_of(arg: Any) -> list[list[Any]]:
    return [[_blank_zero(v) for v in row] for row in _grid(arg).values]


def _padded(rows: list[list[Any]], width: int, pad: Any) -> list[list[Any]]:
    return [row + [pad] * (width - len(row)) for row in rows]


def _pad_value(pad_with: Any) -> Any:
    return pad_with if _given(pad_with) else NA


@builtin("VSTACK", params="a*", min_args=1, errors_ok=True)
def vstack(*arrays: Any) -> Any:
    """The arrays one below another, as wide as the widest, padded with #N/A."""
    blocks = [_rows_of(a) for a in arrays]
    width = max(len(b[0]) for b in blocks)
    return Arr([row for b in blocks for row in _padded(b, width, NA)])


@builtin("HSTACK", params="a*", min_args=1, errors_ok=True)
def hstack(*arrays: Any) -> Any:
    """The arrays side by side, as tall as the tallest, padded with #N/A."""
    blocks = [_rows_of(a) for a in arrays]
    height = max(len(b) for b in blocks)
    out: list[list[Any]] = [[] for _ in range(height)]
    for b in blocks:
        width = len(b[0])
        for i in range(height):
            out[i].extend(b[i] if i < len(b) else [NA] * width)
    return Arr(out)


def _count(value: Any) -> int | None:
    """A TAKE/DROP/EXPAND count, or None when left out or empty."""
    return integer(value) if _given(value) else None


def _taken(items: list[Any], n: int | None) -> list[Any]:
    if n is None:
        return items
    return items[:n] if n >= 0 else items[max(len(items) + n, 0) :]


def _dropped(items: list[Any], n: int | None) -> list[Any]:
    if n is None:
        return items
    return items[n:] if n >= 0 else items[: max(len(items) + n, 0)]


@builtin("TAKE", params="avv", min_args=2, errors_ok=True)
def take(array: Any, rows: Any, columns: Any = OMITTED) -> Any:
    """The first ``rows`` rows and ``columns`` columns (the last ones when negative); 0 is
    #CALC!, a count past the array takes all of it."""
    r, c = _count(rows), _count(columns)
    if r == 0 or c == 0:
        return CALC_EMPTY
    out = [_taken(row, c) for row in _taken(_rows_of(array), r)]
    return Arr(out)


@builtin("DROP", params="avv", min_args=2, errors_ok=True)
def drop(array: Any, rows: Any, columns: Any = OMITTED) -> Any:
    """All but the first ``rows`` rows and ``columns`` columns (the last ones when negative);
    dropping every row or column is #CALC!."""
    out = [_dropped(row, _count(columns)) for row in _dropped(_rows_of(array), _count(rows))]
    if not out or not out[0]:
        return CALC_EMPTY
    return Arr(out)


def _picks(numbers: tuple[Any, ...], size: int, what: str) -> list[int]:
    """0-based positions of CHOOSECOLS/CHOOSEROWS' numbers (negative from the end); 0 or a
    number past the array is #VALUE!."""
    out = []
    for arg in numbers:
        for v in _grid(arg).flat():
            if type(v) is ExcelError:
                raise XlError(v)
            n = integer(v)
            if n == 0 or abs(n) > size:
                raise XlError(ExcelError("#VALUE!", f"{what} {n} is outside the array"))
            out.append(n - 1 if n > 0 else size + n)
    return out


@builtin("CHOOSECOLS", params="aa*", min_args=2, errors_ok=True)
def choosecols(array: Any, *col_nums: Any) -> Any:
    rows = _rows_of(array)
    picks = _picks(col_nums, len(rows[0]), "column")
    return Arr([[row[j] for j in picks] for row in rows])


@builtin("CHOOSEROWS", params="aa*", min_args=2, errors_ok=True)
def chooserows(array: Any, *row_nums: Any) -> Any:
    rows = _rows_of(array)
    return Arr([list(rows[i]) for i in _picks(row_nums, len(rows), "row")])


def _scanned(array: Any, ignore: Any, scan_by_column: Any) -> list[Any]:
    """TOCOL/TOROW's values: by rows (by columns if asked), ignore 0 keeps all, 1 skips blanks,
    2 errors, 3 both; blanks kept are 0."""
    how = integer(_opt(ignore, 0.0))
    if how not in (0, 1, 2, 3):
        raise XlError(ExcelError("#VALUE!", "ignore must be 0, 1, 2 or 3"))
    data = _grid(array).values
    by_col = optional_bool(scan_by_column, False) if _given(scan_by_column) else False
    lines = [list(c) for c in zip(*data, strict=True)] if by_col else data
    out = []
    for v in (v for line in lines for v in line):
        if (v is None and how in (1, 3)) or (type(v) is ExcelError and how in (2, 3)):
            continue
        out.append(_blank_zero(v))
    return out


@builtin("TOCOL", params="avv", min_args=1, errors_ok=True)
def tocol(array: Any, ignore: Any = OMITTED, scan_by_column: Any = OMITTED) -> Any:
    items = _scanned(array, ignore, scan_by_column)
    return Arr([[v] for v in items]) if items else CALC_EMPTY


@builtin("TOROW", params="avv", min_args=1, errors_ok=True)
def torow(array: Any, ignore: Any = OMITTED, scan_by_column: Any = OMITTED) -> Any:
    items = _scanned(array, ignore, scan_by_column)
    return Arr([items]) if items else CALC_EMPTY


@builtin("EXPAND", params="avvv", min_args=2, errors_ok=True)
def expand(array: Any, rows: Any, columns: Any = OMITTED, pad_with: Any = OMITTED) -> Any:
    """The array grown to ``rows`` x ``columns`` (left out or empty: as it is), padded with
    ``pad_with`` (#N/A); a size below the array's is #VALUE!."""
    data = _rows_of(array)
    r, c = _count(rows), _count(columns)
    height = len(data) if r is None else r
    width = len(data[0]) if c is None else c
    if height < len(data) or width < len(data[0]):
        return ExcelError("#VALUE!", "EXPAND cannot make the array smaller")
    pad = _pad_value(pad_with)
    out = _padded(data, width, pad) + [[pad] * width for _ in range(height - len(data))]
    return Arr(out)


def _wrapped(vector: Any, wrap_count: Any, pad_with: Any) -> list[list[Any]]:
    data = _grid(vector)
    if data.rows > 1 and data.cols > 1:
        raise XlError(ExcelError("#VALUE!", "the vector must be one row or one column"))
    n = integer(wrap_count)
    if n < 1:
        raise XlError(ExcelError("#NUM!", "wrap_count must be at least 1"))
    items = [_blank_zero(v) for v in data.flat()]
    pieces = [items[i : i + n] for i in range(0, len(items), n)]
    return _padded(pieces, n, _pad_value(pad_with))


@builtin("WRAPROWS", params="avv", min_args=2, errors_ok=True)
def wraprows(vector: Any, wrap_count: Any, pad_with: Any = OMITTED) -> Any:
    """A row or column wrapped into rows of ``wrap_count`` values, the last padded (#N/A)."""
    return Arr(_wrapped(vector, wrap_count, pad_with))


@builtin("WRAPCOLS", params="avv", min_args=2, errors_ok=True)
def wrapcols(vector: Any, wrap_count: Any, pad_with: Any = OMITTED) -> Any:
    """A row or column wrapped into columns of ``wrap_count`` values, the last padded (#N/A)."""
    return Arr([list(c) for c in zip(*_wrapped(vector, wrap_count, pad_with), strict=True)])
