"""Financial built-ins, written from Microsoft's definitions of each function.

Cash-flow signs follow Excel: money paid out is negative. ``PMT``, ``FV``, ``PV``, ``NPER`` and
``RATE`` solve ``pv*(1+r)^n + pmt*(1+r*type)*((1+r)^n-1)/r + fv = 0``. The growth factor is
computed as ``exp(n*log1p(r))`` and ``(1+r)^n - 1`` as ``expm1(n*log1p(r))``, so tiny rates do not
cancel: ``PMT(1E-16,10,1000)`` is -100, not ``#NUM!`` (LibreOffice's pmt.fods test document).
``IPMT`` is the rate times the balance at the start of the period (``type=1``: no interest in
period 1); ``PPMT = PMT - IPMT``. An empty argument is 0, not the default:
``DDB(25000,1,60,12,)`` has factor 0, which is ``#NUM!``.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins.registry import (
    OMITTED,
    builtin,
    integer,
    numbers,
    optional,
    optional_bool,
)
from pyfuncs.formulas.values import DIV0, NUM, Arr, XlError, checked, num, round15


def _growth(rate: float, nper: float) -> tuple[float, float]:
    """``(1+rate)^nper`` and ``(1+rate)^nper - 1``, accurate for tiny rates."""
    if rate > -1.0:
        exponent = nper * math.log1p(rate)
        try:
            return math.exp(exponent), math.expm1(exponent)
        except OverflowError:
            raise XlError(ExcelError("#NUM!", "result too large")) from None
    try:
        growth = (1.0 + rate) ** nper
    except (OverflowError, ZeroDivisionError):
        raise XlError(NUM) from None
    if isinstance(growth, complex):
        raise XlError(ExcelError("#NUM!", "fractional periods at a rate below -100%"))
    return growth, growth - 1.0


def _pmt(rate: float, nper: float, pv: float, fv: float, when: float) -> float:
    if nper == 0:
        raise XlError(ExcelError("#NUM!", "number of periods is zero"))
    if rate == 0:
        return -(pv + fv) / nper
    growth, growth_m1 = _growth(rate, nper)
    if growth_m1 == 0.0:
        raise XlError(NUM)
    return -(rate * (pv * growth + fv)) / ((1.0 + rate * when) * growth_m1)


def _fv(rate: float, nper: float, pmt: float, pv: float, when: float) -> float:
    if rate == 0:
        return -(pv + pmt * nper)
    growth, growth_m1 = _growth(rate, nper)
    return -(pv * growth + pmt * (1.0 + rate * when) * growth_m1 / rate)


def _when(value: Any) -> float:
    return 0.0 if value is OMITTED or value is None or num(value) == 0 else 1.0


@builtin("PMT", params="vvvvv", min_args=3)
def pmt(rate: Any, nper: Any, pv: Any, fv: Any = OMITTED, when: Any = OMITTED) -> Any:
    return checked(_pmt(num(rate), num(nper), num(pv), optional(fv, 0.0), _when(when)))


@builtin("FV", params="vvvvv", min_args=3)
def fv(rate: Any, nper: Any, payment: Any, pv: Any = OMITTED, when: Any = OMITTED) -> Any:
    return checked(_fv(num(rate), num(nper), num(payment), optional(pv, 0.0), _when(when)))


@builtin("PV", params="vvvvv", min_args=3)
def pv(rate: Any, nper: Any, payment: Any, fv_: Any = OMITTED, when: Any = OMITTED) -> Any:
    r, n, p, f, w = num(rate), num(nper), num(payment), optional(fv_, 0.0), _when(when)
    if r == 0:
        return checked(-(f + p * n))
    growth, growth_m1 = _growth(r, n)
    return checked(-(f + p * (1.0 + r * w) * growth_m1 / r) / growth)


@builtin("NPER", params="vvvvv", min_args=3)
def nper(rate: Any, payment: Any, pv_: Any, fv_: Any = OMITTED, when: Any = OMITTED) -> Any:
    r, p, v, f, w = num(rate), num(payment), num(pv_), optional(fv_, 0.0), _when(when)
    if r == 0:
        if p == 0:
            return DIV0
        return checked(-(v + f) / p)
    z = p * (1.0 + r * w) / r
    ratio = (z - f) / (v + z) if v + z != 0 else -1.0
    if ratio <= 0 or r <= -1:
        return NUM
    return checked(math.log(ratio) / math.log1p(r))


def _ipmt(rate: float, per: float, nper_: float, pv_: float, fv_: float, when: float) -> float:
    if per < 1 or per > nper_:
        raise XlError(ExcelError("#NUM!", "period must be between 1 and the number of periods"))
    payment = _pmt(rate, nper_, pv_, fv_, when)
    if when == 1.0:
        if per == 1:
            return 0.0
        return (_fv(rate, per - 2, payment, pv_, 1.0) - payment) * rate
    return _fv(rate, per - 1, payment, pv_, 0.0) * rate


@builtin("IPMT", params="vvvvvv", min_args=4)
def ipmt(rate: Any, per: Any, n: Any, pv_: Any, fv_: Any = OMITTED, when: Any = OMITTED) -> Any:
    args = num(rate), num(per), num(n), num(pv_), optional(fv_, 0.0), _when(when)
    return checked(_ipmt(*args))


@builtin("PPMT", params="vvvvvv", min_args=4)
def ppmt(rate: Any, per: Any, n: Any, pv_: Any, fv_: Any = OMITTED, when: Any = OMITTED) -> Any:
    r, p, periods, v, f, w = num(rate), num(per), num(n), num(pv_), optional(fv_, 0.0), _when(when)
    return checked(_pmt(r, periods, v, f, w) - _ipmt(r, p, periods, v, f, w))


def _cumulative(principal: bool):
    def cumulative(rate: Any, n: Any, pv_: Any, start: Any, end: Any, when: Any) -> Any:
        """CUMIPMT/CUMPRINC: interest (principal) paid from period ``start`` to ``end``;
        rate, periods and pv must be positive, 1 <= start <= end <= nper, type 0 or 1."""
        r, periods, v = num(rate), num(n), num(pv_)
        first, last, w = math.ceil(num(start)), math.trunc(num(end)), num(when)
        if r <= 0 or periods <= 0 or v <= 0 or first < 1 or last < first or last > periods:
            return ExcelError("#NUM!", "CUMIPMT/CUMPRINC arguments out of range")
        if w not in (0.0, 1.0):
            return ExcelError("#NUM!", "type must be 0 or 1")
        payment = _pmt(r, periods, v, 0.0, w)
        total = 0.0
        for per in range(first, last + 1):
            interest = _ipmt(r, per, periods, v, 0.0, w)
            total += payment - interest if principal else interest
        return checked(total)

    return cumulative


builtin("CUMIPMT", params="vvvvvv")(_cumulative(False))
builtin("CUMPRINC", params="vvvvvv")(_cumulative(True))


@builtin("ISPMT", params="vvvv")
def ispmt(rate: Any, per: Any, n: Any, pv_: Any) -> Any:
    periods = num(n)
    if periods == 0:
        return DIV0
    return checked(num(pv_) * num(rate) * (num(per) / periods - 1.0))


def _rate_equation(r: float, n: float, p: float, v: float, f: float, w: float) -> float:
    if r == 0:
        return v + p * n + f
    growth, growth_m1 = _growth(r, n)
    return v * growth + p * (1.0 + r * w) * growth_m1 / r + f


def _rate_equation_pv(r: float, n: float, p: float, v: float, f: float, w: float) -> float:
    """The RATE equation divided by ``(1+r)^n``: the same roots, and no overflow or convexity
    that throws Newton's method far off for long terms (LibreOffice rate.fods rows 73-242)."""
    if r == 0:
        return v + p * n + f
    growth, growth_m1 = _growth(r, n)
    return v + p * (1.0 + r * w) * (growth_m1 / growth) / r + f / growth


