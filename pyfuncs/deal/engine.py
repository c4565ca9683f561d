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

from typing import TYPE_CHECKING, Any

import numpy as np

from pyfuncs.collateral import book_value, market_value
from pyfuncs.curves import generation_count
from pyfuncs.deal import colo
from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.facility import deal_borrowing_base, draw_schedule
from pyfuncs.deal.firesale import fleet_firesale
from pyfuncs.deal.offtakers import contract_revenue
from pyfuncs.deal.waterfall import (
    STATUS_NAMES,
    PathOutcome,
    ScheduledDebt,
    run_waterfall,
)
from pyfuncs.debt import debt_schedule, floating_rate, sculpted_debt
from pyfuncs.defaults import DAYS_PER_YEAR, HOURS_PER_YEAR
from pyfuncs.gpu_curves import MODELS, SCENARIOS, gpu_curve, model_value
from pyfuncs.miners import hashprice
from pyfuncs.rent import opex_hour, rent_curve

PATH_OUTCOME_FIELDS = tuple(PathOutcome.__dataclass_fields__)

if TYPE_CHECKING:
    import pandas as pd

#: The columns of DEAL_SCHEDULE, in order: the deal, then its cash waterfall.
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
    "dsra_balance",
    "dsra_draw",
    "lockup_balance",
    "swept",
    "distributed",
    "tested_dscr",
    "status",
    "due_at_maturity",
)

#: Every column of a DealSchedule: DEAL_SCHEDULE's, then the ones the stress and reports use.
ALL_COLUMNS = (
    *SCHEDULE_COLUMNS,
    "opening",
    "senior_opening",
    "firesale_value",
    "btc_price",
    "hashprice",
    "refi_dscr",
    "cash_available",
    "borrowing_base",
    "drawn",
    "drawn_balance",
    "mandatory_prepayment",
)


class DealSchedule:
    """A deal period by period; arrays ``(paths, periods)`` (or ``(periods,)`` for one path).

    Columns are attributes (``schedule.dscr``) and items (``schedule["dscr"]``): DEAL_SCHEDULE's
    columns (:data:`SCHEDULE_COLUMNS`), then ``opening`` (debt at the start of the period),
    ``senior_opening`` (the senior loan alone), ``firesale_value``, ``btc_price`` and
    ``hashprice``. ``rent`` is the market rent ($ per GPU-hour); ``revenue`` adds contract rent and
    mining; ``balance`` is debt outstanding at the end of the period; values are end-of-period and
    include pledged BTC.

    A column is computed when first read, so a Monte Carlo run never materialises the book and
    market LTV of ten thousand paths; a run without ``record`` has no waterfall columns at all,
    only each path's :class:`~pyfuncs.deal.waterfall.PathOutcome`.
    """

    def __init__(self, outcome: PathOutcome | None = None, **columns: Any) -> None:
        unknown = set(columns) - set(ALL_COLUMNS)
        if unknown:
            raise TypeError(f"unknown columns: {sorted(unknown)}")
        self._columns = columns  # arrays, or zero-argument functions computing them
        #: What each path did (default, lock-up, exposure): see :mod:`pyfuncs.deal.metrics`.
        self.outcome = outcome
        #: What the curves ignored to count obsolescence once (``DealAssumptions.curve_warnings``).
        self.warnings: tuple[str, ...] = ()

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
        outcome = None
        if self.outcome is not None:
            outcome = PathOutcome(
                **{f: np.atleast_1d(getattr(self.outcome, f)[k]) for f in PATH_OUTCOME_FIELDS}
            )
        one = DealSchedule(
            outcome,
            **{
                name: np.broadcast_to(getattr(self, name), shape)[k]
                for name in ALL_COLUMNS
                if name in self._columns
            },
        )
        one.warnings = self.warnings
        return one

    def to_frame(self) -> pd.DataFrame:
        """One path as a DataFrame, DEAL_SCHEDULE's columns in order."""
        import pandas as pd

        one = self if np.ndim(self.cfads) == 1 else self.path(0)
        frame = pd.DataFrame({name: getattr(one, name) for name in SCHEDULE_COLUMNS})
        return frame


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
    """Fixed ``annual_rate``, or ``FLOATING_RATE(base_rate_path, margin, rate_floor)`` per period.

    A blank ``margin`` comes from the DDTL 2.0 grid by ``counterparty_grade``
    (:attr:`~pyfuncs.deal.assumptions.DealAssumptions.floating_margin`).
    """
    if not a.base_rate_path:
        return a.annual_rate
    path = floating_rate(np.asarray(a.base_rate_path), a.floating_margin, a.rate_floor)
    return np.broadcast_to(path, (a.tenor_periods,))


