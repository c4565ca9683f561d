"""Number-base conversions (Microsoft, "HEX2DEC function" and its siblings).

Hexadecimal, octal and binary numbers are ten digits at most, negative numbers in two's
complement over 40, 30 and 10 bits: ``HEX2DEC("FFFFFFFFFF")`` is -1. ``DEC2HEX(n, places)``
pads with zeros; too few places, or a number out of range, is ``#NUM!``. Microsoft's pages say
places are ignored for a negative number, but Excel's cached results (xlcalculator's
BASES.xlsx, saved by Excel) show places outside 1-10 as ``#NUM!`` even then.
"""

from __future__ import annotations

import math
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import OMITTED, builtin, integer, omitted
from pyfuncs.formulas.values import XlError, num, text

_BASES = {"HEX": (16, 40), "OCT": (8, 30), "BIN": (2, 10)}


def _to_decimal(value: Any, base: int, bits: int) -> Any:
    if type(value) is bool:
        # Excel's Analysis ToolPak functions take no TRUE/FALSE (docs/formula-engine.md);
        # LibreOffice reads TRUE as 1 (bin2hex.fods row 19).
        return ExcelError("#VALUE!", "a logical value is not a number")
    digits = text(value).strip() if type(value) is not float else str(int(value))
    if len(digits) > 10:
        return ExcelError("#NUM!", "more than 10 digits")
    if digits == "":
        return 0.0
    try:
        if not digits.isalnum():
            raise ValueError(digits)  # a sign or a point is not a digit: BIN2DEC(-1) is #NUM!
        n = int(digits, base)
    except ValueError:
        return ExcelError("#NUM!", f"not a base-{base} number")
    if n >= 1 << (bits - 1):
        n -= 1 << bits
    return float(n)


def _from_decimal(n: int, base: int, bits: int, places: Any) -> Any:
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if not low <= n <= high:
        return ExcelError("#NUM!", "number out of range for the base")
    digits = _format(n + (1 << bits) if n < 0 else n, base)
    if omitted(places) or places is None:
        return digits
    width = integer(places)
    if not 1 <= width <= 10:
        return ExcelError("#NUM!", "places must be 1 to 10")
    if n < 0:
        return digits  # ten digits whatever the places
    if width < len(digits):
        return ExcelError("#NUM!", "too few places for the number")
    return digits.rjust(width, "0")


def _format(n: int, base: int) -> str:
    return {16: f"{n:X}", 8: f"{n:o}", 2: f"{n:b}"}[base]


def _register() -> None:
    for name, (base, bits) in _BASES.items():

        def to_dec(value: Any, base: int = base, bits: int = bits) -> Any:
            return _to_decimal(value, base, bits)

        builtin(f"{name}2DEC", params="v")(to_dec)

        def from_dec(value: Any, places: Any = OMITTED, base: int = base, bits: int = bits) -> Any:
            # Places are checked before the number: DEC2BIN("E",0) is #NUM!, DEC2BIN("E",1)
            # #VALUE! (xlcalculator's BASES.xlsx, saved by Excel).
            if not (omitted(places) or places is None) and not 1 <= integer(places) <= 10:
                return ExcelError("#NUM!", "places must be 1 to 10")
            return _from_decimal(int(num(value)), base, bits, places)

        builtin(f"DEC2{name}", params="vv", min_args=1)(from_dec)
        for other, (base2, bits2) in _BASES.items():
            if other == name:
                continue

            def convert(
                value: Any,
                places: Any = OMITTED,
                b1: int = base,
                n1: int = bits,
                b2: int = base2,
                n2: int = bits2,
            ) -> Any:
                dec = _to_decimal(value, b1, n1)
                if type(dec) is ExcelError:
                    return dec
                return _from_decimal(int(dec), b2, n2, places)

            builtin(f"{name}2{other}", params="vv", min_args=1)(convert)


_register()


# --- DELTA, GESTEP, the BIT functions, ERF and ERFC (Microsoft's page of each function) -------
# Like the other Analysis ToolPak functions they take no TRUE/FALSE (#VALUE!).


def _number(value: Any) -> float:
    if type(value) is bool:
        raise XlError(ExcelError("#VALUE!", "a logical value is not a number"))
    return num(value)