def _newton(equation: Any, r: float, args: tuple[float, ...]) -> float | None:
    """A root of ``equation(r, *args)`` by Newton's method with a central-difference slope,
    or None when it leaves (-1, inf) or does not settle in 100 steps."""
    for _ in range(100):
        try:
            y = equation(r, *args)
            if y == 0:
                return r
            h = abs(r) * 1e-6 if r else 1e-8
            slope = (equation(r + h, *args) - equation(r - h, *args)) / (2 * h)
        except (XlError, OverflowError, ZeroDivisionError):
            return None
        if slope == 0 or not math.isfinite(slope) or not math.isfinite(y):
            return None
        step = y / slope
        r -= step
        if r <= -1 or not math.isfinite(r):
            return None
        # Quadratic convergence: past a relative step of 1E-11 the next one is below the
        # last bit (a test at 1E-15 can cycle on rounding noise without ending).
        if abs(step) <= 1e-11 * max(abs(r), 1e-300):
            return r
    return None


@builtin("RATE", params="vvvvvv", min_args=3)
def rate(
    n: Any, payment: Any, pv_: Any, fv_: Any = OMITTED, when: Any = OMITTED, guess: Any = OMITTED
) -> Any:
    """RATE: the ``r`` solving ``pv*(1+r)^n + pmt*(1+r*type)*((1+r)^n-1)/r + fv = 0``, by
    Newton's method from ``guess`` (default 10%) on that equation, then on the equation
    divided by ``(1+r)^n`` (same roots), #NUM! when neither converges (Microsoft: "If the
    successive results of RATE do not converge..."; LibreOffice rate.fods for the long terms
    and guesses below -1 that the first form cannot reach)."""
    periods, p, v, f, w = num(n), num(payment), num(pv_), optional(fv_, 0.0), _when(when)
    if periods <= 0:
        return ExcelError("#NUM!", "RATE needs a positive number of periods")
    start = optional(guess, 0.1)
    args = (periods, p, v, f, w)
    for equation in (_rate_equation, _rate_equation_pv):
        for r0 in (start, 0.1) if start != 0.1 else (start,):
            if r0 <= -1:
                continue
            root = _newton(equation, r0, args)
            if root is not None:
                return root
    return ExcelError("#NUM!", "RATE did not converge")


