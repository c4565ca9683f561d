"""Statistical built-ins: counts, averages, spread (STDEV/VAR families), order statistics
(MEDIAN, PERCENTILE, QUARTILE, RANK), regression (SLOPE, LINEST), the normal distribution, and
SUBTOTAL/AGGREGATE.

Which values count follows Microsoft's page of each function: in ranges and arrays only numbers
count for ``AVERAGE``/``STDEV``/``VAR`` (text, logicals and blanks are skipped); the ``...A``
variants count text in ranges as 0 and TRUE as 1; a value typed as an argument is converted.
Spread uses the two-pass formula ``sum((x - mean)^2) / (n - 1)`` (``n`` for the population forms).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from statistics import NormalDist
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import (
    OMITTED,
    builtin,
    integer,
    numbers,
    numeric_matrix,
    optional,
    optional_bool,
)
from pyfuncs.formulas.values import NA, NUM, Arr, Ref, XlError, boolean, checked, num

_STANDARD = NormalDist()
DIV0_STATS = ExcelError("#DIV/0!", "not enough numbers")


def numbers_a(args: tuple[Any, ...]) -> list[float]:
    """Numbers as AVERAGEA/STDEVA see them: in ranges text is 0, TRUE 1, FALSE 0, blanks are
    skipped; typed arguments are converted (text that is not a number is #VALUE!)."""
    out: list[float] = []
    for arg in args:
        if type(arg) is Arr:
            for v in arg.flat():
                kind = type(v)
                if kind is float:
                    out.append(v)
                elif kind is bool:
                    out.append(1.0 if v else 0.0)
                elif kind is str:
                    out.append(0.0)
                elif kind is ExcelError:
                    raise XlError(v)
        elif arg is not None:
            out.append(num(arg))
    return out


# --- counts and averages ------------------------------------------------------------------------


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
    """Cells that are not empty, and every value argument: an empty argument is the value 0
    (``COUNTA(5,,10)`` is 3, LibreOffice counta.fods row 16), while a reference arrives as
    :class:`Arr` and counts its cells that are not empty."""
    total = 0
    for arg in args:
        if type(arg) is Arr:
            total += sum(1 for v in arg.flat() if v is not None)
        else:
            total += 1
    return float(total)


@builtin("COUNTBLANK", params="r")
def countblank(arg: Any) -> Any:
    values = arg.flat() if type(arg) is Arr else [arg]
    return float(sum(1 for v in values if v is None or v == ""))


@builtin("MIN", params="r*", min_args=1)
def min_(*args: Any) -> Any:
    values = numbers(args)
    return min(values) if values else 0.0


@builtin("MAX", params="r*", min_args=1)
def max_(*args: Any) -> Any:
    values = numbers(args)
    return max(values) if values else 0.0


@builtin("MINA", params="r*", min_args=1)
def mina(*args: Any) -> Any:
    values = numbers_a(args)
    return min(values) if values else 0.0


@builtin("MAXA", params="r*", min_args=1)
def maxa(*args: Any) -> Any:
    values = numbers_a(args)
    return max(values) if values else 0.0


def _mean(values: list[float]) -> float:
    if not values:
        raise XlError(ExcelError("#DIV/0!", "average of no numbers"))
    return math.fsum(values) / len(values)


@builtin("AVERAGE", params="r*", min_args=1)
def average(*args: Any) -> Any:
    return checked(_mean(numbers(args)))


@builtin("AVERAGEA", params="r*", min_args=1)
def averagea(*args: Any) -> Any:
    return checked(_mean(numbers_a(args)))


@builtin("GEOMEAN", params="r*", min_args=1)
def geomean(*args: Any) -> Any:
    values = numbers(args)
    if not values or any(v <= 0 for v in values):
        return ExcelError("#NUM!", "GEOMEAN needs positive numbers")
    return checked(math.exp(math.fsum(math.log(v) for v in values) / len(values)))


@builtin("HARMEAN", params="r*", min_args=1)
def harmean(*args: Any) -> Any:
    values = numbers(args)
    if not values or any(v <= 0 for v in values):
        return ExcelError("#NUM!", "HARMEAN needs positive numbers")
    return checked(len(values) / math.fsum(1.0 / v for v in values))


# --- spread ---------------------------------------------------------------------------------------


def _sum_squares(values: list[float]) -> float:
    """Sum of squared deviations from the mean, the mean refined once by its residual
    (``mean + fsum(v - mean)/n``) so equal values give exactly 0: STDEV(1E30,1E30,1E30) is 0
    (LibreOffice stdev.fods row 8), where ``fsum/n`` alone is off by an ulp of 1E30."""
    n = len(values)
    mean = math.fsum(values) / n
    mean += math.fsum(v - mean for v in values) / n
    return math.fsum((v - mean) ** 2 for v in values)


def _variance(values: list[float], sample: bool) -> float:
    n = len(values)
    if n < (2 if sample else 1):
        raise XlError(DIV0_STATS)
    return _sum_squares(values) / (n - 1 if sample else n)


def _spread(pick: Callable[[tuple[Any, ...]], list[float]], sample: bool, root: bool):
    def spread(*args: Any) -> Any:
        v = _variance(pick(args), sample)
        return checked(math.sqrt(v) if root else v)

    return spread


for _names, _pick, _sample, _root in (
    (("STDEV", "STDEV.S"), numbers, True, True),
    (("STDEVP", "STDEV.P"), numbers, False, True),
    (("STDEVA",), numbers_a, True, True),
    (("STDEVPA",), numbers_a, False, True),
    (("VAR", "VAR.S"), numbers, True, False),
    (("VARP", "VAR.P"), numbers, False, False),
    (("VARA",), numbers_a, True, False),
    (("VARPA",), numbers_a, False, False),
):
    builtin(*_names, params="r*", min_args=1)(_spread(_pick, _sample, _root))


@builtin("DEVSQ", params="r*", min_args=1)
def devsq(*args: Any) -> Any:
    values = numbers(args)
    if not values:
        return NUM
    return checked(_sum_squares(values))


@builtin("AVEDEV", params="r*", min_args=1)
def avedev(*args: Any) -> Any:
    values = numbers(args)
    if not values:
        return NUM
    mean = math.fsum(values) / len(values)
    return checked(math.fsum(abs(v - mean) for v in values) / len(values))


# --- order statistics ------------------------------------------------------------------------


@builtin("MEDIAN", params="r*", min_args=1)
def median(*args: Any) -> Any:
    values = sorted(numbers(args))
    if not values:
        return NUM
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2.0


@builtin("MODE", "MODE.SNGL", params="r*", min_args=1)
def mode(*args: Any) -> Any:
    """The most frequent number; ties go to the one that comes first; none repeated is #N/A."""
    values = numbers(args)
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values(), default=0)
    if best < 2:
        return ExcelError("#N/A", "MODE: no number is repeated")
    return next(v for v in values if counts[v] == best)


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


