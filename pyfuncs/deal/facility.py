"""Delayed-draw term loans and the borrowing base inside the deal engine.

A delayed-draw term loan (DDTL) is a commitment drawn on a schedule: CoreWeave's DDTL 2.0 ties
each draw to one customer contract, each draw matures five years after it is drawn, and the
margin over 3-month term SOFR (0% floor) is 6.00-6.50% for investment-grade contracts and 13.00%
for the others (docs/domain.md [41], section 10 "Sizing a DDTL"). The facility is secured first on
the contracts, then on the GPUs [40]: the borrowing base is the lower of an advance on the PV of
the contracted cash still to come and an advance on the GPUs' value (``BORROWING_BASE``,
:mod:`pyfuncs.borrowing_base`), and senior debt above it is prepaid.

This module holds the three pieces the engine and the waterfall use:

* :func:`draw_schedule`: every draw as a loan of its own (``DEBT_SCHEDULE`` of the draw's
  amount, rate path and ``draw_tenor_years``), placed at its draw period.
* :class:`DrawBalances`: each draw's balance on every path during the waterfall's loop over
  periods (vectorised over paths and draws): what each draw owes this period, prepayments
  applied pro rata across draws, new draws added.
* :func:`deal_borrowing_base`: the borrowing base at the end of every period on every path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pyfuncs import defaults as d
from pyfuncs.borrowing_base import borrowing_base, remaining_pv
from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.offtakers import contract_revenue
from pyfuncs.debt import debt_schedule, floating_rate
from pyfuncs.defaults import HOURS_PER_YEAR


@dataclass(frozen=True)
class DrawSchedule:
    """Each draw of a delayed-draw facility as scheduled at close; arrays ``(draws, periods)``.

    ``periods[k]`` is the period at whose end draw k is made (0 = at close), so its first
    payment falls in period ``periods[k] + 1`` (array index ``periods[k]``) and its last in
    ``maturity[k] = periods[k] + draw_tenor_periods``. ``annual_rate``, ``fraction`` (share of
    the draw's opening balance repaid by schedule), ``wall_share`` (the part of it due as a
    bullet or balloon) and ``dsra_per_balance`` (the DSRA target after the period per dollar of
    the draw then outstanding) are zero outside the draw's life.
    """

    amounts: np.ndarray
    periods: np.ndarray
    maturity: np.ndarray
    margins: np.ndarray  # margin over the base rate of each draw; NaN for a fixed rate
    annual_rate: np.ndarray
    fraction: np.ndarray
    wall_share: np.ndarray
    dsra_per_balance: np.ndarray
    dsra_at_close: float
    # the base-case schedule of every draw, for reports
    opening: np.ndarray
    interest: np.ndarray
    principal: np.ndarray
    wall: np.ndarray

    def live(self, t: int) -> np.ndarray:
        """Indices of the draws with a payment in period ``t + 1`` (array index ``t``)."""
        return np.flatnonzero((self.periods <= t) & (t < self.maturity))


def draw_margins(a: DealAssumptions) -> np.ndarray:
    """Margin of each draw over ``base_rate_path``: ``margin``, or the DDTL 2.0 grid by grade.

    The grid (docs/domain.md [41]): investment-grade contracts SOFR + 6.00-6.50% (6.25% used),
    the others SOFR + 13.00% (``defaults.MARGIN_BY_GRADE``); a draw's grade is its
    ``draw_grades`` entry (one grade applies to every draw), or ``counterparty_grade``, or IG.
    """
    draws = len(a.draw_periods)
    if a.margin is not None:
        return np.full(draws, a.margin)
    grades = a.draw_grades or (a.counterparty_grade or "IG",)
    grades = grades * draws if len(grades) == 1 else grades
    return np.array([d.MARGIN_BY_GRADE[g] for g in grades], dtype=np.float64)


def draw_amounts(a: DealAssumptions) -> np.ndarray:
    """Each draw's amount: ``draw_amounts``, blank = the principal in equal parts."""
    if a.draw_amounts:
        return np.asarray(a.draw_amounts, dtype=np.float64)
    draws = len(a.draw_periods)
    return np.full(draws, a.principal / draws)