@builtin("NPV", params="vr*", min_args=2)
def npv(rate: Any, *values: Any) -> Any:
    """Sum of ``value_i / (1+rate)^i`` for i = 1.., added in the order given with the discount
    factor built up by repeated multiplication, ``f_i = f_(i-1) * (1+rate)``: that order
    reproduces Excel's cached results bit for bit (pycel's npv.xlsx fixture, saved by Excel),
    where ``(1+rate)**i`` or a compensated sum differ in the last bits."""
    r = num(rate)
    if r == -1:
        return DIV0
    total = 0.0
    factor = 1.0
    for v in numbers(values):
        factor *= 1.0 + r
        total += v / factor
    return checked(total)


def _npv0(rate: float, flows: list[float]) -> tuple[float, float]:
    value = slope = 0.0
    for i, v in enumerate(flows):
        factor = (1.0 + rate) ** i
        value += v / factor
        slope -= i * v / (factor * (1.0 + rate))
    return value, slope


@builtin("IRR", params="av", min_args=1)
def irr(values: Any, guess: Any = OMITTED) -> Any:
    """The rate at which the flows' NPV is 0, by Newton's method from ``guess`` (10%): "starting
    with guess, IRR cycles through the calculation until the result is accurate" (Microsoft's
    IRR page). The iteration may pass below -100% (an NPV of whole periods is defined there):
    from the guess 1, -10000, 3500, 7600, 1000 reach their second root -114.53% (LibreOffice
    irr.fods row 3). A bisection over a grid of rates takes over if Newton fails."""
    flows = numbers((values,), direct_text=False)
    if not any(v > 0 for v in flows) or not any(v < 0 for v in flows):
        return ExcelError("#NUM!", "IRR needs both positive and negative cash flows")
    rate_ = optional(guess, 0.1)
    for _ in range(100):
        if rate_ == -1 or not math.isfinite(rate_):
            break
        try:
            value, slope = _npv0(rate_, flows)
        except (OverflowError, ZeroDivisionError):
            break
        if slope == 0:
            break
        step = value / slope
        rate_ -= step
        if abs(step) < 1e-12 * max(1.0, abs(rate_)):
            return rate_
    return _irr_bisect(flows)


