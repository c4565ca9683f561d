"""Debt: floating rates, amortisation schedules, sculpting, debt capacity and average life.

Schedules are vectorised: principals of shape ``S`` and rates of shape ``S`` plus a trailing period
axis give tables of arrays shaped ``S + (periods,)``, so one loan, ten thousand loans and ten
thousand Monte Carlo paths run through the same loop over periods.

Sign convention: amounts in a schedule are positive (interest paid, principal repaid). Excel's
``PMT``/``IPMT``/``PPMT`` return them negative for a positive present value; ``-IPMT`` and
``-PPMT`` reproduce our ``interest`` and ``principal`` columns cell by cell.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from pyfuncs._checks import (
    as_array,
    broadcast,
    check_ge,
    check_gt,
    periods_of,
)
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.curves import per_year_count
from pyfuncs.defaults import PER_YEAR
from pyfuncs.errors import DomainError, InvalidInputError, ZeroDenominatorError

if TYPE_CHECKING:  # pandas is needed only to build frames, so the math imports without it
    import pandas as pd

CATEGORY = "Debt"
SCHEDULE_COLUMNS = ("period", "opening", "interest", "principal", "debt_service", "closing")
PROFILES = ("annuity", "linear", "bullet")


@dataclass(frozen=True)
class DebtSchedule:
    """A debt schedule: each field an array shaped ``S + (periods,)``."""

    period: np.ndarray
    opening: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    debt_service: np.ndarray
    closing: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """One loan's schedule as a DataFrame (one row per period)."""
        import pandas as pd

        if self.opening.ndim != 1:
            raise InvalidInputError("to_frame() takes the schedule of a single loan")
        return pd.DataFrame({f.name: getattr(self, f.name) for f in fields(self)})


def period_rates(annual_rate: Any, per_year: int, periods: int, name: str = "annual_rate"):
    """Per-period rates ``annual_rate/per_year`` broadcast over a trailing axis of ``periods``.

    ``annual_rate`` is a scalar, an array of one rate per loan shaped ``S + (1,)``, or a rate path
    whose last axis has one rate per period (a floating-rate forecast). A rate must stay above
    -100% a period.
    """
    rate = as_array(name, annual_rate)
    if rate.ndim >= 1 and rate.shape[-1] not in (1, periods):
        raise InvalidInputError(
            f"{name} has {rate.shape[-1]} periods; give one rate or one per period ({periods})"
        )
    per_period = rate / per_year
    check_gt(name, per_period, -1.0, "a rate per period above -100%")
    return per_period if per_period.ndim else per_period[..., None]


def annuity_factor(rate: Any, nper: Any) -> np.ndarray:
    """``(1+r)^n - 1``, computed as ``expm1(n*log1p(r))`` so small rates keep their precision."""
    return np.expm1(np.asarray(nper) * np.log1p(rate))


def level_payment(principal: Any, rate: Any, nper: Any, balloon: Any = 0.0) -> np.ndarray:
    """Level payment per period that takes ``principal`` down to ``balloon`` in ``nper`` periods.

    Parameters
    ----------
    principal : array_like
        Amount owed now (Excel's ``pv``, positive).
    rate : array_like
        Interest rate per period (decimal).
    nper : array_like
        Number of periods remaining.
    balloon : array_like, optional
        Amount left outstanding after the last payment (Excel's ``-fv``).

    Returns
    -------
    ndarray
        The payment, positive: ``-PMT(rate, nper, principal, -balloon)``.

    Notes
    -----
    ``pmt = (P*(1+r)^n - B) * r / ((1+r)^n - 1)``, and ``(P - B)/n`` when ``r == 0``; this is
    Excel's PMT with type 0 (payments at period end) [108].
    """
    principal = np.asarray(principal, dtype=np.float64)
    rate = np.asarray(rate, dtype=np.float64)
    balloon = np.asarray(balloon, dtype=np.float64)
    nper = np.asarray(nper, dtype=np.float64)
    growth = annuity_factor(rate, nper)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = (principal * (1.0 + growth) - balloon) * rate / growth
    return np.where(rate == 0.0, (principal - balloon) / nper, level)


