"""The deal engine's fire sale loses the deal's own collateral decline while the fleet is sold.

Closed form (docs/gpu-curves.md, "Selling over months"): selling ``units`` evenly over ``M``
months while the value falls at ``a`` a year fetches the start value times
``f = (1 - (1-a)^(M/12)) / (-(M/12) ln(1-a))``, and

    R = units * (MV * f * (1 - d) * site_factor - cost_per_unit),
    d = 0.09 + 0.7 * 0.5 * sqrt(1/12) * sqrt(units / monthly_volume)   (FIRESALE_DISCOUNT v2).

For a ``gpu_model`` deal the decline over the sale is the model's own resale curve,
``v(age) = fl + (1-fl) x^age`` with ``fl`` and ``x`` fitted to the midpoints of the published H100
bands (62.5% at 1 year, 42.5% at 2), so ``(1-a)^(M/12) = v(A + M/12) / v(A)``.
"""

from __future__ import annotations

import math

import pytest

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal
from pyfuncs.recovery import firesale_discount

FLEET = {
    "gpus": 10_000,
    "capex_per_gpu": 50_000,
    "monthly_volume": 5_000,
    "site_factor": 1.0,
    "cost_per_unit": 1_500,
    "months_to_sell": 6,
    "debt_principal": 1.0e8,
    "tenor_years": 3,
}
#: FIRESALE_DISCOUNT(10,000, 5,000) on the v2 formula: 0.09 + 0.35 * sqrt(2/12).
DISCOUNT = 0.09 + 0.7 * 0.5 * math.sqrt(1 / 12) * math.sqrt(10_000 / 5_000)
#: The H100 base resale curve: floor and yearly keep from r1 = 0.625, r2 = 0.425.
R1, R2 = 0.625, 0.425
FLOOR = (R2 - R1**2) / (1 + R2 - 2 * R1)
KEEP = (R1 - FLOOR) / (1 - FLOOR)


def h100_share(age: float) -> float:
    return FLOOR + (1 - FLOOR) * KEEP**age


def recovery(unit_value: float, kept_over_sale: float) -> float:
    """``R`` above, with ``(1-a)^(M/12) = kept_over_sale``."""
    f = (1 - kept_over_sale) / -math.log(kept_over_sale)
    return 10_000 * (unit_value * f * (1 - DISCOUNT) - 1_500)


def test_discount_is_the_v2_closed_form():
    assert float(firesale_discount(10_000, 5_000)) == pytest.approx(DISCOUNT, rel=1e-12)
    assert round(DISCOUNT, 4) == 0.2329  # issue 10: ~23%, not v1's 58.5%


@pytest.mark.parametrize("period", [1, 12, 30, 60])
def test_gpu_model_fleet_sells_on_its_own_resale_curve(period):
    a = parse_assumptions(FLEET, gpu_model="H100", horizon_years=5)
    schedule = run_deal(a)
    age = period / 12  # end of the period, a new fleet
    value = 50_000 * h100_share(age)
    expected = recovery(value, h100_share(age + 0.5) / h100_share(age))
    assert schedule.market_value[0, period - 1] == pytest.approx(10_000 * value, rel=1e-12)
    assert schedule.firesale_value[0, period - 1] == pytest.approx(expected, rel=1e-12)


def test_h100_at_one_year_loses_more_than_the_flat_default_while_selling():
    # Over months 12-18 the H100 curve falls at an annualised 1 - (v(1.5)/v(1))^2 = 33.6%, not
    # the -30%/yr default the engine used to pass.
    annualised = 1 - (h100_share(1.5) / h100_share(1.0)) ** 2
    assert annualised == pytest.approx(0.336, abs=1e-3)
    a = parse_assumptions(FLEET, gpu_model="H100")
    at_default_decay = run_deal(a).firesale_value[0, 11]
    flat = recovery(50_000 * R1, 0.7**0.5)
    assert at_default_decay < flat


def test_constant_market_decay_is_passed_through():
    a = parse_assumptions(FLEET, market_decay=0.4)
    schedule = run_deal(a)
    # MARKET_VALUE at the end of period 12: 50,000 * 0.6^(12/12); the sale loses 40%/yr.
    expected = recovery(50_000 * 0.6, 0.6**0.5)
    assert schedule.firesale_value[0, 11] == pytest.approx(expected, rel=1e-12)
    # an explicit market_decay overrides a model's value curve, and its decline with it
    both = run_deal(parse_assumptions(FLEET, market_decay=0.4, gpu_model="H100"))
    assert both.firesale_value[0, 11] == pytest.approx(expected, rel=1e-12)


def test_the_recovery_at_default_uses_the_decline_of_the_default_period():
    # A loan the fleet's cash cannot carry: no rent at all, so the DSRA runs out and it defaults.
    a = parse_assumptions(FLEET, gpu_model="H100", rent0=0.0, horizon_years=3)
    schedule = run_deal(a)
    t = int(schedule.outcome.default_period[0])
    assert t > 0
    age = t / 12
    expected = recovery(50_000 * h100_share(age), h100_share(age + 0.5) / h100_share(age))
    assert schedule.outcome.firesale_at_default[0] == pytest.approx(expected, rel=1e-12)
