"""``pyfuncs.call``: dispatch any catalogue function by name on Excel values.

The one entry point every face uses (xlwings, the function server, the headless workbook
engine). Its contract:

- ``name`` in any spelling: ``"GPU.DSCR"``, ``"GPU_DSCR"``, ``"_xldudf_GPU_DSCR"``, ``"dscr"``.
- Each argument an Excel value: a number, string, bool, ``None`` (blank or omitted) or a 2-D list
  of rows; returns a scalar or a 2-D list.
- Errors are values: an :class:`~pyfuncs.errors.ExcelError` with a code and a one-line reason,
  returned as the result or inside a 2-D result. ``call`` never raises on bad input.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import is_dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from pyfuncs._checks import MAX_CELLS
from pyfuncs.catalogue import Arg, FunctionSpec, lookup
from pyfuncs.errors import ExcelError, GpuCreditError
from pyfuncs.excel import costs
from pyfuncs.excel.scalar_fast import fast_form, scalar_plan
from pyfuncs.excel.values import (
    CellTypeError,
    first_error,
    grid_shape,
    normalize_cell,
    to_excel,
    to_grid,
)

log = logging.getLogger("gpucredit")


class _StopCallError(Exception):
    """Abandon a call with this Excel error value (bad argument, or an error value passed in)."""

    def __init__(self, error: ExcelError) -> None:
        super().__init__(str(error))
        self.error = error


def _value_error(reason: str) -> _StopCallError:
    return _StopCallError(ExcelError("#VALUE!", reason))


@lru_cache(maxsize=1024)
def _spec(name: str) -> FunctionSpec | None:
    return lookup(name)


def call(name: str, *args: Any) -> Any:
    """Evaluate the catalogue function ``name`` on Excel values.

    Parameters
    ----------
    name : str
        Function name in any spelling Excel or a user may use.
    *args
        Excel values in the catalogue's argument order; trailing optional ones may be left out.

    Returns
    -------
    float, str, bool, None, ExcelError, or list of lists of those
        A scalar for scalar results, rows for columns and tables; errors as values.
    """
    spec, answer = _answer_without_numpy(name, args)
    if spec is None or answer is not _NOT_FAST:
        return answer
    with np.errstate(all="ignore"):
        return _call_spec(spec, args)


def _answer_without_numpy(name: Any, args: Any) -> tuple[FunctionSpec | None, Any]:
    """``(spec, answer)``: ``#NAME?`` (and no spec) for an unknown name, the plain-Python
    answer of a scalar call, or ``_NOT_FAST`` when the call needs the general path."""
    try:
        spec = _spec(str(name))
    except Exception:  # a name that cannot even be read as text
        spec = None
    if spec is None:
        return None, ExcelError("#NAME?", f"unknown function {str(name)[:60]!r}")
    return spec, _scalar_fast(spec, args)


@contextmanager
def batch_scope() -> Iterator[None]:
    """numpy's floating-point warnings off once for many :func:`call_in_batch` calls (entering
    ``np.errstate`` costs about a microsecond, as much as a scalar call's whole math)."""
    with np.errstate(all="ignore"):
        yield


def call_in_batch(name: str, args: list[Any] | tuple[Any, ...]) -> Any:
    """:func:`call` of ``name`` on ``args``, inside :func:`batch_scope` (the function server's
    batches): the same answer, without entering ``np.errstate`` once a call."""
    spec, answer = _answer_without_numpy(name, args)
    if spec is None or answer is not _NOT_FAST:
        return answer
    return _call_spec(spec, args)


def _call_spec(spec: FunctionSpec, args: tuple[Any, ...] | list[Any]) -> Any:
    """The call of a known function (numpy's warnings already off), errors as values."""
    args = tuple(args)
    try:
        if spec.result.kind == "elementwise":
            return _call_elementwise(spec, args)
        return _call_whole(spec, args)
    except _StopCallError as stop:
        return stop.error
    except GpuCreditError as exc:
        return ExcelError.from_exception(exc)
    except Exception as exc:  # a bug must never reach a cell as a traceback
        log.exception("internal error in %s", spec.name)
        return ExcelError("#VALUE!", f"internal error in {spec.name}: {type(exc).__name__}")


_NOT_FAST = object()
#: Registry name -> (the function it was planned for, its plan or None): see :func:`_scalar_fast`.
_PLANS: dict[str, tuple[Any, Any]] = {}