@excel_function(
    "FLOATING_RATE",
    category=CATEGORY,
    help="All-in floating rate: max(base, floor) + margin, element by element (a SOFR path in, "
    "a rate path out).",
    args=[
        Arg(
            "base", "Base rate(s), decimal a year (e.g. 3M term SOFR); a cell or a range.", "array"
        ),
        Arg("margin", "Credit margin, decimal a year (e.g. 0.0625 for SOFR+6.25%).", "array"),
        Arg("floor", "Floor on the base rate, decimal a year.", "array"),
    ],
    result=Result("elementwise", help="The all-in rate for each base rate."),
)
def floating_rate(base: Any, margin: Any, floor: Any = 0.0) -> np.ndarray:
    """All-in floating rate with a floor on the base rate.

    Parameters
    ----------
    base : array_like
        Base rate, decimal a year (3M term SOFR in CoreWeave's DDTL 2.0 [41]).
    margin : array_like
        Margin over the base, decimal a year (DDTL 2.0: 6.00-6.50% IG, 13.00% non-IG [41]).
    floor : array_like, optional
        Floor on the base rate (DDTL 2.0: 0% [41]).

    Returns
    -------
    ndarray
        ``max(base, floor) + margin``, broadcast.
    """
    base_a, margin_a, floor_a = broadcast(
        base=as_array("base", base),
        margin=as_array("margin", margin),
        floor=as_array("floor", floor),
    )
    return np.maximum(base_a, floor_a) + margin_a


@excel_function(
    "DEBT_SCHEDULE",
    category=CATEGORY,
    help="Loan schedule, one row per period: period, opening, interest, principal, debt_service, "
    "closing. Annuity (matches IPMT/PPMT), linear or bullet; a rate range gives a floating path.",
    args=[
        Arg("principal", "Amount borrowed, $ (positive).", "number"),
        Arg(
            "annual_rate",
            "Interest rate, decimal a year; one rate, or a range with one rate per period "
            "(a floating path, re-amortised each period).",
            "range",
        ),
        Arg(
            "years", "Tenor in years; years x per_year must be a whole number of periods.", "number"
        ),
        Arg("per_year", "Periods a year: 12 monthly, 4 quarterly, 1 annual.", "integer"),
        Arg(
            "profile",
            'Repayment profile: "annuity" (level payment), "linear" (equal principal) or '
            '"bullet" (all at maturity).',
            "text",
            choices=PROFILES,
        ),
        Arg(
            "balloon",
            "Principal left for the last period, $ (annuity and linear).",
            "number",
        ),
        Arg("headers", "TRUE adds a header row.", "headers"),
    ],
    result=Result("table", SCHEDULE_COLUMNS, "One row per period."),
)
def debt_schedule(
    principal: Any,
    annual_rate: Any,
    years: Any,
    per_year: int = PER_YEAR,
    profile: str = "annuity",
    balloon: Any = 0.0,
) -> DebtSchedule:
    """Amortisation schedule of a loan (or of many loans at once).

    Parameters
    ----------
    principal : array_like
        Amount borrowed, $, shape ``S``.
    annual_rate : array_like
        Decimal a year: a scalar, one rate per loan (shape ``S + (1,)``) or a path with one rate
        per period on the last axis (floating rate).
    years : float
        Tenor in years; ``years*per_year`` must be whole.
    per_year : int, optional
        Periods a year.
    profile : {"annuity", "linear", "bullet"}, optional
        Level payment, equal principal instalments, or interest-only with principal at maturity.
    balloon : array_like, optional
        Principal left for the final period (annuity and linear).

    Returns
    -------
    DebtSchedule
        ``period, opening, interest, principal, debt_service, closing``, each ``S + (periods,)``.

    Notes
    -----
    With ``i_t = annual_rate_t/per_year`` and ``n = years*per_year``, each period
    ``interest_t = opening_t*i_t``. Annuity: ``debt_service_t = PMT`` on the opening balance over
    the ``n-t+1`` periods left down to the balloon (Excel's PMT with ``fv=-balloon`` [108]); with a
    constant rate the payment is level and ``interest``/``principal`` equal ``-IPMT``/``-PPMT``.
    A rate path re-amortises each period, as a floating-rate annuity does. Linear:
    ``principal_t = (P - balloon)/n``. Bullet: ``principal_t = 0`` until ``t = n``. The balloon is
    repaid in the last period, so ``closing_n = 0``.
    """
    py = per_year_count(per_year)
    n = periods_of(years, py)
    kind = str(profile).strip().lower()
    if kind not in PROFILES:
        raise InvalidInputError(f'profile must be "annuity", "linear" or "bullet", got {profile!r}')
    p0 = as_array("principal", principal)
    check_ge("principal", p0, 0.0)
    balloon_a = as_array("balloon", balloon)
    check_ge("balloon", balloon_a, 0.0)
    p0, balloon_a = broadcast(principal=p0, balloon=balloon_a)
    if np.any(balloon_a > p0):
        raise DomainError("balloon must not exceed principal")
    if kind == "bullet" and np.any(balloon_a != 0):
        raise DomainError("a bullet loan repays everything at maturity; leave balloon at 0")
    rates = period_rates(annual_rate, py, n)
    shape = np.broadcast_shapes((*p0.shape, n), rates.shape)
    rates = np.broadcast_to(rates, shape)
    p0 = np.broadcast_to(p0[..., None], shape)[..., 0]
    balloon_a = np.broadcast_to(balloon_a[..., None], shape)[..., 0]

    opening = np.empty(shape)
    interest = np.empty(shape)
    repaid = np.empty(shape)
    balance = p0.copy()
    linear_step = (p0 - balloon_a) / n
    for t in range(n):
        rate = rates[..., t]
        opening[..., t] = balance
        interest[..., t] = balance * rate
        if kind == "annuity":
            repaid[..., t] = level_payment(balance, rate, n - t, balloon_a) - interest[..., t]
        elif kind == "linear":
            repaid[..., t] = linear_step
        else:
            repaid[..., t] = 0.0
        if t == n - 1:
            repaid[..., t] = balance  # the last payment clears the loan, balloon included
        balance = balance - repaid[..., t]
    closing = opening - repaid
    period = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), shape)
    return DebtSchedule(period, opening, interest, repaid, interest + repaid, closing)