def _interpolate(values: list[float], position: float) -> float:
    """The value at a 0-based fractional ``position`` of sorted ``values``."""
    low = math.floor(position)
    frac = position - low
    if low + 1 >= len(values):
        return values[-1]
    return values[low] + frac * (values[low + 1] - values[low])


def percentile_inc(values: list[float], k: float) -> float:
    """PERCENTILE.INC: rank ``(n-1)k``, linear between neighbours (k in [0, 1])."""
    if not values or not 0 <= k <= 1:
        raise XlError(ExcelError("#NUM!", "percentile must be between 0 and 1"))
    return _interpolate(sorted(values), (len(values) - 1) * k)


def percentile_exc(values: list[float], k: float) -> float:
    """PERCENTILE.EXC: rank ``(n+1)k`` (1-based), defined for 1/(n+1) <= k <= n/(n+1)."""
    n = len(values)
    rank = (n + 1) * k
    if not values or rank < 1 or rank > n:
        raise XlError(ExcelError("#NUM!", "percentile outside 1/(n+1)..n/(n+1)"))
    return _interpolate(sorted(values), rank - 1)


@builtin("PERCENTILE", "PERCENTILE.INC", params="rv")
def percentile(data: Any, k: Any) -> Any:
    return percentile_inc(numbers((data,)), num(k))


