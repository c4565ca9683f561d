"""Shape statistics (SKEW, SKEW.P, KURT, STEYX, TRIMMEAN), confidence intervals, the Fisher
transformation, GAUSS, PHI, PERMUTATIONA, and the hypothesis tests Z.TEST, T.TEST,
CHISQ.TEST and F.TEST, each as Microsoft's "<NAME> function" page defines it
(support.microsoft.com), with that page's argument checks.
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import distributions
from pyfuncs.formulas.builtins.registry import OMITTED, builtin, numbers
from pyfuncs.formulas.builtins.statistical import _pairs, _sum_squares
from pyfuncs.formulas.values import NA, Arr, XlError, checked, num

_STANDARD = NormalDist()
_DIV0 = ExcelError("#DIV/0!", "not enough data points or no spread")


def _num_error(reason: str) -> XlError:
    return XlError(ExcelError("#NUM!", reason))


# --- shape ---------------------------------------------------------------------------------------


def _standardised(values: list[float], sample: bool) -> list[float]:
    n = len(values)
    mean = math.fsum(values) / n
    s = math.sqrt(_sum_squares(values) / (n - 1 if sample else n))
    if s == 0:
        raise XlError(_DIV0)
    return [(v - mean) / s for v in values]


@builtin("SKEW", params="r*", min_args=1)
def skew(*args: Any) -> Any:
    """``n / ((n-1)(n-2)) * sum(((x - mean)/s)^3)`` with the sample deviation s."""
    values = numbers(args)
    n = len(values)
    if n < 3:
        return _DIV0
    z = _standardised(values, True)
    return checked(n / ((n - 1) * (n - 2)) * math.fsum(v**3 for v in z))


@builtin("SKEW.P", params="r*", min_args=1)
def skew_p(*args: Any) -> Any:
    """``sum(((x - mean)/sigma)^3) / n`` with the population deviation sigma."""
    values = numbers(args)
    n = len(values)
    if n < 3:
        return _DIV0
    z = _standardised(values, False)
    return checked(math.fsum(v**3 for v in z) / n)


@builtin("KURT", params="r*", min_args=1)
def kurt(*args: Any) -> Any:
    """``n(n+1)/((n-1)(n-2)(n-3)) sum(((x-mean)/s)^4) - 3(n-1)^2/((n-2)(n-3))``."""
    values = numbers(args)
    n = len(values)
    if n < 4:
        return _DIV0
    z = _standardised(values, True)
    head = n * (n + 1) / ((n - 1) * (n - 2) * (n - 3)) * math.fsum(v**4 for v in z)
    return checked(head - 3.0 * (n - 1) ** 2 / ((n - 2) * (n - 3)))


@builtin("STEYX", params="rr")
def steyx(known_ys: Any, known_xs: Any) -> Any:
    """``sqrt((sum((y-my)^2) - sum((x-mx)(y-my))^2 / sum((x-mx)^2)) / (n-2))``."""
    ys, xs = _pairs(known_ys, known_xs)
    n = len(ys)
    if n < 3:
        return _DIV0
    my, mx = math.fsum(ys) / n, math.fsum(xs) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx == 0:
        return _DIV0
    return checked(math.sqrt(max(syy - sxy * sxy / sxx, 0.0) / (n - 2)))


@builtin("TRIMMEAN", params="rv")
def trimmean(array: Any, percent: Any) -> Any:
    """The mean without ``floor(n * percent / 2)`` points at each end (the excluded count
    rounded down to a multiple of 2); percent outside [0, 1) is #NUM!."""
    values = sorted(numbers((array,)))
    p = num(percent)
    if not values or p < 0 or p >= 1:
        return ExcelError("#NUM!", "TRIMMEAN: percent must be in [0, 1)")
    cut = math.floor(round(len(values) * p / 2.0, 9))
    kept = values[cut : len(values) - cut]
    return checked(math.fsum(kept) / len(kept))


# --- intervals, transformations, densities -------------------------------------------------------


