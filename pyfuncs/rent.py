"""GPU rents and the cash they make: rent curves, implied decline, opex, revenue, breakeven.

Rents are $ per GPU-hour. A schedule's period t (1-based) earns the rent at elapsed time
``(t-1)/per_year`` years (docs/functions.md conventions).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import (
    as_array,
    as_count,
    broadcast,
    check_fraction,
    check_ge,
    check_gt,
    check_nonzero,
    periods_of,
)
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.curves import deflating_curve, per_year_count
from pyfuncs.debt import level_payment
from pyfuncs.defaults import (
    ANNUAL_RENT_DECLINE,
    GEN_STEP,
    HOURS_PER_MONTH,
    HOURS_PER_YEAR,
    IT_KW_PER_GPU,
    PER_YEAR,
    POWER_PRICE,
    PUE,
    UTILIZATION_CONTRACTED,
)
from pyfuncs.errors import DomainError

CATEGORY = "Rent and cash flow"


@excel_function(
    "RENT_CURVE",
    category=CATEGORY,
    help="GPU rent per period: max(floor, rent0*(1-annual_decline)^((t-1)/per_year)*"
    "(1-gen_step)^k), k = generation releases at or before period t.",
    args=[
        Arg(
            "rent0",
            "Rent in period 1, $ per GPU-hour (e.g. 2.35 for a 1-yr H100 contract).",
            "number",
        ),
        Arg("periods", "Number of periods to project.", "integer"),
        Arg(
            "annual_decline",
            "Smooth rent decline, decimal a year (range 0.20-0.46; -0.40 = rebound).",
        ),
        Arg("per_year", "Periods a year.", "integer"),
        Arg(
            "gen_periods",
            "Period numbers at which a new GPU generation ships (blank for none).",
            "range",
            blanks="drop",
        ),
        Arg(
            "gen_step",
            "Step down in rent at each generation release, decimal.",
            "number",
        ),
        Arg("floor", "Lowest rent, $ per GPU-hour.", "number"),
    ],
    result=Result("column", help="Rent in $ per GPU-hour, one row per period."),
)
def rent_curve(
    rent0: Any,
    periods: int,
    annual_decline: Any = ANNUAL_RENT_DECLINE,
    per_year: int = PER_YEAR,
    gen_periods: Any = None,
    gen_step: Any = GEN_STEP,
    floor: Any = 0.0,
) -> np.ndarray:
    """Projected GPU rent per period under smooth deflation and generation step-downs.

    Parameters
    ----------
    rent0 : array_like
        Rent in period 1, $ per GPU-hour (H100 1-yr contracts $1.70-2.35 in 2025-26 [3][5]).
    periods : int
        Number of periods.
    annual_decline : array_like, optional
        Decimal a year; -28%/yr from reserved 1-yr vs 3-yr prices [10] and Epoch's
        price-performance doubling time [11] (docs/domain.md section 1). Negative for a rebound.
    per_year : int, optional
        Periods a year.
    gen_periods : array_like, optional
        Period numbers at which a new NVIDIA generation ships (yearly cadence [34]).
    gen_step : array_like, optional
        Step-down at each release: 20-30% [37].
    floor : array_like, optional
        Lowest rent, $ per GPU-hour.

    Returns
    -------
    ndarray
        Shape ``broadcast(rent0, annual_decline, gen_step, floor) + (periods,)``.

    Notes
    -----
    ``rent_t = max(floor, rent0*(1-d)^((t-1)/per_year) * (1-g)^k_t)``, ``k_t = #{releases <= t}``.
    """
    return deflating_curve(
        rent0,
        periods,
        annual_decline,
        per_year,
        gen_periods,
        gen_step,
        floor,
        start_name="rent0",
        decline_name="annual_decline",
    )


def _average_growth(x: np.ndarray, years: int) -> np.ndarray:
    """``(1/n) * sum_{k=0}^{n-1} x^k``: the average of a geometric rent path, relative to year 1."""
    return np.mean(x[..., None] ** np.arange(years), axis=-1)


@excel_function(
    "IMPLIED_DECLINE",
    category=CATEGORY,
    help="Annual rent decline priced into a multi-year contract: d such that the average of "
    "rent_1y*(1-d)^k, k=0..years-1, equals rent_multi.",
    args=[
        Arg("rent_1y", "One-year contract rent, $ per GPU-hour.", "number"),
        Arg(
            "rent_multi", "Multi-year contract rent (flat over its term), $ per GPU-hour.", "number"
        ),
        Arg("years", "Term of the multi-year contract, whole years (at least 2).", "integer"),
    ],
    result=Result("scalar", help="Decline, decimal a year (negative if rents are priced to rise)."),
)
def implied_decline(rent_1y: Any, rent_multi: Any, years: int) -> np.ndarray:
    """Annual rent decline implied by a one-year and a multi-year contract price.

    Parameters
    ----------
    rent_1y : array_like
        One-year contract rent, $ per GPU-hour.
    rent_multi : array_like
        Flat rent of a ``years``-year contract, $ per GPU-hour.
    years : int
        Term of the multi-year contract, at least 2.

    Returns
    -------
    ndarray
        ``d`` with ``(1/n) sum_{k=0}^{n-1} rent_1y*(1-d)^k = rent_multi``.

    Notes
    -----
    The multi-year price is read as the average of the one-year prices expected over its term
    (a lessor indifferent between rolling one-year contracts and one long one, undiscounted).
    With ``x = 1-d`` the average ``(1/n) sum x^k`` rises from ``1/n`` at ``x=0`` without bound,
    so a root exists when ``rent_multi/rent_1y > 1/n`` and is found by bisection to machine
    precision. docs/domain.md section 1: 2024 reserved 1-yr $7.20 vs 3-yr $5.40 gives
    ``x^2+x+1 = 2.25``, ``x = 0.725``, ``d = 27.5%`` [10].
    """
    n = as_count("years", years, minimum=2, maximum=100)
    one_year, multi = broadcast(
        rent_1y=as_array("rent_1y", rent_1y), rent_multi=as_array("rent_multi", rent_multi)
    )
    check_gt("rent_1y", one_year, 0.0)
    check_gt("rent_multi", multi, 0.0)
    ratio = multi / one_year
    if np.any(ratio <= 1.0 / n):
        raise DomainError(
            f"rent_multi must exceed rent_1y/{n}: even a 100% decline averages to that"
        )
    low = np.zeros_like(ratio)
    high = np.maximum(1.0, (n * ratio) ** (1.0 / (n - 1)))
    for _ in range(200):
        mid = 0.5 * (low + high)
        too_high = _average_growth(mid, n) > ratio
        high = np.where(too_high, mid, high)
        low = np.where(too_high, low, mid)
        if np.all(high - low <= 4 * np.finfo(float).eps * np.maximum(1.0, high)):
            break
    return 1.0 - 0.5 * (low + high)


@excel_function(
    "OPEX_HOUR",
    category=CATEGORY,
    help="Operating cost, $ per GPU-hour: it_kw*pue*power_price + it_kw*colo_kw_month/730 + "
    "other_hour (colocation priced on IT kW).",
    args=[
        Arg("it_kw", "IT load per GPU, kW (DGX H100 10.2 kW / 8).", "number"),
        Arg("pue", "Power usage effectiveness (a new site).", "number"),
        Arg("power_price", "Power price, $ per kWh.", "number"),
        Arg("colo_kw_month", "Colocation, $ per kW of IT load per month.", "number"),
        Arg("other_hour", "Other opex, $ per GPU-hour.", "number"),
    ],
    result=Result("scalar", help="$ per GPU-hour."),
)
def opex_hour(
    it_kw: Any = IT_KW_PER_GPU,
    pue: Any = PUE,
    power_price: Any = POWER_PRICE,
    colo_kw_month: Any = 0.0,
    other_hour: Any = 0.0,
) -> np.ndarray:
    """Operating cost of one GPU for one hour.

    Parameters
    ----------
    it_kw : array_like, optional
        IT load per GPU, kW: DGX H100 10.2 kW / 8 GPUs [18].
    pue : array_like, optional
        Power usage effectiveness: new sites <= 1.3 [22]; 2024 average 1.56 [21].
    power_price : array_like, optional
        $ per kWh: $0.06-0.12 [24].
    colo_kw_month : array_like, optional
        Colocation, $ per kW of IT load per month: $150-250 [24].
    other_hour : array_like, optional
        Any other cost, $ per GPU-hour.

    Returns
    -------
    ndarray
        ``it_kw*pue*power_price + it_kw*colo_kw_month/730 + other_hour``.
    """
    kw, pue_a, price, colo, other = broadcast(
        it_kw=as_array("it_kw", it_kw),
        pue=as_array("pue", pue),
        power_price=as_array("power_price", power_price),
        colo_kw_month=as_array("colo_kw_month", colo_kw_month),
        other_hour=as_array("other_hour", other_hour),
    )
    check_ge("it_kw", kw, 0.0)
    check_ge("pue", pue_a, 1.0, "facility power is at least IT power")
    check_ge("power_price", price, 0.0)
    check_ge("colo_kw_month", colo, 0.0)
    return kw * pue_a * price + kw * colo / HOURS_PER_MONTH + other


@excel_function(
    "REVENUE",
    category=CATEGORY,
    help="Rental revenue per period: rent*gpus*utilization*8760/per_year, element by element "
    "(a rent curve in, a revenue column out).",
    args=[
        Arg("rent", "Rent, $ per GPU-hour; a cell or a range (a rent curve).", "array"),
        Arg("gpus", "Number of GPUs.", "array"),
        Arg(
            "utilization",
            "Share of hours billed, decimal (0.95 contracted, 0.65 merchant [13][14]).",
            "array",
        ),
        Arg("per_year", "Periods a year.", "array"),
    ],
    result=Result("elementwise", help="$ per period, shaped like rent."),
)
def revenue(
    rent: Any, gpus: Any, utilization: Any = UTILIZATION_CONTRACTED, per_year: Any = PER_YEAR
) -> np.ndarray:
    """Rental revenue of a GPU fleet per period.

    Parameters
    ----------
    rent : array_like
        $ per GPU-hour.
    gpus : array_like
        Number of GPUs.
    utilization : array_like, optional
        Share of hours billed: 95% contracted (CoreWeave SLA [14]), 65% merchant [13].
    per_year : array_like, optional
        Periods a year.

    Returns
    -------
    ndarray
        ``rent * gpus * utilization * 8760 / per_year``.
    """
    rent_a, gpus_a, util, py = broadcast(
        rent=as_array("rent", rent),
        gpus=as_array("gpus", gpus),
        utilization=as_array("utilization", utilization),
        per_year=as_array("per_year", per_year),
    )
    check_ge("rent", rent_a, 0.0)
    check_ge("gpus", gpus_a, 0.0)
    check_fraction("utilization", util)
    check_gt("per_year", py, 0.0)
    return rent_a * gpus_a * util * HOURS_PER_YEAR / py


@excel_function(
    "CASH_YIELD",
    category=CATEGORY,
    help="Unlevered annual cash yield on capex: (rent*utilization - opex_hour)*8760/capex.",
    args=[
        Arg("rent", "Rent, $ per GPU-hour.", "number"),
        Arg("utilization", "Share of hours billed, decimal.", "number"),
        Arg("opex_hour", "Operating cost, $ per GPU-hour (see OPEX_HOUR).", "number"),
        Arg("capex", "All-in capex per GPU, $ (H100 ~50,000).", "number"),
    ],
    result=Result("scalar", help="Decimal a year."),
)
def cash_yield(rent: Any, utilization: Any, opex_hour: Any, capex: Any) -> np.ndarray:
    """Unlevered annual cash yield of one GPU.

    Parameters
    ----------
    rent : array_like
        $ per GPU-hour.
    utilization : array_like
        Share of hours billed.
    opex_hour : array_like
        $ per GPU-hour.
    capex : array_like
        All-in capex per GPU, $: ~$50k for an H100 [25].

    Returns
    -------
    ndarray
        ``(rent*utilization - opex_hour) * 8760 / capex``.
    """
    rent_a, util, opex, capex_a = broadcast(
        rent=as_array("rent", rent),
        utilization=as_array("utilization", utilization),
        opex_hour=as_array("opex_hour", opex_hour),
        capex=as_array("capex", capex),
    )
    check_fraction("utilization", util)
    check_nonzero("capex", capex_a)
    check_gt("capex", capex_a, 0.0)
    return (rent_a * util - opex) * HOURS_PER_YEAR / capex_a


def annual_debt_service(capex: Any, annual_rate: Any, years: Any, per_year: Any = PER_YEAR):
    """Level debt service a year on ``capex``: ``per_year*PMT(annual_rate/per_year, years*per_year, -capex)``."""
    py = per_year_count(per_year)
    n = periods_of(years, py)
    principal = as_array("capex", capex)
    rate = as_array("annual_rate", annual_rate)
    check_ge("capex", principal, 0.0)
    check_gt("annual_rate", rate / py, -1.0, "a rate per period above -100%")
    return py * level_payment(principal, rate / py, n)


@excel_function(
    "BREAKEVEN_RENT",
    category=CATEGORY,
    help="Rent that covers level debt service on capex at target_dscr: "
    "(target_dscr*DS/8760 + opex_hour)/utilization, DS = per_year*PMT(rate/per_year, n, -capex).",
    args=[
        Arg("capex", "All-in capex per GPU financed, $.", "number"),
        Arg("annual_rate", "Debt rate, decimal a year.", "number"),
        Arg("years", "Loan tenor, years (level annuity).", "number"),
        Arg("utilization", "Share of hours billed, decimal.", "number"),
        Arg("opex_hour", "Operating cost, $ per GPU-hour.", "number"),
        Arg("target_dscr", "DSCR to cover.", "number"),
        Arg("per_year", "Payments a year.", "integer"),
    ],
    result=Result("scalar", help="$ per GPU-hour."),
)
def breakeven_rent(
    capex: Any,
    annual_rate: Any,
    years: Any,
    utilization: Any = UTILIZATION_CONTRACTED,
    opex_hour: Any = 0.0,
    target_dscr: Any = 1.0,
    per_year: int = PER_YEAR,
) -> np.ndarray:
    """Rent per GPU-hour at which cash flow covers level debt service ``target_dscr`` times.

    Parameters
    ----------
    capex : array_like
        Capex per GPU financed, $.
    annual_rate : array_like
        Debt rate, decimal a year.
    years : float
        Tenor, years.
    utilization : array_like, optional
        Share of hours billed.
    opex_hour : array_like, optional
        $ per GPU-hour.
    target_dscr : array_like, optional
        Coverage to reach.
    per_year : int, optional
        Payments a year.

    Returns
    -------
    ndarray
        ``(target_dscr*DS/8760 + opex_hour)/utilization`` with
        ``DS = per_year*PMT(annual_rate/per_year, years*per_year, -capex)`` (Excel's PMT [108]).

    Notes
    -----
    docs/domain.md section 1 check: $50k, 11%, 5 years annual, 1.275 kW, PUE 1.3, $0.08/kWh,
    $200/kW-month colocation on IT kW, 90% utilisation gives $2.25 at DSCR 1.0 and $2.77 at 1.3.
    """
    debt_service = annual_debt_service(capex, annual_rate, years, per_year)
    util, opex, target = broadcast(
        utilization=as_array("utilization", utilization),
        opex_hour=as_array("opex_hour", opex_hour),
        target_dscr=as_array("target_dscr", target_dscr),
    )
    check_fraction("utilization", util)
    check_nonzero("utilization", util)
    check_ge("opex_hour", opex, 0.0)
    check_gt("target_dscr", target, 0.0)
    return (target * debt_service / HOURS_PER_YEAR + opex) / util
