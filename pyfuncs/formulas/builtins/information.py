"""Information built-ins: what kind of value a cell holds (Microsoft's pages of N, TYPE,
ERROR.TYPE, ISEVEN, ISODD). The ``IS...`` tests of errors and types are in
:mod:`.logic_lookup`."""

from __future__ import annotations

import math
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import builtin
from pyfuncs.formulas.values import NA, Arr, num

_ERROR_NUMBERS = {
    "#NULL!": 1,
    "#DIV/0!": 2,
    "#VALUE!": 3,
    "#REF!": 4,
    "#NAME?": 5,
    "#NUM!": 6,
    "#N/A": 7,
    "#GETTING_DATA": 8,
    "#SPILL!": 9,
    "#CALC!": 14,
}


@builtin("N", params="v", errors_ok=True)
def n(value: Any) -> Any:
    """A number as itself, TRUE as 1, anything else (text, blank) as 0; an error stays."""
    if type(value) is ExcelError:
        return value
    if type(value) is float:
        return value
    if type(value) is bool:
        return 1.0 if value else 0.0
    return 0.0


@builtin("TYPE", params="a", errors_ok=True)
def type_(value: Any) -> Any:
    """1 number (or blank), 2 text, 4 logical, 16 error, 64 array."""
    if type(value) is Arr:
        if value.rows == 1 and value.cols == 1:
            value = value.values[0][0]
        else:
            return 64.0
    if type(value) is ExcelError:
        return 16.0
    if type(value) is str:
        return 2.0
    if type(value) is bool:
        return 4.0
    return 1.0


@builtin("ERROR.TYPE", params="v", errors_ok=True)
def error_type(value: Any) -> Any:
    if type(value) is ExcelError and value.code in _ERROR_NUMBERS:
        return float(_ERROR_NUMBERS[value.code])
    return NA


def _parity(value: Any) -> int:
    return math.trunc(num(value)) % 2


builtin("ISEVEN", params="v")(lambda value: _parity(value) == 0)
builtin("ISODD", params="v")(lambda value: _parity(value) == 1)
