"""The datacenter example's rent stress: the right horizon, no decline counted twice, sized to
the documented band (docs/domain.md section 10, "Calibrating the rent stress").

Expected values are closed forms: a mean-one lognormal random walk with monthly steps of
``s*sqrt(1/12)*Z - s^2/24`` has, after ``T`` years, mean 1 and 5th percentile
``exp(-1.645*s*sqrt(T) - s^2*T/2)``. The band is the GB200's documented low curve (the fastest
observed decline, -46% a year on the margin over cash cost [10][11]) over its base curve, written
out from the curve's formula ``c + (r0 - c)*(1 - d)^age``.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

from pyfuncs.deal import examples
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.stress import correlated_shocks
from pyfuncs.gpu_curves import MODELS

Z05 = norm.ppf(0.05)  # -1.6449
#: GB200 cash operating cost: 120 kW / 72 GPUs x (1.3 x $0.08 + $200/730) (docs/gpu-curves.md).
CASH_COST = 120 / 72 * (1.3 * 0.08 + 200 / 730)


def _curve(decline: float, years: float) -> float:
    """GB200 rent ``years`` from March 2026: the margin over cash cost falls at ``decline``."""
    r0 = MODELS["GB200"].reference_rent
    return CASH_COST + (r0 - CASH_COST) * (1 - decline) ** years


def _p5(sigma: float, years: float) -> float:
    return float(np.exp(Z05 * sigma * np.sqrt(years) - sigma**2 * years / 2))


def test_the_shocks_have_the_closed_form_mean_and_5th_percentile():
    a = parse_assumptions(examples.DATACENTER)
    rent, _ = correlated_shocks(np.random.Generator(np.random.SFC64(7)), 40_000, a)
    years = 59 / 12  # month 60 sits 59 months from today
    last = rent[:, 59]
    # mean one: the stress adds no decline of its own to the curve's (no double counting)
    assert last.mean() == pytest.approx(1.0, abs=0.01)
    # an annual volatility on a monthly step: sqrt(T) growth, not 12 x or sqrt(12) x too much
    assert np.quantile(last, 0.05) == pytest.approx(_p5(0.15, years), rel=0.02)


def test_the_datacenter_rent_vol_follows_the_documented_low_curve():
    a = parse_assumptions(examples.DATACENTER)
    assert a.gpu_model == "GB200" and a.rent_vol == 0.15
    # one shock size cannot fit five dates exactly: within 12% of the low curve at each year
    # end (0.77/0.80, 0.69/0.68, 0.63/0.61, 0.58/0.60, 0.54/0.61), harsher than it by year five
    for years in (1, 2, 3, 4, 5):
        low_over_base = _curve(0.46, years) / _curve(0.28, years)
        assert _p5(a.rent_vol, years) == pytest.approx(low_over_base, rel=0.12), years
    assert _p5(a.rent_vol, 5) < _curve(0.46, 5) / _curve(0.28, 5)


def test_the_old_default_put_the_stress_below_cash_cost():
    # rent_vol 0.25: the 5th-percentile rent after five years is below the GB200's cash cost,
    # where the documented curves, low case included, never go
    years = 59 / 12
    assert _p5(0.25, years) * _curve(0.28, years) < CASH_COST < _curve(0.46, years)
    assert _p5(0.15, years) * _curve(0.28, years) > CASH_COST
