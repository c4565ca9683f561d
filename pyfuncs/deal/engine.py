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

from dataclasses import dataclass
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
    """The deal's debt per period (senior loan plus convertible notes), shape ``(periods,)``.

    ``senior_opening`` is the senior loan alone: the lender's exposure when the borrower defaults
    (convertible notes are unsecured and rank behind it).
    """

    opening: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    debt_service: np.ndarray
    closing: np.ndarray
    senior_opening: np.ndarray


#: Every column of a DealSchedule: DEAL_SCHEDULE's, then the ones the stress and reports use.
ALL_COLUMNS = (
    *SCHEDULE_COLUMNS,
    "opening",
    "senior_opening",
    "firesale_value",
    "btc_price",
    "hashprice",
)


class DealSchedule:
    """A deal period by period; arrays ``(paths, periods)`` (or ``(periods,)`` for one path).

    Columns are attributes (``schedule.dscr``) and items (``schedule["dscr"]``): DEAL_SCHEDULE's
    columns (:data:`SCHEDULE_COLUMNS`), then ``opening`` (debt at the start of the period),
    ``senior_opening`` (the senior loan alone), ``firesale_value``, ``btc_price`` and
    ``hashprice``. ``rent`` is the market rent ($ per GPU-hour); ``revenue`` adds contract rent and
    mining; ``balance`` is debt outstanding at the end of the period; values are end-of-period and
    include pledged BTC.

    A column is computed when first read, so a Monte Carlo run that reports DSCR and fire-sale LTV
    never materialises the book and market LTV of ten thousand paths.
    """

    def __init__(self, **columns: Any) -> None:
        unknown = set(columns) - set(ALL_COLUMNS)
        if unknown:
            raise TypeError(f"unknown columns: {sorted(unknown)}")
        self._columns = columns  # arrays, or zero-argument functions computing them

    def __getattr__(self, name: str) -> np.ndarray:
        columns = self.__dict__.get("_columns", {})
        if name not in columns:
            raise AttributeError(name)
        value = columns[name]
        if callable(value):
            value = columns[name] = value()
        return value

    def __getitem__(self, name: str) -> np.ndarray:
        return getattr(self, name)

    def path(self, k: int) -> DealSchedule:
        """Path ``k`` of a multi-path schedule, every column computed."""
        shape = np.shape(self.cfads)
        return DealSchedule(
            **{name: np.broadcast_to(getattr(self, name), shape)[k] for name in ALL_COLUMNS}
        )

    def to_frame(self) -> pd.DataFrame:
        """One path as a DataFrame, DEAL_SCHEDULE's columns in order."""
        import pandas as pd

        one = self if np.ndim(self.cfads) == 1 else self.path(0)
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
    senior_opening = opening
    if a.convert_principal > 0:
        t = np.arange(1, n + 1)
        maturity = round(a.convert_years * py)
        alive = t <= maturity
        interest = interest + np.where(alive, a.convert_principal * a.convert_coupon / py, 0.0)
        principal = principal + np.where(t == maturity, a.convert_principal, 0.0)
        opening = opening + np.where(alive, a.convert_principal, 0.0)
    closing = opening - principal
    return DebtProfile(opening, interest, principal, interest + principal, closing, senior_opening)


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
    contracted GPUs earn ``contract_rent`` at ``contract_utilization`` until
    ``contract_periods`` and re-lease at market rent and ``utilization`` after (re-leasing risk).
    Opex is charged on every hour: ``opex_hour*gpus*8760/per_year`` plus ``fixed_opex_period``.
    Mining earns ``HASHPRICE*hashrate*days`` and costs ``hash_cost_ph_day*hashrate*days``, with
    the subsidy halving at ``halving_periods`` and network hashrate growing at
    ``network_growth``; with ``curtail_mining`` the fleet is off in periods whose hashprice is
    below cost. CFADS = revenue - opex (taxes and working capital are left to the analyst).

    REVENUE is linear in rent and HASHPRICE in the BTC price, so both are evaluated once per
    period on a unit price and scaled by the shocked paths: the same formulas, touching each
    ``(paths, periods)`` array a few times rather than once per operation.
    """
    n, py = a.horizon_periods, a.per_year
    rent_shock, btc_shock = _factor(rent_factor, n), _factor(btc_factor, n)
    shape = np.broadcast_shapes(rent_shock.shape, btc_shock.shape)
    t = np.arange(1, n + 1)
    rent_step = a.gen_step if a.rent_gen_step is None else a.rent_gen_step
    curve = rent_curve(a.rent0, n, a.annual_decline, py, list(a.gen_periods) or None, rent_step)
    market_rent = np.multiply(curve, rent_shock, out=np.empty(shape))
    np.maximum(market_rent, a.rent_floor, out=market_rent)

    # revenue_t = market_rent_t * per_market_rent_t + fixed_t, per period
    contract_rent = a.rent0 if a.contract_rent is None else a.contract_rent
    contract_end = a.tenor_periods if a.contract_periods is None else a.contract_periods
    under_contract = t <= contract_end
    merchant = revenue(1.0, a.gpus * (1 - a.contracted_share), a.utilization, py)
    released = revenue(1.0, a.gpus * a.contracted_share, a.utilization, py)
    on_contract = revenue(contract_rent, a.gpus * a.contracted_share, a.contract_utilization, py)
    per_market_rent = np.where(under_contract, merchant, merchant + released)
    contracted = np.where(under_contract, on_contract, 0.0)
    total_revenue = np.multiply(market_rent, per_market_rent, out=np.empty(shape))
    total_revenue += contracted
    opex = deal_opex_hour(a) * a.gpus * HOURS_PER_YEAR / py + a.fixed_opex_period

    btc = np.multiply(btc_shock, a.btc_price, out=np.empty(shape))
    network = a.network_ehs * (1.0 + a.network_growth) ** ((t - 1) / py)
    subsidy = a.subsidy * 0.5 ** generation_count(list(a.halving_periods) or None, n)
    price_per_ph = np.multiply(btc, hashprice(1.0, network, subsidy, a.fees_per_block))
    total_opex = np.broadcast_to(opex, shape)
    if a.hashrate_ph > 0:
        ph_days = a.hashrate_ph * DAYS_PER_YEAR / py
        mining_revenue = np.multiply(price_per_ph, ph_days)
        running_cost = opex + a.hash_cost_ph_day * ph_days
        if a.curtail_mining:
            idle = price_per_ph < a.hash_cost_ph_day
            mining_revenue[idle] = 0.0
            total_opex = np.where(idle, opex, running_cost)
        else:
            total_opex = np.broadcast_to(running_cost, shape)
        total_revenue += mining_revenue
    return {
        "rent": market_rent,
        "revenue": total_revenue,
        "opex": total_opex,
        "cfads": np.subtract(total_revenue, total_opex),
        "btc_price": btc,
        "hashprice": price_per_ph,
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
        debt = debt_profile(a)
    shape = cash["cfads"].shape

    btc_value = a.btc_held * cash["btc_price"] if a.btc_held else 0.0
    balance = debt.closing

    def full(x: Any) -> np.ndarray:
        return np.broadcast_to(x, shape)

    # Makers receive the shared columns as an argument rather than closing over them: a closure
    # over `shared` would be a reference cycle, and cycles keep these arrays alive until the
    # cyclic garbage collector happens to run.
    def unit_market(_: _LazyColumns) -> np.ndarray:
        gen = list(a.gen_periods) or None
        curve = market_value(a.capex_per_gpu, n + 1, a.market_decay, py, gen, a.gen_step)[1:]
        return curve * cash["rent_shock"]

    def book_total(_: _LazyColumns) -> np.ndarray:
        fleet = a.gpus * a.capex_per_gpu
        book = book_value(fleet, a.book_life_years, n, a.gpus * a.salvage, a.book_method, py)
        return full(book + btc_value)

    def market_total(columns: _LazyColumns) -> np.ndarray:
        return full(a.gpus * columns.unit_market + btc_value)

    def firesale_total(columns: _LazyColumns) -> np.ndarray:
        fleet = firesale_recovery(
            columns.unit_market,
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
        if a.btc_held:
            fleet += btc_value
        return full(fleet)

    shared = _LazyColumns(
        unit_market=unit_market,
        book_total=book_total,
        market_total=market_total,
        firesale_total=firesale_total,
    )
    return DealSchedule(
        period=full(np.arange(1, n + 1, dtype=np.float64)),
        rent=cash["rent"],
        revenue=cash["revenue"],
        opex=cash["opex"],
        cfads=cash["cfads"],
        interest=full(debt.interest),
        principal=full(debt.principal),
        debt_service=full(debt.debt_service),
        dscr=lambda: dscr_path(cash["cfads"], debt.debt_service),
        balance=full(balance),
        book_value=lambda: shared.book_total,
        market_value=lambda: shared.market_total,
        book_ltv=lambda: full(_ratio(balance, shared.book_total)),
        market_ltv=lambda: full(_ratio(balance, shared.market_total)),
        firesale_ltv=lambda: full(_ratio(balance, shared.firesale_total)),
        opening=full(debt.opening),
        senior_opening=full(debt.senior_opening),
        firesale_value=lambda: shared.firesale_total,
        btc_price=cash["btc_price"],
        hashprice=cash["hashprice"],
    )


class _LazyColumns:
    """Intermediate arrays shared by several columns, each computed once when first needed."""

    def __init__(self, **makers: Any) -> None:
        self._makers = makers
        self._values: dict[str, np.ndarray] = {}

    def __getattr__(self, name: str) -> np.ndarray:
        makers = self.__dict__.get("_makers", {})
        if name not in makers:
            raise AttributeError(name)
        values = self.__dict__["_values"]
        if name not in values:
            values[name] = makers[name](self)
        return values[name]


@dataclass(frozen=True)
class PathLosses:
    """Default and loss of each path, shape ``(paths,)``."""

    default_period: np.ndarray  # first period with DSCR below default_dscr; 0 = never
    exposure: np.ndarray  # the lender's loan outstanding at the start of that period, $
    recovery: np.ndarray  # fire-sale value of the collateral at the end of that period, $
    lgd: np.ndarray  # LGD of defaulted paths, NaN for the others
    loss: np.ndarray  # exposure x LGD, $ (0 if no default)


def path_losses(
    a: DealAssumptions, schedule: DealSchedule, min_dscr: np.ndarray | None = None
) -> PathLosses:
    """Where each path defaults and what the lender loses: ``EAD * LGD(EAD, fire-sale value)``.

    The borrower defaults when DSCR on all its debt service falls below ``default_dscr``. The
    exposure is the senior loan (the lender's), which has the first claim on the collateral; a
    deal with convertible notes only is measured on the notes. ``min_dscr`` (each path's lowest
    DSCR), when given, limits the search for the default period to the paths that default.
    """
    ratios = np.atleast_2d(schedule.dscr)
    shape = ratios.shape
    when = np.zeros(shape[0], dtype=np.int64)
    rows = np.arange(shape[0]) if min_dscr is None else np.flatnonzero(min_dscr < a.default_dscr)
    if rows.size:
        when[rows] = first_breach(ratios[rows], a.default_dscr)
    defaulted = when > 0
    index = np.maximum(when - 1, 0)
    senior = schedule.senior_opening
    if not np.any(np.asarray(senior) > 0):  # no senior loan: the notes are the exposure
        senior = schedule.opening
    exposure = np.where(defaulted, np.broadcast_to(senior, shape)[0, index], 0.0)
    firesale = np.broadcast_to(schedule.firesale_value, shape)
    recovery = np.where(defaulted, firesale[np.arange(shape[0]), index], 0.0)
    loss_rate = np.full(when.shape, np.nan)
    owed = defaulted & (exposure > 0)
    if np.any(owed):
        loss_rate[owed] = lgd(exposure[owed], recovery[owed], a.months_to_sell, a.lgd_discount_rate)
    loss_rate[defaulted & (exposure <= 0)] = 0.0
    loss = np.where(defaulted, exposure * np.nan_to_num(loss_rate), 0.0)
    return PathLosses(when, exposure, recovery, loss_rate, loss)
