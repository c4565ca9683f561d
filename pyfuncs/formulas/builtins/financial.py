"""Financial built-ins, written from Microsoft's definitions of each function.

Cash-flow signs follow Excel: money paid out is negative. ``PMT``, ``FV``, ``PV`` and ``NPER``
solve ``pv*(1+r)^n + pmt*(1+r*type)*((1+r)^n-1)/r + fv = 0``; ``IPMT`` is the rate times the
balance at the start of the period (``type=1``: no interest in period 1); ``PPMT = PMT - IPMT``.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import builtin, numbers, optional
from pyfuncs.formulas.values import DIV0, NUM, XlError, boolean, checked, num


def _pmt(rate: float, nper: float, pv: float, fv: float, when: float) -> float:
    if nper == 0:
        raise XlError(ExcelError("#NUM!", "number of periods is zero"))
    if rate == 0:
        return -(pv + fv) / nper
    growth = (1.0 + rate) ** nper
    if growth == 1.0:
        raise XlError(NUM)
    return -(rate * (pv * growth + fv)) / ((1.0 + rate * when) * (growth - 1.0))


def _fv(rate: float, nper: float, pmt: float, pv: float, when: float) -> float:
    if rate == 0:
        return -(pv + pmt * nper)
    growth = (1.0 + rate) ** nper
    return -(pv * growth + pmt * (1.0 + rate * when) * (growth - 1.0) / rate)


def _when(value: Any) -> float:
    return 0.0 if value is None or num(value) == 0 else 1.0


@builtin("PMT", params="vvvvv", min_args=3)
def pmt(rate: Any, nper: Any, pv: Any, fv: Any = None, when: Any = None) -> Any:
    return checked(_pmt(num(rate), num(nper), num(pv), optional(fv, 0.0), _when(when)))


@builtin("FV", params="vvvvv", min_args=3)
def fv(rate: Any, nper: Any, payment: Any, pv: Any = None, when: Any = None) -> Any:
    return checked(_fv(num(rate), num(nper), num(payment), optional(pv, 0.0), _when(when)))


@builtin("PV", params="vvvvv", min_args=3)
def pv(rate: Any, nper: Any, payment: Any, fv_: Any = None, when: Any = None) -> Any:
    r, n, p, f, w = num(rate), num(nper), num(payment), optional(fv_, 0.0), _when(when)
    if r == 0:
        return checked(-(f + p * n))
    growth = (1.0 + r) ** n
    return checked(-(f + p * (1.0 + r * w) * (growth - 1.0) / r) / growth)


@builtin("NPER", params="vvvvv", min_args=3)
def nper(rate: Any, payment: Any, pv_: Any, fv_: Any = None, when: Any = None) -> Any:
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
def ipmt(rate: Any, per: Any, n: Any, pv_: Any, fv_: Any = None, when: Any = None) -> Any:
    args = num(rate), num(per), num(n), num(pv_), optional(fv_, 0.0), _when(when)
    return checked(_ipmt(*args))


@builtin("PPMT", params="vvvvvv", min_args=4)
def ppmt(rate: Any, per: Any, n: Any, pv_: Any, fv_: Any = None, when: Any = None) -> Any:
    r, p, periods, v, f, w = num(rate), num(per), num(n), num(pv_), optional(fv_, 0.0), _when(when)
    return checked(_pmt(r, periods, v, f, w) - _ipmt(r, p, periods, v, f, w))


@builtin("NPV", params="vr*", min_args=2)
def npv(rate: Any, *values: Any) -> Any:
    r = num(rate)
    if r == -1:
        return DIV0
    flows = numbers(values)
    return checked(math.fsum(v / (1.0 + r) ** (i + 1) for i, v in enumerate(flows)))


def _npv0(rate: float, flows: list[float]) -> tuple[float, float]:
    value = slope = 0.0
    for i, v in enumerate(flows):
        factor = (1.0 + rate) ** i
        value += v / factor
        slope -= i * v / (factor * (1.0 + rate))
    return value, slope


@builtin("IRR", params="av", min_args=1)
def irr(values: Any, guess: Any = None) -> Any:
    flows = numbers((values,), direct_text=False)
    if not any(v > 0 for v in flows) or not any(v < 0 for v in flows):
        return ExcelError("#NUM!", "IRR needs both positive and negative cash flows")
    rate = optional(guess, 0.1)
    for _ in range(100):
        if rate <= -1:
            break
        try:
            value, slope = _npv0(rate, flows)
        except (OverflowError, ZeroDivisionError):
            break
        if slope == 0:
            break
        step = value / slope
        rate -= step
        if abs(step) < 1e-12 * max(1.0, abs(rate)):
            return rate
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


@builtin("SLN", params="vvv")
def sln(cost: Any, salvage: Any, life: Any) -> Any:
    n = num(life)
    if n == 0:
        return DIV0
    return checked((num(cost) - num(salvage)) / n)


def _declining_rate(life: float, factor: float) -> float:
    return min(1.0, factor / life)


@builtin("DDB", params="vvvvv", min_args=4)
def ddb(cost: Any, salvage: Any, life: Any, period: Any, factor: Any = None) -> Any:
    c, s, n, p, f = num(cost), num(salvage), num(life), num(period), optional(factor, 2.0)
    if c < 0 or s < 0 or n <= 0 or p <= 0 or p > n or f <= 0:
        return ExcelError("#NUM!", "DDB arguments out of range")
    rate = _declining_rate(n, f)
    # Book value after p periods is max(salvage, cost*(1-rate)^p) (Excel's min() rule, summed).
    before = max(s, c * (1.0 - rate) ** (p - 1)) if c > s else c
    after = max(s, c * (1.0 - rate) ** p) if c > s else c
    return max(0.0, before - after)


def _vdb_schedule(cost: float, salvage: float, life: float, factor: float, switch: bool):
    """Depreciation of each whole period: declining balance, switching to straight line on the
    remaining value over the remaining life when that charges more (unless ``switch`` is off)."""
    rate = _declining_rate(life, factor)
    book = cost
    charges: list[float] = []
    straight: float | None = None
    for t in range(1, math.ceil(life) + 1):
        if straight is not None:
            charge = min(straight, max(0.0, book - salvage))
        else:
            charge = min(book * rate, max(0.0, book - salvage))
            remaining = life - t + 1
            if switch and remaining > 0:
                line = max(0.0, book - salvage) / remaining
                if line > charge:
                    straight = line
                    charge = line
        charges.append(charge)
        book -= charge
    return charges


@builtin("VDB", params="vvvvvvv", min_args=5)
def vdb(
    cost: Any,
    salvage: Any,
    life: Any,
    start: Any,
    end: Any,
    factor: Any = None,
    no_switch: Any = None,
) -> Any:
    c, s, n = num(cost), num(salvage), num(life)
    a, b, f = num(start), num(end), optional(factor, 2.0)
    keep_declining = boolean(no_switch) if no_switch is not None else False
    if c < 0 or s < 0 or n <= 0 or a < 0 or b < a or b > n or f <= 0:
        return ExcelError("#NUM!", "VDB arguments out of range")
    charges = _vdb_schedule(c, s, n, f, not keep_declining)
    total = 0.0
    for t, charge in enumerate(charges, start=1):
        overlap = min(b, t) - max(a, t - 1)  # a fractional period is charged pro rata
        if overlap > 0:
            total += charge * overlap
    return checked(total)
