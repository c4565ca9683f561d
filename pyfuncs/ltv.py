"""Loan-to-value: debt against book, market or depreciation-adjusted value.

Book LTV looks safe while market LTV is not: the market value of a GPU falls ~30% a year and
steps down at each generation [37] (docs/domain.md section 2).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from pyfuncs._checks import (
    as_array,
    broadcast,
    check_fraction,
    check_ge,
    check_gt,
    check_lt,
    check_nonzero,
)
from pyfuncs.catalogue import Arg, Result, excel_function
from pyfuncs.defaults import GEN_STEP, MARKET_VALUE_DECAY
from pyfuncs.errors import DomainError

CATEGORY = "Loan-to-value"


@excel_function(
    "LTV",
    category=CATEGORY,
    help="Loan-to-value: debt/value, element by element.",
    args=[
        Arg("debt", "Debt outstanding, $ (a cell or a range).", "array"),
        Arg("value", "Collateral value, $ (book, market or fire-sale).", "array"),
    ],
    result=Result("elementwise", help="Decimal."),
)
def ltv(debt: Any, value: Any) -> np.ndarray:
    """Loan-to-value ratio.

    Parameters
    ----------
    debt : array_like
        Debt outstanding, $.
    value : array_like
        Collateral value, $.

    Returns
    -------
    ndarray
        ``debt/value``; zero value is ``#DIV/0!`` (data-centre ABS max LTV 70% [75]).
    """
    debt_a, value_a = broadcast(debt=as_array("debt", debt), value=as_array("value", value))
    check_ge("debt", debt_a, 0.0)
    check_nonzero("value", value_a)
    check_gt("value", value_a, 0.0)
    return debt_a / value_a


@excel_function(
    "ADJ_LTV",
    category=CATEGORY,
    help="Depreciation-adjusted LTV: debt/(cost*(1-annual_decay)^age_years*(1-gen_step)^gen_lag).",
    args=[
        Arg("debt", "Debt outstanding, $.", "array"),
        Arg("cost", "Original cost of the collateral, $.", "array"),
        Arg("age_years", "Age of the GPUs, years.", "array"),
        Arg("annual_decay", "Market value decay, decimal a year.", "array"),
        Arg("gen_lag", "Generations released since purchase.", "array"),
        Arg("gen_step", "Value step-down per generation, decimal.", "array"),
    ],
    result=Result("elementwise", help="Decimal."),
)
def adj_ltv(
    debt: Any,
    cost: Any,
    age_years: Any,
    annual_decay: Any = MARKET_VALUE_DECAY,
    gen_lag: Any = 0.0,
    gen_step: Any = GEN_STEP,
) -> np.ndarray:
    """LTV against the market value of aged GPUs rather than their book value.

    Parameters
    ----------
    debt : array_like
        $.
    cost : array_like
        Original cost, $.
    age_years : array_like
        Years since purchase.
    annual_decay : array_like, optional
        docs/domain.md section 2 default.
    gen_lag : array_like, optional
        Generations released since purchase.
    gen_step : array_like, optional
        Step-down per generation [37].

    Returns
    -------
    ndarray
        ``debt / (cost*(1-annual_decay)^age_years*(1-gen_step)^gen_lag)``.
    """
    debt_a, cost_a, age, decay, lag, step = broadcast(
        debt=as_array("debt", debt),
        cost=as_array("cost", cost),
        age_years=as_array("age_years", age_years),
        annual_decay=as_array("annual_decay", annual_decay),
        gen_lag=as_array("gen_lag", gen_lag),
        gen_step=as_array("gen_step", gen_step),
    )
    check_ge("debt", debt_a, 0.0)
    check_nonzero("cost", cost_a)
    check_gt("cost", cost_a, 0.0)
    check_ge("age_years", age, 0.0)
    check_ge("gen_lag", lag, 0.0)
    check_fraction("gen_step", step)
    check_lt("annual_decay", decay, 1.0, "100% a year leaves no value")
    if np.any(step == 1.0) and np.any(lag > 0):
        raise DomainError("gen_step of 1 with a generation lag leaves no value")
    value = cost_a * (1.0 - decay) ** age * (1.0 - step) ** lag
    return debt_a / value
