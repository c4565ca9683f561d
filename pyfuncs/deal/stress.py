"""JOINT_STRESS: correlated BTC and GPU-rent shocks pushed through the deal engine.

DOMAIN.md section 7: miners stack BTC price risk on GPU rent risk, and the two fall together.
Shocks to ``ln BTC`` and ``ln rent`` are correlated (Gaussian copula by default; a multivariate
Student-t, whose shared mixing variable makes extreme moves coincide, as an option), accumulate
period by period as a random walk, and multiply the base-case BTC price and market rent (and, with
rent, the used-GPU price). Each path then runs through the same engine as DEAL_SCHEDULE.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from pyfuncs._checks import as_count
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import (
    DebtProfile,
    debt_profile,
    path_losses,
    run_deal,
)
from pyfuncs.deal.schedule import ASSUMPTIONS_HELP, CATEGORY
from pyfuncs.errors import DomainError
from pyfuncs.spreads import cumulative_pd, fair_spread, hazard_rate, repriced_spread

#: Paths per chunk. Fixed, so that a seed gives the same numbers whatever the number of workers.
CHUNK_PATHS = 4096
MAX_PATHS = 10_000_000
PERCENTILES = (1, 5, 25, 50, 75, 95)
#: JOINT_STRESS's rows, in order.
METRICS = (
    "paths",
    "seed",
    "correlation",
    "prob_dscr_below_1",
    "prob_lockup",
    "prob_default",
    "prob_firesale_ltv_above_1",
    "annual_pd",
    "expected_lgd",
    "expected_loss",
    "expected_loss_usd",
    *(f"min_dscr_p{p}" for p in PERCENTILES),
    "fair_spread",
    "market_spread",
    "market_annual_pd",
    "market_lgd",
    "repriced_spread",
)


def correlated_shocks(
    rng: np.random.Generator, paths: int, a: DealAssumptions
) -> tuple[np.ndarray, np.ndarray]:
    """Multiplicative rent and BTC factors, each ``(paths, periods)``, equal to 1 in period 1.

    Notes
    -----
    Per period ``dt = 1/per_year``: ``e_btc = Z1``, ``e_rent = rho*Z1 + sqrt(1-rho^2)*Z2`` with
    ``Z1, Z2`` independent standard normals (a Cholesky factor of the 2x2 correlation matrix).
    With the t copula both are multiplied by ``sqrt((nu-2)/W)``, ``W ~ chi2(nu)`` shared by the
    pair, which keeps unit variance and makes large moves coincide. The log factor is the running
    sum of ``sigma*sqrt(dt)*e - sigma^2*dt/2`` from period 2 on, so the Gaussian factor has mean 1
    and period t sits ``(t-1)/per_year`` years out, as rents do.
    """
    n, dt = a.horizon_periods, 1.0 / a.per_year
    rho, root_dt = a.correlation, np.sqrt(dt)
    z1 = rng.standard_normal((paths, n - 1))
    z2 = rng.standard_normal((paths, n - 1))
    if a.copula == "t":
        mixing = rng.chisquare(a.t_dof, (paths, n - 1))
        np.divide(a.t_dof - 2.0, mixing, out=mixing)
        np.sqrt(mixing, out=mixing)
    # e_rent = rho*Z1 + sqrt(1-rho^2)*Z2; both scaled to sigma*sqrt(dt), in place
    z2 *= np.sqrt(1.0 - rho * rho) * a.rent_vol * root_dt
    z2 += z1 * (rho * a.rent_vol * root_dt)
    z1 *= a.btc_vol * root_dt
    btc_log = np.empty((paths, n))
    rent_log = np.empty((paths, n))
    for sigma, log_factor, steps in ((a.btc_vol, btc_log, z1), (a.rent_vol, rent_log, z2)):
        if a.copula == "t":
            steps *= mixing
        steps -= 0.5 * sigma * sigma * dt
        log_factor[:, 0] = 0.0  # period 1 is today: no shock yet
        np.cumsum(steps, axis=1, out=log_factor[:, 1:])
        np.exp(log_factor, out=log_factor)
    return rent_log, btc_log


@dataclass(frozen=True)
class PathOutcomes:
    """What the stress keeps of each path (everything else is dropped chunk by chunk)."""

    min_dscr: np.ndarray
    below_one: np.ndarray
    lockup: np.ndarray
    default_period: np.ndarray
    firesale_ltv_above_one: np.ndarray
    loss: np.ndarray
    lgd: np.ndarray
    final_btc: np.ndarray

    @staticmethod
    def concat(parts: list[PathOutcomes]) -> PathOutcomes:
        return PathOutcomes(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in PathOutcomes.__dataclass_fields__
            )
        )


def path_outcomes(
    a: DealAssumptions, rent_factor: np.ndarray, btc_factor: np.ndarray, debt: DebtProfile
) -> PathOutcomes:
    """Run the deal engine on shocked paths and keep what the stress reports of each path."""
    schedule = run_deal(a, rent_factor, btc_factor, debt)
    due = debt.debt_service > 0
    # "Below x in any period" is "the minimum over periods with debt service is below x".
    with np.errstate(invalid="ignore"):
        dscr = np.atleast_2d(schedule.dscr)
        paths = dscr.shape[0]
        if due.all():
            min_dscr = np.min(dscr, axis=1)
        elif due.any():
            min_dscr = np.min(dscr[:, due], axis=1)
        else:
            min_dscr = np.full(paths, np.nan)
        worst_firesale_ltv = np.max(np.atleast_2d(schedule.firesale_ltv), axis=1)
    losses = path_losses(a, schedule, min_dscr)
    return PathOutcomes(
        min_dscr=min_dscr,
        below_one=min_dscr < 1.0,
        lockup=min_dscr < a.lockup_dscr,
        default_period=losses.default_period,
        firesale_ltv_above_one=worst_firesale_ltv > 1.0,
        loss=losses.loss,
        lgd=losses.lgd,
        final_btc=np.atleast_2d(schedule.btc_price)[:, -1],
    )


def _run_chunk(task: tuple[dict[str, Any], np.random.SeedSequence, int]) -> PathOutcomes:
    values, seed, paths = task
    a = parse_assumptions(values)
    debt = debt_profile(a)
    rng = np.random.Generator(np.random.SFC64(seed))
    rent_factor, btc_factor = correlated_shocks(rng, paths, a)
    return path_outcomes(a, rent_factor, btc_factor, debt)


@dataclass(frozen=True)
class StressResult:
    """JOINT_STRESS's report: ``metric``/``value`` rows plus the per-path outcomes."""

    metric: tuple[str, ...]
    value: np.ndarray
    outcomes: PathOutcomes

    def __getitem__(self, name: str) -> float:
        return float(self.value[self.metric.index(name)])

    def as_dict(self) -> dict[str, float]:
        return dict(zip(self.metric, self.value.tolist(), strict=True))


