"""Portfolio credit: every deal on one shared set of factor draws, so that losses are correlated.

A portfolio of GPU loans does not lose deal by deal: one GPU rent market and one BTC price drive
them all. Each path of the portfolio simulation draws, once for every deal:

- ``Z_btc``, the BTC price shock, and ``W``, the innovation of a common GPU rent index orthogonal
  to BTC (monthly standard normals, from ``SeedSequence(seed)``, the same for every deal);
- for deal ``i`` an idiosyncratic rent innovation ``e_i`` (from the deal's own child seed);
- for each named contract counterparty (``contract_counterparty``) one own default draw, shared by
  every deal that names it, so a counterparty that defaults stops the contract cash of all its
  deals on that path (:func:`counterparty_stops`).

Deal ``i``'s rent shock is ``rho_i*Z_btc + sqrt(1-rho_i^2)*(sqrt(w)*W + sqrt(1-w)*e_i)`` with
``rho_i`` its ``correlation`` and ``w`` the rent-index weight: the share of rent variance
(beyond BTC) that is common to the GPU rent market. Two deals' rent shocks then correlate at
``rho_i*rho_j + sqrt(1-rho_i^2)*sqrt(1-rho_j^2)*w``. Log factors cumulate as in
:func:`pyfuncs.deal.stress.correlated_shocks` (Gaussian copula), each deal through the one deal
engine, its waterfall included; the portfolio loss of a path is the sum of the deals' dollar
shortfalls (EAD - net recovery, :mod:`pyfuncs.deal.metrics`).

This is the one-factor structure of Vasicek's ASRF model [102] (docs/domain.md section 7) with
the GPU rent index as the factor: a large homogeneous portfolio of one-period deals converges to
``LOSS_QUANTILE`` (a test). Deals run as a map (local processes or Dask): each task regenerates
the common draws from the seed, so no draw is shipped between processes.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import debt_profile
from pyfuncs.deal.metrics import path_losses
from pyfuncs.deal.offtakers import has_offtaker_risk, stop_periods
from pyfuncs.deal.stress import path_outcomes
from pyfuncs.errors import DomainError

#: Months a year of the common draws; a deal with ``per_year`` p sums 12/p of them per period.
DRAW_MONTHS = 12
#: Share of GPU rent variance (beyond BTC) common to the rent market (unsourced; calibrate to
#: the co-movement of rental indices, e.g. SDH100RT against SDA100RT, docs/domain.md section 10).
RENT_INDEX_WEIGHT = 0.7
#: Portfolio loss confidence levels reported.
LOSS_LEVELS = (0.99, 0.999)
#: A name (counterparty, GPU model, site) above this share of exposure is flagged (unsourced
#: house limit; CoreWeave's largest customer was 62% of 2024 revenue, docs/domain.md section 10).
NAME_LIMIT = 0.25


def common_draws(seed: int, paths: int, months: int) -> tuple[np.ndarray, np.ndarray]:
    """The shared monthly normals ``(Z_btc, W)``, each ``(paths, months)``, from ``seed``."""
    rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence([seed, 0])))
    return rng.standard_normal((paths, months)), rng.standard_normal((paths, months))


def _per_period(monthly: np.ndarray, per_year: int, steps: int) -> np.ndarray:
    """Monthly normals summed into ``steps`` periods of ``12/per_year`` months (unit variance)."""
    if DRAW_MONTHS % per_year:
        raise DomainError(
            f"portfolio deals need 12 periods a year or a divisor of 12, not {per_year}"
        )
    m = DRAW_MONTHS // per_year
    if monthly.shape[1] < steps * m:
        raise DomainError("the common draws are shorter than the deal's horizon")
    block = monthly[:, : steps * m].reshape(monthly.shape[0], steps, m)
    return block.sum(axis=2) / np.sqrt(m)


def deal_factors(
    a: DealAssumptions,
    z_btc: np.ndarray,
    w_index: np.ndarray,
    own: np.random.Generator,
    weight: float = RENT_INDEX_WEIGHT,
) -> tuple[np.ndarray, np.ndarray]:
    """Multiplicative rent and BTC factors of one deal on the common draws, ``(paths, periods)``.

    ``e_rent = rho*Z_btc + sqrt(1-rho^2)*(sqrt(w)*W + sqrt(1-w)*e)``, ``e_btc = Z_btc``; the log
    factor is the running sum of ``sigma*sqrt(dt)*e - sigma^2*dt/2`` from period 2 on.
    """
    n, dt = a.horizon_periods, 1.0 / a.per_year
    steps = n - 1
    zb = _per_period(z_btc, a.per_year, steps)
    wi = _per_period(w_index, a.per_year, steps)
    e = own.standard_normal(zb.shape)
    rho = a.correlation
    rent_e = rho * zb + np.sqrt(1.0 - rho * rho) * (
        np.sqrt(weight) * wi + np.sqrt(1.0 - weight) * e
    )
    factors = []
    for sigma, shocks in ((a.rent_vol, rent_e), (a.btc_vol, zb)):
        log_factor = np.zeros((zb.shape[0], n))
        np.cumsum(
            sigma * np.sqrt(dt) * shocks - 0.5 * sigma * sigma * dt, axis=1, out=log_factor[:, 1:]
        )
        factors.append(np.exp(log_factor))
    return factors[0], factors[1]


def months_needed(a: DealAssumptions) -> int:
    """Months of common draws a deal's horizon spans (period 1 has no shock)."""
    return (a.horizon_periods - 1) * (DRAW_MONTHS // a.per_year if a.per_year <= DRAW_MONTHS else 1)


def _name_generator(seed: int, stream: int, name: str) -> np.random.Generator:
    """A generator keyed on ``name`` (case and surrounding spaces ignored), the same in every task."""
    key = zlib.crc32(name.strip().casefold().encode("utf-8"))
    return np.random.Generator(np.random.SFC64(np.random.SeedSequence([seed, stream, key])))


def market_score(w_index: np.ndarray) -> np.ndarray:
    """The GPU rent index's standardised shock over the drawn months: ``sum(W) / sqrt(months)``.

    Exactly N(0, 1) per path and the same for every deal of the portfolio (all deals read the
    same ``months`` columns), so it is the systematic factor of the counterparties' defaults.
    """
    return w_index.sum(axis=1) / np.sqrt(w_index.shape[1])


def counterparty_stops(
    a: DealAssumptions, w_index: np.ndarray, own: np.random.Generator, seed: int
) -> np.ndarray:
    """Per path, the first period of deal ``a`` without contract cash, on shared draws.

    Notes
    -----
    The counterparty's latent score is ``X = sqrt(rho)*F + sqrt(1-rho)*e`` (Vasicek's one-factor
    model [102], ``rho = offtaker_correlation``) with ``F`` the rent index's
    :func:`market_score` and ``e`` the counterparty's own normal, drawn from a generator keyed on
    the ``contract_counterparty`` name (and a backstop's own normal from a second one), so deals
    naming the same counterparty with the same ``contract_pd`` and correlation default together
    on every path; a deal without a name draws ``e`` from its own seed. Two different
    counterparties then default jointly by year T with the bivariate normal probability
    ``Phi2(Phi^-1(p1_T), Phi^-1(p2_T); sqrt(rho1*rho2))``.
    """
    paths = w_index.shape[0]
    name = a.contract_counterparty
    source = own if not name else _name_generator(seed, 2, name)
    e = source.standard_normal(paths)
    rho = a.offtaker_correlation
    latent = np.sqrt(rho) * market_score(w_index) + np.sqrt(1.0 - rho) * e if rho > 0 else e
    guarantor_own = None
    if a.backstop_pd is not None:
        guarantor = own if not name else _name_generator(seed, 3, name)
        guarantor_own = guarantor.standard_normal(paths)
    return stop_periods(a, latent, guarantor_own)


def deal_path_shortfalls(
    values: dict[str, Any], index: int, paths: int, seed: int, months: int, weight: float
) -> np.ndarray:
    """The dollar shortfall of deal ``index`` on every portfolio path, shape ``(paths,)``."""
    a = parse_assumptions(values)
    z_btc, w_index = common_draws(seed, paths, months)
    own = np.random.Generator(np.random.SFC64(np.random.SeedSequence([seed, 1, index])))
    rent, btc = deal_factors(a, z_btc, w_index, own, weight)
    stop = counterparty_stops(a, w_index, own, seed) if has_offtaker_risk(a) else None
    outcomes = path_outcomes(a, rent, btc, debt_profile(a), stop)
    return path_losses(a, outcomes.outcome).shortfall


@dataclass(frozen=True)
class LossDistribution:
    """The portfolio's loss over the horizon, in dollars, from the simulated paths."""

    losses: np.ndarray  # (paths,)
    exposure: float  # total lender's principal at close

    @property
    def expected_loss(self) -> float:
        return float(self.losses.mean())

    def quantile(self, q: float) -> float:
        """The loss not exceeded with probability ``q`` (value at risk, dollars)."""
        return float(np.quantile(self.losses, q, method="inverted_cdf"))

    def expected_shortfall(self, q: float) -> float:
        """Mean loss in the worst ``1-q`` of paths (expected shortfall, conditional VaR)."""
        ordered = np.sort(self.losses)
        tail = max(1, int(np.ceil((1.0 - q) * ordered.size)))
        return float(ordered[-tail:].mean())

    def report(self) -> list[tuple[str, float, float | None]]:
        """(measure, dollars, share of exposure) rows for the workbook and the CLI."""
        rows = [("expected loss", self.expected_loss)]
        for q in LOSS_LEVELS:
            rows.append((f"{q:.1%} loss (VaR)", self.quantile(q)))
            rows.append((f"{q:.1%} expected shortfall", self.expected_shortfall(q)))
        share = (lambda x: x / self.exposure) if self.exposure > 0 else (lambda x: None)
        return [(name, value, share(value)) for name, value in rows]


@dataclass(frozen=True)
class Concentration:
    """Exposure by one kind of name (counterparty, GPU model, site)."""

    kind: str
    shares: list[tuple[str, float]]  # name, share of exposure; largest first
    hhi: float  # sum of squared shares (1 = one name)
    limit: float

    @property
    def breaches(self) -> list[str]:
        return [name for name, share in self.shares if share > self.limit]


def concentration(kind: str, names: list[str], exposures: list[float], limit: float = NAME_LIMIT):
    """Herfindahl-Hirschman index ``sum(s_i^2)`` of exposure shares by name, and the top names."""
    total = float(sum(exposures))
    by_name: dict[str, float] = {}
    for name, x in zip(names, exposures, strict=True):
        by_name[name] = by_name.get(name, 0.0) + float(x)
    shares = (
        sorted(((n, x / total) for n, x in by_name.items()), key=lambda p: -p[1]) if total else []
    )
    return Concentration(kind, shares, float(sum(s * s for _, s in shares)), limit)