def draw_schedule(a: DealAssumptions, size: int) -> DrawSchedule:
    """Every draw of the facility as its own loan, over ``size`` periods.

    Parameters
    ----------
    a : DealAssumptions
        A deal with ``draw_periods``.
    size : int
        Periods of the arrays (at least the facility's last maturity).

    Returns
    -------
    DrawSchedule

    Notes
    -----
    Draw k of amount ``A_k``, made at the end of period ``p_k``, is
    ``DEBT_SCHEDULE(A_k, rate_k, draw_tenor_years, per_year, profile, balloon*A_k/principal)``
    over periods ``p_k+1 .. p_k+T`` (``T = draw_tenor_years*per_year``). Its rate is the fixed
    ``annual_rate``, or with ``base_rate_path`` ``FLOATING_RATE(base_{p_k+1..p_k+T}, m_k,
    rate_floor)`` with ``m_k`` from :func:`draw_margins`: every draw pays the same base rate in
    the same period, each its own margin. The DSRA target after period t is the scheduled
    regular debt service (walls excluded) of the next ``dsra_months`` of the draws then
    outstanding; at close the reserve holds that of the draws made at close.
    """
    py, tenor = a.per_year, a.draw_tenor_periods
    amounts = draw_amounts(a)
    starts = np.asarray(a.draw_periods, dtype=np.int64)
    draws = starts.size
    if a.base_rate_path:
        base = np.broadcast_to(np.asarray(a.base_rate_path, dtype=np.float64), (a.rate_periods,))
        margins = draw_margins(a)
        rates = np.stack(
            [
                floating_rate(base[p : p + tenor], m, a.rate_floor)
                for p, m in zip(starts, margins, strict=True)
            ]
        )
    else:
        margins = np.full(draws, np.nan)
        rates = np.full((draws, 1), a.annual_rate)
    principal = float(amounts.sum())
    balloons = a.balloon * amounts / principal if principal > 0 else np.zeros(draws)
    own = debt_schedule(amounts, rates, tenor / py, py, a.profile, balloons)

    opening, interest, repaid = (np.zeros((draws, size)) for _ in range(3))
    for k, p in enumerate(starts):
        opening[k, p : p + tenor] = own.opening[k]
        interest[k, p : p + tenor] = own.interest[k]
        repaid[k, p : p + tenor] = own.principal[k]
    maturity = starts + tenor
    wall = np.zeros((draws, size))
    last = maturity - 1
    rows = np.arange(draws)
    if a.profile == "bullet":
        wall[rows, last] = opening[rows, last]
    elif a.balloon > 0:
        wall[rows, last] = np.minimum(balloons, opening[rows, last])
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(opening > 0, repaid / opening, 0.0)
        annual = np.where(opening > 0, interest / opening * py, 0.0)
        wall_share = np.where(opening > 0, wall / opening, 0.0)
    regular = interest + repaid - wall
    m = a.dsra_periods
    cumulative = np.concatenate([np.zeros((draws, 1)), np.cumsum(regular, axis=1)], axis=1)
    index = np.arange(size)
    ahead = cumulative[:, np.minimum(index + 1 + m, size)] - cumulative[:, index + 1]
    closing = opening - repaid
    with np.errstate(divide="ignore", invalid="ignore"):
        per_balance = np.where(closing > 1e-9, ahead / closing, 0.0)
    at_close = starts == 0
    dsra0 = float(regular[at_close, :m].sum())
    return DrawSchedule(
        amounts=amounts,
        periods=starts,
        maturity=maturity,
        margins=margins,
        annual_rate=annual,
        fraction=fraction,
        wall_share=wall_share,
        dsra_per_balance=per_balance,
        dsra_at_close=dsra0,
        opening=opening,
        interest=interest,
        principal=repaid,
        wall=wall,
    )


@dataclass(frozen=True)
class SeniorDue:
    """What the senior loan owes in one period, per path (shape ``(paths,)``)."""

    interest: np.ndarray
    principal: np.ndarray  # scheduled, a maturity wall included
    wall: np.ndarray  # the part of principal due as a bullet or balloon
    maturing: np.ndarray | float  # regular debt service of the tranches maturing this period
    dsra_per_balance: np.ndarray | float  # DSRA target per dollar of senior left after it