def _irr_bisect(flows: list[float]) -> Any:
    """A sign change of the NPV on a grid of rates, refined by bisection (Newton failed)."""
    grid = [-0.99, -0.9, -0.5, -0.2, 0.0, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 100.0]
    for low, high in itertools.pairwise(grid):
        f_low, f_high = _npv0(low, flows)[0], _npv0(high, flows)[0]
        if f_low == 0:
            return low
        if f_low * f_high < 0:
            for _ in range(200):
                mid = (low + high) / 2
                f_mid = _npv0(mid, flows)[0]
                if f_low * f_mid <= 0:
                    high = mid
                else:
                    low, f_low = mid, f_mid
            return (low + high) / 2
    return ExcelError("#NUM!", "IRR did not converge")


@builtin("MIRR", params="avv")
def mirr(values: Any, finance_rate: Any, reinvest_rate: Any) -> Any:
    """((-NPV(reinvest, positives)*(1+reinvest)^n) / (NPV(finance, negatives)*(1+finance)))^(1/(n-1)) - 1
    (Microsoft, "MIRR function")."""
    flows = numbers((values,), direct_text=False)
    fr, rr = num(finance_rate), num(reinvest_rate)
    n = len(flows)
    if not any(v > 0 for v in flows) or not any(v < 0 for v in flows):
        return DIV0
    if fr == -1 or rr == -1:
        return DIV0
    pos = math.fsum(v / (1.0 + rr) ** i for i, v in enumerate(flows, start=1) if v > 0)
    neg = math.fsum(v / (1.0 + fr) ** i for i, v in enumerate(flows, start=1) if v < 0)
    ratio = (-pos * (1.0 + rr) ** n) / (neg * (1.0 + fr))
    if ratio < 0:
        return NUM
    return checked(ratio ** (1.0 / (n - 1)) - 1.0)


def _dated_flows(values: Any, dates: Any) -> tuple[list[float], list[float]]:
    a = values.flat() if type(values) is Arr else [values]
    b = dates.flat() if type(dates) is Arr else [dates]
    if len(a) != len(b):
        raise XlError(ExcelError("#NUM!", "values and dates differ in number"))
    flows, days = [], []
    for v, d in zip(a, b, strict=True):
        for x in (v, d):
            if type(x) is ExcelError:
                raise XlError(x)
        if type(v) is not float or type(d) is not float:
            raise XlError(ExcelError("#VALUE!", "values and dates must be numbers"))
        flows.append(v)
        days.append(math.floor(d))
    if any(d < days[0] for d in days[1:]):
        raise XlError(ExcelError("#NUM!", "a date precedes the first date"))
    return flows, days


def _xnpv(rate: float, flows: list[float], days: list[float]) -> float:
    total = 0.0
    for v, d in zip(flows, days, strict=True):
        total += v / (1.0 + rate) ** ((d - days[0]) / 365.0)
    return total


@builtin("XNPV", params="vaa")
def xnpv(rate: Any, values: Any, dates: Any) -> Any:
    """Sum of ``value_i / (1+rate)^((date_i - date_1)/365)`` (Microsoft, "XNPV function")."""
    r = num(rate)
    flows, days = _dated_flows(values, dates)
    if r <= -1:
        return NUM
    return checked(_xnpv(r, flows, days))


@builtin("XIRR", params="aav", min_args=2)
def xirr(values: Any, dates: Any, guess: Any = OMITTED) -> Any:
    """The rate at which XNPV is 0, by Newton's method from ``guess`` (default 10%)."""
    flows, days = _dated_flows(values, dates)
    if not any(v > 0 for v in flows) or not any(v < 0 for v in flows):
        return ExcelError("#NUM!", "XIRR needs both positive and negative cash flows")
    start = optional(guess, 0.1)
    # Newton from the guess; when it leaves (-1, inf) or overflows, from other starts toward
    # -100% (LibreOffice xirr.fods rows 12-14: roots near -90% that 10% does not reach).
    for r0 in (start, 0.1, 0.0, -0.5, -0.9, -0.99):
        if r0 <= -1:
            continue
        root = _newton(lambda r, *a: _xnpv(r, flows, days), r0, ())
        if root is not None:
            return root
    return ExcelError("#NUM!", "XIRR did not converge")


