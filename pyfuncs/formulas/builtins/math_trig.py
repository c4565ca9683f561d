"""Math and trigonometry built-ins (SUM, ROUND, CEILING, SIN, MMULT, SUBTOTAL's helpers...).

Rounding works at Excel's 15 significant digits (:func:`~pyfuncs.formulas.values.decimal15`):
``ROUND(0.049999999999999975,1)`` is 0.1, as Excel gives. The ``CEILING``/``FLOOR`` families
follow Microsoft's pages of each function: legacy ``CEILING(-2.5,-2)`` is -4 (a negative number
with a negative significance rounds away from zero) and ``CEILING(2,-2)`` is ``#NUM!``.
"""

from __future__ import annotations

import math
from decimal import (
    ROUND_DOWN,
    ROUND_HALF_UP,
    ROUND_UP,
    Context,
    Decimal,
    localcontext,
)
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import (
    OMITTED,
    builtin,
    integer,
    numbers,
    numeric_matrix,
    optional,
)
from pyfuncs.formulas.values import (
    DIV0,
    NUM,
    VALUE,
    Arr,
    XlError,
    checked,
    decimal15,
    num,
    round15,
    text,
)
from pyfuncs.formulas.values import power as _power

_WIDE = Context(prec=60)
# ROUNDUP and ROUNDDOWN ignore a distance to the nearest multiple below this fraction of it:
# the last digits of a 15-digit number that a subtraction left behind (8.06-8 is
# 0.0600000000000005, and ROUNDUP(8.06-8,2) is 0.06 in LibreOffice's roundup.fods; LibreOffice
# snaps even further, up to about 1E-12).
_DIRECTED_NOISE = Decimal("1E-13")


@builtin("SUM", params="r*", min_args=1)
def sum_(*args: Any) -> Any:
    return checked(math.fsum(numbers(args)))


@builtin("PRODUCT", params="r*", min_args=1)
def product(*args: Any) -> Any:
    return checked(math.prod(numbers(args)))


@builtin("SUMSQ", params="r*", min_args=1)
def sumsq(*args: Any) -> Any:
    return checked(math.fsum(v * v for v in numbers(args)))


@builtin("SUMPRODUCT", params="a*", min_args=1)
def sumproduct(*args: Any) -> Any:
    """Sum of the element-wise products; arrays must be the same size (else #VALUE!); text and
    blanks count as 0; an error propagates."""
    arrays = [a if type(a) is Arr else Arr([[a]]) for a in args]
    shape = arrays[0].shape
    if any(a.shape != shape for a in arrays):
        return ExcelError("#VALUE!", "SUMPRODUCT arrays differ in size")
    total = []
    columns = [a.flat() for a in arrays]
    for items in zip(*columns, strict=True):
        product_ = 1.0
        for v in items:
            if type(v) is ExcelError:
                return v
            product_ *= v if type(v) is float else 0.0
        total.append(product_)
    return checked(math.fsum(total))


@builtin("MMULT", params="aa")
def mmult(a: Any, b: Any) -> Any:
    """Matrix product; the columns of ``a`` must equal the rows of ``b`` (else #VALUE!)."""
    left, right = numeric_matrix(a, "MMULT"), numeric_matrix(b, "MMULT")
    if len(left[0]) != len(right):
        return ExcelError("#VALUE!", "MMULT: columns of the first must equal rows of the second")
    cols = list(zip(*right, strict=True))
    return Arr(
        [
            [checked(math.fsum(x * y for x, y in zip(row, col, strict=True))) for col in cols]
            for row in left
        ]
    )


@builtin("MDETERM", params="a")
def mdeterm(a: Any) -> Any:
    m = [row[:] for row in numeric_matrix(a, "MDETERM")]
    n = len(m)
    if any(len(row) != n for row in m):
        return ExcelError("#VALUE!", "MDETERM needs a square matrix")
    det = 1.0
    for i in range(n):
        pivot = max(range(i, n), key=lambda k: abs(m[k][i]))
        if m[pivot][i] == 0:
            return 0.0
        if pivot != i:
            m[i], m[pivot] = m[pivot], m[i]
            det = -det
        det *= m[i][i]
        for k in range(i + 1, n):
            f = m[k][i] / m[i][i]
            for j in range(i, n):
                m[k][j] -= f * m[i][j]
    return checked(det)