def _summary(a: DealAssumptions, paths: int, seed: int, o: PathOutcomes) -> StressResult:
    years = a.horizon_periods / a.per_year
    pd_horizon = float(np.mean(o.default_period > 0))
    annual_pd = 1.0 - (1.0 - pd_horizon) ** (1.0 / years)
    defaulted_lgd = o.lgd[o.default_period > 0]
    expected_lgd = float(np.mean(defaulted_lgd)) if defaulted_lgd.size else 0.0
    principal = float(debt_profile_principal(a))
    expected_loss_usd = float(np.mean(o.loss))
    if a.market_pd is None:
        market_pd = float(cumulative_pd(hazard_rate(a.market_spread, a.market_recovery), 1.0))
    else:
        market_pd = a.market_pd
    market_lgd = 1.0 - a.market_recovery
    if annual_pd < 1.0:
        fair = float(fair_spread(annual_pd, expected_lgd))
        repriced = (
            float(repriced_spread(a.market_spread, market_pd, market_lgd, annual_pd, expected_lgd))
            if market_pd * market_lgd > 0
            else np.nan
        )
    else:  # every path defaults: no finite spread pays for a certain default
        fair = repriced = np.inf
    finite_min = o.min_dscr[np.isfinite(o.min_dscr)]
    pct = (
        np.percentile(finite_min, PERCENTILES)
        if finite_min.size
        else np.full(len(PERCENTILES), np.nan)
    )
    rows: list[tuple[str, float]] = [
        ("paths", float(paths)),
        ("seed", float(seed)),
        ("correlation", a.correlation),
        ("prob_dscr_below_1", float(np.mean(o.below_one))),
        ("prob_lockup", float(np.mean(o.lockup))),
        ("prob_default", pd_horizon),
        ("prob_firesale_ltv_above_1", float(np.mean(o.firesale_ltv_above_one))),
        ("annual_pd", annual_pd),
        ("expected_lgd", expected_lgd),
        ("expected_loss", expected_loss_usd / principal if principal > 0 else 0.0),
        ("expected_loss_usd", expected_loss_usd),
        *((f"min_dscr_p{p}", float(v)) for p, v in zip(PERCENTILES, pct, strict=True)),
        ("fair_spread", fair),
        ("market_spread", a.market_spread),
        ("market_annual_pd", market_pd),
        ("market_lgd", market_lgd),
        ("repriced_spread", repriced),
    ]
    values = dict(rows)
    return StressResult(METRICS, np.array([values[m] for m in METRICS]), o)


