"""Spreads, hazard rates and default probabilities against the credit triangle and cited CDS levels."""

from __future__ import annotations

import math

import pytest

import pyfuncs
from pyfuncs import call


def test_coreweave_cds_figures():
    # docs/domain.md section 8 [45]: 675 bp, R = 35% -> lambda 10.4%/yr, 5-yr PD ~40%.
    hazard = float(pyfuncs.hazard_rate(0.0675, 0.35))
    assert hazard == pytest.approx(0.0675 / 0.65)
    assert round(hazard, 3) == 0.104
    assert float(pyfuncs.cumulative_pd(hazard, 5)) == pytest.approx(1 - math.exp(-5 * hazard))
    assert float(pyfuncs.cumulative_pd(hazard, 5)) == pytest.approx(0.40, abs=0.01)  # "~40%"
    # Oracle 108 bp -> 1.7% [45]
    assert round(float(pyfuncs.hazard_rate(0.0108, 0.35)), 3) == 0.017


def test_fair_and_repriced_spread():
    assert float(pyfuncs.fair_spread(0.05, 0.6, 2)) == pytest.approx(-math.log(0.95) * 0.6 * 2)
    # Doubling the LGD at the same PD doubles the spread.
    assert float(pyfuncs.repriced_spread(0.0675, 0.1, 0.3, 0.1, 0.6)) == pytest.approx(0.135)
    assert call("REPRICED_SPREAD", 0.05, 0, 0.5, 0.1, 0.5).code == "#DIV/0!"
    assert call("FAIR_SPREAD", 1.0, 0.5).code == "#NUM!"
