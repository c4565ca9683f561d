"""HEADROOM and SENSITIVITY: how far a deal's drivers can move, and the deal over a grid of them.

Both run the one deal engine (:func:`pyfuncs.deal.engine.run_deal`, its cash waterfall included)
and read the one deal summary (:mod:`pyfuncs.deal.metrics`), so "the first lock-up" means the same
here as in ``DEAL_SCHEDULE``'s ``status`` column, the demo and the templates: the first covenant
test (trailing ``dscr_lookback``-month DSCR at a test date) below ``lockup_dscr``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.deal.assumptions import DealAssumptions, parse_assumptions
from pyfuncs.deal.engine import run_deal
from pyfuncs.deal.metrics import deal_summary
from pyfuncs.deal.schedule import ASSUMPTIONS_HELP, CATEGORY
from pyfuncs.errors import DomainError, ExcelError, GpuCreditError, InvalidInputError, NotFoundError

#: What HEADROOM can move, and how: a fall as a fraction of the base value, or a rise in points.
DRIVERS = (
    "rent0",
    "utilization",
    "btc_price",
    "annual_decline",
    "colo_lease_rate",
    "colo_delay_months",
)
TESTS = ("lockup", "default")
OUTPUTS = ("min_dscr", "first_breach", "pd", "expected_loss")
#: Bisection stops when the bracket is narrower than this (a fraction, or decimal points).
HEADROOM_TOLERANCE = 1e-7
#: The largest rise in the annual rent decline HEADROOM searches (to a 100% decline a year).
MAX_DECLINE = 1.0
#: The longest extra delivery delay HEADROOM searches, months (a colocation lease).
MAX_DELAY_MONTHS = 60.0
#: The most cells SENSITIVITY computes in one call (each is a whole deal, or a joint stress).
MAX_SENSITIVITY_CELLS = 400
#: Monte Carlo paths per SENSITIVITY cell for "pd" and "expected_loss" (common seed 1, so every
#: cell sees the same shocks and the surface is smooth).
SENSITIVITY_PATHS = 2_000


def _moved(base: DealAssumptions, driver: str, move: float) -> DealAssumptions:
    """The deal with ``driver`` moved by ``move`` (a fall as a fraction, or a rise in points)."""
    if driver == "annual_decline":
        return parse_assumptions(base, annual_decline=min(MAX_DECLINE, base.annual_decline + move))
    if driver == "colo_delay_months":
        return parse_assumptions(base, colo_delay_months=base.colo_delay_months + move)
    return parse_assumptions(base, **{driver: getattr(base, driver) * (1.0 - move)})


def _breaches(a: DealAssumptions, test: str) -> bool:
    """Whether the deal's base case has a ``test`` breach (a default is a lock-up breach too)."""
    summary = deal_summary(a, run_deal(a))
    if test == "default":
        return summary.first_default is not None
    return summary.first_lockup is not None or summary.first_default is not None


def _bisect(breached: Callable[[float], bool], top: float) -> float:
    """The smallest move in ``[0, top]`` that breaches, for a breach that only grows with it."""
    low, high = 0.0, top
    while high - low > HEADROOM_TOLERANCE:
        mid = 0.5 * (low + high)
        if breached(mid):
            high = mid
        else:
            low = mid
    return 0.5 * (low + high)


@excel_function(
    "HEADROOM",
    category=CATEGORY,
    help="How far a driver can move before the deal's first lock-up (or default) breach: a fall "
    "in rent0, utilization, btc_price or colo_lease_rate as a fraction, a rise in annual_decline "
    "in points, a rise in colo_delay_months in months.",
    args=[
        Arg("assumptions", ASSUMPTIONS_HELP, "keyvalue"),
        Arg(
            "driver",
            'What moves: "rent0" (market rent), "utilization" (market utilisation), "btc_price", '
            '"colo_lease_rate" (a fall), "annual_decline" (a rise) or "colo_delay_months" (a '
            "delivery delay, months).",
            "text",
            choices=DRIVERS,
        ),
        Arg(
            "test",
            'The breach: "lockup" (a lock-up test or a default) or "default".',
            "text",
            choices=TESTS,
        ),
    ],
    result=Result(
        "scalar", help="The move at the breach: a fraction (0.25 = 25%), points or months."
    ),
)
def headroom(assumptions: Any, driver: str, test: str = "lockup") -> float:
    """The move of one driver that brings the deal to its first covenant breach.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        The deal.
    driver : str
        One of :data:`DRIVERS`:
        ``rent0``, ``utilization`` (of GPUs on market rent) and ``btc_price`` fall by a fraction of
        their base value (contract rent, when left blank, follows ``rent0``); ``annual_decline``
        rises by decimal points; ``colo_lease_rate`` (a colocation lease, :mod:`pyfuncs.deal.colo`)
        falls by a fraction and ``colo_delay_months`` rises by months, up to 60.
    test : {"lockup", "default"}, optional
        ``"lockup"``: the first covenant test below ``lockup_dscr`` or the first default;
        ``"default"``: the first payment, covenant or maturity default (``default_trigger``).

    Returns
    -------
    float
        The smallest move ``m`` at which ``DEAL_SCHEDULE`` of the moved deal has a ``test``
        breach; 0 when the base case already breaches.

    Raises
    ------
    NotFoundError
        The deal never breaches, whatever the move (``#N/A``).

    Notes
    -----
    A breach only grows with the move (lower rent, utilisation or BTC, a faster decline), so the
    move is found by bisection on ``[0, 1]`` to within 1e-7. On a plain level-annuity deal
    (one GPU financed at cost, monthly covenant tests on one-month DSCR, no reserve, no contracts,
    no generation steps) ``annual_decline + HEADROOM(..., "annual_decline")`` equals
    ``DECLINE_TO_BREACH`` at ``lockup_dscr``: the same question asked of the deal engine.
    """
    a = parse_assumptions(assumptions)
    driver, test = driver.lower(), test.lower()
    if driver not in DRIVERS:
        raise InvalidInputError(f"driver must be one of {', '.join(DRIVERS)}")
    if test not in TESTS:
        raise InvalidInputError(f"test must be one of {', '.join(TESTS)}")
    if _breaches(a, test):
        return 0.0
    # A fall stops just short of 100% (a BTC price must stay positive).
    top = MAX_DECLINE - a.annual_decline if driver == "annual_decline" else 1.0 - 1e-9
    if driver == "colo_delay_months":
        top = MAX_DELAY_MONTHS
    if top <= 0 or not _breaches(_moved(a, driver, top), test):
        raise NotFoundError(f"the deal never breaches its {test} test however far {driver} moves")
    return _bisect(lambda m: _breaches(_moved(a, driver, m), test), top)