def discount_factors(rates: np.ndarray) -> np.ndarray:
    """``prod_{k<=t} 1/(1+i_k)`` along the last axis: ``(1+i)^-t`` at a constant rate."""
    return np.exp(-np.cumsum(np.log1p(rates), axis=-1))


def _period_vector(name: str, value: Any) -> np.ndarray:
    """A per-period series with periods on the last axis (a scalar is one period)."""
    flows = as_array(name, value)
    return flows.reshape(1) if flows.ndim == 0 else flows


def _sculpting_inputs(cfads: Any, target_dscr: Any, annual_rate: Any, per_year: Any):
    """Debt service ``cfads/target_dscr`` and the per-period rates, broadcast together."""
    flows = _period_vector("cfads", cfads)
    check_ge("cfads", flows, 0.0, "sculpting needs non-negative CFADS")
    target = as_array("target_dscr", target_dscr)
    check_gt("target_dscr", target, 0.0)
    py = per_year_count(per_year)
    rates = period_rates(annual_rate, py, flows.shape[-1])
    debt_service = flows / target[..., None]
    shape = np.broadcast_shapes(debt_service.shape, rates.shape)
    return np.broadcast_to(debt_service, shape), np.broadcast_to(rates, shape)


@excel_function(
    "DEBT_CAPACITY",
    category=CATEGORY,
    help="Debt a CFADS profile can carry at a target DSCR: NPV(annual_rate/per_year, "
    "cfads/target_dscr).",
    args=[
        Arg(
            "cfads", "Cash flow available for debt service, $ per period (row or column).", "range"
        ),
        Arg("target_dscr", "Target DSCR in every period (e.g. 1.30).", "number"),
        Arg("annual_rate", "Debt rate, decimal a year; one rate or one per period.", "range"),
        Arg("per_year", "Periods a year.", "integer"),
    ],
    result=Result("scalar", help="Principal, $."),
)
def debt_capacity(
    cfads: Any, target_dscr: Any, annual_rate: Any, per_year: int = PER_YEAR
) -> np.ndarray:
    """Largest principal that CFADS services at ``target_dscr`` in every period.

    Parameters
    ----------
    cfads : array_like
        Cash flow available for debt service per period, $ (last axis = periods).
    target_dscr : array_like
        DSCR held in every period.
    annual_rate : array_like
        Debt rate, decimal a year (one, or one per period).
    per_year : int, optional

    Returns
    -------
    ndarray
        ``sum_t (CFADS_t/DSCR*) / (1+i)^t``: Excel's ``NPV(annual_rate/per_year, cfads/target)``
        (docs/domain.md section 4, [70][71]).
    """
    debt_service, rates = _sculpting_inputs(cfads, target_dscr, annual_rate, per_year)
    return np.sum(debt_service * discount_factors(rates), axis=-1)