def debt_profile_principal(a: DealAssumptions) -> float:
    """The lender's loan at the start: the denominator of expected loss (see ``path_losses``)."""
    debt = debt_profile(a)
    senior = float(debt.senior_opening[0])
    return senior if senior > 0 else float(debt.opening[0])


@excel_function(
    "JOINT_STRESS",
    category=CATEGORY,
    help="Monte Carlo of correlated BTC and GPU rent shocks through DEAL_SCHEDULE: P(DSCR<1), "
    "P(fire-sale LTV>1), PD, LGD, expected loss, DSCR percentiles, fair and repriced spread.",
    args=[
        Arg(
            "assumptions",
            ASSUMPTIONS_HELP + " Stress: btc_vol, rent_vol, correlation, copula.",
            "keyvalue",
        ),
        Arg("paths", "Number of Monte Carlo paths.", "integer"),
        Arg(
            "seed",
            "Random seed; the same seed gives the same numbers everywhere.",
            "integer",
        ),
        Arg("headers", "TRUE adds a header row.", "headers"),
    ],
    result=Result("table", ("metric", "value"), "One row per metric; probabilities as decimals."),
)
def joint_stress(
    assumptions: Any, paths: int = 10_000, seed: int = 1, workers: int = 1
) -> StressResult:
    """Joint BTC/rent stress of a deal.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        The deal, with ``btc_vol`` (46-54%/yr [100][101]), ``rent_vol`` (unsourced),
        ``correlation`` (0.5 default, 0.8 stress [98]) and ``copula`` ("gaussian" or "t").
    paths : int, optional
        Monte Carlo paths.
    seed : int, optional
        Seed of numpy's SFC64 generator; paths are drawn in fixed chunks of 4,096 from
        ``SeedSequence(seed).spawn``, so results do not depend on ``workers``.
    workers : int, optional
        Local processes (Python only).

    Returns
    -------
    StressResult
        ``prob_dscr_below_1`` (DSCR below 1 in any period), ``prob_default`` (below
        ``default_dscr``), ``prob_firesale_ltv_above_1``, ``annual_pd = 1-(1-PD)^(1/years)``,
        ``expected_lgd`` (mean LGD of defaulted paths, LGD of the fire-sale recovery at default),
        ``expected_loss`` (mean loss / the senior loan at the start), percentiles of each path's minimum DSCR,
        ``fair_spread = FAIR_SPREAD(annual_pd, expected_lgd)`` and
        ``repriced_spread = REPRICED_SPREAD(market_spread, market_pd, 1-market_recovery,
        annual_pd, expected_lgd)``: the market's spread per unit of expected loss applied to the
        stressed expected loss. With ``market_pd`` blank the market PD comes from
        ``HAZARD_RATE(market_spread, market_recovery)``, whose expected loss is the spread itself,
        so the repriced spread equals the fair spread; a physical PD (a rating's default rate)
        keeps the market's risk premium.
    """
    a = parse_assumptions(assumptions)
    n_paths = as_count("paths", paths, minimum=1, maximum=MAX_PATHS)
    seed_value = as_count("seed", seed, minimum=0, maximum=2**63 - 1)
    if a.horizon_periods < 2:
        raise DomainError("a stress needs at least two periods")
    sizes = [CHUNK_PATHS] * (n_paths // CHUNK_PATHS)
    if n_paths % CHUNK_PATHS:
        sizes.append(n_paths % CHUNK_PATHS)
    seeds = np.random.SeedSequence(seed_value).spawn(len(sizes))
    values = a.model_dump()
    tasks = [(values, s, m) for s, m in zip(seeds, sizes, strict=True)]
    n_workers = as_count("workers", workers, minimum=1, maximum=256)
    if n_workers == 1 or len(tasks) == 1:
        parts = [_run_chunk(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            parts = list(pool.map(_run_chunk, tasks))
    return _summary(a, n_paths, seed_value, PathOutcomes.concat(parts))