@builtin("ABS", params="v")
def abs_(x: Any) -> Any:
    return abs(num(x))


@builtin("SIGN", params="v")
def sign(x: Any) -> Any:
    n = num(x)
    return float((n > 0) - (n < 0))


def round_decimal(number: float, places: int, mode: str) -> float:
    """``number`` rounded to ``places`` decimals (negative: tens, hundreds) in decimal at 15
    significant digits, as Excel's ROUND/ROUNDUP/ROUNDDOWN/TRUNC do; ``mode`` is a
    :mod:`decimal` rounding mode."""
    if number == 0 or not math.isfinite(number):
        return number
    with localcontext(_WIDE):
        exact = decimal15(number)
        if places > 0 and exact.as_tuple().exponent >= -places:
            return float(exact)  # already at that many decimals or fewer
        unit = Decimal(1).scaleb(-places)
        try:
            if mode != ROUND_HALF_UP:
                nearest = exact.quantize(unit, rounding=ROUND_HALF_UP)
                if abs(exact - nearest) <= abs(nearest) * _DIRECTED_NOISE:
                    return float(nearest)  # ROUNDUP(8.06-8,2): 0.0600000000000005 is 0.06
            result = exact.quantize(unit, rounding=mode)
        except ArithmeticError:
            return number
    return float(result)


def _round(x: Any, digits: Any, mode: str) -> Any:
    places = integer(optional(digits, 0.0))
    return round_decimal(num(x), places, mode)


@builtin("ROUND", params="vv")
def round_(x: Any, digits: Any) -> Any:
    return _round(x, digits, ROUND_HALF_UP)


@builtin("ROUNDUP", params="vv")
def roundup(x: Any, digits: Any) -> Any:
    return _round(x, digits, ROUND_UP)


@builtin("ROUNDDOWN", params="vv")
def rounddown(x: Any, digits: Any) -> Any:
    return _round(x, digits, ROUND_DOWN)


@builtin("TRUNC", params="vv", min_args=1)
def trunc(x: Any, digits: Any = OMITTED) -> Any:
    return _round(x, digits, ROUND_DOWN)


@builtin("INT", params="v")
def int_(x: Any) -> Any:
    return float(math.floor(num(x)))


def _steps(number: float, step: float, up: bool) -> float:
    """``number`` moved to a multiple of ``step`` (up: the next one above, else below), the
    quotient taken at 15 digits so that 0.3/0.1 is 3 multiples, not 2.9999999999999996."""
    quotient = round15(number / step)
    whole = math.ceil(quotient) if up else math.floor(quotient)
    return round15(whole * step)


@builtin("CEILING", params="vv", min_args=1)
def ceiling(x: Any, significance: Any = OMITTED) -> Any:
    """Legacy CEILING: away from zero for a negative number with a negative significance,
    toward zero with a positive one; a positive number with a negative significance is #NUM!
    (Microsoft, "CEILING function")."""
    n, step = num(x), optional(significance, 1.0)
    if n == 0 or step == 0:
        return 0.0
    if n > 0 and step < 0:
        return ExcelError("#NUM!", "CEILING of a positive number needs a positive significance")
    return _steps(n, step, up=True)


@builtin("FLOOR", params="vv", min_args=1)
def floor(x: Any, significance: Any = OMITTED) -> Any:
    """Legacy FLOOR (Microsoft, "FLOOR function"): FLOOR(-2.5,-2) is -2, FLOOR(-2.5,2) is -4,
    a positive number with a negative significance is #NUM!, significance 0 is #DIV/0!."""
    n, step = num(x), optional(significance, 1.0)
    if step == 0:
        return 0.0 if n == 0 else DIV0
    if n == 0:
        return 0.0
    if n > 0 and step < 0:
        return ExcelError("#NUM!", "FLOOR of a positive number needs a positive significance")
    return _steps(n, step, up=False)


@builtin("CEILING.MATH", params="vvv", min_args=1)
def ceiling_math(x: Any, significance: Any = OMITTED, mode: Any = OMITTED) -> Any:
    """Up to a multiple of |significance|; a negative number toward zero unless ``mode`` is
    non-zero (then away from zero)."""
    n, step = num(x), abs(optional(significance, 1.0))
    if step == 0 or n == 0:
        return 0.0
    away = optional(mode, 0.0) != 0
    return _steps(n, step, up=not (n < 0 and away))