@excel_function(
    "SCULPTED_DEBT",
    category=CATEGORY,
    help="Sculpted schedule: principal = DEBT_CAPACITY and P_t = CFADS_t/target_dscr - I_t, so "
    "DSCR equals the target in every period. Columns as DEBT_SCHEDULE.",
    args=[
        Arg(
            "cfads", "Cash flow available for debt service, $ per period (row or column).", "range"
        ),
        Arg("target_dscr", "Target DSCR in every period (e.g. 1.30).", "number"),
        Arg("annual_rate", "Debt rate, decimal a year; one rate or one per period.", "range"),
        Arg("per_year", "Periods a year.", "integer"),
        Arg("headers", "TRUE adds a header row.", "headers"),
    ],
    result=Result("table", SCHEDULE_COLUMNS, "One row per period."),
)
def sculpted_debt(
    cfads: Any, target_dscr: Any, annual_rate: Any, per_year: int = PER_YEAR
) -> DebtSchedule:
    """Debt sculpted to a CFADS profile so that DSCR is the target in every period.

    Parameters
    ----------
    cfads : array_like
        Cash flow available for debt service per period, $ (last axis = periods).
    target_dscr : array_like
        The DSCR to hold.
    annual_rate : array_like
        Debt rate, decimal a year (one, or one per period).
    per_year : int, optional

    Returns
    -------
    DebtSchedule

    Notes
    -----
    ``DS_t = CFADS_t/DSCR*``, principal ``P = DEBT_CAPACITY``, ``I_t = opening_t*i_t`` and
    ``P_t = DS_t - I_t`` (docs/domain.md section 4, [70][71]); the closing balance after the last
    period is zero up to rounding.
    """
    debt_service, rates = _sculpting_inputs(cfads, target_dscr, annual_rate, per_year)
    shape, n = debt_service.shape, debt_service.shape[-1]
    balance = np.sum(debt_service * discount_factors(rates), axis=-1)
    opening = np.empty(shape)
    interest = np.empty(shape)
    for t in range(n):
        opening[..., t] = balance
        interest[..., t] = balance * rates[..., t]
        balance = balance - (debt_service[..., t] - interest[..., t])
    repaid = debt_service - interest
    period = np.broadcast_to(np.arange(1, n + 1, dtype=np.float64), shape)
    return DebtSchedule(period, opening, interest, repaid, debt_service.copy(), opening - repaid)


@excel_function(
    "WAL",
    category=CATEGORY,
    help="Weighted average life of a repayment profile, years: sum(t*P_t)/sum(P_t)/per_year, "
    "with period t paid at its end.",
    args=[
        Arg("principal_repaid", "Principal repaid in each period, $ (row or column).", "range"),
        Arg("per_year", "Periods a year.", "integer"),
    ],
    result=Result("scalar", help="Years."),
)
def wal(principal_repaid: Any, per_year: int = PER_YEAR) -> np.ndarray:
    """Weighted average life of a loan, in years.

    Parameters
    ----------
    principal_repaid : array_like
        Principal repaid per period, $ (last axis = periods).
    per_year : int, optional

    Returns
    -------
    ndarray
        ``WAL = sum_t (t/per_year)*P_t / sum_t P_t``.
    """
    py = per_year_count(per_year)
    repaid = _period_vector("principal_repaid", principal_repaid)
    total = repaid.sum(axis=-1)
    if np.any(total == 0):
        raise ZeroDenominatorError("principal_repaid sums to zero")
    if np.any(total < 0):
        raise DomainError("principal_repaid sums to a negative amount")
    years = np.arange(1, repaid.shape[-1] + 1) / py
    return np.sum(repaid * years, axis=-1) / total