@builtin("EFFECT", params="vv")
def effect(nominal: Any, periods: Any) -> Any:
    r, n = num(nominal), math.trunc(num(periods))
    if r <= 0 or n < 1:
        return ExcelError("#NUM!", "EFFECT needs a positive rate and at least one period")
    return checked((1.0 + r / n) ** n - 1.0)


@builtin("NOMINAL", params="vv")
def nominal(effective: Any, periods: Any) -> Any:
    r, n = num(effective), math.trunc(num(periods))
    if r <= 0 or n < 1:
        return ExcelError("#NUM!", "NOMINAL needs a positive rate and at least one period")
    return checked(n * ((1.0 + r) ** (1.0 / n) - 1.0))


@builtin("FVSCHEDULE", params="vr")
def fvschedule(principal: Any, schedule: Any) -> Any:
    value = num(principal)
    items = schedule.flat() if type(schedule) is Arr else [schedule]
    for r in items:
        value *= 1.0 + num(r)
    return checked(value)


@builtin("PDURATION", params="vvv")
def pduration(rate: Any, pv_: Any, fv_: Any) -> Any:
    r, a, b = num(rate), num(pv_), num(fv_)
    if r <= 0 or a <= 0 or b <= 0:
        return ExcelError("#NUM!", "PDURATION needs positive arguments")
    # log(b/a), not log(b) - log(a): the difference of two close logarithms loses digits
    # (PDURATION(0.027,2150,2300) = 2.53139612632289, to 50 digits 2.5313961263228929907).
    return checked(math.log(b / a) / math.log1p(r))


@builtin("RRI", params="vvv")
def rri(n: Any, pv_: Any, fv_: Any) -> Any:
    periods, a, b = num(n), num(pv_), num(fv_)
    if periods <= 0 or a == 0:
        return ExcelError("#NUM!", "RRI needs positive periods and a non-zero present value")
    ratio = b / a
    if ratio < 0:
        return NUM
    return checked(ratio ** (1.0 / periods) - 1.0)


# --- depreciation ----------------------------------------------------------------------------


@builtin("SLN", params="vvv")
def sln(cost: Any, salvage: Any, life: Any) -> Any:
    n = num(life)
    if n == 0:
        return DIV0
    return checked((num(cost) - num(salvage)) / n)


@builtin("SYD", params="vvvv")
def syd(cost: Any, salvage: Any, life: Any, period: Any) -> Any:
    c, s, n, p = num(cost), num(salvage), num(life), num(period)
    if n <= 0 or p <= 0 or p > n or s < 0:
        return ExcelError("#NUM!", "SYD arguments out of range")
    return checked((c - s) * (n - p + 1.0) * 2.0 / (n * (n + 1.0)))


@builtin("DB", params="vvvvv", min_args=4)
def db(cost: Any, salvage: Any, life: Any, period: Any, month: Any = OMITTED) -> Any:
    """Fixed-declining balance at ``1 - (salvage/cost)^(1/life)`` rounded to 3 decimals; the
    first year is pro rata for ``month`` months, the year after the life gets the rest."""
    c, s, n, p = num(cost), num(salvage), math.trunc(num(life)), math.trunc(num(period))
    m = math.trunc(optional(month, 12.0))
    if c < 0 or s < 0 or n <= 0 or p <= 0 or m < 1 or m > 12 or p > n + (1 if m < 12 else 0):
        return ExcelError("#NUM!", "DB arguments out of range")
    if c == 0:
        return 0.0
    rate_ = round(1.0 - (s / c) ** (1.0 / n), 3)
    total = c * rate_ * m / 12.0
    if p == 1:
        return checked(total)
    charge = total
    for year in range(2, p + 1):
        charge = (c - total) * rate_ * (12 - m) / 12.0 if year == n + 1 else (c - total) * rate_
        total += charge
    return checked(charge)


def _declining_rate(life: float, factor: float) -> float:
    return min(1.0, factor / life)