def _scalar_fast(spec: FunctionSpec, args: tuple[Any, ...] | list[Any]) -> Any:
    """The answer of an element-wise call whose arguments are all plain numbers, in plain Python
    (:mod:`pyfuncs.excel.scalar_fast`), or ``_NOT_FAST`` for any other call.

    The same answer as the general path below, which for such a call converts each number to a
    float, fills omitted optional arguments with their defaults and calls the same plain-Python
    form: anything else (a range, text, a bool, a blank, an omitted required argument, too many
    arguments, a replaced registry entry) takes the general path.
    """
    cached = _PLANS.get(spec.name)
    if cached is None or cached[0] is not spec.func:
        cached = _PLANS[spec.name] = (spec.func, scalar_plan(spec))
    plan = cached[1]
    if plan is None or len(args) > len(plan.names):
        return _NOT_FAST
    values = list(plan.defaults)
    for i, raw in enumerate(args):
        kind = type(raw)
        if kind is float:
            values[i] = raw
        elif kind is int:
            try:
                values[i] = float(raw)
            except OverflowError:
                return _NOT_FAST
        else:
            return _NOT_FAST
    if None in values:  # a required argument left out: the general path says which
        return _NOT_FAST
    try:
        return to_excel(plan.fast(*values))
    except GpuCreditError as exc:
        return ExcelError.from_exception(exc)


def _check_arity(spec: FunctionSpec, args: tuple[Any, ...]) -> None:
    if len(args) > len(spec.args):
        raise _value_error(f"{spec.name} takes at most {len(spec.args)} arguments, got {len(args)}")


def _bound(spec: FunctionSpec, args: tuple[Any, ...]) -> list[tuple[Arg, Any]]:
    _check_arity(spec, args)
    return [(arg, args[i] if i < len(args) else None) for i, arg in enumerate(spec.args)]


def _grid(arg: Arg, raw: Any) -> list[list[Any]] | None:
    if isinstance(raw, list | tuple) and raw and isinstance(raw[0], list | tuple):
        cells = sum(len(row) for row in raw)
        if cells > MAX_CELLS:
            raise _value_error(f"{arg.name} has {cells:,} cells, more than {MAX_CELLS:,}")
    try:
        grid = to_grid(raw)
        if grid is not None:
            grid_shape(grid)  # rectangular, or CellTypeError
        return grid
    except CellTypeError as exc:
        raise _value_error(f"{arg.name}: {exc}") from None


def _cell(arg: Arg, raw: Any) -> Any:
    """The single cell of a one-cell argument (a 1x1 range counts as one cell)."""
    grid = _grid(arg, raw)
    if grid is None:
        try:
            return normalize_cell(raw)
        except CellTypeError as exc:
            raise _value_error(f"{arg.name}: {exc}") from None
    rows, cols = grid_shape(grid)
    if rows * cols == 1:
        return grid[0][0]
    if rows * cols == 0:
        return None
    raise _value_error(f"{arg.name} must be a single cell, got a {rows}x{cols} range")


def _describe(cell: Any) -> str:
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, str):
        return f"text {cell[:30]!r}"
    return repr(cell)


def _convert(arg: Arg, raw: Any) -> Any:
    """A bound argument in the form the Python function takes."""
    if arg.kind == "range":
        return _vector(arg, raw)
    if arg.kind == "keyvalue":
        return _key_values(arg, raw)
    cell = _cell(arg, raw)
    if type(cell) is ExcelError:
        raise _StopCallError(cell)
    if cell is None:
        if arg.optional:
            return arg.default
        raise _value_error(f"{arg.name} is required")
    if arg.kind in ("number", "integer"):
        if type(cell) is not float:
            raise _value_error(f"{arg.name} must be a number, got {_describe(cell)}")
        return cell
    if arg.kind == "text":
        if not isinstance(cell, str):
            raise _value_error(f"{arg.name} must be text, got {_describe(cell)}")
        for choice in arg.choices:
            if cell.strip().lower() == choice.lower():
                return choice
        if arg.choices:
            options = ", ".join(f'"{c}"' for c in arg.choices)
            raise _value_error(f"{arg.name} must be one of {options}, got {cell[:30]!r}")
        return cell
    # bool and headers
    if isinstance(cell, bool):
        return cell
    if type(cell) is float:
        return cell != 0.0
    if isinstance(cell, str) and cell.strip().upper() in ("TRUE", "FALSE"):
        return cell.strip().upper() == "TRUE"
    raise _value_error(f"{arg.name} must be TRUE or FALSE, got {_describe(cell)}")


