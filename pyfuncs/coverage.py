"""Coverage: DSCR, LLCR, PLCR, covenant tests, and how much rent deflation a loan absorbs.

Project-finance conventions of docs/domain.md section 4: ``DSCR_t = CFADS_t/(I_t + P_t)`` [67];
LLCR and PLCR discount CFADS at the debt rate [68][69]; lock-up ~1.10x, default 1.00x [72].
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import (
    as_array,
    as_vector,
    broadcast,
    check_gt,
    check_nonzero,
    periods_of,
)
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.curves import per_year_count
from pyfuncs.debt import discount_factors, period_rates
from pyfuncs.defaults import DEFAULT_DSCR, LOCKUP_DSCR, PER_YEAR, UTILIZATION_CONTRACTED
from pyfuncs.errors import DomainError, InvalidInputError, NotFoundError, ZeroDenominatorError
from pyfuncs.rent import breakeven_rent

CATEGORY = "Coverage"


def dscr_path(cfads: Any, debt_service: Any) -> np.ndarray:
    """``cfads/debt_service`` with NaN where no debt service is due (after maturity, say).

    The vectorised form the deal engine uses; :func:`dscr` is the same ratio with the checks an
    analyst's single call needs.
    """
    flows, service = np.broadcast_arrays(
        np.asarray(cfads, dtype=np.float64), np.asarray(debt_service, dtype=np.float64)
    )
    out = np.full(flows.shape, np.nan)
    np.divide(flows, service, out=out, where=service != 0)
    return out


@excel_function(
    "DSCR",
    category=CATEGORY,
    help="Debt service coverage ratio: cfads/debt_service, element by element; zero debt service "
    "gives #DIV/0!.",
    args=[
        Arg(
            "cfads",
            "Cash flow available for debt service, $ per period (a cell or a range).",
            "array",
        ),
        Arg("debt_service", "Interest plus principal due, $ per period.", "array"),
    ],
    result=Result("elementwise", help="Ratio (x)."),
)
def dscr(cfads: Any, debt_service: Any) -> np.ndarray:
    """Debt service coverage ratio.

    Parameters
    ----------
    cfads : array_like
        Cash flow available for debt service, $ per period: EBITDA - cash taxes +/- change in
        working capital - maintenance capex [67].
    debt_service : array_like
        Interest plus principal due, $ per period.

    Returns
    -------
    ndarray
        ``DSCR_t = CFADS_t / (I_t + P_t)`` (docs/domain.md section 4).
    """
    flows, service = broadcast(
        cfads=as_array("cfads", cfads), debt_service=as_array("debt_service", debt_service)
    )
    check_nonzero("debt_service", service)
    check_gt("debt_service", service, 0.0)
    return dscr_path(flows, service)


def _cover_ratio(cfads: Any, debt_outstanding: Any, annual_rate: Any, per_year: Any) -> np.ndarray:
    """``sum_t CFADS_t/(1+i)^t / debt_outstanding``, the common form of LLCR and PLCR."""
    py = per_year_count(per_year)
    flows = as_array("cfads", cfads)
    flows = flows.reshape(1) if flows.ndim == 0 else flows
    debt = as_array("debt_outstanding", debt_outstanding)
    check_nonzero("debt_outstanding", debt)
    check_gt("debt_outstanding", debt, 0.0)
    rates = period_rates(annual_rate, py, flows.shape[-1])
    rates = np.broadcast_to(rates, np.broadcast_shapes(rates.shape, flows.shape))
    present_value = np.sum(flows * discount_factors(rates), axis=-1)
    return present_value / debt


_RATIO_ARGS = [
    Arg("debt_outstanding", "Debt outstanding at the start, $.", "number"),
    Arg("annual_rate", "Debt rate, decimal a year; one rate or one per period.", "range"),
    Arg("per_year", "Periods a year.", "integer"),
]


@excel_function(
    "LLCR",
    category=CATEGORY,
    help="Loan life coverage ratio: PV at the debt rate of CFADS over the loan's remaining "
    "periods / debt outstanding.",
    args=[
        Arg("cfads", "CFADS per period to loan maturity, $ (row or column).", "range"),
        *_RATIO_ARGS,
    ],
    result=Result("scalar", help="Ratio (x)."),
)
def llcr(
    cfads: Any, debt_outstanding: Any, annual_rate: Any, per_year: int = PER_YEAR
) -> np.ndarray:
    """Loan life coverage ratio.

    Parameters
    ----------
    cfads : array_like
        CFADS per period from now to loan maturity, $ (last axis = periods).
    debt_outstanding : array_like
        Debt outstanding now, $.
    annual_rate : array_like
        Debt rate, decimal a year (one, or one per period).
    per_year : int, optional

    Returns
    -------
    ndarray
        ``LLCR = sum_t CFADS_t/(1+i)^t / D`` over the loan life [68][69]; typical minimum 1.25
        (infrastructure) to 2.5 (oil and gas) [69]; lock-up at LLCR 1.50 in [73].
    """
    return _cover_ratio(cfads, debt_outstanding, annual_rate, per_year)


@excel_function(
    "PLCR",
    category=CATEGORY,
    help="Project life coverage ratio: PV at the debt rate of CFADS over the project's remaining "
    "life / debt outstanding.",
    args=[
        Arg("cfads", "CFADS per period to the end of the project, $ (row or column).", "range"),
        *_RATIO_ARGS,
    ],
    result=Result("scalar", help="Ratio (x)."),
)
def plcr(
    cfads: Any, debt_outstanding: Any, annual_rate: Any, per_year: int = PER_YEAR
) -> np.ndarray:
    """Project life coverage ratio.

    Parameters
    ----------
    cfads : array_like
        CFADS per period from now to the end of the project's life, $ (last axis = periods).
    debt_outstanding : array_like
        Debt outstanding now, $.
    annual_rate : array_like
        Debt rate, decimal a year.
    per_year : int, optional

    Returns
    -------
    ndarray
        ``PLCR = sum_t CFADS_t/(1+i)^t / D`` over the project life [68]; lock-up at PLCR 2.00
        in [73]. For GPUs the "project life" is the economic life, 1-3 years at 60-70%
        utilisation by one account [13], not the 6-year book life.
    """
    return _cover_ratio(cfads, debt_outstanding, annual_rate, per_year)


@excel_function(
    "COVENANT_STATUS",
    category=CATEGORY,
    help='Covenant test of each DSCR: "DEFAULT" below default_level, "LOCKUP" below lockup, '
    'else "OK".',
    args=[
        Arg("dscr", "DSCR values (a cell or a range).", "array"),
        Arg("lockup", "Lock-up (cash trap) level.", "array"),
        Arg("default_level", "Event-of-default level.", "array"),
    ],
    result=Result("elementwise", help='"OK", "LOCKUP" or "DEFAULT".'),
)
def covenant_status(
    dscr: Any, lockup: Any = LOCKUP_DSCR, default_level: Any = DEFAULT_DSCR
) -> np.ndarray:
    """Covenant state of each DSCR.

    Parameters
    ----------
    dscr : array_like
        Coverage ratios.
    lockup : array_like, optional
        Distributions locked up below this level [72].
    default_level : array_like, optional
        Event of default below this level [72].

    Returns
    -------
    ndarray of str
        ``"DEFAULT"`` if ``dscr < default_level``, ``"LOCKUP"`` if ``dscr < lockup``, else
        ``"OK"``. Both tests are strict, as in ``BREACH_PERIOD``.
    """
    ratio, lock, default = broadcast(
        dscr=as_array("dscr", dscr),
        lockup=as_array("lockup", lockup),
        default_level=as_array("default_level", default_level),
    )
    if np.any(lock < default):
        raise DomainError("lockup must be at least default_level")
    status = np.where(ratio < default, "DEFAULT", np.where(ratio < lock, "LOCKUP", "OK"))
    return status.astype(object)


def first_breach(dscr_paths: Any, covenant: Any) -> np.ndarray:
    """First period (1-based) with DSCR below ``covenant`` along the last axis; 0 if none.

    NaN (no debt service due) is never a breach.
    """
    ratios = np.asarray(dscr_paths, dtype=np.float64)
    below = ratios < np.asarray(covenant, dtype=np.float64)[..., None]
    return np.where(below.any(axis=-1), below.argmax(axis=-1) + 1, 0)


@excel_function(
    "BREACH_PERIOD",
    category=CATEGORY,
    help="First period with DSCR below the covenant (#N/A if none).",
    args=[
        Arg("dscr", "DSCR per period (row or column).", "range"),
        Arg("covenant", "Covenant level.", "number"),
    ],
    result=Result("scalar", help="Period number, 1-based."),
)
def breach_period(dscr: Any, covenant: Any = LOCKUP_DSCR) -> np.ndarray:
    """First period whose DSCR falls below the covenant.

    Parameters
    ----------
    dscr : array_like
        DSCR per period (last axis = periods).
    covenant : array_like, optional
        Lock-up level [72].

    Returns
    -------
    ndarray
        ``min{t : DSCR_t < covenant}``; raises :class:`~pyfuncs.errors.NotFoundError` (``#N/A``)
        when no period breaches.
    """
    ratios = as_array("dscr", dscr)
    ratios = ratios.reshape(1) if ratios.ndim == 0 else ratios
    level = as_array("covenant", covenant)
    found = first_breach(ratios, level)
    if np.any(found == 0):
        raise NotFoundError("DSCR never falls below the covenant")
    return found


@excel_function(
    "DECLINE_TO_BREACH",
    category=CATEGORY,
    help="Annual rent decline at which the minimum DSCR of a level-annuity loan on capex equals "
    "the covenant: how much deflation the deal absorbs.",
    args=[
        Arg("rent0", "Rent in period 1, $ per GPU-hour.", "number"),
        Arg("capex", "Capex per GPU financed, $.", "number"),
        Arg("annual_rate", "Debt rate, decimal a year.", "number"),
        Arg("years", "Loan tenor, years.", "number"),
        Arg("utilization", "Share of hours billed, decimal.", "number"),
        Arg("opex_hour", "Operating cost, $ per GPU-hour.", "number"),
        Arg("covenant", "DSCR covenant.", "number"),
        Arg("per_year", "Payments a year.", "integer"),
    ],
    result=Result("scalar", help="Decline, decimal a year."),
)
def decline_to_breach(
    rent0: Any,
    capex: Any,
    annual_rate: Any,
    years: Any,
    utilization: Any = UTILIZATION_CONTRACTED,
    opex_hour: Any = 0.0,
    covenant: Any = LOCKUP_DSCR,
    per_year: int = PER_YEAR,
) -> np.ndarray:
    """The annual rent decline a level-annuity GPU loan can absorb before breaching.

    Parameters
    ----------
    rent0 : array_like
        Rent in period 1, $ per GPU-hour.
    capex : array_like
        Capex financed per GPU, $.
    annual_rate : array_like
        Debt rate, decimal a year.
    years : float
        Tenor, years.
    utilization : array_like, optional
    opex_hour : array_like, optional
    covenant : array_like, optional
    per_year : int, optional

    Returns
    -------
    ndarray
        ``d* = 1 - (R*/rent0)^(per_year/(n-1))`` with ``R* = BREAKEVEN_RENT(capex, annual_rate,
        years, utilization, opex_hour, covenant, per_year)`` and ``n = years*per_year``.

    Notes
    -----
    Debt service is level and, for ``d >= 0``, rent falls every period, so the minimum DSCR is in
    the last period: ``DSCR_n = (rent0*(1-d)^((n-1)/per_year)*u - opex)*8760/per_year / PMT``.
    Setting it equal to the covenant gives ``(1-d)^((n-1)/per_year) = R*/rent0``. If
    ``R* > rent0`` the loan breaches in period 1 whatever rents do (``#NUM!``).
    """
    py = per_year_count(per_year)
    n = periods_of(years, py)
    if n < 2:
        raise DomainError("a one-period loan has no rent decline to absorb")
    start = as_array("rent0", rent0)
    check_gt("rent0", start, 0.0)
    needed = breakeven_rent(capex, annual_rate, years, utilization, opex_hour, covenant, py)
    start, needed = np.broadcast_arrays(start, needed)
    if np.any(needed > start):
        raise DomainError(
            f"breaches the covenant even with flat rents (needs ${float(np.max(needed)):.4g}/hr)"
        )
    return 1.0 - (needed / start) ** (py / (n - 1))


def macaulay_duration(cash_flows: np.ndarray, rates: np.ndarray, per_year: int) -> np.ndarray:
    """``sum_t (t/per_year)*PV_t / sum_t PV_t`` in years, ``PV_t = CF_t*prod_{k<=t} 1/(1+i_k)``."""
    pv = cash_flows * discount_factors(rates)
    total = pv.sum(axis=-1)
    if np.any(total == 0):
        raise ZeroDenominatorError("cash flows have zero present value")
    years = np.arange(1, cash_flows.shape[-1] + 1) / per_year
    return np.sum(pv * years, axis=-1) / total


@excel_function(
    "DURATION_GAP",
    category=CATEGORY,
    help="Macaulay duration of asset cash flows minus that of debt cash flows, years, both at "
    "the debt rate: positive when rents arrive later than debt falls due.",
    args=[
        Arg("asset_cf", "Asset cash flows per period, $ (row or column).", "range"),
        Arg("debt_cf", "Debt service per period, $ (row or column).", "range"),
        Arg("annual_rate", "Discount rate, decimal a year.", "number"),
        Arg("per_year", "Periods a year.", "integer"),
    ],
    result=Result("scalar", help="Years."),
)
def duration_gap(
    asset_cf: Any, debt_cf: Any, annual_rate: Any, per_year: int = PER_YEAR
) -> np.ndarray:
    """Duration gap between the collateral's cash flows and the debt's.

    Parameters
    ----------
    asset_cf : array_like
        Asset (rent) cash flows per period, $.
    debt_cf : array_like
        Debt service per period, $.
    annual_rate : float
        Discount rate, decimal a year.
    per_year : int, optional

    Returns
    -------
    ndarray
        ``D_asset - D_debt`` with Macaulay ``D = sum (t/per_year) CF_t v^t / sum CF_t v^t``,
        ``v = 1/(1+annual_rate/per_year)``.
    """
    py = per_year_count(per_year)
    rate = as_array("annual_rate", annual_rate)
    if rate.ndim:
        raise InvalidInputError("annual_rate must be a single number")
    assets = as_vector("asset_cf", asset_cf)
    debts = as_vector("debt_cf", debt_cf)
    asset_rates = period_rates(rate, py, assets.size)
    debt_rates = period_rates(rate, py, debts.size)
    return macaulay_duration(
        assets, np.broadcast_to(asset_rates, assets.shape), py
    ) - macaulay_duration(debts, np.broadcast_to(debt_rates, debts.shape), py)