@builtin("FLOOR.MATH", params="vvv", min_args=1)
def floor_math(x: Any, significance: Any = OMITTED, mode: Any = OMITTED) -> Any:
    """Down to a multiple of |significance|; a negative number away from zero unless ``mode``
    is non-zero (then toward zero)."""
    n, step = num(x), abs(optional(significance, 1.0))
    if step == 0 or n == 0:
        return 0.0
    toward = optional(mode, 0.0) != 0
    return _steps(n, step, up=n < 0 and toward)


@builtin("CEILING.PRECISE", "ISO.CEILING", params="vv", min_args=1)
def ceiling_precise(x: Any, significance: Any = OMITTED) -> Any:
    """Up (toward +infinity) to a multiple of |significance|, whatever the signs."""
    n, step = num(x), abs(optional(significance, 1.0))
    if step == 0 or n == 0:
        return 0.0
    return _steps(n, step, up=True)


@builtin("FLOOR.PRECISE", params="vv", min_args=1)
def floor_precise(x: Any, significance: Any = OMITTED) -> Any:
    """Down (toward -infinity) to a multiple of |significance|, whatever the signs."""
    n, step = num(x), abs(optional(significance, 1.0))
    if step == 0 or n == 0:
        return 0.0
    return _steps(n, step, up=False)


@builtin("MROUND", params="vv")
def mround(x: Any, multiple: Any) -> Any:
    """To the nearest multiple, halves away from zero; signs must agree (else #NUM!)."""
    n, m = num(x), num(multiple)
    if m == 0 or n == 0:
        return 0.0
    if (n > 0) != (m > 0):
        return ExcelError("#NUM!", "MROUND: number and multiple must have the same sign")
    quotient = round_decimal(n / m, 0, ROUND_HALF_UP)
    return round15(quotient * m)


@builtin("EVEN", params="v")
def even(x: Any) -> Any:
    n = num(x)
    up = math.ceil(round15(abs(n)) / 2) * 2
    return float(math.copysign(up, n)) if n else 0.0


@builtin("ODD", params="v")
def odd(x: Any) -> Any:
    n = num(x)
    up = math.ceil(round15(abs(n)))
    up = up if up % 2 else up + 1
    return float(math.copysign(up, n)) if n else 1.0


@builtin("MOD", params="vv")
def mod(x: Any, y: Any) -> Any:
    n, d = num(x), num(y)
    if d == 0:
        return DIV0
    return checked(round15(n - d * math.floor(round15(n / d))))


@builtin("QUOTIENT", params="vv")
def quotient(x: Any, y: Any) -> Any:
    n, d = num(x), num(y)
    if d == 0:
        return DIV0
    return float(math.trunc(round15(n / d)))


@builtin("SQRT", params="v")
def sqrt(x: Any) -> Any:
    n = num(x)
    if n < 0:
        return ExcelError("#NUM!", "square root of a negative number")
    return math.sqrt(n)


@builtin("SQRTPI", params="v")
def sqrtpi(x: Any) -> Any:
    n = num(x)
    if n < 0:
        return ExcelError("#NUM!", "square root of a negative number")
    return math.sqrt(n * math.pi)


@builtin("EXP", params="v")
def exp(x: Any) -> Any:
    try:
        return checked(math.exp(num(x)))
    except OverflowError:
        return NUM


@builtin("LN", params="v")
def ln(x: Any) -> Any:
    n = num(x)
    if n <= 0:
        return ExcelError("#NUM!", "logarithm of a number that is not positive")
    return math.log(n)


@builtin("LOG", params="vv", min_args=1)
def log(x: Any, base: Any = OMITTED) -> Any:
    n, b = num(x), optional(base, 10.0)
    if n <= 0 or b <= 0:
        return ExcelError("#NUM!", "logarithm of a number that is not positive")
    if b == 1:
        return DIV0
    return math.log(n) / math.log(b) if b != 10.0 else math.log10(n)


@builtin("LOG10", params="v")
def log10(x: Any) -> Any:
    return log(x, 10.0)


@builtin("POWER", params="vv")
def power(x: Any, y: Any) -> Any:
    return _power(num(x), num(y))


@builtin("PI", params="", min_args=0)
def pi() -> Any:
    return math.pi