def _vector(arg: Arg, raw: Any) -> Any:
    """A row or column of numbers as a 1-D float array (blanks handled per ``arg.blanks``)."""
    grid = _grid(arg, raw)
    if grid is None:
        cells = [_cell(arg, raw)]
    else:
        rows, cols = grid_shape(grid)
        if rows > 1 and cols > 1:
            raise _value_error(f"{arg.name} must be one row or one column, got {rows}x{cols}")
        cells = [c for row in grid for c in row]
    error = first_error(cells)
    if error is not None:
        raise _StopCallError(error)
    if arg.blanks == "drop":
        cells = [c for c in cells if c is not None]
    else:
        start, stop = 0, len(cells)
        while start < stop and cells[start] is None:
            start += 1
        while stop > start and cells[stop - 1] is None:
            stop -= 1
        cells = cells[start:stop]
        if any(c is None for c in cells):
            position = cells.index(None) + start + 1
            raise _value_error(f"{arg.name} has a blank cell inside the range (cell {position})")
    if not cells:
        if arg.optional:
            return arg.default
        raise _value_error(f"{arg.name} is empty")
    for position, cell in enumerate(cells, start=1):
        if type(cell) is not float:
            raise _value_error(f"{arg.name} must be numbers; cell {position} is {_describe(cell)}")
    return np.array(cells, dtype=np.float64)


def _key_values(arg: Arg, raw: Any) -> dict[str, Any]:
    """A two-column range of names and values as an ordered dict (blank rows skipped)."""
    grid = _grid(arg, raw)
    if grid is None:
        if raw is None and arg.optional:
            return arg.default
        raise _value_error(f"{arg.name} must be a two-column range of names and values")
    _, cols = grid_shape(grid)
    if cols != 2:
        raise _value_error(f"{arg.name} must have two columns (name, value), got {cols}")
    pairs: dict[str, Any] = {}
    for number, (key, value) in enumerate(grid, start=1):
        if key is None and value is None:
            continue
        if not isinstance(key, str):
            raise _value_error(f"{arg.name} row {number}: the name must be text")
        if type(value) is ExcelError:
            raise _StopCallError(value)
        name = key.strip()
        if name.lower() in (k.lower() for k in pairs):
            raise _value_error(f"{arg.name}: {name!r} is given twice")
        pairs[name] = value
    return pairs


class Prepared:
    """A call of a function of whole arguments with its arguments converted: ``kwargs`` as the
    Python function takes them, and whether a table result starts with its ``headers``."""

    __slots__ = ("headers", "kwargs", "spec")

    def __init__(self, spec: FunctionSpec, kwargs: dict[str, Any], headers: bool) -> None:
        self.spec = spec
        self.kwargs = kwargs
        self.headers = headers


def prepare(spec: FunctionSpec, args: tuple[Any, ...]) -> Prepared:
    """The arguments of a whole-argument call converted (raises ``_StopCallError`` for a bad
    argument, with the ``#VALUE!`` it answers)."""
    kwargs: dict[str, Any] = {}
    headers = False
    for arg, raw in _bound(spec, args):
        if arg.kind == "headers":
            headers = _convert(arg, raw)
        else:
            kwargs[arg.name] = _convert(arg, raw)
    return Prepared(spec, kwargs, headers)


def _call_whole(spec: FunctionSpec, args: tuple[Any, ...]) -> Any:
    prepared = prepare(spec, args)
    costs.check(spec, prepared.kwargs)  # refused before anything is allocated (costs.py)
    return _run(prepared)


def _run(prepared: Prepared) -> Any:
    result = prepared.spec.func(**prepared.kwargs)
    return format_result(prepared.spec, result, prepared.headers)


def call_prepared(prepared: Prepared, cost: costs.Cost) -> Any:
    """The answer of a call :func:`pyfuncs.excel.costs.price_call` converted and priced
    (``cost``), inside :func:`batch_scope`: what :func:`call` answers, without converting the
    arguments or pricing the call a second time (refused over a limit as :func:`call` is)."""
    spec = prepared.spec
    try:
        costs.refuse_over(spec, cost)
        return _run(prepared)
    except _StopCallError as stop:
        return stop.error
    except GpuCreditError as exc:
        return ExcelError.from_exception(exc)
    except Exception as exc:  # as _call_spec
        log.exception("internal error in %s", spec.name)
        return ExcelError("#VALUE!", f"internal error in {spec.name}: {type(exc).__name__}")


def format_result(spec: FunctionSpec, result: Any, headers: bool = False) -> Any:
    """A Python result as Excel values: a scalar, a column of rows, or table rows."""
    kind = spec.result.kind
    if kind == "scalar":
        arr = np.asarray(result)
        if arr.size != 1:
            return ExcelError("#VALUE!", f"{spec.name} gave {arr.size} values where one belongs")
        return to_excel(arr.reshape(()).item())
    if kind == "column":
        arr = np.asarray(result)
        if arr.ndim != 1:
            return ExcelError("#VALUE!", f"{spec.name} gave a {arr.ndim}-D result for a column")
        return [[to_excel(v)] for v in arr.tolist()]
    if kind == "grid":
        rows = [list(row) for row in result]
        if not rows or not rows[0] or any(len(row) != len(rows[0]) for row in rows):
            return ExcelError("#VALUE!", f"{spec.name} gave a ragged or empty grid")
        return [[to_excel(v) for v in row] for row in rows]
    ratios = spec.result.ratio_columns
    columns = [
        [_ratio_cell(v, name) for v in _column(result, name)]
        if name in ratios
        else [to_excel(v) for v in _column(result, name)]
        for name in spec.result.columns
    ]
    body = [list(row) for row in zip(*columns, strict=True)]
    return [list(spec.result.columns), *body] if headers else body