@builtin("PERCENTILE.EXC", params="rv")
def percentile_exc_(data: Any, k: Any) -> Any:
    return percentile_exc(numbers((data,)), num(k))


@builtin("QUARTILE", "QUARTILE.INC", params="rv")
def quartile(data: Any, quart: Any) -> Any:
    q = math.trunc(num(quart))
    if not 0 <= q <= 4:
        return ExcelError("#NUM!", "quartile must be 0 to 4")
    return percentile_inc(numbers((data,)), q / 4)


@builtin("QUARTILE.EXC", params="rv")
def quartile_exc(data: Any, quart: Any) -> Any:
    q = math.trunc(num(quart))
    if not 1 <= q <= 3:
        return ExcelError("#NUM!", "quartile must be 1 to 3")
    return percentile_exc(numbers((data,)), q / 4)


def _rank(average_ties: bool):
    def rank(number: Any, ref: Any, order: Any = OMITTED) -> Any:
        x = num(number)
        values = numbers((ref,), direct_text=False)
        ascending = optional(order, 0.0) != 0
        if x not in values:
            return ExcelError("#N/A", "RANK: the number is not in the list")
        before = sum(1 for v in values if (v < x if ascending else v > x))
        if not average_ties:
            return float(before + 1)
        ties = values.count(x)
        return before + (ties + 1) / 2.0

    return rank


# "u": the list may be a union of areas, RANK(A1,(B1,B2:B3)) (Microsoft's RANK page: "an
# array of, or a reference to, a list of numbers").
builtin("RANK", "RANK.EQ", params="vuv", min_args=2)(_rank(False))
builtin("RANK.AVG", params="vuv", min_args=2)(_rank(True))


# --- pairs and regression ----------------------------------------------------------------------


def _pairs(ys: Any, xs: Any) -> tuple[list[float], list[float]]:
    """Pairs of numbers in two equal-sized ranges; a pair with a non-number is skipped."""
    a = ys.flat() if type(ys) is Arr else [ys]
    b = xs.flat() if type(xs) is Arr else [xs]
    if len(a) != len(b):
        raise XlError(ExcelError("#N/A", "the two ranges differ in size"))
    out_y, out_x = [], []
    for y, x in zip(a, b, strict=True):
        for v in (y, x):
            if type(v) is ExcelError:
                raise XlError(v)
        if type(y) is float and type(x) is float:
            out_y.append(y)
            out_x.append(x)
    return out_y, out_x


def _moments(ys: list[float], xs: list[float]) -> tuple[float, float, float, float, float]:
    n = len(ys)
    if n == 0:
        raise XlError(DIV0_STATS)
    my, mx = math.fsum(ys) / n, math.fsum(xs) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    return my, mx, sxy, sxx, syy


@builtin("SLOPE", params="rr")
def slope(ys: Any, xs: Any) -> Any:
    _my, _mx, sxy, sxx, _syy = _moments(*_pairs(ys, xs))
    if sxx == 0:
        return DIV0_STATS
    return checked(sxy / sxx)


@builtin("INTERCEPT", params="rr")
def intercept(ys: Any, xs: Any) -> Any:
    my, mx, sxy, sxx, _syy = _moments(*_pairs(ys, xs))
    if sxx == 0:
        return DIV0_STATS
    return checked(my - sxy / sxx * mx)


@builtin("CORREL", "PEARSON", params="rr")
def correl(ys: Any, xs: Any) -> Any:
    _my, _mx, sxy, sxx, syy = _moments(*_pairs(ys, xs))
    if sxx == 0 or syy == 0:
        return DIV0_STATS
    return checked(sxy / math.sqrt(sxx * syy))


@builtin("RSQ", params="rr")
def rsq(ys: Any, xs: Any) -> Any:
    r = correl(ys, xs)
    return r if type(r) is ExcelError else r * r


@builtin("COVAR", "COVARIANCE.P", params="rr")
def covariance_p(ys: Any, xs: Any) -> Any:
    pair = _pairs(ys, xs)
    _my, _mx, sxy, _sxx, _syy = _moments(*pair)
    return checked(sxy / len(pair[0]))


