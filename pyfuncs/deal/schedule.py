"""DEAL_SCHEDULE: a whole deal, one row per period, from a key/value range of assumptions."""

from __future__ import annotations

from typing import Any

from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import SCHEDULE_COLUMNS, DealSchedule, run_deal

CATEGORY = "Whole deals"

ASSUMPTIONS_HELP = (
    "Two-column range of assumption names and values (gpus, capex_per_gpu, rent0, "
    "annual_decline, utilization, tenor_years, annual_rate, ...); blanks keep defaults, unknown "
    "names are an error."
)


@excel_function(
    "DEAL_SCHEDULE",
    category=CATEGORY,
    help="A whole deal per period: rent, revenue, opex, CFADS, debt service, DSCR, balance, "
    "values and LTVs, then its cash waterfall: DSRA, lock-up account, sweep, distributions, "
    "tested DSCR, status, amount due at maturity.",
    args=[
        Arg("assumptions", ASSUMPTIONS_HELP, "keyvalue"),
        Arg("headers", "TRUE adds a header row.", "headers"),
    ],
    result=Result(
        "table",
        SCHEDULE_COLUMNS,
        "One row per period; DSCR blank where no debt service is due. Waterfall columns: "
        "dsra_balance and lockup_balance at period end, dsra_draw, swept (prepaid principal), "
        "distributed (to equity), tested_dscr (trailing dscr_lookback-month DSCR at test dates, "
        "blank between them), status (OK, LOCKUP, DEFAULT, REPAID), due_at_maturity (a bullet, "
        "balloon or convertible falling due, before any refinancing).",
        ratio_columns=("dscr", "book_ltv", "market_ltv", "firesale_ltv", "tested_dscr"),
    ),
)
def deal_schedule(assumptions: Any) -> DealSchedule:
    """The deterministic schedule of a deal.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        Named inputs of the deal; see ``pyfuncs.deal.assumptions.DealAssumptions`` for every name,
        unit, default and source.

    Returns
    -------
    DealSchedule
        One row per period (arrays of shape ``(periods,)``).

    Notes
    -----
    CFADS = revenue - opex; ``DSCR_t = CFADS_t/(I_t+P_t)`` (docs/domain.md section 4);
    ``book_ltv = balance/(BOOK_VALUE + BTC)``, ``market_ltv = balance/(gpus*MARKET_VALUE + BTC)``,
    ``firesale_ltv = balance/(FIRESALE_RECOVERY(fleet) + BTC)``, balances at period end. The cash
    waterfall (DSRA, covenant tests, lock-up, sweep, default, refinancing) is
    :mod:`pyfuncs.deal.waterfall`; the schedule runs to the last maturity unless
    ``horizon_years`` is set.
    """
    schedule = run_deal(parse_assumptions(assumptions))
    return schedule.path(0)
