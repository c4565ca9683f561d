"""The deal engine: one vectorised computation of a whole deal, for one path or many.

Arrays are shaped ``(paths, periods)``: a deterministic schedule is one path, a Monte Carlo run is
ten thousand, a portfolio is a map of deals over this same function. Every quantity is computed by
the catalogue's own functions (``RENT_CURVE``, ``REVENUE``, ``DEBT_SCHEDULE``, ``DSCR``,
``BOOK_VALUE``, ``MARKET_VALUE``, ``FIRESALE_RECOVERY``, ``HASHPRICE``, ``LGD``), so a number is
computed one way only.

Shocks enter as multiplicative factors: ``rent_factor`` scales the market rent curve and the
market value of the GPUs (used-GPU prices follow rents), ``btc_factor`` scales the BTC price.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import numpy as np

from pyfuncs.collateral import book_value, market_value
from pyfuncs.coverage import dscr_path, first_breach
from pyfuncs.curves import generation_count
from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.debt import debt_schedule, floating_rate, sculpted_debt
from pyfuncs.defaults import DAYS_PER_YEAR, HOURS_PER_YEAR
from pyfuncs.miners import hashprice
from pyfuncs.recovery import firesale_recovery, lgd
from pyfuncs.rent import opex_hour, rent_curve, revenue

if TYPE_CHECKING:
    import pandas as pd

#: The columns of DEAL_SCHEDULE, in order.
SCHEDULE_COLUMNS = (
    "period",
    "rent",
    "revenue",
    "opex",
    "cfads",
    "interest",
    "principal",
    "debt_service",
    "dscr",
    "balance",
    "book_value",
    "market_value",
    "book_ltv",
    "market_ltv",
    "firesale_ltv",
)


@dataclass(frozen=True)
class DebtProfile:
    """The deal's debt per period (senior loan plus convertible notes), shape ``(periods,)``."""

    opening: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    debt_service: np.ndarray
    closing: np.ndarray