@builtin("COVARIANCE.S", params="rr")
def covariance_s(ys: Any, xs: Any) -> Any:
    pair = _pairs(ys, xs)
    if len(pair[0]) < 2:
        return DIV0_STATS
    _my, _mx, sxy, _sxx, _syy = _moments(*pair)
    return checked(sxy / (len(pair[0]) - 1))


@builtin("FORECAST", "FORECAST.LINEAR", params="vrr")
def forecast(x: Any, ys: Any, xs: Any) -> Any:
    my, mx, sxy, sxx, _syy = _moments(*_pairs(ys, xs))
    if sxx == 0:
        return DIV0_STATS
    b = sxy / sxx
    return checked(my - b * mx + b * num(x))


@builtin("LINEST", params="aavv", min_args=1)
def linest(ys: Any, xs: Any = OMITTED, const: Any = OMITTED, stats: Any = OMITTED) -> Any:
    """Least squares ``y = m1*x1 + ... + b``: the row ``{mk, ..., m1, b}``; with ``stats``
    the 5-row block of Microsoft's LINEST page (standard errors, R^2 and SEy, F and df,
    regression and residual sums of squares). ``const`` FALSE forces ``b = 0``."""
    import numpy as np  # only a workbook that uses LINEST pays for the import

    y = np.array(numeric_matrix(ys, "LINEST"), dtype=float).reshape(-1)
    if xs is OMITTED or xs is None:
        x = np.arange(1.0, len(y) + 1).reshape(-1, 1)
    else:
        grid = np.array(numeric_matrix(xs, "LINEST"), dtype=float)
        if grid.size == len(y):
            x = grid.reshape(-1, 1)
        elif grid.shape[0] == len(y):
            x = grid
        elif grid.shape[1] == len(y):
            x = grid.T
        else:
            return ExcelError("#REF!", "LINEST: known_x's do not match known_y's")
    with_const = True if const is None else optional_bool(const, True)  # empty: as omitted
    full = optional_bool(stats, False)
    n, k = x.shape
    coef, design, _kept = _least_squares(x, y, with_const)
    slopes = list(coef[:k])[::-1]
    b = float(coef[k]) if with_const else 0.0
    top = [float(v) for v in slopes] + [b]
    if not full:
        return Arr([top])
    fitted = design @ coef
    resid = y - fitted
    df = n - k - (1 if with_const else 0)
    ss_resid = float(resid @ resid)
    centre = y.mean() if with_const else 0.0
    ss_total = float(((y - centre) ** 2).sum())
    ss_reg = ss_total - ss_resid
    if df <= 0:
        return ExcelError("#NUM!", "LINEST: not enough data points for the statistics")
    sigma2 = ss_resid / df
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    errors = [float(math.sqrt(max(v, 0.0))) for v in np.diag(cov)]
    se = errors[:k][::-1] + ([errors[k]] if with_const else [NA])
    r2 = ss_reg / ss_total if ss_total else 1.0
    f = (ss_reg / k) / sigma2 if sigma2 else NUM
    pad = [NA] * (k - 1)
    return Arr(
        [
            top,
            se,
            [r2, math.sqrt(sigma2), *pad],
            [f, float(df), *pad],
            [ss_reg, ss_resid, *pad],
        ]
    )