def debt_profile(a: DealAssumptions, base_cfads: np.ndarray | None = None) -> ScheduledDebt:
    """The capital structure as scheduled at close, over the deal's horizon.

    The senior loan is DEBT_SCHEDULE (annuity, linear, bullet, with a balloon) or SCULPTED_DEBT
    sized on the base-case CFADS (``profile="sculpted"``); a stress keeps that debt and changes
    the CFADS. Convertible notes pay their coupon each period and their principal at maturity
    (conversion is not modelled: a credit view assumes the notes are repaid or refinanced).
    The DSRA target after period t is the scheduled senior debt service of the next
    ``dsra_months`` (maturity walls excluded, as a reserve sized on regular debt service is);
    at close the reserve holds that amount for periods 1..dsra_months, funded from the loan.
    A delayed-draw facility (``draw_periods``) is the sum of its draws
    (:func:`pyfuncs.deal.facility.draw_schedule`), each a loan of its own; ``draws`` carries
    them to the waterfall and ``senior_principal`` is the whole commitment.
    """
    n, tenor, py = a.horizon_periods, a.tenor_periods, a.per_year
    size = max(n, tenor)
    draws = draw_schedule(a, size) if a.draw_periods else None
    if draws is not None:  # a delayed-draw facility: the sum of its draws, as scheduled
        senior = draws
    elif a.profile == "sculpted":
        if base_cfads is None:
            base_cfads = operating_cash(a)["cfads"][0]
        senior = sculpted_debt(base_cfads[:tenor], a.target_dscr, debt_rates(a), py)
    elif a.interest_only_years > 0:
        senior = colo.interest_only_schedule(a, debt_rates(a))
    else:
        senior = debt_schedule(a.principal, debt_rates(a), a.tenor_years, py, a.profile, a.balloon)

    def padded(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 2:
            x = x.sum(axis=0)
        return np.concatenate([x, np.zeros(size - x.size)])[:size]

    opening, interest, principal = (
        padded(senior.opening),
        padded(senior.interest),
        padded(senior.principal),
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(opening > 0, principal / opening, 0.0)
        rate = np.where(opening > 0, interest / opening * py, 0.0)
    wall = np.zeros(size)
    if draws is not None:
        with np.errstate(divide="ignore", invalid="ignore"):
            wall = np.where(opening > 0, padded(draws.wall) / opening, 0.0)
    elif tenor <= size and opening[tenor - 1] > 0:
        if a.profile == "bullet":
            wall[tenor - 1] = 1.0
        elif a.balloon > 0 and a.profile in ("annuity", "linear"):
            wall[tenor - 1] = min(1.0, a.balloon / opening[tenor - 1])
    regular_ds = interest + principal - wall * opening
    m = a.dsra_periods
    ahead = np.array([regular_ds[t + 1 : t + 1 + m].sum() for t in range(size)])
    closing = opening - principal
    with np.errstate(divide="ignore", invalid="ignore"):
        per_balance = np.where(closing > 1e-9, ahead / closing, 0.0)
    dsra0 = float(regular_ds[:m].sum()) if draws is None else draws.dsra_at_close

    total_opening, total_interest, total_principal = opening.copy(), interest.copy(), principal
    junior_maturity = 0
    if a.convert_principal > 0:
        t = np.arange(1, size + 1)
        maturity = a.convert_periods
        alive = t <= maturity
        total_interest = total_interest + np.where(
            alive, a.convert_principal * a.convert_coupon / py, 0.0
        )
        total_principal = total_principal + np.where(t == maturity, a.convert_principal, 0.0)
        total_opening = total_opening + np.where(alive, a.convert_principal, 0.0)
        junior_maturity = maturity if maturity <= n else 0
    return ScheduledDebt(
        senior_principal=float(opening[0]) if draws is None else float(draws.amounts.sum()),
        senior_rate=rate[:n],
        senior_fraction=fraction[:n],
        senior_wall_share=wall[:n],
        dsra_per_balance=per_balance[:n],
        dsra_at_close=dsra0,
        junior_principal=float(a.convert_principal),
        junior_coupon=float(a.convert_coupon),
        junior_maturity=junior_maturity,
        opening=total_opening[:n],
        interest=total_interest[:n],
        principal=total_principal[:n],
        senior_opening=opening[:n],
        draws=draws,
    )


def _factor(factor: Any, n: int) -> np.ndarray:
    if factor is None:
        return np.ones((1, n))
    arr = np.asarray(factor, dtype=np.float64)
    return arr.reshape(1, -1) if arr.ndim == 1 else arr


def _warned(schedule: DealSchedule, a: DealAssumptions) -> DealSchedule:
    schedule.warnings = a.curve_warnings
    return schedule


def deal_curves(a: DealAssumptions, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The deal's market rent ($/GPU-hour) and unit market value ($, end of period), ``(n,)``.

    The one place the engine turns assumptions into rent and value curves, before any shock:
    ``RENT_CURVE(rent0, n, annual_decline, per_year, gen_periods, rent_gen_step)`` floored at
    ``rent_floor``, and ``MARKET_VALUE(capex_per_gpu, n+1, market_decay, per_year, gen_periods,
    gen_step)`` one period on (the value at the end of each period). With ``gpu_model`` set,
    ``GPU_CURVE`` gives the rent from the model's March 2026 age and the value (capex times the
    value share, from ``gpu_age_years``) unless ``rent0``/``annual_decline`` or ``market_decay``
    are given. Generation steps apply only to a ``within_generation`` decline, never to a model
    curve (docs/gpu-curves.md); ``DealAssumptions.curve_warnings`` says what was ignored.
    """
    py = a.per_year
    given = a.model_fields_set
    stepped = a.decline_basis == "within_generation" and a.gpu_model is None
    gen = (list(a.gen_periods) or None) if stepped else None
    rent_step = a.gen_step if a.rent_gen_step is None else a.rent_gen_step
    if a.gpu_model is not None and not given & {"rent0", "annual_decline"}:
        today = MODELS[a.gpu_model].reference_age  # the deal starts at today's market rent
        rent = gpu_curve(a.gpu_model, n, "rent", a.gpu_scenario, py, today)
    else:
        rent = rent_curve(a.rent0, n, a.annual_decline, py, gen, rent_step)
    rent = np.maximum(rent, a.rent_floor)
    if a.gpu_model is not None and "market_decay" not in given:
        share = gpu_curve(a.gpu_model, n + 1, "value", a.gpu_scenario, py, a.gpu_age_years)
        value = a.capex_per_gpu * share[1:]
    else:
        value = market_value(a.capex_per_gpu, n + 1, a.market_decay, py, gen, a.gen_step)[1:]
    return np.asarray(rent, dtype=np.float64), np.asarray(value, dtype=np.float64)


def network_response(a: DealAssumptions, btc_shock: np.ndarray) -> np.ndarray | float:
    """Factor on network hashrate from the BTC price shock ``hashrate_lag_months`` earlier.

    ``network_t = network_base_t * btc_shock_{t-lag}^hashrate_elasticity``: miners add (or switch
    off) machines as the price they saw a few months earlier makes mining pay (docs/domain.md
    section 7: "a BTC drop cuts mining CFADS one-for-one until difficulty adjusts"). The base
    case has no shock, so it is unchanged.
    """
    lag = round(a.hashrate_lag_months * a.per_year / 12)
    if a.hashrate_elasticity == 0 or btc_shock.shape[-1] <= lag:
        return 1.0
    # a shocked path has moved by its last period: only an unshocked last column needs the
    # whole array checked
    if np.all(btc_shock[..., -1] == 1.0) and np.all(btc_shock == 1.0):
        return 1.0
    lagged = np.empty(btc_shock.shape)
    lagged[:, :lag] = 1.0
    lagged[:, lag:] = btc_shock[:, : btc_shock.shape[-1] - lag]
    lagged **= a.hashrate_elasticity  # in place, as ``lagged**e`` computes it
    return lagged


def operating_cash(
    a: DealAssumptions,
    rent_factor: Any = None,
    btc_factor: Any = None,
    contract_stop: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Rents, revenue, opex, CFADS, BTC price and hashprice per path and period.

    Notes
    -----
    GPU revenue: market GPUs earn ``REVENUE(rent_t, gpus*(1-contracted_share), utilization)``;
    contracted GPUs earn ``contract_rent`` at ``contract_utilization`` until
    ``contract_periods`` (or, in a stress, until the period ``contract_stop`` in which the
    counterparty defaults), are idle for ``releasing_months`` and then re-lease at market rent
    less ``release_haircut`` and ``utilization`` (:func:`pyfuncs.deal.offtakers.contract_revenue`).
    Opex is charged on every hour: ``opex_hour*gpus*8760/per_year`` plus ``fixed_opex_period``.
    Mining earns ``HASHPRICE*hashrate*days`` and costs ``hash_cost_ph_day*hashrate*days``, with
    the subsidy halving at ``halving_periods`` and network hashrate growing at
    ``network_growth`` (and, in a stress, following the BTC price with a lag:
    :func:`network_response`); with ``curtail_mining`` the fleet is off in periods whose hashprice
    is below cost. CFADS = revenue - opex (taxes and working capital are left to the analyst).

    REVENUE is linear in rent and HASHPRICE in the BTC price, so both are evaluated once per
    period on a unit price and scaled by the shocked paths: the same formulas, touching each
    ``(paths, periods)`` array a few times rather than once per operation.
    """
    n, py = a.horizon_periods, a.per_year
    rent_shock, btc_shock = _factor(rent_factor, n), _factor(btc_factor, n)
    shape = np.broadcast_shapes(rent_shock.shape, btc_shock.shape)
    t = np.arange(1, n + 1)
    curve, _ = deal_curves(a, n)
    market_rent = np.multiply(curve, rent_shock, out=np.empty(shape))
    np.maximum(market_rent, a.rent_floor, out=market_rent)

    # revenue_t = market_rent_t * per_market_rent_t + contracted_t (re-leasing, offtaker default)
    per_market_rent, contracted = contract_revenue(a, n, contract_stop)
    total_revenue = np.multiply(market_rent, per_market_rent, out=np.empty(shape))
    total_revenue += contracted
    opex = deal_opex_hour(a) * a.gpus * HOURS_PER_YEAR / py + a.fixed_opex_period

    btc = np.multiply(btc_shock, a.btc_price, out=np.empty(shape))
    network = a.network_ehs * (1.0 + a.network_growth) ** ((t - 1) / py)
    subsidy = a.subsidy * 0.5 ** generation_count(list(a.halving_periods) or None, n)
    price_per_ph = np.multiply(btc, hashprice(1.0, network, subsidy, a.fees_per_block))
    total_opex = np.broadcast_to(opex, shape)
    if a.hashrate_ph > 0:
        if btc_factor is not None:
            price_per_ph /= network_response(a, np.broadcast_to(btc_shock, shape))
        ph_days = a.hashrate_ph * DAYS_PER_YEAR / py
        mining_revenue = np.multiply(price_per_ph, ph_days)
        running_cost = opex + a.hash_cost_ph_day * ph_days
        if a.curtail_mining:
            idle = price_per_ph < a.hash_cost_ph_day
            np.copyto(mining_revenue, 0.0, where=idle)
            total_opex = np.where(idle, opex, running_cost)
        else:
            total_opex = np.broadcast_to(running_cost, shape)
        total_revenue += mining_revenue
    if a.is_colo:  # powered shells leased to an AI tenant (pyfuncs.deal.colo)
        lease, lease_opex = colo.lease_cash(a, n, rent_shock, contract_stop)
        total_revenue = total_revenue + lease
        total_opex = total_opex + lease_opex
    return {
        "rent": market_rent,
        "revenue": total_revenue,
        "opex": total_opex,
        "cfads": np.subtract(total_revenue, total_opex),
        "btc_price": btc,
        "hashprice": price_per_ph,
        "rent_shock": rent_shock,
    }


def collateral_decay(a: DealAssumptions, n: int) -> np.ndarray:
    """The annual value decline the fleet suffers while it is sold from the end of each period.

    Parameters
    ----------
    a : DealAssumptions
    n : int
        Periods.

    Returns
    -------
    ndarray, shape (n,)
        With the deal's value curve ``MARKET_VALUE`` at a constant ``market_decay``, that decay
        in every period. With a ``gpu_model`` value curve (GPU_CURVE ``"value"``, a decline that
        decelerates towards a floor) the decline annualised over the sale itself:
        ``a_t = 1 - (v(A_t + M/12)/v(A_t))^(12/M)``, where ``v`` is the model's resale share,
        ``A_t = gpu_age_years + t/per_year`` the fleet's age at the end of period t and ``M``
        ``months_to_sell`` (over one year when ``M = 0``, which sells at once and makes the
        decline immaterial). FIRESALE_RECOVERY's sale-value factor
        ``f = (1-(1-a)^(M/12))/(-(M/12) ln(1-a))`` then holds the units sold last at exactly the
        curve's value at the end of the sale (docs/gpu-curves.md, "Selling over months").
        Generation steps are not counted in it: they are dated events, not a rate.
    """
    if a.gpu_model is None or "market_decay" in a.model_fields_set:
        return np.full(n, a.market_decay)
    years = a.months_to_sell / 12.0 if a.months_to_sell > 0 else 1.0
    age = a.gpu_age_years + np.arange(1, n + 1) / a.per_year
    case = SCENARIOS[a.gpu_scenario]
    kept = model_value(case, age + years) / model_value(case, age)
    return 1.0 - kept ** (1.0 / years)


def run_deal(
    assumptions: DealAssumptions | dict[str, Any],
    rent_factor: Any = None,
    btc_factor: Any = None,
    debt: ScheduledDebt | None = None,
    record: bool = True,
    contract_stop: np.ndarray | None = None,
    kernel: bool | None = None,
) -> DealSchedule:
    """Compute a deal for every path: cash flow, the cash waterfall, collateral and LTVs.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        The deal (see :class:`~pyfuncs.deal.assumptions.DealAssumptions`).
    rent_factor, btc_factor : array_like, optional
        Multiplicative shocks shaped ``(paths, periods)``; ``None`` is the base case.
    debt : ScheduledDebt, optional
        Precomputed debt (a stress reuses the base case's).
    record : bool, default True
        Keep every period's waterfall columns; False (a stress) keeps only each path's
        :attr:`DealSchedule.outcome`.
    contract_stop : ndarray of int, optional
        Per path, the period from which the counterparty's default stops the contract cash
        (:func:`pyfuncs.deal.offtakers.contract_stop_periods`); ``None``: no default.
    kernel : bool, optional
        Passed to :func:`pyfuncs.deal.waterfall.run_waterfall`: run an unrecorded waterfall
        compiled (:mod:`pyfuncs.deal.waterfall_kernel`); None decides by the number of paths.

    Returns
    -------
    DealSchedule
        Arrays ``(paths, periods)`` and ``outcome``, each path's
        :class:`~pyfuncs.deal.waterfall.PathOutcome` (its fire-sale value at default included).

    Notes
    -----
    The waterfall is :func:`pyfuncs.deal.waterfall.run_waterfall`. ``DSCR_t = CFADS_t/DS_t``
    (NaN when nothing is due); book value is BOOK_VALUE of the fleet plus pledged BTC at market;
    market value is ``gpus*MARKET_VALUE`` at the end of the period times the rent shock, plus
    BTC; fire-sale value is FIRESALE_RECOVERY of the whole fleet, its value falling at the
    deal's own collateral decline while it is sold (:func:`collateral_decay`), plus BTC (liquid,
    sold at market). LTV = closing balance / value. With ``contract_advance`` or
    ``collateral_advance`` the borrowing base at each period end is
    :func:`pyfuncs.deal.facility.deal_borrowing_base` (``BORROWING_BASE`` of the contracted cash
    and the shocked GPU value, the contract leg dropping at a counterparty default); the
    ``borrowing_base``, ``drawn``, ``drawn_balance`` and ``mandatory_prepayment`` columns report
    it and the draws.
    """
    a = parse_assumptions(assumptions)
    n, py = a.horizon_periods, a.per_year
    cash = operating_cash(a, rent_factor, btc_factor, contract_stop)
    if debt is None:
        debt = debt_profile(a)
    shape = cash["cfads"].shape
    btc_price = cash["btc_price"]
    base = None
    if a.has_borrowing_base:
        unit_value = deal_curves(a, n)[1]
        base = deal_borrowing_base(
            a, unit_value, cash["rent_shock"], deal_opex_hour(a), contract_stop
        )
    outcome, cols = run_waterfall(a, debt, cash["cfads"], record, btc_price, base, kernel)
    # the senior lender's BTC: the BTC held, less any loan against it (after margin calls)
    if not a.btc_held:
        btc_value: Any = 0.0
    elif cols is not None:
        btc_value = cols.btc_collateral.T
    else:
        btc_value = a.btc_held * btc_price
    _, unit_curve = deal_curves(a, n)
    decay = collateral_decay(a, n)

    # the fire-sale value of the collateral where each path defaults (computed once, here)
    defaulted = np.flatnonzero(outcome.default_period > 0)
    firesale_at_default = np.zeros(shape[0])
    if defaulted.size:
        index = outcome.default_period[defaulted] - 1
        shock = np.broadcast_to(cash["rent_shock"], shape)[defaulted, index]
        value = fleet_firesale(a, unit_curve[index] * shock, decay[index])
        if a.is_colo:
            value = value + colo.shell_values(a, n)[2][index] * shock
        if a.btc_held:
            value = value + outcome.btc_at_default[defaulted]
        firesale_at_default[defaulted] = value
    outcome.firesale_at_default = firesale_at_default

    def full(x: Any) -> np.ndarray:
        return np.broadcast_to(x, shape)

    columns: dict[str, Any] = {
        "period": full(np.arange(1, n + 1, dtype=np.float64)),
        "rent": cash["rent"],
        "revenue": cash["revenue"],
        "opex": cash["opex"],
        "cfads": cash["cfads"],
        "btc_price": btc_price,
        "hashprice": cash["hashprice"],
    }
    if cols is None:
        return _warned(DealSchedule(outcome, **columns), a)

    balance = cols.balance.T

    # Makers receive the shared columns as an argument rather than closing over them: a closure
    # over `shared` would be a reference cycle, and cycles keep these arrays alive until the
    # cyclic garbage collector happens to run.
    def unit_market(_: _LazyColumns) -> np.ndarray:
        return unit_curve * cash["rent_shock"]

    shells = colo.shell_values(a, n, cash["rent_shock"]) if a.is_colo else (0.0, 0.0, 0.0)

    def book_total(_: _LazyColumns) -> np.ndarray:
        fleet = a.gpus * a.capex_per_gpu
        book = book_value(fleet, a.book_life_years, n, a.gpus * a.salvage, a.book_method, py)
        return full(book + btc_value + shells[0])

    def market_total(shared: _LazyColumns) -> np.ndarray:
        return full(a.gpus * shared.unit_market + btc_value + shells[1])

    def firesale_total(shared: _LazyColumns) -> np.ndarray:
        fleet = fleet_firesale(a, shared.unit_market, decay)
        if a.btc_held:
            fleet = fleet + btc_value
        return full(fleet + shells[2])

    shared = _LazyColumns(
        unit_market=unit_market,
        book_total=book_total,
        market_total=market_total,
        firesale_total=firesale_total,
    )
    debt_service = cols.debt_service.T
    status = cols.status.T

    def dscr() -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.true_divide(cash["cfads"], debt_service)
        return np.where(debt_service > 0, ratio, np.nan)

    columns.update(
        interest=cols.interest.T,
        principal=cols.principal.T,
        debt_service=debt_service,
        dscr=dscr,
        balance=balance,
        book_value=lambda: shared.book_total,
        market_value=lambda: shared.market_total,
        book_ltv=lambda: full(_ratio(balance, shared.book_total)),
        market_ltv=lambda: full(_ratio(balance, shared.market_total)),
        firesale_ltv=lambda: full(_ratio(balance, shared.firesale_total)),
        dsra_balance=cols.dsra_balance.T,
        dsra_draw=cols.dsra_draw.T,
        lockup_balance=cols.lockup_balance.T,
        swept=cols.swept.T,
        distributed=cols.distributed.T,
        tested_dscr=cols.tested_dscr.T,
        status=lambda: np.asarray(STATUS_NAMES, dtype=object)[status],
        due_at_maturity=cols.due_at_maturity.T,
        opening=cols.opening.T,
        senior_opening=cols.senior_opening.T,
        firesale_value=lambda: shared.firesale_total,
        refi_dscr=cols.refi_dscr.T,
        cash_available=cols.cash_available.T,
        borrowing_base=cols.borrowing_base.T,
        drawn=cols.drawn.T,
        drawn_balance=cols.drawn_balance.T,
        mandatory_prepayment=cols.mandatory_prepayment.T,
    )
    return _warned(DealSchedule(outcome, **columns), a)


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
