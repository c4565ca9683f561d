"""JOINT_STRESS: correlated BTC and GPU-rent shocks pushed through the deal engine.

docs/domain.md section 7: miners stack BTC price risk on GPU rent risk, and the two fall together.
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
from pyfuncs.deal import waterfall_kernel
from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import debt_profile, run_deal
from pyfuncs.deal.metrics import METRICS, STRESS_METRICS, stress_summary
from pyfuncs.deal.offtakers import contract_stop_periods, has_offtaker_risk
from pyfuncs.deal.schedule import ASSUMPTIONS_HELP, CATEGORY
from pyfuncs.deal.waterfall import PathOutcome, ScheduledDebt
from pyfuncs.errors import DomainError

#: Paths per random chunk. Fixed, so that a seed gives the same numbers whatever the number of
#: workers.
CHUNK_PATHS = 4096
#: Random chunks run through the engine together (its set-up and each period's Python steps are
#: paid once per batch; the waterfall takes a batch's paths in cache-sized blocks).
CHUNKS_PER_BATCH = 4
MAX_PATHS = 10_000_000
__all__ = ["METRICS", "STRESS_METRICS", "correlated_shocks", "joint_stress"]


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
class StressOutcomes:
    """What the stress keeps of each path: the engine's outcome and the final BTC price."""

    outcome: PathOutcome
    final_btc: np.ndarray

    def __getattr__(self, name: str) -> np.ndarray:
        outcome = self.__dict__.get("outcome")
        if outcome is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(outcome, name)

    @staticmethod
    def concat(parts: list[StressOutcomes]) -> StressOutcomes:
        fields = PathOutcome.__dataclass_fields__
        outcome = PathOutcome(
            **{f: np.concatenate([getattr(p.outcome, f) for p in parts]) for f in fields}
        )
        return StressOutcomes(outcome, np.concatenate([p.final_btc for p in parts]))


def path_outcomes(
    a: DealAssumptions,
    rent_factor: np.ndarray,
    btc_factor: np.ndarray,
    debt: ScheduledDebt,
    contract_stop: np.ndarray | None = None,
    kernel: bool | None = None,
) -> StressOutcomes:
    """Run the deal engine (its waterfall included) on shocked paths; keep each path's outcome.

    ``kernel`` chooses the waterfall's compiled loop (:mod:`pyfuncs.deal.waterfall_kernel`);
    None decides by the number of paths here.
    """
    schedule = run_deal(
        a, rent_factor, btc_factor, debt, record=False, contract_stop=contract_stop, kernel=kernel
    )
    return StressOutcomes(schedule.outcome, np.atleast_2d(schedule.btc_price)[:, -1].copy())


def _run_batch(task: tuple[dict[str, Any], list[np.random.SeedSequence], list[int], bool]):
    """Draw each chunk's shocks from its own seed, then run the chunks through the engine at once.

    The task's last item says whether the waterfall runs compiled, decided once for the whole
    stress so that every worker runs the same code. The compiled waterfall has no Python step a
    period to share, so it takes each chunk as drawn, without copying the chunks together (paths
    are independent: the same numbers either way).
    """
    values, seeds, sizes, kernel = task
    a = parse_assumptions(values)
    debt = debt_profile(a)
    if kernel:
        parts = []
        for s, m in zip(seeds, sizes, strict=True):
            rent, btc, stop = draw_chunk(np.random.Generator(np.random.SFC64(s)), m, a)
            parts.append(path_outcomes(a, rent, btc, debt, stop, kernel))
        return parts[0] if len(parts) == 1 else StressOutcomes.concat(parts)
    draws = [
        draw_chunk(np.random.Generator(np.random.SFC64(s)), m, a)
        for s, m in zip(seeds, sizes, strict=True)
    ]
    rent = draws[0][0] if len(draws) == 1 else np.concatenate([d[0] for d in draws])
    btc = draws[0][1] if len(draws) == 1 else np.concatenate([d[1] for d in draws])
    stop = None
    if draws[0][2] is not None:
        stop = np.concatenate([d[2] for d in draws])
    del draws
    return path_outcomes(a, rent, btc, debt, stop, kernel)


