"""Number-base conversions (Microsoft, "HEX2DEC function" and its siblings).

Hexadecimal, octal and binary numbers are ten digits at most, negative numbers in two's
complement over 40, 30 and 10 bits: ``HEX2DEC("FFFFFFFFFF")`` is -1. ``DEC2HEX(n, places)``
pads with zeros; too few places, or a number out of range, is ``#NUM!``. Microsoft's pages say
places are ignored for a negative number, but Excel's cached results (xlcalculator's
BASES.xlsx, saved by Excel) show places outside 1-10 as ``#NUM!`` even then.
"""

from __future__ import annotations

from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import OMITTED, builtin, integer, omitted
from pyfuncs.formulas.values import num, text

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