@builtin("DELTA", params="vv", min_args=1)
def delta(number1: Any, number2: Any = OMITTED) -> Any:
    """1 when the numbers are equal, else 0: ``DELTA(5,4)`` = 0, ``DELTA(5,5)`` = 1,
    ``DELTA(0.5,0)`` = 0 (Microsoft's DELTA page); number2 defaults to 0."""
    second = 0.0 if omitted(number2) else _number(number2)
    return 1.0 if _number(number1) == second else 0.0


@builtin("GESTEP", params="vv", min_args=1)
def gestep(number: Any, step: Any = OMITTED) -> Any:
    """1 when number >= step (default 0), else 0: ``GESTEP(5,4)`` = 1, ``GESTEP(-4,-5)`` = 1,
    ``GESTEP(-1)`` = 0 (Microsoft's GESTEP page)."""
    threshold = 0.0 if omitted(step) else _number(step)
    return 1.0 if _number(number) >= threshold else 0.0


_BIT_LIMIT = 2**48  # "Number must be ... less than (2^48)-1" (Microsoft's BITAND page)


def _bits(value: Any) -> int:
    n = _number(value)
    if n < 0 or n != math.floor(n) or n >= _BIT_LIMIT:
        raise XlError(ExcelError("#NUM!", "a BIT function needs a whole number 0 to 2^48-1"))
    return int(n)


@builtin("BITAND", params="vv")
def bitand(number1: Any, number2: Any) -> Any:
    """``BITAND(13,25)`` = 9 (Microsoft's BITAND page)."""
    return float(_bits(number1) & _bits(number2))


@builtin("BITOR", params="vv")
def bitor(number1: Any, number2: Any) -> Any:
    """``BITOR(23,10)`` = 31 (Microsoft's BITOR page)."""
    return float(_bits(number1) | _bits(number2))


@builtin("BITXOR", params="vv")
def bitxor(number1: Any, number2: Any) -> Any:
    """``BITXOR(5,3)`` = 6 (Microsoft's BITXOR page)."""
    return float(_bits(number1) ^ _bits(number2))


def _shifted(number: Any, shift_amount: Any, left: bool) -> Any:
    n = _bits(number)
    shift = int(_number(shift_amount))
    if abs(shift) > 53:
        return ExcelError("#NUM!", "the shift amount must be -53 to 53")
    if not left:
        shift = -shift
    out = n << shift if shift >= 0 else n >> -shift
    if out >= _BIT_LIMIT:
        return ExcelError("#NUM!", "the result is 2^48 or more")
    return float(out)


@builtin("BITLSHIFT", params="vv")
def bitlshift(number: Any, shift_amount: Any) -> Any:
    """``BITLSHIFT(4,2)`` = 16; a negative shift shifts right (Microsoft's BITLSHIFT page)."""
    return _shifted(number, shift_amount, left=True)


@builtin("BITRSHIFT", params="vv")
def bitrshift(number: Any, shift_amount: Any) -> Any:
    """``BITRSHIFT(13,2)`` = 3; a negative shift shifts left (Microsoft's BITRSHIFT page)."""
    return _shifted(number, shift_amount, left=False)


@builtin("ERF", params="vv", min_args=1)
def erf(lower_limit: Any, upper_limit: Any = OMITTED) -> Any:
    """erf(x) = 2/sqrt(pi) * integral of exp(-t^2) from 0 to x; with an upper limit,
    erf(upper) - erf(lower): ``ERF(0.745)`` = 0.70792892, ``ERF(1)`` = 0.84270079 (Microsoft's
    ERF page)."""
    low = _number(lower_limit)
    if omitted(upper_limit):
        return math.erf(low)
    return math.erf(_number(upper_limit)) - math.erf(low)


@builtin("ERF.PRECISE", params="v")
def erf_precise(x: Any) -> Any:
    """``ERF.PRECISE(0.745)`` = 0.70792892, ``ERF.PRECISE(1)`` = 0.84270079 (Microsoft)."""
    return math.erf(_number(x))


@builtin("ERFC", "ERFC.PRECISE", params="v")
def erfc(x: Any) -> Any:
    """erfc(x) = 1 - erf(x): ``ERFC(1)`` = 0.15729921 (Microsoft's ERFC page)."""
    return math.erfc(_number(x))
