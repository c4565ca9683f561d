"""Fire-sale discount, recovery and LGD against the formulas written out by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

import pyfuncs
from pyfuncs import call


def test_firesale_discount_square_root_law():
    # v2: 0.09 + min(0.6, 0.7 * 0.5 * sqrt(1/12) * sqrt(1000/4000)) = 0.09 + 0.0505
    monthly_sigma = 0.5 / math.sqrt(12)
    assert float(pyfuncs.firesale_discount(1000, 4000)) == pytest.approx(
        0.09 + 0.7 * monthly_sigma * 0.5
    )
    # The cap binds for a sale of 100x monthly volume: 0.7*0.144*10 = 1.01 > 0.6
    assert float(pyfuncs.firesale_discount(100_000, 1000)) == pytest.approx(0.69)
    assert call("FIRESALE_DISCOUNT", 10, 0).code == "#DIV/0!"


def test_firesale_discount_v2_closed_form_for_the_issue_case():
    # 10,000 units into 5,000 a month, annual sigma 0.5 scaled to one month (docs/domain.md section 10):
    # 0.09 + 0.7 * 0.5 * sqrt(1/12) * sqrt(10000/5000) = 0.09 + 0.142887 = 0.232887
    expected = 0.09 + 0.7 * 0.5 * math.sqrt(1 / 12) * math.sqrt(10_000 / 5_000)
    assert float(pyfuncs.firesale_discount(10_000, 5_000)) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.233, abs=5e-4)
    assert call("GPU.FIRESALE_DISCOUNT", 10_000, 5_000) == pytest.approx(expected)


def _even_sale_factor(months, decay):
    # time-average of (1-decay)^(m/12) over m in [0, months], integrated by hand
    return (1 - (1 - decay) ** (months / 12)) / (-(months / 12) * math.log(1 - decay))


def test_value_decline_while_selling_by_hand():
    from pyfuncs.recovery import sale_value_factor

    # 6 months at -30%/yr: (1 - 0.7^0.5)/(-0.5 ln 0.7) = 0.16334/0.17834 = 0.9159
    assert float(sale_value_factor(6, 0.30)) == pytest.approx(0.91590, abs=5e-5)
    # a fine Riemann sum of monthly-ish tranches converges to the same average
    m = (np.arange(600_000) + 0.5) / 600_000 * 6
    assert float(sale_value_factor(6, 0.30)) == pytest.approx(np.mean(0.7 ** (m / 12)), rel=1e-9)
    assert float(sale_value_factor(0, 0.30)) == 1.0
    assert float(sale_value_factor(6, 0.0)) == 1.0
    assert float(sale_value_factor(12, -0.40)) == pytest.approx(0.4 / math.log(1.4))


def test_firesale_recovery_formula():
    uv, q, v, lag, g, s, c, months, carry = 20_000.0, 2_000, 8_000, 1, 0.25, 0.7, 500.0, 6, 40.0
    d = 0.09 + min(0.6, 0.7 * 0.5 * math.sqrt(1 / 12) * math.sqrt(q / v))
    f = _even_sale_factor(months, 0.30)
    expected = q * (uv * (1 - g) ** lag * f * (1 - d) * s - c - carry * months)
    got = pyfuncs.firesale_recovery(uv, q, v, lag, g, s, c, months, carry)
    assert float(got) == pytest.approx(expected)
    f_fast = _even_sale_factor(months, 0.10)
    slower = q * (uv * (1 - g) ** lag * f_fast * (1 - d) * s - c - carry * months)
    got = pyfuncs.firesale_recovery(uv, q, v, lag, g, s, c, months, carry, annual_decay=0.10)
    assert float(got) == pytest.approx(slower)


def test_selling_slowly_costs_value_and_carry_but_leaves_impact_alone():
    months = np.array([0.0, 3.0, 6.0, 9.0])
    got = pyfuncs.firesale_recovery(20_000.0, 10_000, 5_000, months_to_sell=months)
    d = 0.09 + 0.7 * 0.5 * math.sqrt(1 / 12) * math.sqrt(2)
    expected = [
        10_000 * 20_000 * (1 - d) * 0.7 * (_even_sale_factor(m, 0.3) if m else 1.0) for m in months
    ]
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert np.all(np.diff(got) < 0)


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
    assert len(rows) == 10
    assert rows[3][0] == "Value decline while selling"
    # 6 months at the default -30%/yr lose (1 - f) of the gross value (no generation lag here)
    after_generation = 20_000 * 10_000
    assert rows[3][1] == pytest.approx(-after_generation * (1 - _even_sale_factor(6, 0.30)))
    # annual_decay follows headers in Excel, so a v1 call ending in TRUE keeps its header row
    args = [20_000, 10_000, 2_000] + [None] * 9
    no_decline = call("RECOVERY_WATERFALL", *args, True, 0.0)
    assert no_decline[0] == ["item", "amount"] and no_decline[3][1] == 0.0


def test_lgd_by_hand():
    # 1 - 60/(1.1)^(6/12)/100
    assert float(pyfuncs.lgd(100.0, 60.0)) == pytest.approx(1 - 60 / 1.1**0.5 / 100)
    assert float(pyfuncs.lgd(100.0, 150.0, 0)) == 0.0
    assert call("LGD", 0, 10).code == "#DIV/0!"


def test_more_units_never_raise_the_recovery_rate():
    units = np.array([100, 1_000, 5_000, 20_000, 100_000])
    rate = pyfuncs.firesale_recovery(20_000.0, units, 3_000) / (units * 20_000.0)
    assert np.all(np.diff(rate) <= 1e-15)
