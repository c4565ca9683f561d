"""Colocation leases: powered shells leased to an AI tenant, as a revenue source of the deal engine.

A bitcoin miner or a developer builds powered shells and leases them to an AI tenant (a neocloud)
for 10-15 years at a rent per kW of critical IT a month, with an annual escalator; a guarantor may
backstop the tenant's payments (TeraWulf and Fluidstack, with a Google backstop: docs/domain.md
section 10, [116]). This module turns the ``colo_*`` assumptions into the deal's cash and values:

* :func:`delivered_mw`: the MW in service each period, from the delivery schedule and a delay.
* :func:`lease_rate`: the rent per kW-month each period, escalated on each lease anniversary.
* :func:`lease_cash`: lease revenue and the landlord's opex per path and period; a tenant default
  (with its backstop, :func:`pyfuncs.deal.offtakers.contract_stop_periods`) or the end of the lease
  stops the rent, the space is dark for ``releasing_months`` and is then re-let at ``(1 -
  release_haircut)`` of the lease rate, moved by the path's GPU-rent shock (AI demand).
* :func:`shell_values`: book value (build cost, straight line), value at the cap rate (forward
  NOI / cap rate) and the distressed-sale value of the shells.
* :func:`residual_value`: the cap-rate residual at the end of the lease.
* :func:`interest_only_schedule`: notes that pay interest only while the shells are built and
  amortise after completion (the WULF 2030 notes, [58]).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs.collateral import book_value
from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.firesale import fleet_firesale
from pyfuncs.deal.offtakers import releasing_periods
from pyfuncs.debt import DebtSchedule, debt_schedule

#: Months a period is worth is 12/per_year; a kW-month rent times kW times that is the period's rent.
MONTHS_PER_YEAR = 12
KW_PER_MW = 1_000.0


def delivery_periods(a: DealAssumptions) -> np.ndarray:
    """Period in which each tranche enters service: scheduled period + the delivery delay.

    ``colo_delivery_periods`` (blank = every tranche in period 1) plus ``round(colo_delay_months
    * per_year / 12)`` periods.
    """
    scheduled = a.colo_delivery_periods or (1,) * len(a.colo_mw)
    delay = round(a.colo_delay_months * a.per_year / MONTHS_PER_YEAR)
    return np.asarray(scheduled, dtype=np.int64) + delay


def delivered_mw(a: DealAssumptions, n: int) -> np.ndarray:
    """MW of critical IT in service in each period 1..n: ``sum_i mw_i * [t >= d_i]``."""
    t = np.arange(1, n + 1)
    mw = np.asarray(a.colo_mw, dtype=np.float64)
    return (mw[:, None] * (t[None, :] >= delivery_periods(a)[:, None])).sum(axis=0)


def lease_periods(a: DealAssumptions) -> int:
    """The last period of the lease: ``colo_lease_years * per_year`` from period 1."""
    return round(a.colo_lease_years * a.per_year)


def lease_rate(a: DealAssumptions, n: int) -> np.ndarray:
    """Rent per kW-month in each period: ``colo_lease_rate * (1 + colo_escalator)^floor((t-1)/per_year)``.

    The escalator steps up on each anniversary of the lease commencement (period 1), as a fixed
    annual escalator in a lease does.
    """
    t = np.arange(1, n + 1)
    return a.colo_lease_rate * (1.0 + a.colo_escalator) ** ((t - 1) // a.per_year)


def lease_cash(
    a: DealAssumptions,
    n: int,
    rent_shock: np.ndarray | float = 1.0,
    stop: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Lease revenue and the landlord's opex, per path and period.

    Parameters
    ----------
    a : DealAssumptions
        The deal (``colo_*`` and the re-leasing assumptions).
    n : int
        Periods.
    rent_shock : array_like, optional
        The path's GPU-rent factor ``(paths, n)``; it moves only re-let rent.
    stop : ndarray of int, optional
        Per path, the first period without the tenant's rent (its default and its backstop's);
        ``None``: the tenant pays to the end of the lease.

    Returns
    -------
    revenue, opex : ndarray
        ``(n,)``, or ``(paths, n)`` with a shock or ``stop``.

    Notes
    -----
    With ``MW_t`` delivered (:func:`delivered_mw`), ``r_t`` the escalated rate (:func:`lease_rate`)
    and ``m = 12/per_year`` months a period, the tenant pays ``MW_t * 1000 * r_t * m`` while ``t <
    off = min(lease end + 1, stop)``. The space is then dark for ``k`` periods
    (:func:`pyfuncs.deal.offtakers.releasing_periods`) and from ``off + k`` on is re-let at
    ``MW_t * 1000 * r_t * (1 - release_haircut) * shock_t * m``. The landlord's opex is
    ``MW_t * 1000 * colo_opex_kw_month * m`` in every period, let or dark.
    """
    months = MONTHS_PER_YEAR / a.per_year
    t = np.arange(1, n + 1)
    full = delivered_mw(a, n) * KW_PER_MW * lease_rate(a, n) * months
    off: Any = np.asarray(lease_periods(a) + 1)
    if stop is not None:
        off = np.minimum(off, np.asarray(stop, dtype=np.int64))[:, None]
    paying = t < off
    relet = t >= off + releasing_periods(a)
    revenue = np.where(paying, full, 0.0) + np.where(
        relet, full * (1.0 - a.release_haircut) * rent_shock, 0.0
    )
    opex = delivered_mw(a, n) * KW_PER_MW * a.colo_opex_kw_month * months
    return revenue, opex


