"""What the GPUs are worth: book value, market value and income value.

Book value follows the accountants (6-year straight line [31]); market value follows the used-GPU
market (-30%/yr and a step at each generation [37]); income value is what the remaining rent is
worth. The gap between them is the article's thesis: book LTV looks safe while market LTV is not
(:mod:`pyfuncs.ltv`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import (
    MAX_PERIODS,
    as_array,
    as_count,
    broadcast,
    check_fraction,
    check_ge,
    check_gt,
    periods_of,
)
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.curves import deflating_curve, per_year_count
from pyfuncs.defaults import (
    DDB_FACTOR,
    GEN_STEP,
    HOURS_PER_YEAR,
    MARKET_VALUE_DECAY,
    PER_YEAR,
)
from pyfuncs.errors import DomainError, InvalidInputError

CATEGORY = "Depreciation and collateral value"
METHODS = ("SLN", "DDB", "VDB")


def _ddb_book(cost: np.ndarray, salvage: np.ndarray, rate: np.ndarray, t: np.ndarray):
    """Book value after ``t`` periods of double-declining balance, as Excel's DDB charges it.

    Excel's ``DDB(cost, salvage, life, period, factor)`` charges
    ``cost*(1-r)^(p-1) - cost*(1-r)^p`` with ``r = min(1, factor/life)``, never taking the book
    value below salvage; the cumulative effect is ``book_p = max(salvage, cost*(1-r)^p)``.
    """
    return np.maximum(salvage[..., None], cost[..., None] * (1.0 - rate[..., None]) ** t)


@excel_function(
    "BOOK_VALUE",
    category=CATEGORY,
    help="End-of-period book value: SLN, DDB or VDB over life_years*per_year periods, as Excel's "
    "SLN/DDB/VDB charge it; held at the last value after the life ends.",
    args=[
        Arg("cost", "Cost of the asset, $ (e.g. 50,000 per H100).", "number"),
        Arg(
            "life_years",
            "Accounting life, years (6 for CoreWeave; life x per_year whole).",
            "number",
        ),
        Arg("periods", "Number of periods to show.", "integer"),
        Arg("salvage", "Value at the end of the life, $.", "number"),
        Arg(
            "method",
            'Depreciation: "SLN", "DDB" or "VDB".',
            "text",
            choices=METHODS,
        ),
        Arg("per_year", "Periods a year.", "integer"),
        Arg("factor", "Declining-balance factor for DDB and VDB.", "number"),
    ],
    result=Result("column", help="Book value at the end of each period, $."),
)
def book_value(
    cost: Any,
    life_years: Any,
    periods: int,
    salvage: Any = 0.0,
    method: str = "SLN",
    per_year: int = PER_YEAR,
    factor: Any = DDB_FACTOR,
) -> np.ndarray:
    """Accounting book value at the end of each period.

    Parameters
    ----------
    cost : array_like
        Cost, $.
    life_years : float
        Accounting life: CoreWeave 6 years straight line [31]; MSFT/GOOGL 6 [26][27].
    periods : int
        Periods to show (may run past the life).
    salvage : array_like, optional
        Salvage value, $ (0 <= salvage <= cost).
    method : {"SLN", "DDB", "VDB"}, optional
        Straight line, double-declining balance, or declining balance switching to straight line.
    per_year : int, optional
    factor : float, optional
        Declining-balance factor.

    Returns
    -------
    ndarray
        Shape ``broadcast(cost, salvage) + (periods,)``.

    Notes
    -----
    With ``N = life_years*per_year`` periods (Excel's functions on a per-period basis [107]):

    - SLN: ``book_t = cost - t*(cost - salvage)/N``, i.e. ``cost - t*SLN(cost, salvage, N)``.
    - DDB: ``book_t = max(salvage, cost*(1 - min(1, factor/N))^t)`` = ``cost - sum DDB``.
    - VDB: declining balance until straight line over the remaining life charges more, then
      straight line: ``book_t = cost - VDB(cost, salvage, N, 0, t, factor)``.

    After the life (``t > N``) the book value stays at its value at ``N``.
    """
    py = per_year_count(per_year)
    life = periods_of(life_years, py, "life_years")
    n = as_count("periods", periods, maximum=MAX_PERIODS)
    kind = str(method).strip().upper()
    if kind not in METHODS:
        raise InvalidInputError(f'method must be "SLN", "DDB" or "VDB", got {method!r}')
    cost_a, salvage_a = broadcast(cost=as_array("cost", cost), salvage=as_array("salvage", salvage))
    check_ge("cost", cost_a, 0.0)
    check_ge("salvage", salvage_a, 0.0)
    if np.any(salvage_a > cost_a):
        raise DomainError("salvage must not exceed cost")
    factor_a = as_array("factor", factor)
    check_gt("factor", factor_a, 0.0)
    t = np.minimum(np.arange(1, n + 1), life).astype(np.float64)
    if kind == "SLN":
        return cost_a[..., None] - t * ((cost_a - salvage_a) / life)[..., None]
    rate = np.broadcast_to(np.minimum(1.0, factor_a / life), cost_a.shape)
    if kind == "DDB":
        return _ddb_book(cost_a, salvage_a, rate, t)
    return _vdb_book(cost_a, salvage_a, rate, life, t)


def _vdb_book(cost, salvage, rate, life: int, t: np.ndarray) -> np.ndarray:
    """Book value under Excel's VDB (no_switch = FALSE) after ``t`` whole periods.

    Period ``i`` charges the DDB amount until the straight line over the ``life-i+1`` periods
    left, ``(book_{i-1} - salvage)/(life-i+1)``, exceeds it; from that period on it charges that
    straight-line amount (Excel's VDB and LibreOffice's ``ScInterVDB``).
    """
    i = np.arange(1, life + 1, dtype=np.float64)
    ddb_open = np.concatenate(
        [cost[..., None], _ddb_book(cost, salvage, rate, i[:-1])], axis=-1
    )  # book before period i, while still declining
    ddb_close = _ddb_book(cost, salvage, rate, i)
    ddb_charge = ddb_open - ddb_close
    sln_charge = (ddb_open - salvage[..., None]) / (life - i + 1.0)
    switches = sln_charge > ddb_charge
    first = np.where(switches.any(axis=-1), switches.argmax(axis=-1), life)
    idx = np.clip(first, 0, life - 1)[..., None]
    sln_after = np.take_along_axis(sln_charge, idx, axis=-1)
    book_at_switch = np.take_along_axis(ddb_open, idx, axis=-1)
    whole = t.astype(np.int64)
    ddb_path = np.take(ddb_close, whole - 1, axis=-1)
    sln_path = book_at_switch - (whole - first[..., None]) * sln_after
    return np.where(whole - 1 < first[..., None], ddb_path, sln_path)


@excel_function(
    "MARKET_VALUE",
    category=CATEGORY,
    help="Used-GPU market value per period: max(floor, cost*(1-annual_decay)^((t-1)/per_year)*"
    "(1-gen_step)^k), k = generation releases at or before t.",
    args=[
        Arg("cost", "Value new, $ per GPU (e.g. 50,000 for an H100).", "number"),
        Arg("periods", "Number of periods to project.", "integer"),
        Arg("annual_decay", "Smooth value decay, decimal a year.", "number"),
        Arg("per_year", "Periods a year.", "integer"),
        Arg(
            "gen_periods",
            "Period numbers at which a new generation ships (blank for none).",
            "range",
            blanks="drop",
        ),
        Arg("gen_step", "Step down in value at each release, decimal.", "number"),
        Arg("floor", "Lowest value, $ per GPU.", "number"),
    ],
    result=Result("column", help="Market value per GPU, $, one row per period."),
)
def market_value(
    cost: Any,
    periods: int,
    annual_decay: Any = MARKET_VALUE_DECAY,
    per_year: int = PER_YEAR,
    gen_periods: Any = None,
    gen_step: Any = GEN_STEP,
    floor: Any = 0.0,
) -> np.ndarray:
    """Market value of a used GPU per period.

    Parameters
    ----------
    cost : array_like
        Value new, $.
    periods : int
    annual_decay : array_like, optional
        Used H100s: 60-65%/40-45%/25-35% residual at 1/2/3 years [37]; -40-60% in 3 years [38].
    per_year : int, optional
    gen_periods : array_like, optional
        Periods at which a new generation ships.
    gen_step : array_like, optional
        20-30% step-down at next-generation availability [37].
    floor : array_like, optional

    Returns
    -------
    ndarray
        ``max(floor, cost*(1-decay)^((t-1)/per_year)*(1-gen_step)^k_t)`` (the shape of
        ``RENT_CURVE``).
    """
    return deflating_curve(
        cost,
        periods,
        annual_decay,
        per_year,
        gen_periods,
        gen_step,
        floor,
        start_name="cost",
        decline_name="annual_decay",
    )


@excel_function(
    "INCOME_VALUE",
    category=CATEGORY,
    help="Value of a GPU from its remaining rent: at each period t, the PV at discount_rate of "
    "max(0, rent*utilization - opex_hour)*8760/per_year over periods t..end.",
    args=[
        Arg("rent_curve", "Rent per period, $ per GPU-hour (e.g. a RENT_CURVE column).", "range"),
        Arg("opex_hour", "Operating cost, $ per GPU-hour.", "number"),
        Arg("utilization", "Share of hours billed, decimal.", "number"),
        Arg(
            "discount_rate", "Discount rate, decimal a year (compounded per_year times).", "number"
        ),
        Arg("per_year", "Periods a year.", "integer"),
    ],
    result=Result("column", help="Income value per GPU at the start of each period, $."),
)
def income_value(
    rent_curve: Any,
    opex_hour: Any,
    utilization: Any,
    discount_rate: Any,
    per_year: int = PER_YEAR,
) -> np.ndarray:
    """Present value per GPU of the net rent still to come, at each period.

    Parameters
    ----------
    rent_curve : array_like
        Rent per period, $ per GPU-hour (last axis = periods).
    opex_hour : array_like
        $ per GPU-hour.
    utilization : array_like
        Share of hours billed.
    discount_rate : array_like
        Decimal a year, compounded ``per_year`` times.
    per_year : int, optional

    Returns
    -------
    ndarray
        ``V_t = sum_{k=t}^{n} net_k / (1+i)^(k-t+1)``, ``i = discount_rate/per_year``,
        ``net_k = max(0, rent_k*utilization - opex_hour)*8760/per_year``: the value at the start
        of period t of rent received at the end of each remaining period. A GPU whose rent no
        longer covers its opex is switched off, hence the floor at zero.
    """
    py = per_year_count(per_year)
    rents = as_array("rent_curve", rent_curve)
    if rents.ndim == 0:
        rents = rents.reshape(1)
    check_ge("rent_curve", rents, 0.0)
    opex = as_array("opex_hour", opex_hour)
    util = as_array("utilization", utilization)
    check_fraction("utilization", util)
    check_ge("opex_hour", opex, 0.0)
    rate = as_array("discount_rate", discount_rate) / py
    check_gt("discount_rate", rate, -1.0, "a rate per period above -100%")
    if rate.ndim:
        raise InvalidInputError("discount_rate must be a single number")
    net = np.maximum(0.0, rents * util - opex) * HOURS_PER_YEAR / py
    v = 1.0 / (1.0 + float(rate))
    # V_t = v*(net_t + V_{t+1}), V_{n+1} = 0, run backwards over the periods.
    value = np.empty_like(net)
    later = np.zeros(net.shape[:-1])
    for t in range(net.shape[-1] - 1, -1, -1):
        later = v * (net[..., t] + later)
        value[..., t] = later
    return value
