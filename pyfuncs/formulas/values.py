"""Excel's values and operators: coercion, comparison, error propagation, array broadcasting.

Values are Python ``float`` (numbers), ``str``, ``bool``, ``None`` (a blank cell) and
:class:`~pyfuncs.errors.ExcelError`. A reference is a :class:`Ref` (read when needed, so
functions that take ranges see blanks and types as they are); an array is an :class:`Arr` of
rows. Semantics follow Microsoft's documentation of the operators and of "Guidelines and
examples of array formulas", and were checked against LibreOffice Calc in the tests.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pyfuncs.dates import date_to_serial
from pyfuncs.errors import ExcelError


class XlError(Exception):
    """Raised inside a function to return an Excel error value (caught by the caller)."""

    def __init__(self, value: ExcelError) -> None:
        super().__init__(value.code)
        self.value = value


def error(code: str, reason: str = "") -> ExcelError:
    return ExcelError(code, reason)


DIV0 = ExcelError("#DIV/0!", "division by zero")
VALUE = ExcelError("#VALUE!", "wrong type of argument")
NUM = ExcelError("#NUM!", "number out of range")
NA = ExcelError("#N/A", "value not available")
REF = ExcelError("#REF!", "invalid reference")
NAME = ExcelError("#NAME?", "unknown name")
SPILL = ExcelError("#SPILL!", "the spill range is not empty")
CALC = ExcelError("#CALC!", "empty array")


class Ref:
    """A rectangular reference: sheet index and 1-based inclusive bounds."""

    __slots__ = ("c1", "c2", "r1", "r2", "sheet")

    def __init__(self, sheet: int, r1: int, c1: int, r2: int, c2: int) -> None:
        self.sheet = sheet
        self.r1, self.c1, self.r2, self.c2 = r1, c1, r2, c2

    @property
    def shape(self) -> tuple[int, int]:
        return self.r2 - self.r1 + 1, self.c2 - self.c1 + 1

    def __repr__(self) -> str:
        return f"Ref({self.sheet},{self.r1},{self.c1},{self.r2},{self.c2})"


class Arr:
    """An array value: a non-empty rectangle of rows of scalar values."""

    __slots__ = ("cols", "rows", "values")

    def __init__(self, values: list[list[Any]]) -> None:
        self.values = values
        self.rows = len(values)
        self.cols = len(values[0]) if values else 0

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.cols

    def flat(self) -> list[Any]:
        return [v for row in self.values for v in row]

    def __repr__(self) -> str:
        return f"Arr({self.values!r})"


# --- coercion ----------------------------------------------------------------------------------

_NUMBER_TEXT = re.compile(
    r"\s*([+-]?)\s*\$?\s*(\d[\d,]*\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?\s*(%?)\s*$"
)
_ISO_DATE = re.compile(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def text_to_number(text: str) -> float | None:
    """Text Excel reads as a number in arithmetic: ``"3"``, ``" 1,000 "``, ``"5%"``, currency
    text (``"$1,000"`` is 1000, Microsoft's VALUE page; a sign may precede the ``$``), ISO dates."""
    match = _NUMBER_TEXT.match(text)
    if match:
        sign, digits, exponent, percent = match.groups()
        if "," in digits and not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d*)?", digits):
            return None
        number = float(digits.replace(",", ""))
        if exponent:
            number *= 10.0 ** int(exponent)
        if percent:
            number /= 100.0
        return -number if sign == "-" else number
    match = _ISO_DATE.match(text)
    if match:
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
        return date_to_serial(day)
    return None


def _date_or_time_text(value: str) -> float | None:
    """The serial of date or time text (en-US, as VALUE reads it), for arithmetic: Excel reads
    ``="5/3/2011"+0`` as 40666 and ``="16:48:00"-"12:00:00"`` as 0.2 (Microsoft's VALUE page:
    text "in any of the constant number, date, or time formats recognized by Excel"). Read in
    the 1900 date system, as VALUE is."""
    if not any(ch.isdigit() for ch in value):
        return None
    from pyfuncs.formulas.builtins.dates import parse_date_text

    return parse_date_text(value)


def num(value: Any) -> float:
    """A value as a number for arithmetic (blank 0, TRUE 1, numeric text), or raise XlError."""
    kind = type(value)
    if kind is float:
        return value
    if kind is bool:
        return 1.0 if value else 0.0
    if value is None:
        return 0.0
    if kind is str:
        number = text_to_number(value)
        if number is None:
            number = _date_or_time_text(value)
        if number is None:
            raise XlError(ExcelError("#VALUE!", f"text {value[:30]!r} is not a number"))
        return number
    if kind is ExcelError:
        raise XlError(value)
    if kind is int:
        return float(value)
    raise XlError(VALUE)