def annual_noi(a: DealAssumptions, n: int) -> np.ndarray:
    """NOI a year of the whole campus at each period's rate: ``MW * 1000 * (r_t - opex) * 12``.

    Every tranche counted, delivered or not: the value of the shells once they are complete.
    """
    mw = float(np.sum(a.colo_mw))
    return mw * KW_PER_MW * (lease_rate(a, n) - a.colo_opex_kw_month) * MONTHS_PER_YEAR


def residual_value(a: DealAssumptions) -> float:
    """Cap-rate residual at the end of the lease: NOI of the final lease year / ``colo_cap_rate``.

    ``NOI = MW * 1000 * (r_L - colo_opex_kw_month) * 12`` with ``r_L`` the rate of the last lease
    year, ``colo_lease_rate * (1 + colo_escalator)^(colo_lease_years - 1)`` (direct
    capitalisation: value = NOI / cap rate).
    """
    last = lease_periods(a)
    return float(annual_noi(a, last)[-1] / a.colo_cap_rate)


def shell_values(
    a: DealAssumptions, n: int, rent_shock: np.ndarray | float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Book value, value at the cap rate and distressed-sale value of the shells, end of period.

    Notes
    -----
    Book: ``BOOK_VALUE(colo_build_cost_per_mw * MW, book_life_years)`` straight line. Cap-rate
    value after period t: the NOI a year at period t+1's rate (:func:`annual_noi`) / cap rate,
    moved by the path's GPU-rent shock. Distressed sale: the campus sold as one unit with its
    lease re-let at ``(1 - release_haircut)``: ``FIRESALE_RECOVERY(value * (1 -
    release_haircut), 1, monthly_volume, 0, gen_step, site_factor, cost_per_unit,
    months_to_sell, carry_per_unit_month, volatility, impact, base_discount, market_decay)``
    (docs/domain.md section 6), so the dashboard's RECOVERY_WATERFALL of the shells is the same
    number.
    """
    cost = a.colo_build_cost
    book = np.asarray(book_value(cost, a.book_life_years, n, 0.0, a.book_method, a.per_year))
    value = np.maximum(annual_noi(a, n + 1)[1:] / a.colo_cap_rate * rent_shock, 0.0)
    distressed = fleet_firesale(a, value * (1.0 - a.release_haircut), a.market_decay, units=1.0)
    return book, value, np.asarray(distressed, dtype=np.float64)


def interest_only_schedule(a: DealAssumptions, rate: Any) -> DebtSchedule:
    """Interest only for ``interest_only_years``, then the profile over the rest of the tenor.

    Notes that fund a build pay interest while the shells are built and amortise after
    completion (the WULF 7.75% 2030 notes, docs/domain.md section 3 [58]). The first
    ``k = interest_only_years * per_year`` periods pay ``balance * rate/per_year``; the remaining
    ``tenor - k`` periods are ``DEBT_SCHEDULE(principal, rate, tenor_years - interest_only_years,
    per_year, profile, balloon)``. A floating rate path is split at period k.
    """
    py = a.per_year
    k = round(a.interest_only_years * py)
    tenor = a.tenor_periods
    rates = np.broadcast_to(np.asarray(rate, dtype=np.float64), (tenor,))
    rest = debt_schedule(
        a.principal,
        rates[k:] if np.ndim(rate) else rate,
        (tenor - k) / py,
        py,
        a.profile,
        a.balloon,
    )
    p = a.principal
    grace_interest = p * rates[:k] / py
    period = np.arange(1, tenor + 1, dtype=np.float64)
    opening = np.concatenate([np.full(k, p), np.asarray(rest.opening)])
    interest = np.concatenate([grace_interest, np.asarray(rest.interest)])
    principal = np.concatenate([np.zeros(k), np.asarray(rest.principal)])
    return DebtSchedule(
        period, opening, interest, principal, interest + principal, opening - principal
    )