def _ratio_cell(value: Any, column: str) -> Any:
    """A ratio whose denominator ran out: NaN is blank, infinity is ``#DIV/0!``."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, float) and math.isinf(value):
        return ExcelError("#DIV/0!", f"{column}: the denominator is zero")
    return to_excel(value)


def _column(result: Any, name: str) -> list[Any]:
    value = getattr(result, name) if is_dataclass(result) else result[name]
    arr = np.asarray(value)
    if arr.ndim != 1:
        raise _value_error(f"column {name} is not one value per row")
    return arr.tolist()


# --- element by element -----------------------------------------------------------------------

_PENDING = object()


def _call_elementwise(spec: FunctionSpec, args: tuple[Any, ...]) -> Any:
    """Evaluate an element-by-element function: one bad cell gives one error cell.

    Ranges given as rows or columns of equal length line up; otherwise every range must have the
    same shape, and single cells apply to every element.
    """
    bound = _bound(spec, args)
    scalars: dict[str, Any] = {}
    ranges: dict[str, tuple[tuple[int, int], list[Any]]] = {}
    for arg, raw in bound:
        if arg.kind == "text":  # a choice such as a GPU model: one cell, applied to every element
            scalars[arg.name] = _convert(arg, raw)
            continue
        grid = _grid(arg, raw)
        if grid is not None:
            shape = grid_shape(grid)
            if shape[0] * shape[1] == 0:
                raise _value_error(f"{arg.name} is empty")
            if shape != (1, 1):
                ranges[arg.name] = (shape, [c for row in grid for c in row])
                continue
            raw = grid[0][0]
        cell = _cell(arg, raw)
        if type(cell) is ExcelError:
            raise _StopCallError(cell)
        if cell is None:
            if not arg.optional:
                raise _value_error(f"{arg.name} is required")
            cell = float(arg.default)
        if type(cell) is not float:
            raise _value_error(f"{arg.name} must be a number, got {_describe(cell)}")
        scalars[arg.name] = cell

    if not ranges:
        fast = fast_form(spec.name, spec.func)  # plain Python for one number (no numpy)
        if fast is not None:
            return to_excel(fast(**scalars))
        return to_excel(np.asarray(spec.func(**scalars)).reshape(()).item())

    out_shape = _common_shape(ranges)
    size = out_shape[0] * out_shape[1]
    status: list[Any] = [_PENDING] * size
    for name, (_, cells) in ranges.items():
        for k, cell in enumerate(cells):
            if status[k] is not _PENDING:
                continue
            if type(cell) is float:
                continue
            if cell is None or type(cell) is ExcelError:
                status[k] = cell
            else:
                status[k] = ExcelError("#VALUE!", f"{name} must be a number, got {_describe(cell)}")
    valid = [k for k in range(size) if status[k] is _PENDING]
    if valid:
        columns = {name: [cells[k] for k in valid] for name, (_, cells) in ranges.items()}
        kwargs = {**scalars, **{n: np.array(v, dtype=np.float64) for n, v in columns.items()}}
        try:
            values = np.broadcast_to(np.asarray(spec.func(**kwargs)), (len(valid),)).tolist()
            for k, value in zip(valid, values, strict=True):
                status[k] = to_excel(value)
        except GpuCreditError:
            # Some elements are out of domain: evaluate each alone so only those become errors.
            for i, k in enumerate(valid):
                one = {**scalars, **{n: v[i] for n, v in columns.items()}}
                try:
                    status[k] = to_excel(np.asarray(spec.func(**one)).reshape(()).item())
                except GpuCreditError as exc:
                    status[k] = ExcelError.from_exception(exc)
    rows, cols = out_shape
    return [status[r * cols : (r + 1) * cols] for r in range(rows)]


def _common_shape(ranges: dict[str, tuple[tuple[int, int], list[Any]]]) -> tuple[int, int]:
    shapes = {name: shape for name, (shape, _) in ranges.items()}
    first = next(iter(shapes.values()))
    if all(s == first for s in shapes.values()):
        return first
    vectors = all(1 in s for s in shapes.values())
    lengths = {max(s) for s in shapes.values()}
    if vectors and len(lengths) == 1:
        return first  # rows and columns of one length line up, in the first range's orientation
    shown = ", ".join(f"{n} {r}x{c}" for n, (r, c) in shapes.items())
    raise _value_error(f"ranges have mismatched shapes: {shown}")
