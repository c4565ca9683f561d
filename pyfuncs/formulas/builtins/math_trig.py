"""Math, aggregate and statistical built-ins (SUM, ROUND, SUMPRODUCT, NORM.S.DIST...)."""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, ROUND_UP, Decimal
from statistics import NormalDist
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import builtin, integer, numbers, optional
from pyfuncs.formulas.values import DIV0, NUM, Arr, XlError, boolean, checked, num
from pyfuncs.formulas.values import power as _power

_STANDARD = NormalDist()


@builtin("SUM", params="r*", min_args=1)
def sum_(*args: Any) -> Any:
    return checked(math.fsum(numbers(args)))


@builtin("PRODUCT", params="r*", min_args=1)
def product(*args: Any) -> Any:
    return checked(math.prod(numbers(args)))


@builtin("MIN", params="r*", min_args=1)
def min_(*args: Any) -> Any:
    values = numbers(args)
    return min(values) if values else 0.0


@builtin("MAX", params="r*", min_args=1)
def max_(*args: Any) -> Any:
    values = numbers(args)
    return max(values) if values else 0.0


@builtin("AVERAGE", params="r*", min_args=1)
def average(*args: Any) -> Any:
    values = numbers(args)
    if not values:
        return ExcelError("#DIV/0!", "AVERAGE of no numbers")
    return checked(math.fsum(values) / len(values))


@builtin("MEDIAN", params="r*", min_args=1)
def median(*args: Any) -> Any:
    values = sorted(numbers(args))
    if not values:
        return NUM
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2.0


def _kth(largest: bool):
    def kth(data: Any, k: Any) -> Any:
        values = sorted(numbers((data,)), reverse=largest)
        n = math.ceil(num(k))
        if not 1 <= n <= len(values):
            return NUM
        return values[n - 1]

    return kth


builtin("LARGE", params="rv")(_kth(True))
builtin("SMALL", params="rv")(_kth(False))


@builtin("COUNT", params="r*", min_args=1)
def count(*args: Any) -> Any:
    total = 0
    for arg in args:
        if type(arg) is Arr:
            total += sum(1 for v in arg.flat() if type(v) is float)
        elif type(arg) is float or type(arg) is bool:
            total += 1
        elif type(arg) is str:
            try:
                num(arg)
                total += 1
            except XlError:
                pass
    return float(total)


@builtin("COUNTA", params="r*", min_args=1)
def counta(*args: Any) -> Any:
    total = 0
    for arg in args:
        if type(arg) is Arr:
            total += sum(1 for v in arg.flat() if v is not None)
        elif arg is not None:
            total += 1
    return float(total)


@builtin("COUNTBLANK", params="r")
def countblank(arg: Any) -> Any:
    values = arg.flat() if type(arg) is Arr else [arg]
    return float(sum(1 for v in values if v is None or v == ""))


@builtin("SUMPRODUCT", params="a*", min_args=1)
def sumproduct(*args: Any) -> Any:
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


@builtin("ABS", params="v")
def abs_(x: Any) -> Any:
    return abs(num(x))


@builtin("SIGN", params="v")
def sign(x: Any) -> Any:
    n = num(x)
    return float((n > 0) - (n < 0))


def _round(x: Any, digits: Any, mode: str) -> Any:
    number = num(x)
    places = integer(optional(digits, 0.0))
    if number == 0 or not math.isfinite(number):
        return number
    try:
        exact = Decimal(repr(number))
        result = exact.quantize(Decimal(1).scaleb(-places), rounding=mode)
    except ArithmeticError:
        return number
    return float(result)


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
def trunc(x: Any, digits: Any = None) -> Any:
    return _round(x, digits, ROUND_DOWN)


@builtin("INT", params="v")
def int_(x: Any) -> Any:
    return float(math.floor(num(x)))


@builtin("CEILING.MATH", "CEILING", params="vv", min_args=1)
def ceiling(x: Any, significance: Any = None) -> Any:
    n, step = num(x), optional(significance, 1.0)
    if step == 0:
        return 0.0
    return _round(n / abs(step), 0, ROUND_CEILING) * abs(step)


@builtin("FLOOR.MATH", "FLOOR", params="vv", min_args=1)
def floor(x: Any, significance: Any = None) -> Any:
    n, step = num(x), optional(significance, 1.0)
    if step == 0:
        return 0.0 if n == 0 else DIV0
    return _round(n / abs(step), 0, ROUND_FLOOR) * abs(step)


@builtin("MOD", params="vv")
def mod(x: Any, y: Any) -> Any:
    n, d = num(x), num(y)
    if d == 0:
        return DIV0
    return checked(n - d * math.floor(n / d))


@builtin("SQRT", params="v")
def sqrt(x: Any) -> Any:
    n = num(x)
    if n < 0:
        return ExcelError("#NUM!", "square root of a negative number")
    return math.sqrt(n)


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
def log(x: Any, base: Any = None) -> Any:
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


@builtin("NORM.S.DIST", params="vv")
def norm_s_dist(z: Any, cumulative: Any) -> Any:
    x = num(z)
    if boolean(cumulative):
        return _STANDARD.cdf(x)
    return _STANDARD.pdf(x)


@builtin("NORMSDIST", params="v")
def normsdist(z: Any) -> Any:
    return _STANDARD.cdf(num(z))


@builtin("NORM.S.INV", "NORMSINV", params="v")
def norm_s_inv(p: Any) -> Any:
    q = num(p)
    if not 0 < q < 1:
        return ExcelError("#NUM!", "probability must be between 0 and 1")
    return _STANDARD.inv_cdf(q)


@builtin("NORM.DIST", "NORMDIST", params="vvvv")
def norm_dist(x: Any, mean: Any, sd: Any, cumulative: Any) -> Any:
    s = num(sd)
    if s <= 0:
        return ExcelError("#NUM!", "standard deviation must be positive")
    dist = NormalDist(num(mean), s)
    return dist.cdf(num(x)) if boolean(cumulative) else dist.pdf(num(x))


@builtin("NORM.INV", "NORMINV", params="vvv")
def norm_inv(p: Any, mean: Any, sd: Any) -> Any:
    q, s = num(p), num(sd)
    if not 0 < q < 1 or s <= 0:
        return ExcelError("#NUM!", "probability must be in (0, 1) and sd positive")
    return NormalDist(num(mean), s).inv_cdf(q)
