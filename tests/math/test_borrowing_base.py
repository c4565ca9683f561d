"""BORROWING_BASE against a hand calculation of both legs."""

from __future__ import annotations

import numpy as np
import pytest

import pyfuncs
from pyfuncs import call


def test_borrowing_base_by_hand():
    # Three months of $100 contracted cash, 12%/yr -> 1% a month, 80% advance on the contracts,
    # 50% on GPUs worth 1,000 / 250 / 150 at the start of each month.
    # Contract PV at the start of each month (cash at month ends):
    #   month 3: 100/1.01                     =  99.00990
    #   month 2: 100/1.01 + 100/1.01^2        = 197.03951
    #   month 1: 100/1.01 + ... + 100/1.01^3  = 294.09852
    pv = [100 / 1.01 + 100 / 1.01**2 + 100 / 1.01**3, 100 / 1.01 + 100 / 1.01**2, 100 / 1.01]
    contract_leg = [0.8 * x for x in pv]  # 235.279, 157.632, 79.208
    collateral_leg = [500.0, 125.0, 75.0]
    expected = [235.27881658, 125.0, 75.0]  # month 1 the contracts govern, then the GPUs
    assert expected == pytest.approx(
        [min(a, b) for a, b in zip(contract_leg, collateral_leg, strict=True)]
    )
    got = pyfuncs.borrowing_base([100, 100, 100], 0.12, 0.8, [1000, 250, 150], 0.5)
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_borrowing_base_quarterly_and_one_collateral_value():
    # quarterly: 8%/yr -> 2% a quarter; one collateral value for every period
    got = pyfuncs.borrowing_base([50.0, 50.0], 0.08, 1.0, 60.0, 0.75, per_year=4)
    assert got[0] == pytest.approx(min(50 / 1.02 + 50 / 1.02**2, 45.0))
    assert got[1] == pytest.approx(min(50 / 1.02, 45.0))
    spilled = call("GPU.BORROWING_BASE", [[50.0], [50.0]], 0.08, 1.0, 60.0, 0.75, 4)
    assert [row[0] for row in spilled] == pytest.approx(list(got))


def test_no_contracts_no_borrowing_base():
    got = pyfuncs.borrowing_base([0.0, 0.0, 0.0], 0.1, 0.9, 1_000.0, 0.7)
    np.testing.assert_array_equal(got, 0.0)


def test_bad_inputs_are_one_line_errors():
    assert call("BORROWING_BASE", [[1.0], [2.0]], 0.1, 1.2, 10.0, 0.5).code == "#NUM!"
    assert call("BORROWING_BASE", [[1.0], [2.0]], 0.1, 0.8, [[1.0], [2.0], [3.0]], 0.5).code == (
        "#VALUE!"
    )
    assert call("BORROWING_BASE", [[1.0], [-2.0]], 0.1, 0.8, 10.0, 0.5).code == "#NUM!"
