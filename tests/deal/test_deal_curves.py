"""The gpu_model deal assumption: the deal's curves from GPU_CURVE, overrides, and the warnings."""

from __future__ import annotations

import numpy as np
import pytest

import pyfuncs
from pyfuncs.deal.engine import deal_curves

DEAL = {"gpus": 1_000, "capex_per_gpu": 40_000, "tenor_years": 3, "site_factor": 1.0}


def test_gpu_model_sets_rent_and_value_from_the_documented_curves():
    a = pyfuncs.parse_assumptions({**DEAL, "gpu_model": "H100"})
    rent, value = deal_curves(a, 36)
    # rent: H100 from its March 2026 age (2.95 years), margin over cash cost -28% a year
    cost = 1.275 * (1.3 * 0.08 + 200 / 730)
    t = np.arange(36)
    np.testing.assert_allclose(rent, cost + (2.35 - cost) * 0.72 ** (t / 12), rtol=1e-12)
    # value at the end of each month, a new fleet: 40,000 x (f + (1-f) x^age), bands' midpoints
    f = 0.034375 / 0.175
    x = (0.625 - f) / (1 - f)
    np.testing.assert_allclose(value, 40_000 * (f + (1 - f) * x ** ((t + 1) / 12)), rtol=1e-12)
    assert value[11] / 40_000 == pytest.approx(0.625)  # one year old: inside 60-65%


def test_explicit_rent0_and_market_decay_still_override():
    a = pyfuncs.parse_assumptions({**DEAL, "gpu_model": "H100", "rent0": 3.0, "market_decay": 0.3})
    rent, value = deal_curves(a, 13)
    assert rent[12] == pytest.approx(3.0 * 0.72)  # RENT_CURVE with the default -28%/yr
    assert value[11] == pytest.approx(40_000 * 0.7)  # MARKET_VALUE at -30%/yr, one year on
    # a re-parse with an override keeps knowing what the user set
    again = pyfuncs.parse_assumptions(a, utilization=0.9)
    np.testing.assert_allclose(deal_curves(again, 13)[0], rent)


def test_steps_on_an_all_in_decline_are_ignored_with_a_warning():
    stepped = {**DEAL, "gen_periods": "13;25", "gen_step": 0.25, "rent_gen_step": 0.25}
    a = pyfuncs.parse_assumptions(stepped)
    assert len(a.curve_warnings) == 1 and "all-in" in a.curve_warnings[0]
    rent, value = deal_curves(a, 37)
    assert rent[36] == pytest.approx(2.35 * 0.72**3)  # no step: -28%/yr all-in
    assert value[35] == pytest.approx(40_000 * 0.7**3)
    schedule = pyfuncs.deal_schedule(stepped)
    assert schedule.warnings == a.curve_warnings
    # the analyst who means a within-generation decline gets the steps and no warning
    b = pyfuncs.parse_assumptions({**stepped, "decline_basis": "within_generation"})
    assert b.curve_warnings == ()
    rent_b, _ = deal_curves(b, 37)
    assert rent_b[36] == pytest.approx(2.35 * 0.72**3 * 0.75**2)
    model = pyfuncs.parse_assumptions({**stepped, "gpu_model": "B200"})
    assert "B200" in model.curve_warnings[0]


def test_h100_deal_residuals_lie_in_the_published_bands():
    a = pyfuncs.parse_assumptions({**DEAL, "gpu_model": "H100", "tenor_years": 4})
    _, value = deal_curves(a, 48)
    bands = {1: (0.60, 0.65), 2: (0.40, 0.45), 3: (0.25, 0.35)}
    for years, (low, high) in bands.items():
        assert low <= value[12 * years - 1] / 40_000 <= high