@builtin("DDB", params="vvvvv", min_args=4)
def ddb(cost: Any, salvage: Any, life: Any, period: Any, factor: Any = OMITTED) -> Any:
    """Double-declining balance: ``min(book * factor/life, book - salvage)`` for the period.
    Constraints from LibreOffice's ddb.fods test document (cost >= 0, salvage >= 0,
    salvage <= cost, 1 <= period <= life, factor > 0; otherwise #NUM!)."""
    c, s, n, p, f = num(cost), num(salvage), num(life), num(period), optional(factor, 2.0)
    if c < 0 or s < 0 or s > c or n <= 0 or p < 1 or p > n or f <= 0:
        return ExcelError("#NUM!", "DDB arguments out of range")
    rate_ = _declining_rate(n, f)
    # Book value after p periods is max(salvage, cost*(1-rate)^p) (Excel's min() rule, summed).
    before = max(s, c * (1.0 - rate_) ** (p - 1))
    after = max(s, c * (1.0 - rate_) ** p)
    return max(0.0, before - after)


def _ddb_period(cost: float, salvage: float, life: float, period: float, factor: float) -> float:
    """Declining-balance charge of one whole period (the DDB rule)."""
    rate_ = _declining_rate(life, factor)
    old = cost * (1.0 - rate_) ** (period - 1) if rate_ < 1 else (cost if period == 1 else 0.0)
    new = cost * (1.0 - rate_) ** period
    return max(0.0, (old - salvage) if new < salvage else (old - new))


@builtin("VDB", params="vvvvvvv", min_args=5)
def vdb(
    cost: Any,
    salvage: Any,
    life: Any,
    start: Any,
    end: Any,
    factor: Any = OMITTED,
    no_switch: Any = OMITTED,
) -> Any:
    """Variable declining balance between two periods. Constraints as LibreOffice's vdb.fods
    test document: cost >= 0, salvage <= cost, 0 <= start <= end <= life, factor > 0; an empty
    factor is 0 (so ``VDB(35000,7500,36,10,20,,)`` is #NUM!), an empty no_switch FALSE."""
    c, s, n = num(cost), num(salvage), num(life)
    a, b, f = num(start), num(end), optional(factor, 2.0)
    keep_declining = optional_bool(no_switch, False)
    if c < 0 or s < 0 or s > c or n <= 0 or a < 0 or b < a or b > n or f <= 0:
        return ExcelError("#NUM!", "VDB arguments out of range")
    if c == 0:
        return ExcelError("#NUM!", "VDB of a zero cost")
    if keep_declining:
        first, last = math.floor(round15(a)), math.ceil(round15(b))
        total = 0.0
        for i in range(first + 1, last + 1):
            term = _ddb_period(c, s, n, float(i), f)
            if i == first + 1:
                term *= min(b, first + 1.0) - a
            elif i == last:
                term *= b + 1.0 - last
            total += term
        return checked(total)
    return checked(_vdb_switching(c, s, n, a, b, f))


def _vdb_switching(
    cost: float, salvage: float, life: float, start: float, end: float, factor: float
) -> float:
    """VDB with the switch to straight line, as Excel's cached values show it (xlcalculator's
    VDB.xlsx, saved by Excel): the schedule's periods begin at the fractional part of
    ``start`` (a first part period ``[0, frac]`` charged pro rata, then whole periods), each
    charging ``min(book * factor/life, book - salvage)`` until the straight line over the life
    left, ``(book - salvage) / (life - t)``, charges more; that amount is then kept to the end.
    The charges of the periods inside ``[start, end]`` are summed, a part period pro rata:
    ``VDB(1,0,14,13.5,14,1.25)`` is half of ``VDB(1,0,14,11.5,12.5,1.25)`` = 0.0687262904546841.
    """
    rate_ = _declining_rate(life, factor)
    frac = round15(start) - math.floor(round15(start))
    edges = [0.0]
    t = frac if frac > 0 else 1.0
    while t < life:
        edges.append(t)
        t += 1.0
    edges.append(life)
    book, total, straight = cost, 0.0, None
    for t0, t1 in itertools.pairwise(edges):
        if t0 >= end:
            break
        declining = max(0.0, min(book * rate_, book - salvage))
        if straight is None and (book - salvage) / (life - t0) > declining:
            straight = (book - salvage) / (life - t0)
        charge = (straight if straight is not None else declining) * (t1 - t0)
        overlap = min(t1, end) - max(t0, start)
        if overlap > 0:
            total += charge * overlap / (t1 - t0)
        book -= charge
    return total


__all__ = ["integer"]