def _confidence_args(
    alpha: Any, standard_dev: Any, size: Any, who: str
) -> tuple[float, float, int]:
    a, s, n = num(alpha), num(standard_dev), math.trunc(num(size))
    if not 0 < a < 1 or s <= 0 or n < 1:
        raise _num_error(f"{who}: 0 < alpha < 1, standard_dev > 0 and size >= 1")
    return a, s, n


@builtin("CONFIDENCE", "CONFIDENCE.NORM", params="vvv")
def confidence_norm(alpha: Any, standard_dev: Any, size: Any) -> Any:
    """``NORM.S.INV(1 - alpha/2) * sd / sqrt(size)``."""
    a, s, n = _confidence_args(alpha, standard_dev, size, "CONFIDENCE.NORM")
    return checked(_STANDARD.inv_cdf(1.0 - a / 2.0) * s / math.sqrt(n))


@builtin("CONFIDENCE.T", params="vvv")
def confidence_t(alpha: Any, standard_dev: Any, size: Any) -> Any:
    """``T.INV.2T(alpha, size - 1) * sd / sqrt(size)``; size 1 is #DIV/0!."""
    a, s, n = _confidence_args(alpha, standard_dev, size, "CONFIDENCE.T")
    if n == 1:
        return _DIV0
    return checked(distributions._t_two_tail_inverse(n - 1, a) * s / math.sqrt(n))


@builtin("FISHER", params="v")
def fisher(x: Any) -> Any:
    """``ln((1+x)/(1-x)) / 2`` (atanh) for -1 < x < 1."""
    value = num(x)
    if not -1 < value < 1:
        raise _num_error("FISHER: x must be between -1 and 1")
    return math.atanh(value)


@builtin("FISHERINV", params="v")
def fisherinv(y: Any) -> Any:
    """``(e^(2y) - 1) / (e^(2y) + 1)`` (tanh)."""
    return math.tanh(num(y))


@builtin("GAUSS", params="v")
def gauss(z: Any) -> Any:
    """``NORM.S.DIST(z, TRUE) - 1/2``, as ``erf(z/sqrt 2)/2`` to keep small z's digits."""
    return 0.5 * math.erf(num(z) / math.sqrt(2.0))


@builtin("PHI", params="v")
def phi(x: Any) -> Any:
    """The standard normal density ``exp(-x^2/2) / sqrt(2 pi)``."""
    value = num(x)
    return math.exp(-value * value / 2.0) / math.sqrt(2.0 * math.pi)


@builtin("PERMUTATIONA", params="vv")
def permutationa(number: Any, number_chosen: Any) -> Any:
    """``n^k`` with both truncated; negative is #NUM!."""
    n, k = math.trunc(num(number)), math.trunc(num(number_chosen))
    if n < 0 or k < 0:
        raise _num_error("PERMUTATIONA: the numbers must not be negative")
    return checked(float(n) ** k)


# --- hypothesis tests ------------------------------------------------------------------------------


@builtin("Z.TEST", "ZTEST", params="rvv", min_args=2)
def z_test(array: Any, x: Any, sigma: Any = OMITTED) -> Any:
    """``1 - NORM.S.DIST((mean - x) / (sigma / sqrt(n)), TRUE)``; sigma omitted is the sample
    standard deviation."""
    values = numbers((array,))
    n = len(values)
    if n == 0:
        return NA
    mean = math.fsum(values) / n
    if sigma is OMITTED:
        if n < 2:
            return _DIV0
        s = math.sqrt(_sum_squares(values) / (n - 1))
    else:
        s = num(sigma)
    if s == 0:
        return _DIV0
    z = (mean - num(x)) / (s / math.sqrt(n))
    return checked(0.5 * math.erfc(z / math.sqrt(2.0)))


def _sample(arg: Any) -> list[float]:
    return numbers((arg,), direct_text=False)


