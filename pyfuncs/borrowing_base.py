"""Contract-backed borrowing base: what a GPU facility may have outstanding, period by period.

Lenders to neoclouds size and monitor facilities on the customer contracts first and the GPUs
second: CoreWeave's delayed-draw term loans are secured first on the contracts, then on the GPUs
(9fin, https://9fin.com/insights/excess-spread-chips-srt-bidding), each draw tied to a customer
contract. The borrowing base is the lower of an advance on the present value of the contracted
cash flows still to come and an advance on the collateral value; a balance above it is prepaid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import as_array, as_vector, check_fraction, check_ge, check_gt
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.curves import per_year_count
from pyfuncs.defaults import PER_YEAR
from pyfuncs.errors import InvalidInputError

CATEGORY = "Borrowing base"


def remaining_pv(cash_flows: np.ndarray, rate_per_period: float) -> np.ndarray:
    """At the start of each period t, the PV of the flows of periods t..n (paid at period ends).

    ``V_t = sum_{k=t}^{n} cf_k / (1+i)^(k-t+1)``, computed backwards: ``V_t = (cf_t + V_{t+1})/(1+i)``.
    """
    v = 1.0 / (1.0 + rate_per_period)
    out = np.empty_like(cash_flows)
    later = 0.0
    for t in range(cash_flows.size - 1, -1, -1):
        later = v * (cash_flows[t] + later)
        out[t] = later
    return out


@excel_function(
    "BORROWING_BASE",
    category=CATEGORY,
    help="Borrowing base per period: min(contract_advance * PV at discount_rate of the contracted "
    "cash flows still to come, collateral_advance * collateral_value); the lower leg governs.",
    args=[
        Arg("contract_cf", "Contracted cash flow of each period, $ (a column).", "range"),
        Arg(
            "discount_rate",
            "Discount rate of the contract leg, decimal a year (compounded per_year times).",
            "number",
        ),
        Arg("contract_advance", "Advance rate on the contracts' PV, decimal.", "number"),
        Arg(
            "collateral_value",
            "Collateral value at the start of each period, $ (a column, or one value).",
            "range",
        ),
        Arg("collateral_advance", "Advance rate on the collateral value, decimal.", "number"),
        Arg("per_year", "Periods a year.", "integer"),
    ],
    result=Result("column", help="Borrowing base at the start of each period, $."),
)
def borrowing_base(
    contract_cf: Any,
    discount_rate: Any,
    contract_advance: Any,
    collateral_value: Any,
    collateral_advance: Any,
    per_year: int = PER_YEAR,
) -> np.ndarray:
    """The most a contract- and GPU-secured facility may have outstanding in each period.

    Parameters
    ----------
    contract_cf : array_like
        Contracted cash flow per period, $ (take-or-pay rent net of what the contracts require
        the borrower to spend, as the facility defines it).
    discount_rate : float
        Decimal a year, compounded ``per_year`` times.
    contract_advance : float
        Advance rate on the contract leg, in [0, 1].
    collateral_value : array_like
        Collateral value at the start of each period, $ (one value applies to every period).
    collateral_advance : float
        Advance rate on the collateral leg, in [0, 1].
    per_year : int, default 12

    Returns
    -------
    ndarray, shape (periods,)
        ``BB_t = min(a_c * sum_{k=t}^{n} cf_k/(1+i)^(k-t+1), a_v * V_t)`` with
        ``i = discount_rate/per_year``: at the start of period t, the contract leg values the
        flows of periods t..n received at period ends (as INCOME_VALUE does), and the
        collateral leg advances on the value then. The lower leg governs; a balance above
        ``BB_t`` is a mandatory prepayment.
    """
    py = per_year_count(per_year)
    flows = as_vector("contract_cf", contract_cf)
    check_ge("contract_cf", flows, 0.0)
    rate = as_array("discount_rate", discount_rate)
    advance_c = as_array("contract_advance", contract_advance)
    advance_v = as_array("collateral_advance", collateral_advance)
    for name, arr in (
        ("discount_rate", rate),
        ("contract_advance", advance_c),
        ("collateral_advance", advance_v),
    ):
        if arr.ndim:
            raise InvalidInputError(f"{name} must be a single number")
    check_gt("discount_rate", rate / py, -1.0, "a rate per period above -100%")
    check_fraction("contract_advance", advance_c)
    check_fraction("collateral_advance", advance_v)
    value = as_vector("collateral_value", collateral_value)
    check_ge("collateral_value", value, 0.0)
    if value.size not in (1, flows.size):
        raise InvalidInputError(
            f"collateral_value has {value.size} periods, contract_cf {flows.size}: give one "
            "value or one per period"
        )
    contract_leg = float(advance_c) * remaining_pv(flows, float(rate) / py)
    collateral_leg = float(advance_v) * np.broadcast_to(value, flows.shape)
    return np.minimum(contract_leg, collateral_leg)