def _least_squares(x: Any, y: Any, with_const: bool) -> tuple[Any, Any, list[bool]]:
    """Coefficients of ``y ~ x (+ b)`` as Excel's LINEST finds them: an x column that adds
    nothing (constant, or a combination of earlier ones) gets coefficient 0 (Microsoft,
    "LINEST function": collinearity). Returns (coefficients of x..., b), design, kept flags."""
    import numpy as np

    n, k = x.shape
    if k == 1:  # the closed form on centred sums: exact 0 slope for a constant y, as Excel
        xs_, ys_ = [float(v) for v in x[:, 0]], [float(v) for v in y]
        if with_const:
            my, mx, sxy, sxx, _syy = _moments(ys_, xs_)
            m = sxy / sxx if sxx else 0.0
            coef = np.array([m, my - m * mx])
        else:
            sxx = math.fsum(v * v for v in xs_)
            m = math.fsum(a * b for a, b in zip(xs_, ys_, strict=True)) / sxx if sxx else 0.0
            coef = np.array([m])
        design1 = np.hstack([x, np.ones((n, 1))]) if with_const else x
        return coef, design1, [True]
    columns = [np.ones(n)] if with_const else []
    kept = []
    for j in range(k):
        trial = np.column_stack([*columns, x[:, j]])
        if np.linalg.matrix_rank(trial, tol=1e-10 * max(1.0, float(np.abs(trial).max()))) > len(
            columns
        ):
            columns.append(x[:, j])
            kept.append(True)
        else:
            kept.append(False)
    design = np.column_stack(columns) if columns else np.zeros((n, 0))
    fit = np.linalg.lstsq(design, y, rcond=None)[0] if columns else np.zeros(0)
    b = float(fit[0]) if with_const else 0.0
    rest = iter(fit[1:] if with_const else fit)
    slopes = [float(next(rest)) if keep else 0.0 for keep in kept]
    full = np.array([*slopes, b]) if with_const else np.array(slopes)
    design_full = np.hstack([x, np.ones((n, 1))]) if with_const else x
    return full, design_full, kept


# --- the normal distribution -----------------------------------------------------------------


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


@builtin("STANDARDIZE", params="vvv")
def standardize(x: Any, mean: Any, sd: Any) -> Any:
    s = num(sd)
    if s <= 0:
        return ExcelError("#NUM!", "standard deviation must be positive")
    return checked((num(x) - num(mean)) / s)


# --- SUBTOTAL and AGGREGATE ----------------------------------------------------------------------

_SUBTOTAL_NAMES = ("SUBTOTAL(", "AGGREGATE(", "_XLFN.AGGREGATE(")


def _aggregate_fns() -> dict[int, Callable[..., Any]]:
    from pyfuncs.formulas.builtins import math_trig

    return {
        1: average,
        2: count,
        3: counta,
        4: max_,
        5: min_,
        6: math_trig.product,
        7: _spread(numbers, True, True),
        8: _spread(numbers, False, True),
        9: math_trig.sum_,
        10: _spread(numbers, True, False),
        11: _spread(numbers, False, False),
        12: median,
        13: mode,
    }


def _range_values(ev: Any, arg: Any, skip_nested: bool, skip_errors: bool) -> Any:
    """A SUBTOTAL/AGGREGATE argument's values; cells holding SUBTOTAL or AGGREGATE formulas are
    left out (so grand totals do not count subtotals twice), as Microsoft documents."""
    if type(arg) is not Ref:
        return arg
    ref = ev.clipped(arg)
    formulas = ev.book.sheets[ref.sheet].formulas
    rows = []
    for r in range(ref.r1, ref.r2 + 1):
        line = []
        for c in range(ref.c1, ref.c2 + 1):
            f = formulas.get((r, c))
            if (
                skip_nested
                and f is not None
                and f.text.upper().lstrip("=").startswith(_SUBTOTAL_NAMES)
            ):
                line.append(None)
                continue
            v = ev.cell(ref.sheet, r, c)
            if skip_errors and type(v) is ExcelError:
                v = None
            line.append(v)
        rows.append(line)
    return Arr(rows)


@builtin("SUBTOTAL", params="vR*", min_args=2, context=True)
def subtotal(ev: Any, function: Any, *refs: Any) -> Any:
    """SUBTOTAL(function_num, ref1, ...): 1-11 as AVERAGE, COUNT, COUNTA, MAX, MIN, PRODUCT,
    STDEV, STDEVP, SUM, VAR, VARP; 101-111 the same ignoring hidden rows. Hidden rows are not
    known to the engine, so 101-111 count every row (as Excel does when none is hidden)."""
    code = integer(function)
    fns = _aggregate_fns()
    base = code - 100 if code > 100 else code
    if base not in fns or base > 11:
        return ExcelError("#VALUE!", "SUBTOTAL function number must be 1-11 or 101-111")
    return fns[base](*[_range_values(ev, r, True, False) for r in refs])


