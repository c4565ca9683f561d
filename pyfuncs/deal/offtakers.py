"""Offtaker risk: the contracts' counterparty defaults, re-leasing downtime and the re-lease haircut.

Lenders to neoclouds size a facility on the customer contracts first and the GPUs second, so the
contract counterparty (and any backstop guarantor) is priced as much as the borrower. Re-leasing
risk is a named rating factor (KBRA, "Re-Leasing Risk for GPUs and TPUs",
kbra.com/publications/BhxpJMrf). This module holds the two pieces the engine and the stress use:

* :func:`contract_revenue`: what the contracted GPUs earn each period, given the period from which
  their contract cash stops (the contract end, or a counterparty default in a stress): contract
  rent before it, nothing for ``releasing_months`` of downtime, then market rent less
  ``release_haircut``.
* :func:`contract_stop_periods`: one counterparty default time per path, from a constant hazard
  ``h = -ln(1-contract_pd)`` a year, correlated with the path's GPU-rent shock by a one-factor
  Gaussian copula (``offtaker_correlation``); with a backstop guarantor the contract cash stops
  only when both have defaulted.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.rent import revenue

#: Period number meaning "never": later than any period of the schedule.
NEVER = np.iinfo(np.int64).max // 2


def releasing_periods(a: DealAssumptions) -> int:
    """Periods of re-leasing downtime: ``round(releasing_months * per_year / 12)``."""
    return round(a.releasing_months * a.per_year / 12)


def contract_end_period(a: DealAssumptions) -> int:
    """The last period of the contracts: ``contract_periods``, blank = the loan tenor."""
    return a.tenor_periods if a.contract_periods is None else a.contract_periods


def contract_revenue(
    a: DealAssumptions, n: int, stop: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Revenue per unit of market rent, and fixed contract revenue, per period.

    Parameters
    ----------
    a : DealAssumptions
        The deal.
    n : int
        Periods.
    stop : ndarray of int, optional
        Per path, the first period with no contract cash because the counterparty (and its
        backstop) defaulted; :data:`NEVER` for no default. ``None`` (the deterministic
        schedule): no default.

    Returns
    -------
    per_market_rent, contracted : ndarray
        ``revenue_t = market_rent_t * per_market_rent_t + contracted_t``; shaped ``(n,)``, or
        ``(paths, n)`` with ``stop``.

    Notes
    -----
    With ``s = contracted_share``, ``E`` the contract end and ``D`` the stop period, the contract
    cash runs while ``t < off = min(E + 1, D)``: ``contracted_t = REVENUE(contract_rent,
    gpus*s, contract_utilization)``. The GPUs then earn nothing for ``k`` periods of re-leasing
    downtime (:func:`releasing_periods`) and from ``off + k`` on are re-leased at
    ``(1 - release_haircut)`` times market rent: ``REVENUE(rent_t*(1-haircut), gpus*s,
    utilization)``. GPUs never on contract earn ``REVENUE(rent_t, gpus*(1-s), utilization)``
    throughout. Opex is charged on every GPU in every period, idle or not.
    """
    py = a.per_year
    t = np.arange(1, n + 1)
    off = np.asarray(contract_end_period(a) + 1)
    if stop is not None:
        off = np.minimum(off, np.asarray(stop, dtype=np.int64))[:, None]
    under_contract = t < off
    releasing = t >= off + releasing_periods(a)
    merchant = revenue(1.0, a.gpus * (1 - a.contracted_share), a.utilization, py)
    released = revenue(1.0 - a.release_haircut, a.gpus * a.contracted_share, a.utilization, py)
    contract_rent = a.rent0 if a.contract_rent is None else a.contract_rent
    on_contract = revenue(contract_rent, a.gpus * a.contracted_share, a.contract_utilization, py)
    per_market_rent = merchant + np.where(releasing, released, 0.0)
    contracted = np.where(under_contract, on_contract, 0.0)
    return per_market_rent, contracted


def has_offtaker_risk(a: DealAssumptions) -> bool:
    """True when a stress must draw counterparty defaults (contracts or a lease, a PD above 0)."""
    return a.contract_pd > 0 and (a.contracted_share > 0 or a.is_colo)


def rent_factor_score(rent_factor: np.ndarray, a: DealAssumptions) -> np.ndarray | None:
    """Each path's GPU-rent shock as a standard normal score, or None when rent does not move.

    ``F = (ln R_n + sigma^2*T/2) / (sigma*sqrt(T))`` with ``R_n`` the path's last rent factor,
    ``sigma = rent_vol`` and ``T = (n-1)/per_year`` years of shocks: exactly N(0, 1) under the
    Gaussian copula of :func:`pyfuncs.deal.stress.correlated_shocks` (a random walk of
    ``sigma*sqrt(dt)*Z - sigma^2*dt/2`` steps), approximately so under the t copula.
    """
    n = rent_factor.shape[-1]
    years = (n - 1) / a.per_year
    if a.rent_vol <= 0 or years <= 0:
        return None
    sigma_t = a.rent_vol * np.sqrt(years)
    return (np.log(rent_factor[:, -1]) + 0.5 * sigma_t * sigma_t) / sigma_t