@builtin("FACT", params="v")
def fact(x: Any) -> Any:
    n = math.floor(num(x))
    if n < 0:
        return ExcelError("#NUM!", "FACT of a negative number")
    if n > 170:
        return ExcelError("#NUM!", "FACT result too large")
    return float(math.factorial(n))


@builtin("COMBIN", params="vv")
def combin(n: Any, k: Any) -> Any:
    a, b = math.trunc(num(n)), math.trunc(num(k))
    if a < 0 or b < 0 or b > a:
        return ExcelError("#NUM!", "COMBIN needs 0 <= chosen <= number")
    return checked(float(math.comb(a, b)))


@builtin("PERMUT", params="vv")
def permut(n: Any, k: Any) -> Any:
    a, b = math.trunc(num(n)), math.trunc(num(k))
    if a < 0 or b < 0 or b > a:
        return ExcelError("#NUM!", "PERMUT needs 0 <= chosen <= number")
    return checked(float(math.perm(a, b)))


def _whole_numbers(args: tuple[Any, ...]) -> list[int]:
    values = [math.trunc(v) for v in numbers(args)]
    if any(v < 0 for v in values):
        raise XlError(ExcelError("#NUM!", "GCD/LCM need numbers >= 0"))
    return values


@builtin("GCD", params="r*", min_args=1)
def gcd(*args: Any) -> Any:
    return float(math.gcd(*_whole_numbers(args)))


@builtin("LCM", params="r*", min_args=1)
def lcm(*args: Any) -> Any:
    """Least common multiple; an empty argument (or a blank cell given as one) is 0, so the
    result is 0 (LibreOffice lcm.fods row 38: ``LCM(6,)`` is 0, as ``LCM(6,0)``)."""
    values = _whole_numbers(args)
    if any(a is None for a in args):
        values.append(0)
    return float(math.lcm(*values))


# --- trigonometry and hyperbolic functions -----------------------------------------------------

_TRIG_LIMIT = 2.0**27  # Excel's limit on the argument of SIN, COS, TAN (else #NUM!)


def _trig(fn: Any, limit: float | None = _TRIG_LIMIT) -> Any:
    def apply(x: Any) -> Any:
        n = num(x)
        if limit is not None and abs(n) >= limit:
            return ExcelError("#NUM!", "argument too large for a trigonometric function")
        try:
            return checked(fn(n))
        except (ValueError, OverflowError):
            return ExcelError("#NUM!", "argument out of the function's domain")
        except ZeroDivisionError:
            return DIV0

    return apply


builtin("SIN", params="v")(_trig(math.sin))
builtin("COS", params="v")(_trig(math.cos))
builtin("TAN", params="v")(_trig(math.tan))
builtin("ASIN", params="v")(_trig(math.asin, None))
builtin("ACOS", params="v")(_trig(math.acos, None))
builtin("ATAN", params="v")(_trig(math.atan, None))
builtin("SINH", params="v")(_trig(math.sinh, None))
builtin("COSH", params="v")(_trig(math.cosh, None))
builtin("TANH", params="v")(_trig(math.tanh, None))
builtin("ASINH", params="v")(_trig(math.asinh, None))
builtin("ACOSH", params="v")(_trig(math.acosh, None))
builtin("ATANH", params="v")(_trig(math.atanh, None))
builtin("COT", params="v")(_trig(lambda x: 1.0 / math.tan(x)))
builtin("CSC", params="v")(_trig(lambda x: 1.0 / math.sin(x)))
builtin("SEC", params="v")(_trig(lambda x: 1.0 / math.cos(x)))
builtin("COTH", params="v")(_trig(lambda x: 1.0 / math.tanh(x), None))
builtin("CSCH", params="v")(_trig(lambda x: 1.0 / math.sinh(x), None))
builtin("SECH", params="v")(_trig(lambda x: 1.0 / math.cosh(x), None))
builtin("ACOT", params="v")(_trig(lambda x: math.pi / 2 - math.atan(x), None))
builtin("ACOTH", params="v")(
    _trig(lambda x: math.atanh(1.0 / x) if abs(x) > 1 else math.log(-1.0), None)
)
builtin("DEGREES", params="v")(_trig(math.degrees, None))
builtin("RADIANS", params="v")(_trig(math.radians, None))