def boolean(value: Any) -> bool:
    """A value as TRUE/FALSE (numbers: non-zero; text "TRUE"/"FALSE"), or raise XlError."""
    kind = type(value)
    if kind is bool:
        return value
    if kind is float:
        return value != 0.0
    if value is None:
        return False
    if kind is str:
        upper = value.strip().upper()
        if upper in ("TRUE", "FALSE"):
            return upper == "TRUE"
        raise XlError(ExcelError("#VALUE!", f"text {value[:30]!r} is not TRUE or FALSE"))
    if kind is ExcelError:
        raise XlError(value)
    raise XlError(VALUE)


def general_text(number: float) -> str:
    """A number as Excel's General format shows it in text (``&``): up to 15 significant digits."""
    if number == 0:
        return "0"
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    text = f"{number:.15G}"
    if "E" in text:
        mantissa, exponent = text.split("E")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        exp = int(exponent)
        if -10 < exp < 0:  # small numbers stay in decimals while 15 digits fit
            return _plain_decimal(number)
        return f"{mantissa}E{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _plain_decimal(number: float) -> str:
    text = f"{float(f'{number:.15G}'):.20f}".rstrip("0").rstrip(".")
    return text


def text(value: Any) -> str:
    """A value as text, as ``&`` and text functions see it, or raise XlError."""
    kind = type(value)
    if kind is str:
        return value
    if kind is float:
        return general_text(value)
    if kind is bool:
        return "TRUE" if value else "FALSE"
    if value is None:
        return ""
    if kind is ExcelError:
        raise XlError(value)
    raise XlError(VALUE)


# --- Excel's 15 significant digits ------------------------------------------------------------
#
# Excel keeps doubles but shows and rounds numbers at 15 significant digits ("Excel specifications
# and limits": number precision 15 digits). ROUND(0.049999999999999975,1) is 0.1 and
# ROUNDUP(8.06-8,2) is 0.06 because the argument is first taken at 15 digits (0.05, 0.06); the
# rounding functions here do the same.


def decimal15(number: float) -> Decimal:
    """``number`` at 15 significant digits, exactly, as a :class:`~decimal.Decimal`."""
    return Decimal(format(number, ".14e"))


def round15(number: float) -> float:
    """``number`` at 15 significant digits (``0.1+0.2`` -> ``0.3``); not finite stays."""
    if number == 0.0 or not math.isfinite(number):
        return number
    return float(format(number, ".14e"))


def nearly_equal(a: float, b: float) -> bool:
    """Equal within Excel's comparison tolerance (the last bits of 15-digit numbers)."""
    return a == b or abs(a - b) <= _APPROX * max(abs(a), abs(b))


def snapped_sum(a: float, b: float) -> float:
    """``a + b`` with Excel's correction of the last operation of a formula: a sum of two
    numbers that cancel to within the last bits is 0. Microsoft documents it in "Floating-point
    arithmetic may give inaccurate results in Excel" (``=.5-.4-.1`` shows 0, while
    ``=1*(.5-.4-.1)`` shows -2.78E-17, as the correction applies to the final operation only)."""
    total = a + b
    if total != 0.0 and (a > 0.0) != (b > 0.0) and nearly_equal(a, -b):
        return 0.0
    return total


def checked(number: float) -> Any:
    """A result number, or #NUM! when it is not finite."""
    if math.isfinite(number):
        return number
    return ExcelError("#NUM!", "result is not a finite number")


# --- operators ---------------------------------------------------------------------------------


def _add(a: Any, b: Any) -> Any:
    return checked(num(a) + num(b))


def _sub(a: Any, b: Any) -> Any:
    return checked(num(a) - num(b))


def _mul(a: Any, b: Any) -> Any:
    return checked(num(a) * num(b))


def _div(a: Any, b: Any) -> Any:
    x, y = num(a), num(b)
    if y == 0.0:
        return DIV0
    return checked(x / y)


def power(x: float, y: float) -> Any:
    if x == 0.0 and y == 0.0:
        return ExcelError("#NUM!", "0^0 is undefined")
    if x == 0.0 and y < 0:
        return DIV0
    if x < 0 and not float(y).is_integer():
        return ExcelError("#NUM!", "fractional power of a negative number")
    try:
        return checked(math.pow(x, y))
    except OverflowError:
        return ExcelError("#NUM!", "result too large")


def _pow(a: Any, b: Any) -> Any:
    return power(num(a), num(b))


def _concat(a: Any, b: Any) -> Any:
    return text(a) + text(b)


_RANK = {float: 0, str: 1, bool: 2}
_APPROX = 2.0**-48


