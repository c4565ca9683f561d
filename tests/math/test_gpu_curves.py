"""GPU_CURVE and RESIDUAL_VALUE against the published bands and the formulas written out."""

from __future__ import annotations

import numpy as np
import pytest

import pyfuncs
from pyfuncs import call

MODELS = ("A100", "H100", "H200", "B200", "GB200", "B300")

# Used H100 resale as a share of the new price, 1/2/3 years (docs/gpu-curves.md; the residual
# value guide at https://v2-pseo-ai.pages.dev/tools/residual-value-guide, weak).
H100_BANDS = {1: (0.60, 0.65), 2: (0.40, 0.45), 3: (0.25, 0.35)}


@pytest.mark.parametrize("years", sorted(H100_BANDS))
def test_h100_base_residual_lies_in_the_published_bands(years):
    low, high = H100_BANDS[years]
    assert low <= float(pyfuncs.residual_value("H100", years)) <= high
    # GPU_CURVE's value measure is the same curve, period by period from age 0
    curve = pyfuncs.gpu_curve("H100", 37, "value")
    assert low <= curve[12 * years] <= high


def test_residual_value_formula_by_hand():
    # floor and yearly keep solved from the band midpoints 62.5% and 42.5%:
    # f = (0.425 - 0.625^2)/(1 + 0.425 - 1.25) = 0.034375/0.175; x = (0.625 - f)/(1 - f)
    f = 0.034375 / 0.175
    x = (0.625 - f) / (1 - f)
    ages = np.array([0.0, 0.5, 1.0, 4.0, 10.0])
    np.testing.assert_allclose(pyfuncs.residual_value("H100", ages), f + (1 - f) * x**ages)
    assert float(pyfuncs.residual_value("H100", 0)) == 1.0
    assert call("GPU.RESIDUAL_VALUE", "H100", 3) == pytest.approx(f + (1 - f) * x**3)


def test_h100_rent_by_hand():
    # cash operating cost of an H100: 1.275 kW x (1.3 x $0.08/kWh + $200/kW-month / 730 h)
    cost = 1.275 * (1.3 * 0.08 + 200 / 730)
    # anchored at the March 2026 1-year contract price $2.35, ~2.95 years after launch;
    # the margin over cost falls 28% a year in the base case
    rents = pyfuncs.gpu_curve("H100", 25, age_years=2.95)
    assert rents[0] == pytest.approx(2.35)
    assert rents[12] == pytest.approx(cost + (2.35 - cost) * 0.72)
    assert rents[24] == pytest.approx(cost + (2.35 - cost) * 0.72**2)
    low = pyfuncs.gpu_curve("H100", 13, scenario="low", age_years=2.95)
    assert low[12] == pytest.approx(cost + (2.35 - cost) * 0.54)


def test_a100_march_2026_rent_lies_in_the_three_year_term_range():
    # A100 3-year terms $0.85-1.10 in 2026 (yobitel.com/knowledge-base/nvidia-a100, weak);
    # the A100 launched in May 2020, ~5.8 years before March 2026
    rent = float(pyfuncs.gpu_curve("A100", 1, age_years=5.8)[0])
    assert 0.85 <= rent <= 1.10


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("measure", ["rent", "value"])
def test_declines_decelerate_and_floor(model, measure):
    curve = pyfuncs.gpu_curve(model, 12 * 15 + 1, measure, per_year=12)
    yearly = curve[12::12] / curve[:-12:12]  # kept each year
    assert np.all(np.diff(curve) < 0)
    assert np.all(np.diff(yearly) > 0)  # each year keeps more than the last: decelerating
    floor = curve[-1]
    assert floor > 0 and np.all(curve >= floor)
    if measure == "rent":
        from pyfuncs.gpu_curves import MODELS as SPECS

        assert floor > SPECS[model].floor_rent  # never below the cash operating cost


@pytest.mark.parametrize("model", MODELS)
def test_no_generation_step_in_the_curves(model):
    # one smooth all-in decline: month-on-month changes vary smoothly, there is no jump
    rent = pyfuncs.gpu_curve(model, 61, age_years=0.5)
    change = np.diff(np.log(rent))
    assert np.max(np.abs(np.diff(change))) < 1e-3


def test_scenarios_share_the_past_and_are_ordered_after_march_2026():
    from pyfuncs.gpu_curves import MODELS as SPECS

    for model in MODELS:
        today = SPECS[model].reference_age
        low, base, high = (
            pyfuncs.gpu_curve(model, 61, "rent", s, age_years=today)
            for s in ("low", "base", "high")
        )
        assert low[0] == base[0] == high[0]
        assert np.all(low[1:] < base[1:]) and np.all(base[1:] < high[1:])
        if today >= 1:
            past = [pyfuncs.gpu_curve(model, 12, "rent", s) for s in ("low", "base", "high")]
            np.testing.assert_array_equal(past[0], past[1])
            np.testing.assert_array_equal(past[2], past[1])
    ages = np.linspace(0.1, 10, 50)
    values = [pyfuncs.residual_value("H100", ages, s) for s in ("low", "base", "high")]
    assert np.all(values[0] < values[1]) and np.all(values[1] < values[2])


def test_bad_inputs_are_one_line_errors():
    assert call("GPU_CURVE", "H900", 12).code == "#VALUE!"
    assert call("GPU_CURVE", "H100", 12, "price").code == "#VALUE!"
    assert call("GPU_CURVE", "H100", 12, "rent", "worst").code == "#VALUE!"
    assert call("GPU_CURVE", "H100", 12, "rent", "base", 12, -1).code == "#NUM!"
    assert call("RESIDUAL_VALUE", "H100", -1).code == "#NUM!"
    spilled = call("GPU_CURVE", "b200", 3, "VALUE")
    assert len(spilled) == 3 and spilled[0] == [1.0]