@builtin("ATAN2", params="vv")
def atan2(x: Any, y: Any) -> Any:
    """ATAN2(x_num, y_num): the angle of the point (x, y); (0, 0) is #DIV/0!."""
    a, b = num(x), num(y)
    if a == 0 and b == 0:
        return DIV0
    return math.atan2(b, a)


# --- BASE and DECIMAL ------------------------------------------------------------------------

_DIGITS36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@builtin("BASE", params="vvv", min_args=2)
def base(number: Any, radix: Any, min_length: Any = OMITTED) -> Any:
    """``number`` written in base ``radix`` (2-36), zero-padded to ``min_length``: BASE(7,2) is
    "111", BASE(100,16) "64", BASE(15,2,10) "0000001111" (Microsoft's BASE page). Arguments
    are truncated to integers; a number below 0 or from 2^53, a radix outside 2-36 or a
    min_length outside 0-255 is #NUM!."""
    n, r = math.trunc(num(number)), integer(radix)
    width = 0 if min_length is OMITTED else integer(min_length)
    if not (0 <= n < 2**53 and 2 <= r <= 36 and 0 <= width <= 255):
        return ExcelError("#NUM!", "BASE: number, radix or min_length out of range")
    out = ""
    while n:
        n, d = divmod(n, r)
        out = _DIGITS36[d] + out
    return (out or "0").rjust(width, "0")


@builtin("DECIMAL", params="vv")
def decimal_(digits: Any, radix: Any) -> Any:
    """Text in base ``radix`` (2-36, case-insensitive) as a number: DECIMAL("FF",16) is 255,
    DECIMAL(111,2) 7, DECIMAL("zap",36) 45745 (Microsoft's DECIMAL page). Text longer than
    255 characters, a digit not of the radix, or a radix outside 2-36 is #NUM!."""
    source, r = text(digits).strip().upper(), integer(radix)
    if not 2 <= r <= 36 or len(source) > 255:
        return ExcelError("#NUM!", "DECIMAL: radix outside 2-36 or text too long")
    total = 0
    for ch in source:
        d = _DIGITS36.find(ch)
        if not 0 <= d < r:
            return ExcelError("#NUM!", f"DECIMAL: {ch!r} is not a base-{r} digit")
        total = total * r + d
    if total >= 2**53:
        return ExcelError("#NUM!", "DECIMAL: the result is too large")
    return float(total)


__all__ = ["VALUE", "round_decimal"]


@builtin("GAMMA", params="v")
def gamma(number: Any) -> Any:
    """The gamma function: ``GAMMA(2.5)`` = 1.329, ``GAMMA(-3.75)`` = 0.268; 0 and the negative
    whole numbers are ``#NUM!`` (Microsoft's GAMMA page)."""
    x = num(number)
    if x <= 0 and x == math.floor(x):
        return ExcelError("#NUM!", "GAMMA is undefined at 0 and the negative whole numbers")
    try:
        return math.gamma(x)
    except OverflowError:
        return ExcelError("#NUM!", "GAMMA overflows")


@builtin("MUNIT", params="v")
def munit(dimension: Any) -> Any:
    """The identity matrix of ``dimension`` rows and columns; a dimension below 1 is #VALUE!
    (Microsoft's MUNIT page)."""
    n = integer(dimension)
    if n < 1:
        return ExcelError("#VALUE!", "MUNIT needs a dimension of at least 1")
    if n * n > 1_048_576 * 16_384:
        return ExcelError("#NUM!", "MUNIT too large")
    return Arr([[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)])


# --- ARABIC, COMBINA, FACTDOUBLE, MULTINOMIAL, SERIESSUM, MINVERSE (Microsoft's page of each) ----

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}


@builtin("ARABIC", params="v")
def arabic(value: Any) -> Any:
    """A Roman numeral as a number, case and surrounding spaces ignored, a leading minus
    negative: ``ARABIC("LVII")`` = 57, ``ARABIC("mcmxii")`` = 1912, ``ARABIC("")`` = 0;
    other characters are ``#VALUE!``; longer than 255 characters ``#VALUE!``."""
    s = text(value).strip().upper()
    sign = -1.0 if s.startswith("-") else 1.0
    s = s.removeprefix("-")
    if len(s) > 255 or any(ch not in _ROMAN for ch in s):
        return ExcelError("#VALUE!", "not a Roman numeral")
    total = 0
    for i, ch in enumerate(s):
        v = _ROMAN[ch]
        total += -v if i + 1 < len(s) and _ROMAN[s[i + 1]] > v else v
    return sign * total