def draw_chunk(
    rng: np.random.Generator, paths: int, a: DealAssumptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """One chunk's rent and BTC factors, then (with offtaker risk) its counterparty defaults.

    The defaults are drawn after the shocks from the same generator, so a deal without offtaker
    risk draws exactly what it did before and the same seed gives the same rent paths either way.
    """
    rent, btc = correlated_shocks(rng, paths, a)
    stop = contract_stop_periods(rng, rent, a) if has_offtaker_risk(a) else None
    return rent, btc, stop


@dataclass(frozen=True)
class StressResult:
    """JOINT_STRESS's report: ``metric``/``value`` rows plus the per-path outcomes.

    A value is a number, ``"distressed"`` (a spread above 2,000 bp) or an ExcelError with its
    reason (the annual PD of a deal that defaults on every path).
    """

    metric: tuple[str, ...]
    value: np.ndarray
    outcomes: StressOutcomes

    def __getitem__(self, name: str) -> Any:
        return self.value[self.metric.index(name)]

    def as_dict(self) -> dict[str, Any]:
        return dict(zip(self.metric, self.value.tolist(), strict=True))


@excel_function(
    "JOINT_STRESS",
    category=CATEGORY,
    help="Monte Carlo of correlated BTC and GPU rent shocks through DEAL_SCHEDULE's cash "
    "waterfall: P(lock-up), PD, lender's exposure, dollar shortfall, LGD, expected loss, DSCR "
    "percentiles, fair spread ('distressed' above 2,000 bp).",
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
    result=Result(
        "table",
        ("metric", "value"),
        "One row per metric; probabilities as decimals. Rows: "
        + "; ".join(f"{name} = {meaning}" for name, meaning in STRESS_METRICS)
        + ".",
    ),
)
def joint_stress(
    assumptions: Any, paths: int = 10_000, seed: int = 1, workers: int = 1
) -> StressResult:
    """Joint BTC/rent stress of a deal, every path through the deal's cash waterfall.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        The deal, with ``btc_vol`` (46-54%/yr [100][101]), ``rent_vol`` (unsourced),
        ``correlation`` (0.5 default, 0.8 stress [98]) and ``copula`` ("gaussian" or "t").
        With ``contract_pd`` above 0 each path also draws the contract counterparty's default
        (and a backstop's, ``backstop_pd``) after its shocks: see
        :func:`pyfuncs.deal.offtakers.contract_stop_periods`.
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
        The rows of :data:`pyfuncs.deal.metrics.STRESS_METRICS`, defined once in
        :mod:`pyfuncs.deal.metrics`: ``prob_default`` is the share of paths in payment, covenant
        or maturity default in the waterfall; ``annual_pd = 1-(1-PD)^(1/years)``;
        ``expected_lgd`` the exposure-weighted shortfall ``(EAD - net recovery)/EAD``;
        ``fair_spread = FAIR_SPREAD(annual_pd, expected_lgd)`` and ``repriced_spread =
        REPRICED_SPREAD(market_spread, market_pd, 1-market_recovery, annual_pd, expected_lgd)``:
        the market's spread per unit of expected loss applied to the stressed expected loss.
        With ``market_pd`` blank the market PD comes from ``HAZARD_RATE(market_spread,
        market_recovery)``, whose expected loss is the spread itself, so the repriced spread
        equals the fair spread; a physical PD (a rating's default rate) keeps the market's risk
        premium.
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
    # only the names the deal sets: a full dump would set rent0, annual_decline and market_decay
    # too, and an explicit value there overrides a gpu_model's curves
    values = a.model_dump(exclude_unset=True)
    n_workers = as_count("workers", workers, minimum=1, maximum=256)
    group = CHUNKS_PER_BATCH
    if n_workers > 1:  # keep every worker busy
        group = max(1, min(group, len(sizes) // n_workers))
    # the compiled waterfall for a big run (decided from the total paths, compiled here first
    # so that workers load it from numba's cache rather than each compiling it)
    kernel = waterfall_kernel.kernel_wanted(n_paths)
    kernel = kernel and waterfall_kernel.kernel_function() is not None
    tasks = [
        (values, seeds[k : k + group], sizes[k : k + group], kernel)
        for k in range(0, len(sizes), group)
    ]
    if n_workers == 1 or len(tasks) == 1:
        parts = [_run_batch(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=n_workers) as pool:
            parts = list(pool.map(_run_batch, tasks))
    outcomes = StressOutcomes.concat(parts)
    principal = debt_profile(a).senior_principal or float(a.convert_principal)
    rows = stress_summary(a, n_paths, seed_value, outcomes.outcome, principal)
    value = np.empty(len(METRICS), dtype=object)
    value[:] = [rows[m] for m in METRICS]
    return StressResult(METRICS, value, outcomes)