@dataclass(frozen=True)
class DealSchedule:
    """A deal period by period; arrays ``(paths, periods)`` (or ``(periods,)`` for one path).

    The first fields are DEAL_SCHEDULE's columns. ``rent`` is the market rent ($ per GPU-hour);
    ``revenue`` adds contract rent and mining; ``balance`` is debt outstanding at the end of the
    period, ``opening`` at its start; values are end-of-period and include pledged BTC.
    """

    period: np.ndarray
    rent: np.ndarray
    revenue: np.ndarray
    opex: np.ndarray
    cfads: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    debt_service: np.ndarray
    dscr: np.ndarray
    balance: np.ndarray
    book_value: np.ndarray
    market_value: np.ndarray
    book_ltv: np.ndarray
    market_ltv: np.ndarray
    firesale_ltv: np.ndarray
    opening: np.ndarray
    firesale_value: np.ndarray
    btc_price: np.ndarray
    hashprice: np.ndarray

    def path(self, k: int) -> DealSchedule:
        """Path ``k`` of a multi-path schedule."""
        return DealSchedule(
            **{
                f.name: np.broadcast_to(getattr(self, f.name), self.dscr.shape)[k]
                for f in fields(self)
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """One path as a DataFrame, DEAL_SCHEDULE's columns in order."""
        import pandas as pd

        one = self if self.dscr.ndim == 1 else self.path(0)
        return pd.DataFrame({name: getattr(one, name) for name in SCHEDULE_COLUMNS})


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    """``numerator/denominator``; +inf where only the denominator is zero, NaN where both are."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.true_divide(numerator, denominator)


def deal_opex_hour(a: DealAssumptions) -> float:
    """The deal's opex per GPU-hour: given, or OPEX_HOUR of its power and colocation inputs."""
    if a.opex_hour is not None:
        return a.opex_hour
    return float(opex_hour(a.it_kw, a.pue, a.power_price, a.colo_kw_month))


def debt_rates(a: DealAssumptions) -> np.ndarray | float:
    """Fixed ``annual_rate``, or ``FLOATING_RATE(base_rate_path, margin, rate_floor)`` per period."""
    if not a.base_rate_path:
        return a.annual_rate
    path = floating_rate(np.asarray(a.base_rate_path), a.margin, a.rate_floor)
    return np.broadcast_to(path, (a.tenor_periods,))


def debt_profile(a: DealAssumptions, base_cfads: np.ndarray | None = None) -> DebtProfile:
    """Senior loan and convertible notes per period over the deal's horizon.

    The senior loan is DEBT_SCHEDULE (annuity, linear, bullet) or SCULPTED_DEBT sized on the
    base-case CFADS (``profile="sculpted"``); a stress keeps that debt and changes the CFADS.
    Convertible notes pay their coupon each period and their principal at maturity (conversion is
    not modelled: a credit view assumes the notes are repaid).
    """
    n, tenor, py = a.horizon_periods, a.tenor_periods, a.per_year
    if a.profile == "sculpted":
        if base_cfads is None:
            base_cfads = operating_cash(a)["cfads"][0]
        senior = sculpted_debt(base_cfads[:tenor], a.target_dscr, debt_rates(a), py)
    else:
        senior = debt_schedule(a.principal, debt_rates(a), a.tenor_years, py, a.profile, a.balloon)
    pad = n - tenor

    def padded(x: np.ndarray) -> np.ndarray:
        return np.concatenate([np.asarray(x, dtype=np.float64), np.zeros(pad)])

    opening, interest, principal = (
        padded(senior.opening),
        padded(senior.interest),
        padded(senior.principal),
    )
    if a.convert_principal > 0:
        t = np.arange(1, n + 1)
        maturity = round(a.convert_years * py)
        alive = t <= maturity
        interest = interest + np.where(alive, a.convert_principal * a.convert_coupon / py, 0.0)
        principal = principal + np.where(t == maturity, a.convert_principal, 0.0)
        opening = opening + np.where(alive, a.convert_principal, 0.0)
    closing = opening - principal
    return DebtProfile(opening, interest, principal, interest + principal, closing)


def _factor(factor: Any, n: int) -> np.ndarray:
    if factor is None:
        return np.ones((1, n))
    arr = np.asarray(factor, dtype=np.float64)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr


def operating_cash(
    a: DealAssumptions, rent_factor: Any = None, btc_factor: Any = None
) -> dict[str, np.ndarray]:
    """Rents, revenue, opex, CFADS, BTC price and hashprice per path and period.

    Notes
    -----
    GPU revenue: market GPUs earn ``REVENUE(rent_t, gpus*(1-contracted_share), utilization)``;
    contracted GPUs earn ``contract_rent`` at ``contract_utilization`` until ``contract_periods``
    and re-lease at market rent and ``utilization`` after (re-leasing risk). Opex is charged on every hour: ``opex_hour*gpus*8760/per_year`` plus
    ``fixed_opex_period``. Mining earns ``HASHPRICE*hashrate*days`` and costs
    ``hash_cost_ph_day*hashrate*days``, with the subsidy halving at ``halving_periods`` and network
    hashrate growing at ``network_growth``; with ``curtail_mining`` the fleet is off in periods
    whose hashprice is below cost. CFADS = revenue - opex (taxes and working capital are left
    to the analyst).
    """
    n, py = a.horizon_periods, a.per_year
    rent_shock, btc_shock = _factor(rent_factor, n), _factor(btc_factor, n)
    t = np.arange(1, n + 1)
    curve = rent_curve(a.rent0, n, a.annual_decline, py, list(a.gen_periods) or None, a.gen_step)
    market_rent = np.maximum(a.rent_floor, curve * rent_shock)

    contract_rent = a.rent0 if a.contract_rent is None else a.contract_rent
    contract_end = a.tenor_periods if a.contract_periods is None else a.contract_periods
    under_contract = t <= contract_end
    contracted_rent = np.where(under_contract, contract_rent, market_rent)
    contracted_use = np.where(under_contract, a.contract_utilization, a.utilization)
    gpu_revenue = revenue(market_rent, a.gpus * (1 - a.contracted_share), a.utilization, py)
    gpu_revenue = gpu_revenue + revenue(
        contracted_rent, a.gpus * a.contracted_share, contracted_use, py
    )
    opex = deal_opex_hour(a) * a.gpus * HOURS_PER_YEAR / py + a.fixed_opex_period

    btc = a.btc_price * btc_shock
    network = a.network_ehs * (1.0 + a.network_growth) ** ((t - 1) / py)
    subsidy = a.subsidy * 0.5 ** generation_count(list(a.halving_periods) or None, n)
    price_per_ph = hashprice(btc, network, subsidy, a.fees_per_block)
    days = DAYS_PER_YEAR / py
    running = (
        price_per_ph >= a.hash_cost_ph_day if a.curtail_mining else np.ones_like(price_per_ph, bool)
    )
    mining_revenue = np.where(running, price_per_ph * a.hashrate_ph * days, 0.0)
    mining_cost = np.where(running, a.hash_cost_ph_day * a.hashrate_ph * days, 0.0)

    total_revenue = gpu_revenue + mining_revenue
    total_opex = opex + mining_cost
    shape = np.broadcast_shapes(total_revenue.shape, total_opex.shape, market_rent.shape)
    return {
        "rent": np.broadcast_to(market_rent, shape),
        "revenue": np.broadcast_to(total_revenue, shape),
        "opex": np.broadcast_to(total_opex, shape),
        "cfads": np.broadcast_to(total_revenue - total_opex, shape),
        "btc_price": np.broadcast_to(btc, shape),
        "hashprice": np.broadcast_to(price_per_ph, shape),
        "rent_shock": rent_shock,
    }


def run_deal(
    assumptions: DealAssumptions | dict[str, Any],
    rent_factor: Any = None,
    btc_factor: Any = None,
    debt: DebtProfile | None = None,
) -> DealSchedule:
    """Compute a deal for every path: cash flow, debt, coverage, collateral and LTVs.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        The deal (see :class:`~pyfuncs.deal.assumptions.DealAssumptions`).
    rent_factor, btc_factor : array_like, optional
        Multiplicative shocks shaped ``(paths, periods)``; ``None`` is the base case.
    debt : DebtProfile, optional
        Precomputed debt (a stress reuses the base case's).

    Returns
    -------
    DealSchedule
        Arrays ``(paths, periods)``.

    Notes
    -----
    ``DSCR_t = CFADS_t/DS_t`` (NaN when nothing is due); book value is BOOK_VALUE of the fleet plus
    pledged BTC at market; market value is ``gpus*MARKET_VALUE`` at the end of the period (the
    curve one period on) times the rent shock, plus BTC; fire-sale value is FIRESALE_RECOVERY of
    the whole fleet plus BTC (liquid, sold at market). LTV = closing balance / value.
    """
    a = parse_assumptions(assumptions)
    n, py = a.horizon_periods, a.per_year
    cash = operating_cash(a, rent_factor, btc_factor)
    if debt is None:
        debt = debt_profile(a, None if a.profile != "sculpted" else operating_cash(a)["cfads"][0])
    shape = cash["cfads"].shape

    btc_value = a.btc_held * cash["btc_price"]
    fleet_cost = a.gpus * a.capex_per_gpu
    book = book_value(fleet_cost, a.book_life_years, n, a.gpus * a.salvage, a.book_method, py)
    gen = list(a.gen_periods) or None
    unit_market = market_value(a.capex_per_gpu, n + 1, a.market_decay, py, gen, a.gen_step)[1:]
    unit_market = unit_market * cash["rent_shock"]
    fleet_firesale = firesale_recovery(
        unit_market,
        a.gpus,
        a.monthly_volume,
        0.0,
        a.gen_step,
        a.site_factor,
        a.cost_per_unit,
        a.months_to_sell,
        a.carry_per_unit_month,
        a.volatility,
        a.impact,
        a.base_discount,
    )
    book_total = book + btc_value
    market_total = a.gpus * unit_market + btc_value
    firesale_total = fleet_firesale + btc_value
    balance = debt.closing

    def full(x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, shape)

    return DealSchedule(
        period=full(np.arange(1, n + 1, dtype=np.float64)),
        rent=cash["rent"],
        revenue=cash["revenue"],
        opex=cash["opex"],
        cfads=cash["cfads"],
        interest=full(debt.interest),
        principal=full(debt.principal),
        debt_service=full(debt.debt_service),
        dscr=dscr_path(cash["cfads"], debt.debt_service),
        balance=full(balance),
        book_value=full(book_total),
        market_value=full(market_total),
        book_ltv=full(_ratio(balance, book_total)),
        market_ltv=full(_ratio(balance, market_total)),
        firesale_ltv=full(_ratio(balance, firesale_total)),
        opening=full(debt.opening),
        firesale_value=full(firesale_total),
        btc_price=cash["btc_price"],
        hashprice=cash["hashprice"],
    )


@dataclass(frozen=True)
class PathLosses:
    """Default and loss of each path, shape ``(paths,)``."""

    default_period: np.ndarray  # first period with DSCR below default_dscr; 0 = never
    exposure: np.ndarray  # debt outstanding at the start of the default period, $
    recovery: np.ndarray  # fire-sale value at the end of the default period, $
    lgd: np.ndarray  # LGD of defaulted paths, NaN for the others
    loss: np.ndarray  # exposure x LGD, $ (0 if no default)


def path_losses(a: DealAssumptions, schedule: DealSchedule) -> PathLosses:
    """Where each path defaults and what the lender loses: ``EAD * LGD(EAD, fire-sale value)``."""
    ratios = np.atleast_2d(schedule.dscr)
    when = first_breach(ratios, a.default_dscr)
    defaulted = when > 0
    index = np.maximum(when - 1, 0)[:, None]
    exposure = np.take_along_axis(
        np.atleast_2d(schedule.opening) * np.ones_like(ratios), index, axis=1
    )[:, 0]
    recovery = np.take_along_axis(
        np.atleast_2d(schedule.firesale_value) * np.ones_like(ratios), index, axis=1
    )[:, 0]
    exposure = np.where(defaulted, exposure, 0.0)
    loss_rate = np.full(when.shape, np.nan)
    owed = defaulted & (exposure > 0)
    if np.any(owed):
        loss_rate[owed] = lgd(exposure[owed], recovery[owed], a.months_to_sell, a.lgd_discount_rate)
    loss_rate[defaulted & (exposure <= 0)] = 0.0
    loss = np.where(defaulted, exposure * np.nan_to_num(loss_rate), 0.0)
    return PathLosses(when, exposure, np.where(defaulted, recovery, 0.0), loss_rate, loss)
