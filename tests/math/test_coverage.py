"""Coverage ratios and covenant tests: closed forms, LibreOffice's NPV, hand calculations."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

import pyfuncs
from pyfuncs import call


def test_dscr_element_by_element_with_one_bad_period():
    out = call("DSCR", [[130.0], [90.0], [50.0]], [[100.0], [100.0], [0.0]])
    assert out[0][0] == pytest.approx(1.3) and out[1][0] == pytest.approx(0.9)
    assert out[2][0].code == "#DIV/0!"


def test_llcr_matches_libreoffice_npv(libreoffice):
    cfads = [30.0, 32.0, 28.0, 35.0, 31.0, 29.0]
    debt, rate, per_year = 120.0, 0.08, 4
    [[lo]] = libreoffice.evaluate([[f"=NPV({rate}/{per_year},{','.join(map(str, cfads))})/{debt}"]])
    assert float(pyfuncs.llcr(cfads, debt, rate, per_year)) == pytest.approx(lo, rel=1e-9)
    assert float(pyfuncs.plcr([*cfads, 20.0, 20.0], debt, rate, per_year)) > lo


def test_covenant_status_levels():
    out = call("COVENANT_STATUS", [[1.25, 1.10, 1.09, 1.0, 0.99]])
    assert out == [["OK", "OK", "LOCKUP", "LOCKUP", "DEFAULT"]]
    assert call("COVENANT_STATUS", 1.2, 1.0, 1.1).code == "#NUM!"  # lockup below default


def test_breach_period():
    assert call("BREACH_PERIOD", [[1.5], [1.2], [1.09], [0.8]]) == 3.0
    assert call("BREACH_PERIOD", [[1.5, 1.4]]).code == "#N/A"
    assert call("BREACH_PERIOD", [[1.5, 1.4]], 1.45) == 2.0


def _min_dscr(rent0, decline, capex, annual_rate, years, util, opex, per_year):
    """Minimum DSCR of a level-annuity loan, written out independently of the library."""
    n = years * per_year
    payment = float(npf.pmt(annual_rate / per_year, n, -capex))
    t = np.arange(1, n + 1)
    rent = rent0 * (1 - decline) ** ((t - 1) / per_year)
    cfads = (rent * util - opex) * 8760 / per_year
    return float(np.min(cfads / payment))


def test_decline_to_breach_makes_minimum_dscr_equal_covenant():
    args = dict(capex=35_000, annual_rate=0.11, years=5, util=0.95, opex=0.48, per_year=12)
    d = float(pyfuncs.decline_to_breach(2.85, 35_000, 0.11, 5, 0.95, 0.48, 1.10, 12))
    assert 0 < d < 1
    assert _min_dscr(2.85, d, **args) == pytest.approx(1.10, rel=1e-10)
    assert _min_dscr(2.85, d + 0.01, **args) < 1.10 < _min_dscr(2.85, d - 0.01, **args)


def test_decline_to_breach_when_flat_rents_already_breach():
    err = call("DECLINE_TO_BREACH", 1.0, 50_000, 0.11, 5)
    assert err.code == "#NUM!" and "flat rents" in err.reason


def test_duration_gap_of_zero_coupon_flows_is_the_gap_in_maturities():
    # A single cash flow at period t has Macaulay duration t/per_year.
    asset = [0.0] * 47 + [100.0]
    debt = [0.0] * 23 + [80.0]
    assert float(pyfuncs.duration_gap(asset, debt, 0.1, 12)) == pytest.approx(4.0 - 2.0)


def test_duration_of_level_annuity_closed_form():
    # Macaulay duration of a level annuity: (1+i)/i - n/((1+i)^n - 1), in periods.
    i, n = 0.01, 36
    closed = ((1 + i) / i - n / ((1 + i) ** n - 1)) / 12
    flows = [1.0] * n
    gap = float(pyfuncs.duration_gap(flows, [0.0] * (n - 1) + [1.0], 0.12, 12))
    assert gap == pytest.approx(closed - n / 12, rel=1e-12)


def test_zero_pv_duration_is_div0():
    assert call("DURATION_GAP", [[0], [0]], [[1], [1]], 0.1).code == "#DIV/0!"
    assert call("LLCR", [[1], [2]], 0, 0.1).code == "#DIV/0!"