def _cell(a: DealAssumptions, output: str) -> Any:
    if output in ("pd", "expected_loss"):
        from pyfuncs.deal.stress import joint_stress

        stress = joint_stress(a, paths=SENSITIVITY_PATHS, seed=1)
        return stress["prob_default"] if output == "pd" else stress["expected_loss"]
    summary = deal_summary(a, run_deal(a))
    if output == "min_dscr":
        return summary.min_dscr
    periods = [p for p in (summary.first_lockup, summary.first_default) if p is not None]
    if not periods:
        return ExcelError("#N/A", "no lock-up or default within the horizon")
    return float(min(periods))


@excel_function(
    "SENSITIVITY",
    category=CATEGORY,
    help="A deal output (min_dscr, first_breach, pd or expected_loss) for every pair of values of "
    "two assumptions: values1 down, values2 across.",
    args=[
        Arg("assumptions", ASSUMPTIONS_HELP, "keyvalue"),
        Arg("name1", "The assumption that varies down the rows (e.g. annual_decline).", "text"),
        Arg("values1", "Its values, a row or a column.", "range"),
        Arg("name2", "The assumption that varies across the columns (e.g. utilization).", "text"),
        Arg("values2", "Its values, a row or a column.", "range"),
        Arg(
            "output",
            '"min_dscr", "first_breach" (period of the first lock-up or default), "pd" or '
            '"expected_loss" (a joint stress of 2,000 paths, seed 1, per cell).',
            "text",
            choices=OUTPUTS,
        ),
    ],
    result=Result("grid", help="One row per value of name1, one column per value of name2."),
)
def sensitivity(
    assumptions: Any,
    name1: str,
    values1: Any,
    name2: str,
    values2: Any,
    output: str = "min_dscr",
) -> list[list[Any]]:
    """A two-way table of one deal output.

    Parameters
    ----------
    assumptions : DealAssumptions or mapping
        The base deal.
    name1, name2 : str
        Assumption names (any name ``DEAL_SCHEDULE`` takes), different from each other.
    values1, values2 : array_like
        The values to try.
    output : {"min_dscr", "first_breach", "pd", "expected_loss"}, optional
        ``min_dscr`` and ``first_breach`` (the first lock-up or default period, ``#N/A`` if none)
        come from ``DEAL_SCHEDULE`` of each pair; ``pd`` and ``expected_loss`` from
        ``JOINT_STRESS`` with 2,000 paths and seed 1 in every cell (common random numbers).

    Returns
    -------
    list of list
        ``table[i][j]`` is the output of the deal with ``name1 = values1[i]`` and
        ``name2 = values2[j]``; a pair the deal refuses (out of range) is that cell's error.
    """
    base = parse_assumptions(assumptions)
    output = output.lower()
    if output not in OUTPUTS:
        raise InvalidInputError(f"output must be one of {', '.join(OUTPUTS)}")
    key1, key2 = (str(n).strip().lower().replace(" ", "_") for n in (name1, name2))
    if key1 == key2:
        raise InvalidInputError("name1 and name2 must be different assumptions")
    rows = np.atleast_1d(np.asarray(values1, dtype=np.float64)).ravel()
    cols = np.atleast_1d(np.asarray(values2, dtype=np.float64)).ravel()
    if rows.size * cols.size > MAX_SENSITIVITY_CELLS:
        raise DomainError(f"at most {MAX_SENSITIVITY_CELLS} cells a table")
    for key in (key1, key2):
        if key not in DealAssumptions.model_fields:
            raise InvalidInputError(f"unknown assumption {key!r}")
    table: list[list[Any]] = []
    for x in rows:
        line: list[Any] = []
        for y in cols:
            try:
                line.append(
                    _cell(parse_assumptions(base, **{key1: float(x), key2: float(y)}), output)
                )
            except GpuCreditError as exc:
                line.append(ExcelError(exc.code, exc.reason))
        table.append(line)
    return table
