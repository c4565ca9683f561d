"""Excel values in and out: cells, ranges, blanks, booleans, dates and error values.

Every face hands :func:`pyfuncs.call` the same kinds of values: a number, a string, a bool, ``None``
(a blank or omitted argument), an :class:`~pyfuncs.errors.ExcelError`, or a 2-D list of those
(rows). A blank arrives as ``None`` or ``""`` (Office.js on the web sends ``null``, blanks inside
ranges as ``""``; ``functions.js`` turns Excel for Windows' 0 for an empty cell into ``null``),
and both are a blank here; xlwings sends dates as ``datetime``; the function server sends errors
as ``{"error": "#N/A"}``. This module turns all of them into one canonical form and back.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from pyfuncs.dates import date_to_serial
from pyfuncs.errors import EXCEL_ERROR_CODES, ExcelError


class CellTypeError(Exception):
    """A cell whose Python type no face should send (raised while normalising)."""


def normalize_cell(value: Any) -> Any:
    """One cell in canonical form: float, str, bool, None (blank) or ExcelError."""
    kind = type(value)
    if kind is float:
        return value
    if kind is int:
        return float(value)
    if value is None or kind is ExcelError:
        return value
    if kind is str:
        if value == "":
            return None
        if value in EXCEL_ERROR_CODES:
            return ExcelError(value, "error value in the input")
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, dt.date):
        return date_to_serial(value)
    if isinstance(value, dict) and "error" in value:
        code = value.get("error")
        if code in EXCEL_ERROR_CODES:
            return ExcelError(code, str(value.get("reason", "")))
    raise CellTypeError(f"unsupported cell value of type {kind.__name__}")


#: Types that are always one cell (``to_grid`` answers ``None`` for them at once).
_SCALARS = frozenset({float, int, str, bool, dict, ExcelError})


def to_grid(value: Any) -> list[list[Any]] | None:
    """A range argument as rows of canonical cells; ``None`` when ``value`` is a single cell.

    A 2-D list (or array) is rows; a flat list is taken as one row.
    """
    if value is None or type(value) in _SCALARS:  # a single cell, without the ABC checks below
        return None
    if isinstance(value, np.ndarray):
        value = value.tolist() if value.ndim else value.item()
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        if not value:
            return [[]]
        if all(isinstance(row, Sequence) and not isinstance(row, str | bytes) for row in value):
            return [[normalize_cell(c) for c in row] for row in value]
        return [[normalize_cell(c) for c in value]]
    return None


def grid_shape(grid: list[list[Any]]) -> tuple[int, int]:
    """(rows, columns) of a rectangular grid; ragged rows are an error."""
    widths = {len(row) for row in grid}
    if len(widths) > 1:
        raise CellTypeError("the range's rows have different lengths")
    return len(grid), (widths.pop() if widths else 0)


def first_error(cells: list[Any]) -> ExcelError | None:
    """The first error value among cells, as Excel propagates it."""
    for cell in cells:
        if type(cell) is ExcelError:
            return cell
    return None


def to_excel(value: Any) -> Any:
    """A Python result cell as an Excel value: finite float, str, bool, None or ExcelError."""
    if value is None or type(value) in (str, bool, ExcelError):
        return value
    if type(value) is float:  # the usual result, without the ABC checks below
        return (
            value if math.isfinite(value) else ExcelError("#NUM!", "result is not a finite number")
        )
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isfinite(number):
            return number
        return ExcelError("#NUM!", "result is not a finite number")
    return ExcelError("#VALUE!", f"cannot show a {type(value).__name__} in a cell")