def _default_years(pd: float, uniform: np.ndarray) -> np.ndarray:
    """Default time in years at constant hazard ``h = -ln(1-pd)``: ``-ln(1-U)/h``.

    ``P(tau <= T) = 1 - exp(-h*T) = 1 - (1-pd)^T``. PD 1 defaults at once (tau = 0).
    """
    if pd >= 1:
        return np.zeros_like(uniform)
    hazard = -np.log1p(-pd)
    with np.errstate(divide="ignore"):
        return -np.log1p(-uniform) / hazard


def contract_stop_periods(
    rng: np.random.Generator, rent_factor: np.ndarray, a: DealAssumptions
) -> np.ndarray:
    """Per path, the first period without contract cash (:data:`NEVER` when none), vectorised.

    Parameters
    ----------
    rng : numpy.random.Generator
        The chunk's generator, drawn after its rent and BTC shocks.
    rent_factor : ndarray
        The chunk's rent factors ``(paths, periods)``.
    a : DealAssumptions
        The deal: ``contract_pd``, ``backstop_pd``, ``offtaker_correlation``,
        ``backstop_correlation``.

    Notes
    -----
    One-factor Gaussian copula (the Vasicek/ASRF construction, docs/functions.md
    ``LOSS_QUANTILE``): the counterparty's latent ``X = sqrt(rho)*F + sqrt(1-rho)*e`` with ``F``
    the path's standardised rent shock (:func:`rent_factor_score`), ``rho =
    offtaker_correlation`` (an asset correlation, as LOSS_QUANTILE's) and ``e`` an independent
    standard normal; its default time is ``tau = -ln(1-Phi(X))/h``
    years with ``h = -ln(1-contract_pd)``, so low-rent paths default earlier and the marginal
    default probability by year T is ``1-(1-contract_pd)^T``. A backstop guarantor has
    ``X_b = r*X + sqrt(1-r^2)*e_b`` (``r = backstop_correlation``) and its own default time from
    ``backstop_pd``; the contracts keep paying (the guarantor steps in) until both have
    defaulted, so the contract cash stops at ``max(tau, tau_b)``: the joint default of the
    pair by year T is the bivariate normal
    ``Phi2(Phi^-1(p_T), Phi^-1(p_b,T); r)``. The stop period is ``floor(tau*per_year) + 1``
    (a default in period p stops that period's contract cash).
    """
    paths = rent_factor.shape[0]
    score = rent_factor_score(rent_factor, a)
    rho = a.offtaker_correlation
    own = rng.standard_normal(paths)
    latent = own
    if score is not None and rho > 0:
        latent = np.sqrt(rho) * score + np.sqrt(1.0 - rho) * own
    guarantor_own = rng.standard_normal(paths) if a.backstop_pd is not None else None
    return stop_periods(a, latent, guarantor_own)


def stop_periods(
    a: DealAssumptions, latent: np.ndarray, guarantor_own: np.ndarray | None = None
) -> np.ndarray:
    """Per path, the first period without contract cash, from the counterparty's latent score.

    ``latent`` is the counterparty's standard normal ``X`` (systematic and own parts already
    combined); its default time is ``tau = -ln(1-Phi(X))/h`` years with ``h =
    -ln(1-contract_pd)``. With ``backstop_pd`` set, ``guarantor_own`` is the guarantor's own
    standard normal ``e_b`` and ``X_b = r*X + sqrt(1-r^2)*e_b`` (``r = backstop_correlation``); the
    contract cash stops at ``max(tau, tau_b)``, in period ``floor(tau*per_year) + 1``. Shared
    by the single-deal stress (:func:`contract_stop_periods`) and the portfolio, where deals with
    the same counterparty pass the same ``latent`` and so see the same default.
    """
    tau = _default_years(a.contract_pd, ndtr(latent))
    if a.backstop_pd is not None:
        if guarantor_own is None:
            raise ValueError("a backstop needs the guarantor's own draws")
        r = a.backstop_correlation
        guarantor = r * latent + np.sqrt(1.0 - r * r) * guarantor_own
        tau = np.maximum(tau, _default_years(a.backstop_pd, ndtr(guarantor)))
    stop = np.full(latent.shape[0], NEVER, dtype=np.int64)
    finite = np.isfinite(tau) & (tau * a.per_year < NEVER)
    stop[finite] = np.floor(tau[finite] * a.per_year).astype(np.int64) + 1
    return stop