def compare(a: Any, b: Any) -> int:
    """-1, 0 or 1 as Excel orders values: numbers < text < FALSE < TRUE; text ignores case."""
    if type(a) is ExcelError:
        raise XlError(a)
    if type(b) is ExcelError:
        raise XlError(b)
    if a is None:
        a = {float: 0.0, str: "", bool: False}.get(type(b), 0.0)
    if b is None:
        b = {float: 0.0, str: "", bool: False}.get(type(a), 0.0)
    ra, rb = _RANK[type(a)], _RANK[type(b)]
    if ra != rb:
        return -1 if ra < rb else 1
    if ra == 0:
        if a == b or abs(a - b) <= _APPROX * max(abs(a), abs(b)):
            return 0
        return -1 if a < b else 1
    if ra == 1:
        a, b = a.casefold(), b.casefold()
    return 0 if a == b else (-1 if a < b else 1)


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": _add,
    "-": _sub,
    "*": _mul,
    "/": _div,
    "^": _pow,
    "&": _concat,
    "=": lambda a, b: compare(a, b) == 0,
    "<>": lambda a, b: compare(a, b) != 0,
    "<": lambda a, b: compare(a, b) < 0,
    ">": lambda a, b: compare(a, b) > 0,
    "<=": lambda a, b: compare(a, b) <= 0,
    ">=": lambda a, b: compare(a, b) >= 0,
}


def _snapped_add(a: Any, b: Any) -> Any:
    return checked(snapped_sum(num(a), num(b)))


def _snapped_sub(a: Any, b: Any) -> Any:
    return checked(snapped_sum(num(a), -num(b)))


_OPS["+0"] = _snapped_add  # the last operation of a formula (see snapped_sum)
_OPS["-0"] = _snapped_sub


def _float_div(a: float, b: float) -> float:
    return a / b if b else math.nan


def _float_pow(a: float, b: float) -> Any:
    out = power(a, b)
    return out if type(out) is float else math.nan


def _float_equal(a: float, b: float) -> bool:
    return a == b or abs(a - b) <= _APPROX * max(abs(a), abs(b))


#: The operators on two floats, for the compiled formulas' common case: the same result as
#: :func:`scalar_op` whenever it is a finite number or a logical, NaN where the general path
#: must decide (a division by zero, an overflow, ``0^0``).
FLOAT_OPS: dict[str, Callable[[float, float], Any]] = {
    "+": operator.add,
    "-": operator.sub,
    "*": operator.mul,
    "/": _float_div,
    "^": _float_pow,
    "+0": snapped_sum,
    "-0": lambda a, b: snapped_sum(a, -b),
    "=": _float_equal,
    "<>": lambda a, b: not _float_equal(a, b),
    "<": lambda a, b: a < b and not _float_equal(a, b),
    ">": lambda a, b: a > b and not _float_equal(a, b),
    "<=": lambda a, b: a < b or _float_equal(a, b),
    ">=": lambda a, b: a > b or _float_equal(a, b),
}


def snap_root(tree: Any) -> Any:
    """A parsed formula whose outermost operation is ``+`` or ``-`` made to snap a cancelling
    result to 0, as Excel does for the final operation (see :func:`snapped_sum`)."""
    if type(tree) is tuple and len(tree) == 4 and tree[0] == "bin" and tree[1] in ("+", "-"):
        return ("bin", tree[1] + "0", tree[2], tree[3])
    return tree


def scalar_op(op: str) -> Callable[[Any, Any], Any]:
    """The scalar function of a binary operator, errors returned as values (left one first)."""
    fn = _OPS[op]

    def apply(a: Any, b: Any) -> Any:
        if type(a) is ExcelError:
            return a
        if type(b) is ExcelError:
            return b
        try:
            return fn(a, b)
        except XlError as exc:
            return exc.value

    return apply


def broadcast_shape(shapes: list[tuple[int, int]]) -> tuple[int, int]:
    """Excel's result size of element-wise array operations: the largest rows and columns."""
    return max(s[0] for s in shapes), max(s[1] for s in shapes)


def element(arr: Arr, i: int, j: int) -> Any:
    """Element (i, j) of ``arr`` broadcast as Excel does: a single row or column repeats; past
    the end of a larger array is #N/A."""
    if arr.rows == 1:
        i = 0
    if arr.cols == 1:
        j = 0
    if i >= arr.rows or j >= arr.cols:
        return NA
    return arr.values[i][j]


def lift(fn: Callable[..., Any], args: list[Any]) -> Any:
    """Apply a scalar function element by element when any argument is an :class:`Arr`."""
    arrays = [a for a in args if type(a) is Arr]
    if not arrays:
        return fn(*args)
    rows, cols = broadcast_shape([a.shape for a in arrays])
    out = []
    for i in range(rows):
        line = []
        for j in range(cols):
            line.append(fn(*[element(a, i, j) if type(a) is Arr else a for a in args]))
        out.append(line)
    return Arr(out)
