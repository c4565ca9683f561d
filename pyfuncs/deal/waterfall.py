"""The deal's cash waterfall: debt service, DSRA, covenant tests, lock-up, sweep and default.

One loop over periods; every quantity inside it is a vector over paths, so a deterministic
schedule (one path) and a Monte Carlo run (a hundred thousand) take the same steps. The order of
the waterfall each period (docs/domain.md section 10, "Cash waterfall practice"):

1. Debt service due: senior interest and scheduled principal, refinanced tranches, convertible
   coupon, and any amount due at a maturity (a bullet, a balloon, the convertible).
   A maturity inside the horizon is refinanced at ``refi_rate`` over ``refi_years`` when the
   refinancing DSCR (trailing average CFADS over the debt service after refinancing) passes
   ``default_dscr``; otherwise it is due from cash.
2. Paid from CFADS, then the lock-up account, then the DSRA (which does not pay the
   convertible's maturity). What cannot be paid is a payment default (a maturity default when a
   maturity is due); an operating deficit with no debt service due is the sponsor's to fund.
   With a borrowing base, senior debt left after the scheduled principal above the period-end
   borrowing base is a mandatory prepayment, due with the debt service from the same cash
   (a payment default when it cannot be paid); it is not debt service in the DSCR.
3. At a test date (``test_frequency`` a year), the trailing ``dscr_lookback``-month DSCR
   ``sum(CFADS)/sum(debt service)`` is tested: below ``lockup_dscr`` the deal is locked up until a
   later test passes; below ``default_dscr`` it is a covenant default when
   ``default_trigger="covenant"``.
4. Excess cash (CFADS less debt service) first refills the DSRA to its target (the next
   ``dsra_months`` of scheduled senior debt service; a reserve above its target is released),
   then ``cash_sweep`` of the rest prepays the senior loan; the remainder is trapped in the
   lock-up account (``lockup_action="trap"``) or prepays (``"sweep"``) while locked up, and is
   distributed otherwise, with the lock-up account, when a test passes.

Prepayments reduce the remaining scheduled instalments pro rata (the maturity is kept and every
later instalment falls by the same fraction), so the scheduled principal of a path is its
balance times the base schedule's fraction repaid that period. A delayed-draw facility keeps
each draw's balance (:class:`pyfuncs.deal.facility.DrawBalances`): prepayments fall on the
draws pro rata, and each period's draws are added at its end, limited to the availability under
the borrowing base.

Speed (benchmarks/bench_deal.py): each period's steps write into a fixed set of work vectors with
in-place ufuncs (``out=``, ``where=``) rather than making new arrays, CFADS is read period-major
(one contiguous row a period), parts of the waterfall a deal cannot use (no DSRA, no sweep, no
refinanced tranche yet) are skipped, and paths go through the periods in blocks of
:data:`BLOCK_PATHS` whose work vectors stay in cache. None of this changes a number:
tests/deal/test_waterfall_reference.py checks the result against a plain per-path loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from pyfuncs.deal.facility import DrawBalances, DrawSchedule
from pyfuncs.debt import level_payment

if TYPE_CHECKING:
    from pyfuncs.deal.assumptions import DealAssumptions

#: Status codes of the ``status`` column, in order.
STATUS_NAMES = ("OK", "LOCKUP", "DEFAULT", "REPAID")
OK, LOCKUP, DEFAULT, REPAID = range(4)
#: Kinds of default in :attr:`PathOutcome.default_kind`.
NO_DEFAULT, PAYMENT_DEFAULT, COVENANT_DEFAULT, MATURITY_DEFAULT = range(4)
DEFAULT_KINDS = ("none", "payment", "covenant", "maturity")
#: Unpaid amounts below this many dollars are rounding, not a default.
CENT = 0.005
#: Paths the waterfall runs through its periods at a time: its few dozen work vectors of this
#: many float64 stay in a core's cache (a wider block spills and every step waits on memory).
#: Paths are independent, so the block changes no number.
BLOCK_PATHS = 4096


@dataclass(frozen=True)
class ScheduledDebt:
    """The capital structure as scheduled at close, per period (arrays of shape ``(n,)``).

    ``senior_fraction[t]`` is the share of the senior opening balance repaid by schedule in
    period t (1 in the final period); ``senior_wall_share[t]`` the part of it that is a maturity
    wall (a bullet or a balloon); ``dsra_per_balance[t]`` the DSRA target after period t per
    dollar of senior balance then outstanding; ``dsra_at_close`` the reserve funded at close.
    """

    senior_principal: float
    senior_rate: np.ndarray
    senior_fraction: np.ndarray
    senior_wall_share: np.ndarray
    dsra_per_balance: np.ndarray
    dsra_at_close: float
    junior_principal: float
    junior_coupon: float
    junior_maturity: int  # 1-based period; 0 = none inside the horizon
    # the base-case schedule itself, for reports
    opening: np.ndarray = field(repr=False)
    interest: np.ndarray = field(repr=False)
    principal: np.ndarray = field(repr=False)
    senior_opening: np.ndarray = field(repr=False)
    #: a delayed-draw facility's draws (:mod:`pyfuncs.deal.facility`); None = one senior loan
    draws: DrawSchedule | None = field(default=None, repr=False)

    @property
    def debt_service(self) -> np.ndarray:
        return self.interest + self.principal


@dataclass
class PathOutcome:
    """What each path did, shape ``(paths,)``: the inputs of :mod:`pyfuncs.deal.metrics`."""

    default_period: np.ndarray  # first period in default; 0 = never
    default_kind: np.ndarray  # NO_DEFAULT, PAYMENT_DEFAULT, COVENANT_DEFAULT, MATURITY_DEFAULT
    lockup_period: np.ndarray  # first test below lockup_dscr; 0 = never
    repaid_period: np.ndarray  # period in which every debt was repaid; 0 = not in the horizon
    min_dscr: np.ndarray  # lowest DSCR of an operating period with debt due (no build, no wall)
    min_tested_dscr: np.ndarray  # lowest tested (trailing) DSCR; NaN if never tested
    ead: np.ndarray  # the lender's exposure at default, $ (0 if no default)
    cash_at_default: np.ndarray  # DSRA + lock-up account at default, pledged to the lender, $
    btc_at_default: np.ndarray  # the senior lender's BTC collateral at default, $
    margin_call_period: np.ndarray  # first margin call on the BTC-backed loan; 0 = never
    liquidation_period: np.ndarray  # first liquidation of BTC by the BTC lender; 0 = never
    firesale_at_default: np.ndarray | None = None  # fire-sale value of the collateral then, $


@dataclass
class WaterfallColumns:
    """Per-period arrays of the waterfall, shape ``(periods, paths)`` (transposed)."""

    interest: np.ndarray
    principal: np.ndarray
    debt_service: np.ndarray
    opening: np.ndarray
    senior_opening: np.ndarray
    balance: np.ndarray
    dsra_balance: np.ndarray
    dsra_draw: np.ndarray
    lockup_balance: np.ndarray
    swept: np.ndarray
    distributed: np.ndarray
    tested_dscr: np.ndarray
    status: np.ndarray
    due_at_maturity: np.ndarray
    refi_dscr: np.ndarray
    cash_available: np.ndarray
    btc_collateral: np.ndarray
    borrowing_base: np.ndarray
    drawn: np.ndarray
    drawn_balance: np.ndarray
    mandatory_prepayment: np.ndarray


def _annuity_step(balance: np.ndarray, payment: np.ndarray, left: np.ndarray, rate: float):
    """Interest and principal of a level-payment tranche this period (the last one clears it)."""
    interest = balance * rate
    principal = np.where(left <= 1, balance, np.minimum(balance, payment - interest))
    return interest, np.maximum(principal, 0.0)


def _draws_due(
    draws: DrawBalances,
    t: int,
    py: int,
    i_senior: np.ndarray,
    p_senior: np.ndarray,
    wall_senior: np.ndarray,
) -> tuple[np.ndarray | float, np.ndarray]:
    """A facility's interest, scheduled principal and walls of period ``t + 1``, into the buffers.

    Returns the regular debt service of the draws maturing this period and the DSRA target per
    dollar of senior debt left after the period's schedule.
    """
    due = draws.due(t, py)
    np.copyto(i_senior, due.interest)
    np.copyto(p_senior, due.principal)
    np.copyto(wall_senior, due.wall)
    return due.maturing, due.dsra_per_balance


def _mandatory_prepayment(
    senior_left: np.ndarray, borrowing_base: np.ndarray, active: np.ndarray
) -> np.ndarray:
    """Senior debt left after scheduled principal above the period-end borrowing base."""
    return np.where(active, np.maximum(senior_left - borrowing_base, 0.0), 0.0)


def run_waterfall(
    a: DealAssumptions,
    debt: ScheduledDebt,
    cfads: np.ndarray,
    record: bool = True,
    btc_price: np.ndarray | None = None,
    borrowing_base: np.ndarray | None = None,
    kernel: bool | None = None,
) -> tuple[PathOutcome, WaterfallColumns | None]:
    """Run the cash waterfall on CFADS paths.

    A loan against the BTC held (``btc_loan``) pays interest with the debt service; each period
    its LTV ``btc_loan/(BTC held x price)`` is watched (docs/domain.md section 10): at
    ``btc_margin_call_ltv`` (~70%) excess cash, after the DSRA top-up and before any sweep or
    distribution, pays it down to ``btc_cure_ltv``; at ``btc_liquidation_ltv`` (80-85%) the BTC
    lender sells enough BTC to repay itself. The senior lender's BTC collateral is what is left:
    ``max(0, BTC held x price - btc_loan)``.

    Parameters
    ----------
    a : DealAssumptions
        The deal: covenant levels, DSRA, sweep, lock-up, refinancing.
    debt : ScheduledDebt
        The capital structure as scheduled at close.
    cfads : ndarray, shape (paths, periods)
        Cash flow available for debt service.
    record : bool, default True
        Keep every period's columns (DEAL_SCHEDULE); False keeps only each path's outcome
        (JOINT_STRESS), which touches no ``(paths, periods)`` array but CFADS.
    btc_price : ndarray, shape (paths, periods) or (1, periods), optional
        BTC price per path and period (needed when the deal holds BTC).
    borrowing_base : ndarray, shape (paths, periods) or (1, periods), optional
        The borrowing base at each period end (:func:`pyfuncs.deal.facility.deal_borrowing_base`);
        senior debt above it after the scheduled principal is a mandatory prepayment, paid from
        CFADS, the lock-up account and the DSRA after debt service (a payment default if it
        cannot be paid) and before the DSRA top-up. None: no borrowing base.
    kernel : bool, optional
        Run an unrecorded waterfall as the compiled per-path loop of
        :mod:`pyfuncs.deal.waterfall_kernel` (same outcomes; needs numba, else this numpy code
        runs). None: :func:`pyfuncs.deal.waterfall_kernel.kernel_wanted` decides from the
        number of paths and ``GPUCREDIT_WATERFALL``. A recorded run always runs here.

    Returns
    -------
    (PathOutcome, WaterfallColumns or None)
    """
    paths = cfads.shape[0]
    if not record:
        from pyfuncs.deal import waterfall_kernel

        use_kernel = waterfall_kernel.kernel_wanted(paths) if kernel is None else kernel
        if use_kernel and waterfall_kernel.mode() != "numpy":
            outcome = waterfall_kernel.run_kernel(a, debt, cfads, btc_price, borrowing_base)
            if outcome is not None:
                return outcome, None
    if paths <= BLOCK_PATHS:
        return _run_block(a, debt, cfads, record, btc_price, borrowing_base)
    price = None
    if btc_price is not None:
        price = np.asarray(btc_price, dtype=np.float64)
        price = price if price.ndim == 2 else price.reshape(1, -1)
    base = None
    if borrowing_base is not None:
        base = np.asarray(borrowing_base, dtype=np.float64)
        base = base if base.ndim == 2 else base.reshape(1, -1)
    parts = []
    for lo in range(0, paths, BLOCK_PATHS):
        block = slice(lo, lo + BLOCK_PATHS)
        block_price = price if price is None or price.shape[0] == 1 else price[block]
        block_base = base if base is None or base.shape[0] == 1 else base[block]
        parts.append(_run_block(a, debt, cfads[block], record, block_price, block_base))
    out = PathOutcome(
        **{
            name: np.concatenate([getattr(o, name) for o, _ in parts])
            for name in PathOutcome.__dataclass_fields__
            if name != "firesale_at_default"
        }
    )
    cols = None
    if record:
        cols = WaterfallColumns(
            **{
                name: np.concatenate([getattr(c, name) for _, c in parts], axis=1)
                for name in WaterfallColumns.__dataclass_fields__
            }
        )
    return out, cols


def build_periods(a: DealAssumptions) -> int:
    """Periods of the interest-only build, ``round(interest_only_years * per_year)``: before the
    loan amortises no DSCR is a minimum DSCR and no covenant is tested (project-finance
    covenants start at completion: the first test date after it, on a trailing window of
    operating periods only)."""
    return round(a.interest_only_years * a.per_year)


def _run_block(
    a: DealAssumptions,
    debt: ScheduledDebt,
    cfads: np.ndarray,
    record: bool,
    btc_price: np.ndarray | None,
    borrowing_base: np.ndarray | None = None,
) -> tuple[PathOutcome, WaterfallColumns | None]:
    """:func:`run_waterfall` on a block of paths whose work buffers stay in cache."""
    paths, n = cfads.shape
    py = a.per_year
    step, lookback = a.test_step, a.lookback_periods
    build = build_periods(a)
    cf_by_period = np.ascontiguousarray(cfads.T)
    no_senior = debt.senior_principal <= 0
    # Which parts of the waterfall can move money in this deal: a part that cannot is skipped,
    # which changes no number (it would add or subtract exact zeros).
    has_junior = debt.junior_principal > 0
    junior_coupon = debt.junior_coupon / py
    has_dsra = debt.dsra_at_close > 0 or bool(np.any(debt.dsra_per_balance > 0))
    trapping = a.lockup_action == "trap"
    sweeping = a.cash_sweep > 0 or a.lockup_action == "sweep"
    covenant = a.default_trigger == "covenant"
    # refinanced tranches exist once a maturity inside the horizon is refinanced (or, with a
    # sweep, a rounding residue is swept into them): until then they are zero
    refi_senior_on = sweeping
    refi_junior_on = False

    facility = DrawBalances(debt.draws, paths) if debt.draws is not None else None
    senior = facility.total() if facility is not None else np.full(paths, debt.senior_principal)
    bb_by_period = None
    if borrowing_base is not None:
        bb_by_period = np.broadcast_to(np.asarray(borrowing_base, dtype=np.float64), (paths, n))
        bb_by_period = np.ascontiguousarray(bb_by_period.T)
    refi_senior = np.zeros(paths)
    refi_senior_pmt = np.zeros(paths)
    refi_senior_left = np.zeros(paths)
    junior = np.full(paths, debt.junior_principal)
    refi_junior = np.zeros(paths)
    refi_junior_pmt = np.zeros(paths)
    refi_junior_left = np.zeros(paths)
    dsra = np.full(paths, debt.dsra_at_close)
    lock = np.zeros(paths)
    locked = np.zeros(paths, dtype=bool)
    dead = np.zeros(paths, dtype=bool)
    live = np.ones(paths, dtype=bool)  # ~dead
    ds_ring = np.zeros((lookback, paths))
    refi_rate = a.refi_rate
    refi_period_rate = (refi_rate or 0.0) / py
    watch_btc = a.btc_held > 0 and btc_price is not None
    btc_loan_on = watch_btc and a.btc_loan > 0
    if watch_btc:
        price_source = np.broadcast_to(np.asarray(btc_price, dtype=np.float64), (paths, n))
        # a period-major copy only when the price is read every period; otherwise a column
        # is read where a path defaults
        price_by_period = (
            np.ascontiguousarray(price_source.T) if (record or btc_loan_on) else price_source.T
        )
    btc_units = np.full(paths, float(a.btc_held))
    btc_debt = np.full(paths, float(a.btc_loan))
    btc_rate = a.btc_loan_rate / py

    # work buffers, one vector over paths each, reused every period
    zero = np.zeros(paths)  # never written
    opening_senior, opening_total = np.empty(paths), np.empty(paths)
    i_senior, p_senior, wall_senior = np.empty(paths), np.empty(paths), np.empty(paths)
    i_junior = np.zeros(paths)
    ds_due, need, lock_used = np.empty(paths), np.empty(paths), np.zeros(paths)
    draw = np.zeros(paths)
    unpaid = np.empty(paths) if has_dsra else need
    excess, target, released, top_up = (np.empty(paths) for _ in range(4))
    ratio, closing_total = np.empty(paths), np.empty(paths)
    cf_sum, ds_sum, tested = np.empty(paths), np.empty(paths), np.empty(paths)
    active, inactive, due = (np.empty(paths, dtype=bool) for _ in range(3))
    payment_default, not_paying, mask = (np.empty(paths, dtype=bool) for _ in range(3))
    release, repaid_now = np.empty(paths, dtype=bool), np.empty(paths, dtype=bool)
    covenant_default = np.zeros(paths, dtype=bool)
    distributed = np.empty(paths)

    out = PathOutcome(
        default_period=np.zeros(paths, dtype=np.int64),
        default_kind=np.zeros(paths, dtype=np.int8),
        lockup_period=np.zeros(paths, dtype=np.int64),
        repaid_period=np.zeros(paths, dtype=np.int64),
        min_dscr=np.full(paths, np.inf),
        min_tested_dscr=np.full(paths, np.inf),
        ead=np.zeros(paths),
        cash_at_default=np.zeros(paths),
        btc_at_default=np.zeros(paths),
        margin_call_period=np.zeros(paths, dtype=np.int64),
        liquidation_period=np.zeros(paths, dtype=np.int64),
    )
    cols = None
    if record:
        cols = WaterfallColumns(
            **{name: np.zeros((n, paths)) for name in WaterfallColumns.__dataclass_fields__}
        )
        cols.status = np.zeros((n, paths), dtype=np.int8)
        cols.tested_dscr.fill(np.nan)
        cols.refi_dscr.fill(np.nan)
        cols.cash_available.fill(np.nan)
        cols.borrowing_base.fill(np.nan)

    for t in range(n):
        period = t + 1
        cf = cf_by_period[t]
        # opening balances: senior + refinanced senior (+ junior + refinanced junior)
        if refi_senior_on:
            np.add(senior, refi_senior, out=opening_senior)
        else:
            np.copyto(opening_senior, senior)
        np.copyto(opening_total, opening_senior)
        if has_junior:
            opening_total += junior
        if refi_junior_on:
            opening_total += refi_junior
        np.greater(opening_total, CENT, out=active)
        active &= live

        # 1. debt service due; `ds_due` first holds the regular debt service
        # regular = i_senior + (p_senior - wall_senior) + i_rs + p_rs + i_junior + i_rj + p_rj
        senior_wall_share = debt.senior_wall_share[t]
        if facility is not None:  # every draw's own schedule
            maturing_draws, per_balance = _draws_due(
                facility, t, py, i_senior, p_senior, wall_senior
            )
        else:
            np.multiply(senior, debt.senior_rate[t] / py, out=i_senior)
            np.multiply(senior, debt.senior_fraction[t], out=p_senior)
            per_balance = debt.dsra_per_balance[t]
        if senior_wall_share > 0:
            if facility is None:
                np.multiply(senior, senior_wall_share, out=wall_senior)
            np.subtract(p_senior, wall_senior, out=ds_due)
            ds_due += i_senior
            wall_s = wall_senior
        else:
            np.add(i_senior, p_senior, out=ds_due)
            wall_s = zero
        regular = ds_due
        if refi_senior_on:
            i_rs, p_rs = _annuity_step(
                refi_senior, refi_senior_pmt, refi_senior_left, refi_period_rate
            )
            regular += i_rs
            regular += p_rs
        else:
            i_rs = p_rs = zero
        if has_junior and junior_coupon != 0:
            np.multiply(junior, junior_coupon, out=i_junior)
            regular += i_junior
        if refi_junior_on:
            i_rj, p_rj = _annuity_step(
                refi_junior, refi_junior_pmt, refi_junior_left, refi_period_rate
            )
            regular += i_rj
            regular += p_rj
        else:
            i_rj = p_rj = zero
        if a.btc_loan > 0:
            regular += btc_debt * btc_rate
        junior_due = period == debt.junior_maturity
        wall_junior = junior.copy() if junior_due else zero
        if watch_btc:
            price = price_by_period[t]
            if btc_loan_on:  # liquidation first: the BTC lender sells to repay itself
                with np.errstate(divide="ignore", invalid="ignore"):
                    btc_ltv = btc_debt / (btc_units * price)
                sold = active & (btc_debt > CENT) & (btc_ltv >= a.btc_liquidation_ltv)
                if sold.any():
                    units = np.minimum(btc_units, btc_debt / price)
                    btc_debt = np.where(sold, btc_debt - units * price, btc_debt)
                    btc_units = np.where(sold, btc_units - units, btc_units)
                    out.liquidation_period[sold & (out.liquidation_period == 0)] = period
                called = active & ~sold & (btc_debt > CENT) & (btc_ltv >= a.btc_margin_call_ltv)
                cure = np.where(called, btc_debt - a.btc_cure_ltv * btc_units * price, 0.0)
                out.margin_call_period[called & (out.margin_call_period == 0)] = period
        has_wall = bool(senior_wall_share > 0 or junior_due)
        refinanced_senior = refinanced_junior = None
        if has_wall:
            regular = ds_due.copy()
            wall = wall_s + wall_junior
            past = cf_by_period[max(0, t - lookback + 1) : t + 1]
            average_cf = past.mean(axis=0)
            maturing = (i_senior + p_senior - wall_s) if senior_wall_share > 0 else 0.0
            if facility is not None:
                maturing = maturing_draws
            if junior_due:
                maturing = maturing + i_junior
            continuing = regular - maturing
            if refi_rate is not None:
                new_payment = level_payment(wall, refi_period_rate, a.refi_periods)
                with np.errstate(divide="ignore", invalid="ignore"):
                    refi_dscr = average_cf / (continuing + new_payment)
                can_refi = active & (wall > CENT) & (refi_dscr >= a.default_dscr)
                refinanced_senior = can_refi & (wall_s > CENT)
                refinanced_junior = can_refi & (wall_junior > CENT)
            else:
                refi_dscr = np.full(paths, np.nan)
                can_refi = np.zeros(paths, dtype=bool)
            wall_due = np.where(can_refi, 0.0, wall)
            if record:
                cols.due_at_maturity[t] = np.where(active | dead, wall, 0.0)
                cols.refi_dscr[t] = np.where(active & (wall > CENT), refi_dscr, np.nan)
                cols.cash_available[t] = np.where(active, cf - regular + lock + dsra, np.nan)
            ds_due += wall_due
        else:
            wall_due = 0.0
        np.logical_not(active, out=inactive)
        np.copyto(ds_due, 0.0, where=inactive)
        mandatory = zero
        if bb_by_period is not None:
            mandatory = _mandatory_prepayment(senior - p_senior, bb_by_period[t], active)

        # 2. pay from CFADS, the lock-up account, the DSRA (debt service, then any mandatory
        # prepayment)
        np.subtract(ds_due, cf, out=need)
        if bb_by_period is not None:
            need += mandatory
        if trapping:  # lock_used = clip(need, 0, lock)
            np.maximum(need, 0.0, out=lock_used)
            np.minimum(lock_used, lock, out=lock_used)
            need -= lock_used
        # the DSRA covers any shortfall of debt service, an operating deficit included
        # (CFADS + lock-up account + DSRA must pay it), but not the convertible's maturity
        if has_dsra:
            if junior_due:
                junior_wall_due = (
                    wall_junior
                    if refinanced_junior is None
                    else np.where(refinanced_junior, 0.0, wall_junior)
                )
                np.subtract(need, junior_wall_due, out=draw)
                np.maximum(draw, 0.0, out=draw)
            else:
                np.maximum(need, 0.0, out=draw)
            np.minimum(dsra, draw, out=draw)
            np.subtract(need, draw, out=unpaid)
        # an operating deficit with nothing due is the sponsor's to fund, not a payment default
        np.greater(ds_due, CENT, out=due)
        due &= active
        np.greater(unpaid, CENT, out=payment_default)
        if bb_by_period is not None:  # a prepayment it cannot make is a payment default too
            payment_default &= due | (active & (mandatory > CENT))
        else:
            payment_default &= due

        # 3. covenant test on the trailing DSCR
        # tested on scheduled debt service: a maturity payment still due (the wall) is tested
        # by its refinancing, not by the covenant (docs/domain.md section 10)
        # an interest-only build is not tested either: the first test date falls after
        # completion and its trailing window holds operating periods only (build_periods)
        if t < build:
            ds_ring[t % lookback].fill(0.0)
        elif has_wall:
            np.subtract(ds_due, np.where(active, wall_due, 0.0), out=ds_ring[t % lookback])
        else:
            np.copyto(ds_ring[t % lookback], ds_due)
        test_date = period % step == 0 and period > build
        if test_date:
            cf_by_period[max(0, build, t - lookback + 1) : t + 1].sum(axis=0, out=cf_sum)
            ds_ring.sum(axis=0, out=ds_sum)
            np.greater(ds_sum, CENT, out=mask)
            mask &= active
            tested.fill(np.nan)
            np.divide(cf_sum, ds_sum, out=tested, where=mask)
            np.fmin(out.min_tested_dscr, tested, out=out.min_tested_dscr)
            np.less(tested, a.lockup_dscr, out=locked)  # NaN (not tested) is not below
            np.logical_not(locked, out=release)
            release &= active
            np.equal(out.lockup_period, 0, out=mask)
            mask &= locked
            np.copyto(out.lockup_period, period, where=mask)
            if covenant:
                np.less(tested, a.default_dscr, out=covenant_default)
                covenant_default &= active
                np.logical_not(payment_default, out=mask)
                covenant_default &= mask
        if covenant and test_date:
            default_now = payment_default | covenant_default
        else:
            default_now = payment_default

        np.divide(cf, ds_due, out=ratio, where=due)
        # minimum DSCR over operating periods only: not the interest-only build, not a maturity
        # wall still due (the wall has its own refinancing DSCR): pyfuncs.deal.metrics
        if period > build:
            counted = due & (np.asarray(wall_due) <= CENT) if has_wall else due
            np.fmin(out.min_dscr, ratio, out=out.min_dscr, where=counted)

        if default_now.any():
            out.default_period[default_now] = period
            kind = np.where(
                covenant_default & test_date,
                COVENANT_DEFAULT,
                np.where(np.asarray(wall_due) > CENT, MATURITY_DEFAULT, PAYMENT_DEFAULT),
            )
            out.default_kind[default_now] = kind[default_now]
            exposure = (junior + refi_junior) if no_senior else opening_senior
            out.ead[default_now] = exposure[default_now]
            out.cash_at_default[default_now] = (dsra + lock)[default_now]
            if watch_btc:
                hit = np.flatnonzero(default_now)
                out.btc_at_default[hit] = np.maximum(
                    btc_units[hit] * price[hit] - btc_debt[hit], 0.0
                )
            dead |= default_now
            np.logical_not(dead, out=live)
            paying = active & ~default_now
        else:
            paying = active
        np.logical_not(paying, out=not_paying)

        # pay what is due (the refinanced tranches count down while they have a balance)
        if refi_senior_on:
            refi_senior_left = np.where(
                paying & (refi_senior > 0), refi_senior_left - 1, refi_senior_left
            )
            refi_senior = np.where(paying, refi_senior - p_rs, refi_senior)
        if refi_junior_on:
            refi_junior_left = np.where(
                paying & (refi_junior > 0), refi_junior_left - 1, refi_junior_left
            )
            refi_junior = np.where(paying, refi_junior - p_rj, refi_junior)
        np.subtract(senior, p_senior, out=senior, where=paying)
        if bb_by_period is not None:
            np.subtract(senior, mandatory, out=senior, where=paying)
        if junior_due:
            np.copyto(junior, 0.0, where=paying)
        if refinanced_senior is not None:
            refi_senior_on = refi_junior_on = True
            moved = paying & refinanced_senior
            refi_senior = np.where(moved, refi_senior + wall_s, refi_senior)
            refi_senior_pmt = np.where(
                moved,
                level_payment(refi_senior, refi_period_rate, a.refi_periods),
                refi_senior_pmt,
            )
            refi_senior_left = np.where(moved, a.refi_periods, refi_senior_left)
            moved_j = paying & refinanced_junior
            refi_junior = np.where(moved_j, refi_junior + wall_junior, refi_junior)
            refi_junior_pmt = np.where(
                moved_j,
                level_payment(refi_junior, refi_period_rate, a.refi_periods),
                refi_junior_pmt,
            )
            refi_junior_left = np.where(moved_j, a.refi_periods, refi_junior_left)
        if trapping:
            np.subtract(lock, lock_used, out=lock, where=paying)
        if has_dsra:
            np.subtract(dsra, draw, out=dsra, where=paying)

        # 4. excess cash: DSRA, sweep, lock-up or distribution
        np.subtract(cf, ds_due, out=excess)
        if bb_by_period is not None:
            excess -= mandatory
        np.maximum(excess, 0.0, out=excess)
        np.copyto(excess, 0.0, where=not_paying)
        if has_dsra:
            np.multiply(senior, per_balance, out=target)
            np.subtract(dsra, target, out=released)
            np.maximum(released, 0.0, out=released)
            np.copyto(released, 0.0, where=not_paying)
            dsra -= released
            excess += released
            np.subtract(target, dsra, out=top_up)
            np.maximum(top_up, 0.0, out=top_up)
            np.minimum(excess, top_up, out=top_up)
            dsra += top_up
            excess -= top_up
        if btc_loan_on:  # a margin call is met from excess cash
            paid = np.where(paying, np.minimum(cure, excess), 0.0)
            btc_debt = btc_debt - paid
            excess -= paid
        if sweeping:
            senior_left = senior + refi_senior
            sweep = np.minimum(excess * a.cash_sweep, senior_left)
            if a.lockup_action == "sweep":
                extra = np.where(locked, np.minimum(excess - sweep, senior_left - sweep), 0.0)
                sweep = sweep + np.maximum(extra, 0.0)
            excess -= sweep
            from_senior = np.minimum(sweep, senior)
            senior -= from_senior
            refi_senior = refi_senior - (sweep - from_senior)
        else:
            sweep = zero
        if trapping:
            np.logical_and(locked, paying, out=mask)
            np.add(lock, excess, out=lock, where=mask)
            if record:
                np.copyto(excess, 0.0, where=mask)
        if record:
            np.copyto(distributed, excess)
        if test_date and trapping:  # a passed test releases the lock-up account
            np.logical_and(release, paying, out=mask)
            if record:
                np.add(distributed, lock, out=distributed, where=mask)
            np.subtract(lock, lock, out=lock, where=mask)
        drawn = zero
        pending = False
        if facility is not None:  # prepayments pro rata across draws, then this period's draws
            facility.settle(paying, senior)
            available = None if bb_by_period is None else bb_by_period[t] - senior
            drawn = facility.draw(period, live, available)
            senior += drawn
            pending = facility.pending(period)
        np.copyto(closing_total, senior)
        if refi_senior_on:
            closing_total += refi_senior
        if has_junior:
            closing_total += junior
        if refi_junior_on:
            closing_total += refi_junior
        np.less_equal(closing_total, CENT, out=repaid_now)
        repaid_now &= paying
        if pending:  # a facility with draws still to come is not repaid
            repaid_now.fill(False)
        if repaid_now.any():
            if record:
                distributed += np.where(repaid_now, dsra + lock, 0.0)
            np.copyto(dsra, 0.0, where=repaid_now)
            np.copyto(lock, 0.0, where=repaid_now)
            out.repaid_period[repaid_now & (out.repaid_period == 0)] = period

        if record:
            c = cols
            c.opening[t] = np.where(active | dead, opening_total, 0.0)
            c.senior_opening[t] = np.where(active | dead, opening_senior, 0.0)
            c.interest[t] = np.where(paying, i_senior + i_rs + i_junior + i_rj, 0.0)
            p_senior_paid = (
                p_senior
                if refinanced_senior is None
                else np.where(refinanced_senior, p_senior - wall_s, p_senior)
            )
            c.principal[t] = np.where(
                paying, p_senior_paid + p_rs + p_rj + (wall_junior if junior_due else 0.0), 0.0
            )
            if junior_due and refinanced_junior is not None:
                c.principal[t] -= np.where(paying & refinanced_junior, wall_junior, 0.0)
            c.debt_service[t] = ds_due
            c.balance[t] = np.where(dead, opening_total, closing_total)
            c.dsra_balance[t] = dsra
            c.dsra_draw[t] = np.where(paying, draw, 0.0)
            c.lockup_balance[t] = lock
            c.swept[t] = sweep
            c.distributed[t] = distributed
            if test_date:
                c.tested_dscr[t] = tested
            if watch_btc:
                c.btc_collateral[t] = np.maximum(btc_units * price - btc_debt, 0.0)
            if bb_by_period is not None:
                c.borrowing_base[t] = bb_by_period[t]
                c.mandatory_prepayment[t] = np.where(paying, mandatory, 0.0)
            c.drawn[t] = drawn
            c.drawn_balance[t] = senior
            done = repaid_now if pending else (~active | repaid_now)
            c.status[t] = np.select(
                [dead, done, locked & active],
                [DEFAULT, REPAID, LOCKUP],
                OK,
            )

    out.min_dscr[np.isinf(out.min_dscr)] = np.nan
    out.min_tested_dscr[np.isinf(out.min_tested_dscr)] = np.nan
    return out, cols