@builtin("COMBINA", params="vv")
def combina(number: Any, number_chosen: Any) -> Any:
    """Combinations with repetition, C(n+k-1, k): ``COMBINA(4,3)`` = 20, ``COMBINA(10,3)`` =
    220; a negative argument, or number below number_chosen, is ``#NUM!``."""
    n, k = integer(number), integer(number_chosen)
    if n < 0 or k < 0 or n < k:
        return ExcelError("#NUM!", "COMBINA needs 0 <= number_chosen <= number")
    if n == 0:
        return 1.0 if k == 0 else 0.0
    return checked(float(math.comb(n + k - 1, k)))


@builtin("FACTDOUBLE", params="v")
def factdouble(number: Any) -> Any:
    """The double factorial n!! = n(n-2)(n-4)...: ``FACTDOUBLE(6)`` = 48, ``FACTDOUBLE(7)`` =
    105; a number is truncated; a negative one is ``#NUM!``."""
    n = integer(number)
    if n < 0:
        return ExcelError("#NUM!", "FACTDOUBLE needs a number >= 0")
    out = 1
    for k in range(n, 1, -2):
        out *= k
        if out > 1e308:
            return ExcelError("#NUM!", "FACTDOUBLE overflows")
    return float(out)


@builtin("MULTINOMIAL", params="r*", min_args=1)
def multinomial(*args: Any) -> Any:
    """(a+b+...)! / (a! b! ...): ``MULTINOMIAL(2,3,4)`` = 1260; each value truncated; a
    negative one is ``#NUM!``."""
    parts = [int(v) for v in numbers(args)]
    if any(p < 0 for p in parts):
        return ExcelError("#NUM!", "MULTINOMIAL needs values >= 0")
    out = math.factorial(sum(parts))
    for p in parts:
        out //= math.factorial(p)
    return checked(float(out))


@builtin("SERIESSUM", params="vvvr")
def seriessum(x: Any, n: Any, m: Any, coefficients: Any) -> Any:
    """a1 x^n + a2 x^(n+m) + a3 x^(n+2m) + ...: Microsoft's example
    ``SERIESSUM(PI()/4,0,2,{1,-1/2,1/24,-1/720})`` approximates cos(pi/4), 0.707103."""
    at, first, step = num(x), num(n), num(m)
    terms = coefficients.flat() if type(coefficients) is Arr else [coefficients]
    total = 0.0
    for i, a in enumerate(terms):
        if type(a) is ExcelError:
            return a
        if type(a) is not float:
            return ExcelError("#VALUE!", "SERIESSUM's coefficients must be numbers")
        exponent = first + i * step
        term = 1.0 if exponent == 0 else _power(at, exponent)
        if type(term) is ExcelError:
            return term
        total += a * term
    return checked(total)


@builtin("MINVERSE", params="a")
def minverse(a: Any) -> Any:
    """The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting:
    ``MINVERSE({4,-1;2,0})`` = {0,0.5;-1,2}; a matrix that is not square is ``#VALUE!``, a
    singular one ``#NUM!`` (Microsoft's MINVERSE page)."""
    m = [row[:] for row in numeric_matrix(a, "MINVERSE")]
    n = len(m)
    if any(len(row) != n for row in m):
        return ExcelError("#VALUE!", "MINVERSE needs a square matrix")
    aug = [row + [1.0 if i == j else 0.0 for j in range(n)] for i, row in enumerate(m)]
    scale = max((abs(v) for row in m for v in row), default=0.0)
    for i in range(n):
        pivot = max(range(i, n), key=lambda k: abs(aug[k][i]))
        if abs(aug[pivot][i]) <= 1e-15 * scale:
            return ExcelError("#NUM!", "the matrix is singular")
        aug[i], aug[pivot] = aug[pivot], aug[i]
        p = aug[i][i]
        aug[i] = [v / p for v in aug[i]]
        for k in range(n):
            if k != i and aug[k][i] != 0.0:
                f = aug[k][i]
                aug[k] = [vk - f * vi for vk, vi in zip(aug[k], aug[i], strict=True)]
    return Arr([[v + 0.0 for v in row[n:]] for row in aug])