@builtin("T.TEST", "TTEST", params="rrvv")
def t_test(array1: Any, array2: Any, tails: Any, type_: Any) -> Any:
    """Student's t-test: type 1 paired, 2 two samples of equal variance, 3 of unequal variance
    (Welch's degrees of freedom); ``tails`` times the right tail of ``|t|``."""
    from scipy.special import stdtr

    sides, kind = math.trunc(num(tails)), math.trunc(num(type_))
    if sides not in (1, 2) or kind not in (1, 2, 3):
        raise _num_error("T.TEST: tails must be 1 or 2 and type 1, 2 or 3")
    if kind == 1:
        a, b = _pairs(array1, array2)
        diffs = [x - y for x, y in zip(a, b, strict=True)]
        n = len(diffs)
        if n < 2:
            return _DIV0
        var = _sum_squares(diffs) / (n - 1)
        if var == 0:
            return _DIV0
        t = math.fsum(diffs) / n / math.sqrt(var / n)
        df = float(n - 1)
    else:
        a, b = _sample(array1), _sample(array2)
        n1, n2 = len(a), len(b)
        if n1 < 2 or n2 < 2:
            return _DIV0
        v1, v2 = _sum_squares(a) / (n1 - 1), _sum_squares(b) / (n2 - 1)
        diff = math.fsum(a) / n1 - math.fsum(b) / n2
        if kind == 2:
            pooled = ((n1 - 1) * v1 + (n2 - 1) * v2) / (n1 + n2 - 2)
            se2 = pooled * (1.0 / n1 + 1.0 / n2)
            df = float(n1 + n2 - 2)
        else:
            q1, q2 = v1 / n1, v2 / n2
            se2 = q1 + q2
            if se2 == 0:
                return _DIV0
            df = se2 * se2 / (q1 * q1 / (n1 - 1) + q2 * q2 / (n2 - 1))
        if se2 == 0:
            return _DIV0
        t = diff / math.sqrt(se2)
    return checked(min(1.0, sides * float(stdtr(df, -abs(t)))))


def _grid(arg: Any) -> list[list[Any]]:
    return arg.values if type(arg) is Arr else [[arg]]


@builtin("CHISQ.TEST", "CHITEST", params="rr")
def chisq_test(actual_range: Any, expected_range: Any) -> Any:
    """``CHISQ.DIST.RT(sum((A - E)^2 / E), df)`` with df = (rows-1)(cols-1), or n-1 for one
    row or column; differently shaped ranges are #N/A. A pair with a blank or text is left
    out of the sum (the ranges' shape still gives df)."""
    actual, expected = _grid(actual_range), _grid(expected_range)
    rows, cols = len(actual), len(actual[0])
    if (rows, cols) != (len(expected), len(expected[0])) or rows * cols < 2:
        return NA
    chi = []
    for line_a, line_e in zip(actual, expected, strict=True):
        for a, e in zip(line_a, line_e, strict=True):
            for v in (a, e):
                if type(v) is ExcelError:
                    raise XlError(v)
            if type(a) is not float or type(e) is not float:
                continue
            if e < 0:
                raise _num_error("CHISQ.TEST: an expected value is negative")
            if e == 0:
                return _DIV0
            chi.append((a - e) ** 2 / e)
    df = (rows - 1) * (cols - 1) if rows > 1 and cols > 1 else rows * cols - 1
    return distributions.chisq_dist_rt(math.fsum(chi), float(df))


@builtin("F.TEST", "FTEST", params="rr")
def f_test(array1: Any, array2: Any) -> Any:
    """The two-tailed probability that the variances of the samples do not differ:
    ``2 * min(F.DIST(f), F.DIST.RT(f))`` at ``f = var1/var2``, df n1-1 and n2-1."""
    from scipy.special import fdtr, fdtrc

    a, b = _sample(array1), _sample(array2)
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return _DIV0
    v1, v2 = _sum_squares(a) / (n1 - 1), _sum_squares(b) / (n2 - 1)
    if v1 == 0 or v2 == 0:
        return _DIV0
    f = v1 / v2
    tail = min(float(fdtr(n1 - 1, n2 - 1, f)), float(fdtrc(n1 - 1, n2 - 1, f)))
    return checked(min(1.0, 2.0 * tail))
