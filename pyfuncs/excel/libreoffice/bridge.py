"""From LibreOffice Calc's add-in calls to ``pyfuncs.call`` and back.

The add-in component (``extension/gpucredit_addin.py``) runs inside LibreOffice's own Python and
hands each call here. This module imports no UNO, so it is tested in our virtual environment too.

Values in. Calc passes an ``any`` argument as a float, a string, a tuple of row tuples for a range
or an inline array (a blank cell inside a range is ``""``), or ``None`` for an omitted argument.
``pyfuncs.call`` takes all of these as they are: it is the one conversion path every face uses.

Values out. A number, text or ``None`` as itself; a matrix as a tuple of row tuples. An Excel
error cannot be handed to Calc as an error object, but Calc keeps its own errors inside numbers:
a NaN whose low 32 bits carry Calc's error number (``CreateDoubleError`` in LibreOffice's
``formula/errorcodes.hxx``). A NaN coded that way shows as that exact error, as a single result or
inside a matrix (measured in LibreOffice 7.4), so ``#DIV/0!`` stays ``#DIV/0!``.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.excel.dispatch import call

#: Calc's error numbers (LibreOffice ``FormulaError``) for each Excel error gpucredit returns.
#: Calc 7.4 has no ``#SPILL!`` or ``#CALC!``: those become ``#VALUE!``, its general error.
CALC_ERROR_NUMBERS = {
    "#NULL!": 521,  # FormulaError::NoCode
    "#DIV/0!": 532,  # FormulaError::DivisionByZero
    "#VALUE!": 519,  # FormulaError::NoValue
    "#REF!": 524,  # FormulaError::NoRef
    "#NAME?": 525,  # FormulaError::NoName
    "#NUM!": 503,  # FormulaError::IllegalFPOperation
    "#N/A": 0x7FFF,  # FormulaError::NotAvailable
    "#SPILL!": 519,
    "#CALC!": 519,
}
#: What each gpucredit error shows as in a Calc cell and in the .xlsx Calc saves (measured).
CALC_SHOWS = {
    code: {519: "#VALUE!"}.get(number, code) for code, number in CALC_ERROR_NUMBERS.items()
}

_QUIET_NAN_BITS = 0x7FF8_0000_0000_0000


def coded_error(code: str) -> float:
    """The NaN that Calc shows as the Excel error ``code`` (``"#DIV/0!"``, ``"#N/A"``, ...)."""
    number = CALC_ERROR_NUMBERS.get(code, CALC_ERROR_NUMBERS["#VALUE!"])
    return struct.unpack("<d", struct.pack("<Q", _QUIET_NAN_BITS | number))[0]


def error_number(value: float) -> int | None:
    """Calc's error number inside a coded NaN, or ``None`` for any other float."""
    if not math.isnan(value):
        return None
    return struct.unpack("<Q", struct.pack("<d", value))[0] & 0xFFFF_FFFF


def to_calc(value: Any) -> Any:
    """One result cell as Calc takes it: float, str, bool, ``None`` (blank) or a coded error."""
    if type(value) is ExcelError:
        return coded_error(value.code)
    if value is None or isinstance(value, bool | str):
        return value
    number = float(value)
    return number if math.isfinite(number) else coded_error("#NUM!")


def evaluate(name: str, args: Sequence[Any], as_matrix: bool) -> Any:
    """Evaluate the catalogue function ``name`` on the values Calc passed.

    Parameters
    ----------
    name : str
        The function's registry name (the UNO method Calc called).
    args : sequence
        Calc's argument values, one per declared parameter (``None`` when omitted).
    as_matrix : bool
        True when the function's declared UNO result is a matrix (column, table and
        element-by-element results); a single value or error then becomes a 1x1 matrix, which
        Calc repeats over an array formula's range as Excel does.

    Returns
    -------
    float, str, bool, None or tuple of tuples
        What the add-in method returns to Calc; never raises.
    """
    try:
        result = call(name, *args)
        if as_matrix:
            rows = result if isinstance(result, list) else [[result]]
            # A blank inside a matrix would reach Calc as 0 (MIN and AVERAGE would count it);
            # an empty text is blank to them, as a blank cell is to Excel's.
            return tuple(
                tuple("" if cell is None else to_calc(cell) for cell in row) for row in rows
            )
        if isinstance(result, list):  # a scalar function never returns rows; guard anyway
            return coded_error("#VALUE!")
        calc = to_calc(result)
        # A void result shows as #N/A in Calc; a blank single result is shown blank instead.
        return "" if calc is None else calc
    except Exception:  # a cell must never crash Calc's call; pyfuncs.call does not raise
        error = coded_error("#VALUE!")
        return ((error,),) if as_matrix else error
