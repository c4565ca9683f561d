"""One deal summary: coverage, breaches, the lender's exposure, loss, PD and spreads.

Every report of a deal (``gpucredit demo``, the portfolio, JOINT_STRESS, the templates) reads its
headline numbers from here, so each is defined once:

- **minimum DSCR**: the lowest period DSCR ``CFADS_t/DS_t`` over the *operating* periods in
  which debt service is scheduled, up to and including a default (after a default nothing is
  paid): the interest-only build (``interest_only_years``, before the loan amortises) and a
  maturity wall still due (a bullet, balloon or convertible not refinanced) are not operating
  periods. A wall's DSCR is its principal over one month's cash, near zero by construction and
  no measure of coverage; the wall is reported on its own (amount due, cash available,
  refinancing DSCR: :class:`MaturityWall`). Project-finance covenants are tested from
  completion, so a build month's DSCR is none either (docs/domain.md section 10, "Coverage over
  operating periods", [121]); the covenant's trailing DSCR leaves the wall out too;
- **first lock-up**: the first covenant test (trailing ``dscr_lookback``-month DSCR at a test
  date) below ``lockup_dscr``; **first default**: the first period in payment, covenant or
  maturity default (:mod:`pyfuncs.deal.waterfall`);
- **the lender's exposure (EAD)**: the senior loan outstanding at the start of the default period
  (with any refinancing of it); a deal with convertible notes only is measured on the notes;
- **the lender's default**: a default counts against the lender only while its exposure is
  outstanding (EAD above a cent). A borrower that repays the senior loan and later fails on its
  convertible notes has defaulted, but not on this lender: PD, annual PD and the spreads are on
  the lender's measure; the borrower's own default on any debt is reported beside them as
  **borrower (equity) distress**, never as the lender's PD;
- **net recovery**: the DSRA and lock-up balances (cash pledged to the lender) plus the fire-sale
  value of the collateral discounted over ``months_to_sell`` at ``lgd_discount_rate``;
  **shortfall** ``max(0, EAD - net recovery)``, **LGD** ``shortfall/EAD`` (the catalogue's
  ``LGD(EAD, recovery)`` with the cash added);
- **PD** over the horizon, the share of paths on which the lender defaults; **annual PD** ``1-(1-PD)^(1/years)``;
  **expected LGD** ``sum(shortfall)/sum(EAD)`` over defaulted paths (exposure-weighted, so that
  ``expected loss = PD x expected LGD x mean EAD at default``);
- **fair spread** ``FAIR_SPREAD(annual PD, expected LGD)`` and the **repriced spread**.

Metrics that mean nothing are not shown (docs/functions.md v2): a spread above 2,000 bp is shown as
``"distressed"``; the annual PD of a deal that defaults on every path is ``#NUM!`` with the
reason, and the median first default period is reported beside it; there is no "maximum
fire-sale LTV" (its denominator runs to zero): the shortfall in dollars is the measure.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from pyfuncs.deal.waterfall import (
    CENT,
    DEFAULT_KINDS,
    MATURITY_DEFAULT,
    PathOutcome,
    build_periods,
)
from pyfuncs.defaults import DISTRESSED_SPREAD
from pyfuncs.errors import ExcelError
from pyfuncs.spreads import cumulative_pd, fair_spread, hazard_rate, repriced_spread

if TYPE_CHECKING:
    from pyfuncs.deal.assumptions import DealAssumptions
    from pyfuncs.deal.engine import DealSchedule

#: The stress's probability percentiles of each path's minimum DSCR.
PERCENTILES = (1, 5, 25, 50, 75, 95)


def lender_defaults(outcome: PathOutcome) -> np.ndarray:
    """Paths on which the lender defaults: a default while its exposure is outstanding.

    ``default_period > 0`` and ``EAD > $0.005`` (the waterfall's rounding cent): a default after
    the lender's loan is repaid (the convertible's maturity wall of a miner whose senior loan
    amortised first) is the borrower's and its other creditors', and costs this lender nothing.
    """
    return (outcome.default_period > 0) & (outcome.ead > CENT)


@dataclass(frozen=True)
class PathLosses:
    """The lender's exposure and loss on each path, shape ``(paths,)``.

    ``default_period`` is the lender's: the borrower's first default when the lender then has
    exposure outstanding, else 0 (:func:`lender_defaults`); every other field is zero there.
    """

    default_period: np.ndarray
    ead: np.ndarray
    net_recovery: np.ndarray
    shortfall: np.ndarray
    lgd: np.ndarray  # NaN where there is no default or no exposure


def path_losses(a: DealAssumptions, outcome: PathOutcome) -> PathLosses:
    """The lender's exposure, net recovery, dollar shortfall and LGD of each path.

    ``net_recovery = cash + firesale/(1+lgd_discount_rate)^(months_to_sell/12)`` where cash is the
    DSRA and lock-up balances at default and ``firesale`` FIRESALE_RECOVERY of the collateral in
    the default period; ``shortfall = max(0, EAD - net_recovery)``; ``LGD = shortfall/EAD``
    (docs/domain.md section 6; catalogue ``LGD``). Only the lender's defaults count
    (:func:`lender_defaults`).
    """
    defaulted = lender_defaults(outcome)
    ead = np.where(defaulted, outcome.ead, 0.0)
    firesale = outcome.firesale_at_default
    if firesale is None:
        firesale = np.zeros_like(ead)
    discount = (1.0 + a.lgd_discount_rate) ** (a.months_to_sell / 12.0)
    net = np.where(defaulted, outcome.cash_at_default + firesale / discount, 0.0)
    shortfall = np.where(defaulted, np.maximum(ead - net, 0.0), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(defaulted & (ead > 0), shortfall / ead, np.nan)
    return PathLosses(np.where(defaulted, outcome.default_period, 0), ead, net, shortfall, rate)


def lender_principal(schedule: DealSchedule) -> float:
    """The lender's loan: the senior loan at close plus, for a delayed-draw facility, every draw
    it funds later (a facility may draw nothing at close); else the notes at close."""
    senior = float(np.atleast_2d(schedule.senior_opening)[0, 0])
    drawn = schedule.drawn
    if drawn is not None:
        senior += float(np.nansum(np.atleast_2d(drawn)[0]))
    return senior if senior > 0 else float(np.atleast_2d(schedule.opening)[0, 0])


@dataclass(frozen=True)
class MaturityWall:
    """The largest amount due at a maturity inside the horizon (a bullet, balloon, convertible)."""

    period: int
    due: float
    cash_available: float  # CFADS less regular debt service, plus lock-up account and DSRA
    refi_dscr: float  # trailing CFADS over debt service after refinancing; NaN if no refi_rate
    refinanced: bool


@dataclass(frozen=True)
class DealSummary:
    """The headline numbers of one deterministic schedule (the base case)."""

    min_dscr: float
    average_dscr: float
    min_tested_dscr: float
    first_lockup: int | None
    first_default: int | None
    default_kind: str
    repaid_period: int | None
    ead: float
    net_recovery: float
    shortfall: float
    lgd: float | None
    wall: MaturityWall | None
    periods: int
    #: The first default while the lender has exposure (``first_default`` is the borrower's).
    lender_default: int | None = None


def _period(x: Any) -> int | None:
    value = int(np.asarray(x).reshape(-1)[0])
    return value if value > 0 else None


def operating_periods(
    a: DealAssumptions, one: DealSchedule, first_default: int | None = None
) -> np.ndarray:
    """Mask of the periods a minimum or average DSCR is taken over, on one recorded path.

    Period t counts when debt service is due (``DS_t > 0``), it is after the interest-only build
    (``t > round(interest_only_years * per_year)``), it is no maturity wall still due (not
    ``due_at_maturity_t > 0`` with ``DS_t >= due_at_maturity_t``, i.e. a wall that was not
    refinanced) and it is not after the first default. The waterfall's ``min_dscr`` is the
    minimum over the same periods.
    """
    ds = np.asarray(one.debt_service, dtype=np.float64)
    wall = np.asarray(one.due_at_maturity, dtype=np.float64)
    dscr = np.asarray(one.dscr, dtype=np.float64)
    t = np.arange(1, ds.size + 1)
    mask = (ds > CENT) & np.isfinite(dscr) & (t > build_periods(a))
    mask &= ~((wall > CENT) & (ds + 1e-6 >= wall))
    if first_default is not None:
        mask &= t <= first_default
    return mask


def deal_summary(a: DealAssumptions, schedule: DealSchedule) -> DealSummary:
    """Summarise path 0 of a recorded schedule (``run_deal(a)`` or ``deal_schedule(a)``)."""
    one = schedule if np.ndim(schedule.cfads) == 1 else schedule.path(0)
    o = one.outcome
    losses = path_losses(a, o)
    dscr = np.asarray(one.dscr, dtype=np.float64)
    first_default = _period(o.default_period)
    due = dscr[operating_periods(a, one, first_default)]
    wall = None
    amounts = np.asarray(one.due_at_maturity, dtype=np.float64)
    if np.any(amounts > 0):
        t = int(np.argmax(amounts))
        wall = MaturityWall(
            period=t + 1,
            due=float(amounts[t]),
            cash_available=float(one.cash_available[t]),
            refi_dscr=float(one.refi_dscr[t]),
            refinanced=bool(one.debt_service[t] + 1e-6 < amounts[t]) and a.refi_rate is not None,
        )
    lgd_value = float(losses.lgd[0])
    return DealSummary(
        min_dscr=float(o.min_dscr[0]),
        average_dscr=float(np.mean(due)) if due.size else float("nan"),
        min_tested_dscr=float(o.min_tested_dscr[0]),
        first_lockup=_period(o.lockup_period),
        first_default=first_default,
        default_kind=DEFAULT_KINDS[int(o.default_kind[0])],
        repaid_period=_period(o.repaid_period),
        ead=float(losses.ead[0]),
        net_recovery=float(losses.net_recovery[0]),
        shortfall=float(losses.shortfall[0]),
        lgd=lgd_value if np.isfinite(lgd_value) else None,
        wall=wall,
        periods=a.horizon_periods,
        lender_default=_period(losses.default_period),
    )


# --- the stress ------------------------------------------------------------------------------

#: JOINT_STRESS's rows, in order, with what each measures (the table's help and the templates'
#: one-line notes).
STRESS_METRICS: tuple[tuple[str, str], ...] = (
    ("paths", "Monte Carlo paths"),
    ("seed", "random seed"),
    ("correlation", "correlation of the ln BTC and ln rent shocks"),
    (
        "prob_dscr_below_1",
        "share of paths with an operating period's DSCR below 1.00x (before any reserve; no "
        "build period, no maturity wall)",
    ),
    ("prob_lockup", "share of paths with a covenant test below lockup_dscr"),
    (
        "prob_default",
        "PD, horizon: share of paths in payment, covenant or maturity default while the "
        "lender's loan is outstanding",
    ),
    ("prob_maturity_default", "share of paths on which the lender defaults at a maturity wall"),
    (
        "prob_borrower_default",
        "borrower (equity) distress: share of paths on which the borrower defaults on any debt, "
        "the lender's loan repaid or not; not the lender's PD",
    ),
    ("first_default_p50", "median first default period of the paths on which the lender defaults"),
    ("prob_margin_call", "share of paths with a margin call on the BTC-backed loan"),
    ("prob_liquidation", "share of paths on which the BTC lender sells the BTC"),
    ("annual_pd", "1-(1-PD)^(1/years); #NUM! when every path defaults"),
    ("expected_ead", "mean lender's exposure at default of defaulted paths, $"),
    ("expected_shortfall", "mean dollar shortfall (EAD - net recovery) of defaulted paths, $"),
    ("expected_lgd", "sum of shortfalls / sum of EAD over defaulted paths"),
    ("expected_loss", "mean shortfall over all paths / the lender's loan at close"),
    ("expected_loss_usd", "mean shortfall over all paths, $"),
    *(
        (f"min_dscr_p{p}", f"{p}th percentile of each path's minimum operating DSCR")
        for p in PERCENTILES
    ),
    ("fair_spread", "FAIR_SPREAD(annual_pd, expected_lgd); 'distressed' above 2,000 bp"),
    ("market_spread", "the market spread repriced (assumption)"),
    ("market_annual_pd", "annual PD the market assumes"),
    ("market_lgd", "LGD the market assumes, 1 - market_recovery"),
    ("repriced_spread", "market spread scaled by stressed / market expected loss"),
)
METRICS = tuple(name for name, _ in STRESS_METRICS)


def shown_spread(spread: float) -> float | str:
    """A spread as reported: above 2,000 bp it is ``"distressed"``, not a price of credit risk."""
    if not np.isfinite(spread) or spread > DISTRESSED_SPREAD:
        return "distressed"
    return spread


def stress_summary(
    a: DealAssumptions, paths: int, seed: int, outcome: PathOutcome, principal: float
) -> dict[str, Any]:
    """JOINT_STRESS's rows from every path's outcome; values are numbers, text or ExcelError."""
    years = a.horizon_periods / a.per_year
    losses = path_losses(a, outcome)
    defaulted = losses.default_period > 0
    pd_horizon = float(np.mean(defaulted))
    none = ExcelError("#N/A", "the lender defaults on no path")
    first_default_p50: Any = (
        float(np.median(losses.default_period[defaulted])) if defaulted.any() else none
    )
    ead_total = float(np.sum(losses.ead[defaulted]))
    shortfall_total = float(np.sum(losses.shortfall[defaulted]))
    expected_lgd = shortfall_total / ead_total if ead_total > 0 else 0.0
    loss_usd = float(np.mean(losses.shortfall))
    if a.market_pd is None:
        market_pd = float(cumulative_pd(hazard_rate(a.market_spread, a.market_recovery), 1.0))
    else:
        market_pd = a.market_pd
    market_lgd = 1.0 - a.market_recovery
    annual_pd: Any
    if pd_horizon < 1.0:
        annual_pd = 1.0 - (1.0 - pd_horizon) ** (1.0 / years)
        fair: Any = shown_spread(float(fair_spread(annual_pd, expected_lgd)))
        if market_pd * market_lgd > 0:
            repriced: Any = shown_spread(
                float(
                    repriced_spread(a.market_spread, market_pd, market_lgd, annual_pd, expected_lgd)
                )
            )
        else:
            repriced = ExcelError("#DIV/0!", "the market prices no expected loss")
    else:
        period = int(np.median(losses.default_period))
        annual_pd = ExcelError(
            "#NUM!", f"every path defaults (median first default in period {period})"
        )
        fair = repriced = "distressed"
    finite = outcome.min_dscr[np.isfinite(outcome.min_dscr)]
    pct = np.percentile(finite, PERCENTILES) if finite.size else np.full(len(PERCENTILES), np.nan)
    rows: dict[str, Any] = {
        "paths": float(paths),
        "seed": float(seed),
        "correlation": a.correlation,
        "prob_dscr_below_1": float(np.mean(np.nan_to_num(outcome.min_dscr, nan=np.inf) < 1.0)),
        "prob_lockup": float(np.mean(outcome.lockup_period > 0)),
        "prob_default": pd_horizon,
        "prob_maturity_default": float(
            np.mean(defaulted & (outcome.default_kind == MATURITY_DEFAULT))
        ),
        "prob_borrower_default": float(np.mean(outcome.default_period > 0)),
        "first_default_p50": first_default_p50,
        "prob_margin_call": float(np.mean(outcome.margin_call_period > 0)),
        "prob_liquidation": float(np.mean(outcome.liquidation_period > 0)),
        "annual_pd": annual_pd,
        "expected_ead": ead_total / defaulted.sum() if defaulted.any() else none,
        "expected_shortfall": shortfall_total / defaulted.sum() if defaulted.any() else none,
        "expected_lgd": expected_lgd if defaulted.any() else none,
        "expected_loss": loss_usd / principal if principal > 0 else 0.0,
        "expected_loss_usd": loss_usd,
        **{f"min_dscr_p{p}": float(v) for p, v in zip(PERCENTILES, pct, strict=True)},
        "fair_spread": fair,
        "market_spread": a.market_spread,
        "market_annual_pd": market_pd,
        "market_lgd": market_lgd,
        "repriced_spread": repriced,
    }
    return {name: rows[name] for name in METRICS}
