"""Fire-sale discount, recovery and LGD against the formulas written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pyfuncs
from pyfuncs import call


def test_firesale_discount_square_root_law():
    # 0.09 + min(0.6, 0.7 * 0.5 * sqrt(1000/4000)) = 0.09 + 0.175
    assert float(pyfuncs.firesale_discount(1000, 4000)) == pytest.approx(0.265)
    # The cap binds for a sale of 25x monthly volume: 0.7*0.5*5 = 1.75 > 0.6
    assert float(pyfuncs.firesale_discount(25_000, 1000)) == pytest.approx(0.69)
    assert call("FIRESALE_DISCOUNT", 10, 0).code == "#DIV/0!"


def test_firesale_recovery_formula():
    uv, q, v, lag, g, s, c, months, carry = 20_000.0, 2_000, 8_000, 1, 0.25, 0.7, 500.0, 6, 40.0
    d = 0.09 + min(0.6, 0.7 * 0.5 * math.sqrt(q / v))
    expected = q * (uv * (1 - g) ** lag * (1 - d) * s - c - carry * months)
    got = pyfuncs.firesale_recovery(uv, q, v, lag, g, s, c, months, carry)
    assert float(got) == pytest.approx(expected)


def test_recovery_floors_at_zero():
    assert float(pyfuncs.firesale_recovery(100.0, 10, 10, cost_per_unit=1_000.0)) == 0.0


def test_waterfall_steps_sum_to_net():
    w = pyfuncs.recovery_waterfall(20_000, 10_000, 2_000, 1, 0.25, 0.7, 500, 6, 50)
    amounts = w.amount
    assert amounts[0] == pytest.approx(2e8)
    assert amounts[0] + amounts[1:-1].sum() == pytest.approx(amounts[-1])
    assert amounts[-1] == pytest.approx(
        float(pyfuncs.firesale_recovery(20_000, 10_000, 2_000, 1, 0.25, 0.7, 500, 6, 50))
    )
    rows = call(
        "RECOVERY_WATERFALL",
        20_000,
        10_000,
        2_000,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        None,
        True,
    )
    assert rows[0] == ["item", "amount"] and rows[1][0] == "Gross market value"
    assert len(rows) == 9


def test_lgd_by_hand():
    # 1 - 60/(1.1)^(6/12)/100
    assert float(pyfuncs.lgd(100.0, 60.0)) == pytest.approx(1 - 60 / 1.1**0.5 / 100)
    assert float(pyfuncs.lgd(100.0, 150.0, 0)) == 0.0
    assert call("LGD", 0, 10).code == "#DIV/0!"


def test_more_units_never_raise_the_recovery_rate():
    units = np.array([100, 1_000, 5_000, 20_000, 100_000])
    rate = pyfuncs.firesale_recovery(20_000.0, units, 3_000) / (units * 20_000.0)
    assert np.all(np.diff(rate) <= 1e-15)