@builtin("AGGREGATE", params="vvR*", min_args=3, context=True)
def aggregate(ev: Any, function: Any, options: Any, *refs: Any) -> Any:
    """AGGREGATE(function_num, options, ref1, ...): functions 1-13 of the reference form (12
    MEDIAN, 13 MODE.SNGL) and 14-19 of the array form (LARGE, SMALL, PERCENTILE.INC,
    QUARTILE.INC, PERCENTILE.EXC, QUARTILE.EXC, with k as the last argument). Options 2, 3, 6
    and 7 skip error values; 0-3 skip nested SUBTOTAL/AGGREGATE; hidden rows are not known."""
    code, opt = integer(function), integer(options)
    if not 0 <= opt <= 7:
        return ExcelError("#VALUE!", "AGGREGATE options must be 0-7")
    skip_errors = opt in (2, 3, 6, 7)
    skip_nested = opt <= 3
    if 1 <= code <= 13:
        values = [_range_values(ev, r, skip_nested, skip_errors) for r in refs]
        return _aggregate_fns()[code](*values)
    if 14 <= code <= 19:
        if len(refs) < 2:
            return ExcelError("#VALUE!", "AGGREGATE 14-19 need an array and k")
        data = _range_values(ev, refs[0], skip_nested, skip_errors)
        if type(data) is Arr and skip_errors:
            data = Arr([[None if type(v) is ExcelError else v for v in row] for row in data.values])
        k = refs[1]
        if type(k) is Ref:
            k = ev.cell(k.sheet, k.r1, k.c1)
        values = numbers((data,))
        kk = num(k)
        if code == 14:
            return _kth(True)(data, kk)
        if code == 15:
            return _kth(False)(data, kk)
        if code == 16:
            return percentile_inc(values, kk)
        if code == 17:
            return quartile(data, kk)
        if code == 18:
            return percentile_exc(values, kk)
        return quartile_exc(data, kk)
    return ExcelError("#VALUE!", "AGGREGATE function number must be 1-19")


@builtin("TREND", params="aaav", min_args=1)
def trend(ys: Any, xs: Any = OMITTED, new_xs: Any = OMITTED, const: Any = OMITTED) -> Any:
    """Values on the least-squares line (or plane) through ``ys`` and ``xs`` at ``new_xs``
    (default: ``xs``), shaped like ``new_xs`` (Microsoft, "TREND function")."""
    import numpy as np  # only a workbook that uses TREND pays for the import

    y_grid = numeric_matrix(ys, "LINEST")
    y = np.array(y_grid, dtype=float).reshape(-1)
    n = len(y)
    by_columns = len(y_grid) == 1 and len(y_grid[0]) > 1  # ys in a row: each x is a row
    if xs is OMITTED or xs is None:
        x = np.arange(1.0, n + 1).reshape(-1, 1)
    else:
        grid = np.array(numeric_matrix(xs, "LINEST"), dtype=float)
        if grid.size == n:
            x = grid.reshape(-1, 1)
        elif not by_columns and grid.shape[0] == n:
            x = grid
        elif by_columns and grid.shape[1] == n:
            x = grid.T
        else:
            return ExcelError("#REF!", "TREND: known_x's do not match known_y's")
    k = x.shape[1]
    if new_xs is OMITTED or new_xs is None:
        targets, shape = x, (len(y_grid), len(y_grid[0]))
    else:
        new_grid = numeric_matrix(new_xs, "TREND")
        arr = np.array(new_grid, dtype=float)
        if k == 1:
            targets, shape = arr.reshape(-1, 1), arr.shape
        elif not by_columns and arr.shape[1] == k:
            targets, shape = arr, (arr.shape[0], 1)
        elif by_columns and arr.shape[0] == k:
            targets, shape = arr.T, (1, arr.shape[1])
        else:
            return ExcelError("#REF!", "TREND: new_x's do not match known_x's")
    with_const = True if const is None else optional_bool(const, True)  # empty: as omitted
    coef, _design, _kept = _least_squares(x, y, with_const)
    points = np.hstack([targets, np.ones((len(targets), 1))]) if with_const else targets
    fitted = [float(v) for v in points @ coef]
    rows, cols = shape
    return Arr([fitted[i * cols : (i + 1) * cols] for i in range(rows)])
