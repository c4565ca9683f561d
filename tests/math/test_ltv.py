"""LTV and depreciation-adjusted LTV against hand calculations."""

from __future__ import annotations

import pytest

import pyfuncs
from pyfuncs import call


def test_ltv_and_adjusted_ltv():
    assert float(pyfuncs.ltv(70.0, 100.0)) == pytest.approx(0.7)
    # $35k of debt on a $50k GPU, 2 years old, one generation behind: 35/(50*0.7^2*0.75)
    assert float(pyfuncs.adj_ltv(35_000, 50_000, 2, 0.30, 1)) == pytest.approx(
        35 / (50 * 0.49 * 0.75)
    )
    assert call("LTV", [[1], [2]], [[0], [4]]) == [[call("LTV", 1, 0)], [0.5]]
    assert call("LTV", 1, 0).code == "#DIV/0!"
    assert call("ADJ_LTV", 1, 10, 1, 1.0).code == "#NUM!"
