"""Element-wise functions of single numbers in plain Python: no numpy for one value.

``=GPU.DSCR(B2, C2)`` is one number in, one out; going through numpy arrays, broadcasting and
vectorised checks costs tens of microseconds for it. Each function here is the same formula with
the same checks, in the same order and with the same one-line reasons as its numpy form (the
messages of :mod:`pyfuncs._checks`), for finite float arguments. ``tests/excel/test_scalar_fast.py``
compares every one with the numpy form on valid and invalid values, and with the closed forms.
"""

from __future__ import annotations

import importlib
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from pyfuncs.errors import DomainError, ZeroDenominatorError


def _show(value: float) -> str:
    return f"{value:.6g}"


def _finite(name: str, value: float) -> float:
    if not math.isfinite(value):
        raise DomainError(f"{name} must be finite numbers (got NaN or infinity)")
    return value


def _at_least(name: str, value: float, bound: float, what: str = "") -> None:
    if value < bound:
        suffix = f" ({what})" if what else ""
        raise DomainError(f"{name} must be at least {_show(bound)}{suffix}, got {_show(value)}")


def _above(name: str, value: float, bound: float, what: str = "") -> None:
    if value <= bound:
        suffix = f" ({what})" if what else ""
        raise DomainError(f"{name} must be above {_show(bound)}{suffix}, got {_show(value)}")


def _below(name: str, value: float, bound: float, what: str = "") -> None:
    if value >= bound:
        suffix = f" ({what})" if what else ""
        raise DomainError(f"{name} must be below {_show(bound)}{suffix}, got {_show(value)}")


def _at_most(name: str, value: float, bound: float, what: str = "") -> None:
    if value > bound:
        suffix = f" ({what})" if what else ""
        raise DomainError(f"{name} must be at most {_show(bound)}{suffix}, got {_show(value)}")


def dscr(cfads: float, debt_service: float) -> float:
    """``DSCR = CFADS / (I + P)`` (docs/domain.md section 4), as :func:`pyfuncs.coverage.dscr`."""
    _finite("cfads", cfads)
    _finite("debt_service", debt_service)
    if debt_service == 0:
        raise ZeroDenominatorError("debt_service is zero")
    _above("debt_service", debt_service, 0.0)
    return cfads / debt_service


def ltv(debt: float, value: float) -> float:
    """``LTV = debt / value``, as :func:`pyfuncs.ltv.ltv`."""
    _finite("debt", debt)
    _finite("value", value)
    _at_least("debt", debt, 0.0)
    if value == 0:
        raise ZeroDenominatorError("value is zero")
    _above("value", value, 0.0)
    return debt / value


def hazard_rate(spread: float, recovery: float) -> float:
    """``lambda = spread / (1 - recovery)``, as :func:`pyfuncs.spreads.hazard_rate`."""
    _finite("spread", spread)
    _finite("recovery", recovery)
    _at_least("spread", spread, 0.0)
    _at_least("recovery", recovery, 0.0)
    _below("recovery", recovery, 1.0, "a recovery of 100% has no loss to price")
    return spread / (1.0 - recovery)


def cumulative_pd(hazard: float, years: float) -> float:
    """``PD(t) = 1 - exp(-lambda t)``, as :func:`pyfuncs.spreads.cumulative_pd`."""
    _finite("hazard", hazard)
    _finite("years", years)
    _at_least("hazard", hazard, 0.0)
    _at_least("years", years, 0.0)
    return -math.expm1(-hazard * years)


def fair_spread(annual_pd: float, lgd: float, risk_multiple: float) -> float:
    """``s = -ln(1 - PD) x LGD x multiple``, as :func:`pyfuncs.spreads.fair_spread`."""
    _finite("annual_pd", annual_pd)
    _finite("lgd", lgd)
    _finite("risk_multiple", risk_multiple)
    _at_least("annual_pd", annual_pd, 0.0)
    _below("annual_pd", annual_pd, 1.0, "a certain default has no finite spread")
    _at_least("lgd", lgd, 0.0)
    _at_most("lgd", lgd, 1.0, "a decimal fraction")
    _at_least("risk_multiple", risk_multiple, 0.0)
    return -math.log1p(-annual_pd) * lgd * risk_multiple


#: Registry name -> the plain-Python form, for calls whose arguments are all single numbers.
SCALAR_FAST: dict[str, Callable[..., float]] = {
    "DSCR": dscr,
    "LTV": ltv,
    "HAZARD_RATE": hazard_rate,
    "CUMULATIVE_PD": cumulative_pd,
    "FAIR_SPREAD": fair_spread,
}


#: Where each fast form's numpy original lives.
_ORIGINALS = {
    "DSCR": ("pyfuncs.coverage", "dscr"),
    "LTV": ("pyfuncs.ltv", "ltv"),
    "HAZARD_RATE": ("pyfuncs.spreads", "hazard_rate"),
    "CUMULATIVE_PD": ("pyfuncs.spreads", "cumulative_pd"),
    "FAIR_SPREAD": ("pyfuncs.spreads", "fair_spread"),
}


@cache
def _original(name: str) -> Callable[..., object]:
    module, attr = _ORIGINALS[name]
    return getattr(importlib.import_module(module), attr)


def fast_form(name: str, func: Callable[..., object]) -> Callable[..., float] | None:
    """The plain-Python form of the registry's ``name``, if ``func`` is still the numpy function
    it mirrors (a replaced or patched registry entry is never short-circuited)."""
    fast = SCALAR_FAST.get(name)
    return fast if fast is not None and func is _original(name) else None


@dataclass(frozen=True)
class ScalarPlan:
    """How :func:`pyfuncs.call` answers an all-numbers call of one function without numpy:
    the plain-Python form, its argument names in the catalogue's order, and each argument's
    default as a float (``None`` for a required argument)."""

    fast: Callable[..., float]
    names: tuple[str, ...]
    defaults: tuple[float | None, ...]


def scalar_plan(spec: Any) -> ScalarPlan | None:
    """The :class:`ScalarPlan` of catalogue entry ``spec``, or ``None`` when it has no fast form
    (or its entry was replaced, or its arguments are not all numbers in the fast form's order)."""
    if spec.result.kind != "elementwise":
        return None
    fast = fast_form(spec.name, spec.func)
    if fast is None:
        return None
    names = tuple(arg.name for arg in spec.args)
    if tuple(inspect.signature(fast).parameters) != names:
        return None
    defaults: list[float | None] = []
    for arg in spec.args:
        if arg.kind == "text":  # a choice (one cell for every element): the general path
            return None
        if not arg.optional:
            defaults.append(None)
        elif type(arg.default) in (float, int) and type(arg.default) is not bool:
            defaults.append(float(arg.default))
        else:
            return None
    return ScalarPlan(fast, names, tuple(defaults))