class DrawBalances:
    """Each draw's balance on every path, updated once a period by the waterfall.

    Prepayments (sweep, lock-up sweep, mandatory prepayment) reduce every outstanding draw pro
    rata, so each draw's later instalments fall by the same fraction and its maturity is kept, as
    a single loan's do (:mod:`pyfuncs.deal.waterfall`).
    """

    def __init__(self, draws: DrawSchedule, paths: int) -> None:
        self.draws = draws
        self.balance = np.zeros((draws.amounts.size, paths))
        self.balance[draws.periods == 0] = draws.amounts[draws.periods == 0, None]
        self._live = np.empty(0, dtype=np.int64)
        self._after = np.zeros((0, paths))

    def total(self) -> np.ndarray:
        """Senior balance per path: the sum of the draws outstanding."""
        return self.balance.sum(axis=0)

    def due(self, t: int, per_year: int) -> SeniorDue:
        """Interest, scheduled principal and maturity walls of period ``t + 1`` on every path."""
        s = self.draws
        live = s.live(t)
        b = self.balance[live]
        principal = b * s.fraction[live, t, None]
        interest_d = b * (s.annual_rate[live, t, None] / per_year)
        wall_d = b * s.wall_share[live, t, None]
        after = b - principal
        self._live, self._after = live, after
        maturing_rows = s.maturity[live] == t + 1
        maturing = 0.0
        if maturing_rows.any():
            maturing = (interest_d + principal - wall_d)[maturing_rows].sum(axis=0)
        left = after.sum(axis=0)
        target = (after * s.dsra_per_balance[live, t, None]).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            per_balance = np.where(left > 1e-9, target / left, 0.0)
        return SeniorDue(
            interest_d.sum(axis=0), principal.sum(axis=0), wall_d.sum(axis=0), maturing, per_balance
        )

    def settle(self, paying: np.ndarray, senior_left: np.ndarray) -> None:
        """After the period's payments: paying paths keep ``senior_left``, spread pro rata."""
        after = self._after
        if not after.size:
            return
        total = after.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(total > 1e-12, senior_left / total, 0.0)
        self.balance[self._live] = np.where(paying, after * scale, self.balance[self._live])

    def draw(
        self, period: int, drawing: np.ndarray, available: np.ndarray | None = None
    ) -> np.ndarray:
        """Make the draws scheduled at the end of ``period`` on the ``drawing`` paths.

        A draw is limited to the availability under the borrowing base, ``available`` (the
        borrowing base less the senior debt then outstanding; None = no borrowing base): the
        lender funds no more, the part it does not fund is cancelled, and draws scheduled for the
        same period share the availability pro rata. Draws at close are sized by the analyst.
        """
        s = self.draws
        rows = np.flatnonzero(s.periods == period)
        if not rows.size:
            return np.zeros(drawing.shape)
        scheduled = float(s.amounts[rows].sum())
        total = np.where(drawing, scheduled, 0.0)
        if available is not None:
            total = np.minimum(total, np.maximum(available, 0.0))
        share = total / scheduled if scheduled > 0 else total
        self.balance[rows] += s.amounts[rows, None] * share
        return total

    def pending(self, period: int) -> bool:
        """True while draws remain to be made after the end of ``period``."""
        return bool((self.draws.periods > period).any())


def contract_cash_flow(a: DealAssumptions, opex_hour: float) -> np.ndarray:
    """The contracted cash of each period, ``(periods,)``: the contract leg's flows.

    ``max(0, contracted_t - opex_hour*gpus*contracted_share*8760/per_year)`` while the
    contracts run (:func:`pyfuncs.deal.offtakers.contract_revenue` with no default): the
    take-or-pay rent less the cost of running the contracted GPUs, 0 after the contracts end.
    """
    n, py = a.horizon_periods, a.per_year
    _, contracted = contract_revenue(a, n)
    cost = opex_hour * a.gpus * a.contracted_share * HOURS_PER_YEAR / py
    return np.where(contracted > 0, np.maximum(contracted - cost, 0.0), 0.0)


def deal_borrowing_base(
    a: DealAssumptions,
    unit_value: np.ndarray,
    rent_shock: np.ndarray,
    opex_hour: float,
    contract_stop: np.ndarray | None = None,
) -> np.ndarray:
    """The borrowing base at the end of every period, ``(1 or paths, periods)``.

    Parameters
    ----------
    a : DealAssumptions
        The deal: ``contract_advance``, ``collateral_advance``, ``contract_discount_rate``.
    unit_value : ndarray, shape (periods,)
        Market value of one GPU at the end of each period before any shock.
    rent_shock : ndarray, shape (1 or paths, periods)
        The rent factor, which moves used-GPU values too.
    opex_hour : float
        The deal's opex per GPU-hour.
    contract_stop : ndarray of int, optional
        Per path, the period whose contract cash the counterparty's default stops.

    Returns
    -------
    ndarray
        ``BB_t = min(c_a * PV_t, v_a * gpus * value_t)`` at the end of period t: ``PV_t`` is the
        PV at ``contract_discount_rate`` (blank = ``annual_rate``) of the contracted cash of
        periods t+1..n (:func:`contract_cash_flow`), as ``BORROWING_BASE`` values it at the start
        of period t+1, and ``value_t`` the GPUs' market value at the end of period t. The
        contract leg is the contracts as signed, as a lender certifies it: it drops to 0 from
        the end of the period in which the counterparty defaults, not before. A blank advance
        drops its leg; the senior balance above ``BB_t`` is a mandatory prepayment.
    """
    n, py = a.horizon_periods, a.per_year
    collateral = None
    if a.collateral_advance is not None:
        collateral = a.collateral_advance * a.gpus * unit_value * rent_shock
    if a.contract_advance is None:
        return collateral
    rate = a.annual_rate if a.contract_discount_rate is None else a.contract_discount_rate
    flows = contract_cash_flow(a, opex_hour)
    later = np.append(flows[1:], 0.0)  # at the end of period t, the flows of t+1..n
    if collateral is not None and contract_stop is None and collateral.shape[0] == 1:
        return borrowing_base(later, rate, a.contract_advance, collateral[0], 1.0, py)[None, :]
    contract = a.contract_advance * remaining_pv(later, rate / py)[None, :]
    if contract_stop is not None:
        t = np.arange(1, n + 1)
        contract = np.where(t[None, :] < np.asarray(contract_stop)[:, None], contract, 0.0)
    if collateral is None:
        return contract
    return np.minimum(contract, collateral)
