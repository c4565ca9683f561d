"""Fire-sale recovery: what a lender gets for thousands of GPUs sold at once, and the LGD.

docs/domain.md section 6: peers are distressed together, so specialised assets sell below best-use
value (Shleifer-Vishny [87]); a residual liquidity discount of ~9% (Franks et al. [89]); and
square-root market impact ``Y*sigma*sqrt(Q/V)`` [91] for selling ``Q`` units into a market that
trades ``V`` a month, with the volatility over the same month (an annual sigma times sqrt(1/12);
https://arxiv.org/abs/2502.16246). Liquid-cooled racks need sites with > 30 kW/rack [18], hence a
site factor. Selling over ``months_to_sell`` months costs carry and the value the GPUs lose while
they are sold; it does not by itself lower the square-root impact (docs/gpu-curves.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from pyfuncs.defaults import (
    FIRESALE_BASE_DISCOUNT,
    FIRESALE_IMPACT,
    FIRESALE_IMPACT_CAP,
    FIRESALE_SITE_FACTOR,
    FIRESALE_VOLATILITY,
    GEN_STEP,
    LGD_DISCOUNT_RATE,
    MARKET_VALUE_DECAY,
    MONTHS_TO_SELL,
)

if TYPE_CHECKING:  # pandas is needed only to build frames, so the math imports without it
    import pandas as pd

CATEGORY = "Fire-sale recovery"


@excel_function(
    "FIRESALE_DISCOUNT",
    category=CATEGORY,
    help="Fire-sale discount to market value: base_discount + min(cap, impact*volatility*"
    "sqrt(1/12)*sqrt(units/monthly_volume)); square-root impact, annual volatility scaled to the "
    "month of the volume.",
    args=[
        Arg("units", "GPUs to sell.", "number"),
        Arg("monthly_volume", "GPUs of that kind the secondary market absorbs a month.", "number"),
        Arg("volatility", "Annual price volatility of used GPUs, decimal.", "number"),
        Arg("impact", "Square-root impact coefficient Y (literature 0.5-1).", "number"),
        Arg("base_discount", "Liquidity discount before impact, decimal.", "number"),
        Arg("cap", "Cap on the impact term, decimal.", "number"),
    ],
    result=Result("scalar", help="Discount, decimal."),
)
def firesale_discount(
    units: Any,
    monthly_volume: Any,
    volatility: Any = FIRESALE_VOLATILITY,
    impact: Any = FIRESALE_IMPACT,
    base_discount: Any = FIRESALE_BASE_DISCOUNT,
    cap: Any = FIRESALE_IMPACT_CAP,
) -> np.ndarray:
    """Discount to market value for selling ``units`` GPUs at once.

    Parameters
    ----------
    units : array_like
        GPUs sold.
    monthly_volume : array_like
        Monthly secondary-market volume of the same GPUs.
    volatility : array_like, optional
        Annual price volatility (unsourced; calibrate). Scaled to one month, the horizon of
        ``monthly_volume``, by ``sqrt(1/12)``.
    impact : array_like, optional
        Square-root law coefficient ``Y ~ 0.5-1`` [91].
    base_discount : array_like, optional
        Residual liquidity discount ~9% [89].
    cap : array_like, optional
        Cap on the impact term (unsourced).

    Returns
    -------
    ndarray
        ``base_discount + min(cap, impact*volatility*sqrt(1/12)*sqrt(units/monthly_volume))``.

    Notes
    -----
    The square-root law ``I = Y*sigma*sqrt(Q/V)`` holds with ``sigma`` and ``V`` measured over the
    same horizon (https://arxiv.org/abs/2502.16246): a monthly volume needs a monthly volatility,
    ``sigma_annual*sqrt(1/12)``. 10,000 units into 5,000 a month: ``0.7*0.5*sqrt(1/12)*sqrt(2)
    = 0.143``, a discount of 0.233 with the 9% base. Without the ``sqrt(1/12)`` (the v1 formula)
    the same sale came out at 0.585.
    """
    q, v, sigma, y, base, cap_a = broadcast(
        units=as_array("units", units),
        monthly_volume=as_array("monthly_volume", monthly_volume),
        volatility=as_array("volatility", volatility),
        impact=as_array("impact", impact),
        base_discount=as_array("base_discount", base_discount),
        cap=as_array("cap", cap),
    )
    check_ge("units", q, 0.0)
    check_nonzero("monthly_volume", v)
    check_gt("monthly_volume", v, 0.0)
    check_ge("volatility", sigma, 0.0)
    check_ge("impact", y, 0.0)
    check_fraction("base_discount", base)
    check_fraction("cap", cap_a)
    monthly_sigma = sigma * np.sqrt(1.0 / 12.0)
    return base + np.minimum(cap_a, y * monthly_sigma * np.sqrt(q / v))


@dataclass(frozen=True)
class RecoveryWaterfall:
    """Gross market value through each deduction to net proceeds; amounts in $ (deductions < 0)."""

    item: tuple[str, ...]
    amount: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """The waterfall as a DataFrame (one row per step)."""
        import pandas as pd

        return pd.DataFrame({"item": list(self.item), "amount": self.amount})


#: The rows of RECOVERY_WATERFALL, in order.
WATERFALL_ITEMS = (
    "Gross market value",
    "Generation step-down",
    "Value decline while selling",
    "Fire-sale discount",
    "Site factor",
    "De-install, transport, refurbish",
    "Carry while selling",
    "Floor at zero",
    "Net proceeds",
)


@dataclass(frozen=True)
class _SaleTerms:
    """The inputs of a fire sale, validated and broadcast; amounts per unit."""

    value: np.ndarray  # market value per unit
    units: np.ndarray
    generation: np.ndarray  # (1 - gen_step)^gen_lag
    selling: np.ndarray  # average value over the sale relative to the start, sale_value_factor
    discount: np.ndarray  # FIRESALE_DISCOUNT, capped at 100%
    site: np.ndarray
    cost: np.ndarray  # de-install, transport, refurbish per unit
    carry: np.ndarray  # carry per unit over the months to sell


def sale_value_factor(months_to_sell: Any, annual_decay: Any) -> np.ndarray:
    """Average value of GPUs sold at an even pace over ``months_to_sell``, per $ of value at the start.

    Parameters
    ----------
    months_to_sell : array_like
        Months over which the fleet is sold, units spread evenly (>= 0).
    annual_decay : array_like
        Decline of the unit value while it is sold, decimal a year (< 1; negative for a rise).

    Returns
    -------
    ndarray
        The mean of ``(1-a)^(m/12)`` over ``m`` in ``[0, M]``:
        ``f = (1 - (1-a)^(M/12)) / (-(M/12)*ln(1-a))``, and ``f = 1`` when ``M = 0`` or ``a = 0``.

    Notes
    -----
    A lender selling over several months receives, for each unit, the market value at the date
    that unit is sold; with the units spread evenly over the sale and the value falling at the
    annual rate ``a`` (MARKET_VALUE's curve), the proceeds per unit are the start value times the
    time-average ``f``. 6 months at -30%/yr: ``f = (1 - 0.7^0.5)/(-0.5*ln 0.7) = 0.9161``.
    Selling slowly does not lower the square-root impact (FIRESALE_DISCOUNT keeps the whole
    fleet against one month's volume): it trades impact for carry and this decline
    (docs/gpu-curves.md).
    """
    months, decay = broadcast(
        months_to_sell=as_array("months_to_sell", months_to_sell),
        annual_decay=as_array("annual_decay", annual_decay),
    )
    check_ge("months_to_sell", months, 0.0)
    check_lt("annual_decay", decay, 1.0, "a decline of 100% a year leaves nothing to sell")
    years = months / 12.0
    log_keep = np.log1p(-decay)
    exponent = years * log_keep
    with np.errstate(divide="ignore", invalid="ignore"):
        # (1 - e^x)/(-x) = -expm1(x)/(-x) = expm1(x)/x, accurate as x -> 0
        factor = np.where(exponent == 0.0, 1.0, np.expm1(exponent) / exponent)
    return factor


def _sale_terms(
    unit_value: Any,
    units: Any,
    monthly_volume: Any,
    gen_lag: Any,
    gen_step: Any,
    site_factor: Any,
    cost_per_unit: Any,
    months_to_sell: Any,
    carry_per_unit_month: Any,
    volatility: Any,
    impact: Any,
    base_discount: Any,
    annual_decay: Any,
) -> _SaleTerms:
    discount = firesale_discount(units, monthly_volume, volatility, impact, base_discount)
    value = as_array("unit_value", unit_value)
    check_ge("unit_value", value, 0.0)
    q, lag, step, site, cost, months, carry = broadcast(
        units=as_array("units", units),
        gen_lag=as_array("gen_lag", gen_lag),
        gen_step=as_array("gen_step", gen_step),
        site_factor=as_array("site_factor", site_factor),
        cost_per_unit=as_array("cost_per_unit", cost_per_unit),
        months_to_sell=as_array("months_to_sell", months_to_sell),
        carry_per_unit_month=as_array("carry_per_unit_month", carry_per_unit_month),
    )
    check_ge("gen_lag", lag, 0.0)
    check_fraction("gen_step", step)
    check_fraction("site_factor", site)
    check_ge("cost_per_unit", cost, 0.0)
    check_ge("months_to_sell", months, 0.0)
    check_ge("carry_per_unit_month", carry, 0.0)
    selling = sale_value_factor(months, annual_decay)
    return _SaleTerms(
        value,
        q,
        (1.0 - step) ** lag,
        selling,
        np.minimum(1.0, discount),
        site,
        cost,
        carry * months,
    )


def _net_proceeds(terms: _SaleTerms) -> np.ndarray:
    """``max(0, units*(value*(1-g)^lag*f_sale*(1-d)*s - cost - carry*months))``.

    The per-unit factors are combined first and the (possibly large) value array is then touched
    a few times in place, since the deal engine runs this on every path and period.
    """
    kept = terms.generation * terms.selling * (1.0 - terms.discount) * terms.site
    deduction = terms.cost + terms.carry
    shape = np.broadcast_shapes(terms.value.shape, kept.shape, deduction.shape, terms.units.shape)
    out = np.multiply(terms.value, kept, out=np.empty(shape))
    out -= deduction
    out *= terms.units
    return np.maximum(out, 0.0, out=out)


_RECOVERY_ARGS = [
    Arg("unit_value", "Market value of one GPU today, $ (e.g. a MARKET_VALUE cell).", "number"),
    Arg("units", "GPUs to sell.", "number"),
    Arg("monthly_volume", "GPUs of that kind the secondary market absorbs a month.", "number"),
    Arg("gen_lag", "Generations released since unit_value was observed.", "number"),
    Arg("gen_step", "Value step-down per generation, decimal.", "number"),
    Arg(
        "site_factor",
        "Share of value kept outside the original site (liquid-cooled).",
        "number",
    ),
    Arg("cost_per_unit", "De-install, transport and refurbish, $ per GPU.", "number"),
    Arg("months_to_sell", "Months to complete the sale.", "number"),
    Arg(
        "carry_per_unit_month",
        "Storage, insurance and power while selling, $ per GPU-month.",
        "number",
    ),
    Arg("volatility", "Annual price volatility of used GPUs, decimal.", "number"),
    Arg("impact", "Square-root impact coefficient.", "number"),
    Arg("base_discount", "Liquidity discount before impact, decimal.", "number"),
    Arg(
        "annual_decay",
        "Decline of the GPUs' value while they are sold, decimal a year.",
        "number",
    ),
]


@excel_function(
    "FIRESALE_RECOVERY",
    category=CATEGORY,
    help="Net fire-sale proceeds, $: units*(unit_value*(1-gen_step)^gen_lag*f*(1-FIRESALE_DISCOUNT)"
    "*site_factor - cost_per_unit - carry_per_unit_month*months_to_sell), floored at 0; f = mean "
    "value over an even sale of months_to_sell at annual_decay.",
    args=_RECOVERY_ARGS,
    result=Result("scalar", help="$."),
)
def firesale_recovery(
    unit_value: Any,
    units: Any,
    monthly_volume: Any,
    gen_lag: Any = 0.0,
    gen_step: Any = GEN_STEP,
    site_factor: Any = FIRESALE_SITE_FACTOR,
    cost_per_unit: Any = 0.0,
    months_to_sell: Any = MONTHS_TO_SELL,
    carry_per_unit_month: Any = 0.0,
    volatility: Any = FIRESALE_VOLATILITY,
    impact: Any = FIRESALE_IMPACT,
    base_discount: Any = FIRESALE_BASE_DISCOUNT,
    annual_decay: Any = MARKET_VALUE_DECAY,
) -> np.ndarray:
    """Net proceeds of selling a GPU fleet under distress.

    Parameters
    ----------
    unit_value : array_like
        Market value per GPU, $.
    units : array_like
        GPUs sold.
    monthly_volume : array_like
        Monthly secondary-market volume.
    gen_lag : array_like, optional
        Generations released since ``unit_value``.
    gen_step : array_like, optional
        Step-down per generation [37].
    site_factor : array_like, optional
        Value kept off-site; liquid-cooled NVL72 needs > 30 kW/rack [18] (unsourced).
    cost_per_unit : array_like, optional
        De-install, transport, refurbish, $ per GPU (NOLV deductions [92]; unsourced).
    months_to_sell : array_like, optional
        ISTAT distressed sale 60 days to 6 months [80].
    carry_per_unit_month : array_like, optional
        $ per GPU-month while selling.
    volatility, impact, base_discount : array_like
        As in :func:`firesale_discount` (the cap stays at its default, 0.6).
    annual_decay : array_like, default 0.30
        Decline of the unit value while the fleet is sold (MARKET_VALUE's -30%/yr default [37]).

    Returns
    -------
    ndarray
        ``R = max(0, units*(MV*(1-g)^lag*f*(1-d)*s - C - carry*months))`` with
        ``d = FIRESALE_DISCOUNT(units, monthly_volume, volatility, impact, base_discount)`` and
        ``f = sale_value_factor(months_to_sell, annual_decay)``, the average value of units sold
        at an even pace over the sale (docs/domain.md section 6 model). A discount above 100% leaves
        no value before costs.
    """
    return _net_proceeds(
        _sale_terms(
            unit_value,
            units,
            monthly_volume,
            gen_lag,
            gen_step,
            site_factor,
            cost_per_unit,
            months_to_sell,
            carry_per_unit_month,
            volatility,
            impact,
            base_discount,
            annual_decay,
        )
    )


@excel_function(
    "RECOVERY_WATERFALL",
    category=CATEGORY,
    help="Fire-sale recovery step by step: gross market value, generation step-down, value "
    "decline while selling, fire-sale discount, site factor, costs, carry, floor, net proceeds.",
    # headers keeps its v1 position (13th); annual_decay, added in v2, follows it
    args=[
        *_RECOVERY_ARGS[:-1],
        Arg("headers", "TRUE adds a header row.", "headers"),
        _RECOVERY_ARGS[-1],
    ],
    result=Result("table", ("item", "amount"), "One row per step; deductions negative."),
)
def recovery_waterfall(
    unit_value: Any,
    units: Any,
    monthly_volume: Any,
    gen_lag: Any = 0.0,
    gen_step: Any = GEN_STEP,
    site_factor: Any = FIRESALE_SITE_FACTOR,
    cost_per_unit: Any = 0.0,
    months_to_sell: Any = MONTHS_TO_SELL,
    carry_per_unit_month: Any = 0.0,
    volatility: Any = FIRESALE_VOLATILITY,
    impact: Any = FIRESALE_IMPACT,
    base_discount: Any = FIRESALE_BASE_DISCOUNT,
    annual_decay: Any = MARKET_VALUE_DECAY,
) -> RecoveryWaterfall:
    """The steps from gross market value to net fire-sale proceeds.

    Parameters
    ----------
    Same as :func:`firesale_recovery` (scalars). In Excel ``headers`` comes before
    ``annual_decay``, so a v1 call ending in ``TRUE`` still asks for the header row.

    Returns
    -------
    RecoveryWaterfall
        Rows: gross value ``units*MV``; the generation step-down; the value lost while the fleet
        is sold over ``months_to_sell`` (``1 - f``); the fire-sale discount; the site
        factor; de-install and transport costs; carry while selling; the floor at zero; net
        proceeds. The rows between the first and the last sum to the difference between them.
    """
    terms = _sale_terms(
        unit_value,
        units,
        monthly_volume,
        gen_lag,
        gen_step,
        site_factor,
        cost_per_unit,
        months_to_sell,
        carry_per_unit_month,
        volatility,
        impact,
        base_discount,
        annual_decay,
    )
    gross = terms.units * terms.value
    after_generation = gross * terms.generation
    after_selling = after_generation * terms.selling
    after_discount = after_selling * (1.0 - terms.discount)
    after_site = after_discount * terms.site
    after_costs = after_site - terms.units * terms.cost
    before_floor = after_costs - terms.units * terms.carry
    steps = (
        gross,
        after_generation - gross,
        after_selling - after_generation,
        after_discount - after_selling,
        after_site - after_discount,
        after_costs - after_site,
        before_floor - after_costs,
        np.maximum(0.0, -before_floor),  # exactly zero unless costs exceed the proceeds
        _net_proceeds(terms),
    )
    return RecoveryWaterfall(WATERFALL_ITEMS, np.stack(np.broadcast_arrays(*steps)))


@excel_function(
    "LGD",
    category=CATEGORY,
    help="Loss given default: max(0, 1 - recovery/(1+discount_rate)^(months_to_recover/12)/ead).",
    args=[
        Arg("ead", "Exposure at default, $.", "number"),
        Arg("recovery", "Recovery proceeds, $ (e.g. FIRESALE_RECOVERY).", "number"),
        Arg("months_to_recover", "Months from default to cash.", "number"),
        Arg("discount_rate", "Discount rate for the wait, decimal a year.", "number"),
    ],
    result=Result("scalar", help="Decimal."),
)
def lgd(
    ead: Any,
    recovery: Any,
    months_to_recover: Any = MONTHS_TO_SELL,
    discount_rate: Any = LGD_DISCOUNT_RATE,
) -> np.ndarray:
    """Loss given default from recovery proceeds received after a delay.

    Parameters
    ----------
    ead : array_like
        Exposure at default, $.
    recovery : array_like
        Proceeds, $.
    months_to_recover : array_like, optional
    discount_rate : array_like, optional
        Decimal a year (unsourced).

    Returns
    -------
    ndarray
        ``max(0, 1 - recovery/(1+r)^(months/12)/ead)``.
    """
    exposure, proceeds, months, rate = broadcast(
        ead=as_array("ead", ead),
        recovery=as_array("recovery", recovery),
        months_to_recover=as_array("months_to_recover", months_to_recover),
        discount_rate=as_array("discount_rate", discount_rate),
    )
    check_nonzero("ead", exposure)
    check_gt("ead", exposure, 0.0)
    check_ge("recovery", proceeds, 0.0)
    check_ge("months_to_recover", months, 0.0)
    check_gt("discount_rate", rate, -1.0)
    return np.maximum(0.0, 1.0 - proceeds / (1.0 + rate) ** (months / 12.0) / exposure)
