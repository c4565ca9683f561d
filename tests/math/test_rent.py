"""Rent curves, implied decline, opex, revenue and breakeven: closed forms and docs/domain.md figures."""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest

import pyfuncs
from pyfuncs import call


def test_rent_curve_closed_form_with_generations_and_floor():
    rent0, d, g, floor = 2.35, 0.28, 0.25, 0.9
    releases = [7, 13]
    got = pyfuncs.rent_curve(rent0, 24, d, 12, releases, g, floor)
    for t in range(1, 25):
        k = sum(1 for r in releases if r <= t)
        expected = max(floor, rent0 * (1 - d) ** ((t - 1) / 12) * (1 - g) ** k)
        assert got[t - 1] == pytest.approx(expected, rel=1e-14)


def test_rent_after_one_year_is_one_minus_decline():
    curve = pyfuncs.rent_curve(2.0, 13, 0.28)
    assert curve[12] == pytest.approx(2.0 * 0.72)
    assert curve[0] == 2.0


def test_rebound_scenario_rises():
    curve = pyfuncs.rent_curve(2.0, 13, -0.40)  # docs/domain.md's +40% rebound
    assert curve[12] == pytest.approx(2.8)


def test_rent_curve_broadcasts_paths():
    paths = pyfuncs.rent_curve(np.array([1.0, 2.0]), 5, np.array([0.1, 0.3]))
    assert paths.shape == (2, 5)
    np.testing.assert_allclose(paths[1], pyfuncs.rent_curve(2.0, 5, 0.3))


def test_implied_decline_cited_reserved_prices():
    # docs/domain.md section 1 [10]: 1-yr $7.20 vs 3-yr $5.40, ratio 0.75 -> x^2 + x + 1 = 2.25
    x = (-1 + math.sqrt(1 - 4 * (1 - 2.25))) / 2
    assert float(pyfuncs.implied_decline(7.20, 5.40, 3)) == pytest.approx(1 - x, rel=1e-12)
    assert float(pyfuncs.implied_decline(7.20, 5.40, 3)) == pytest.approx(0.28, abs=0.005)


def test_implied_decline_two_years_closed_form_and_rising_rents():
    # (1 + x)/2 = r  ->  x = 2r - 1
    assert float(pyfuncs.implied_decline(2.0, 1.8, 2)) == pytest.approx(1 - (2 * 0.9 - 1))
    assert float(pyfuncs.implied_decline(2.0, 2.2, 2)) == pytest.approx(-0.2)


def test_implied_decline_out_of_domain():
    assert call("IMPLIED_DECLINE", 3.0, 0.9, 3).code == "#NUM!"  # below rent_1y/3
    assert call("IMPLIED_DECLINE", 3.0, 2.0, 1).code == "#NUM!"


def test_opex_hour_by_hand():
    # 1.275 kW * 1.3 * $0.08 + 1.275 kW * $200 / 730 h
    expected = 1.275 * 1.3 * 0.08 + 1.275 * 200 / 730
    assert float(pyfuncs.opex_hour(colo_kw_month=200)) == pytest.approx(expected)
    assert call("OPEX_HOUR") == pytest.approx(1.275 * 1.3 * 0.08)
    assert call("OPEX_HOUR", 1.0, 0.9).code == "#NUM!"


def test_revenue_and_cash_yield_by_hand():
    assert float(pyfuncs.revenue(2.0, 1000, 0.95, 12)) == pytest.approx(2.0 * 1000 * 0.95 * 730)
    assert call("REVENUE", [[2.0, 1.0]], 10) == [[pytest.approx(13870.0), pytest.approx(6935.0)]]
    assert float(pyfuncs.cash_yield(2.0, 0.9, 0.5, 50_000)) == pytest.approx(
        (2.0 * 0.9 - 0.5) * 8760 / 50_000
    )
    assert call("CASH_YIELD", 2.0, 0.9, 0.5, 0).code == "#DIV/0!"


@pytest.mark.parametrize(
    ("target", "colo_on_facility_kw", "expected"),
    [(1.0, False, 2.25), (1.3, False, 2.77), (1.0, True, 2.37), (1.3, True, 2.88)],
)
def test_breakeven_rent_domain_check(target, colo_on_facility_kw, expected):
    # docs/domain.md section 1 check: $50k, 11%, 5-yr level annual, 1.275 kW, PUE 1.3, $0.08/kWh,
    # $200/kW-month, 90% utilisation -> $2.25 / $2.77 (colo on IT kW), $2.37 / $2.88 (on facility kW)
    colo = 200 * 1.3 if colo_on_facility_kw else 200
    opex = pyfuncs.opex_hour(1.275, 1.3, 0.08, colo)
    got = float(pyfuncs.breakeven_rent(50_000, 0.11, 5, 0.9, opex, target, 1))
    assert round(got, 2) == expected


def test_breakeven_rent_formula_against_npf():
    ds = 12 * float(npf.pmt(0.09 / 12, 48, -40_000))
    expected = (1.2 * ds / 8760 + 0.4) / 0.8
    assert float(pyfuncs.breakeven_rent(40_000, 0.09, 4, 0.8, 0.4, 1.2)) == pytest.approx(expected)
    assert call("BREAKEVEN_RENT", 40_000, 0.09, 4, 0).code == "#DIV/0!"
