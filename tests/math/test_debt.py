"""Debt schedules against numpy-financial, LibreOffice's IPMT/PPMT/NPV, and closed forms."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

import pyfuncs
from pyfuncs import call


@pytest.mark.parametrize(
    ("principal", "annual_rate", "years", "per_year", "balloon"),
    [
        (350e6, 0.11, 5, 12, 0.0),  # the demo deal: CoreWeave DDTL 2.0 rate [39]
        (1_000.0, 0.15, 3, 4, 0.0),  # DDTL 1.0 rate, quarterly
        (5_000.0, 0.0625, 2.5, 12, 1_000.0),  # a balloon
        (200.0, -0.01, 1, 12, 0.0),  # negative rate
    ],
)
def test_annuity_matches_numpy_financial(principal, annual_rate, years, per_year, balloon):
    s = pyfuncs.debt_schedule(principal, annual_rate, years, per_year, "annuity", balloon)
    n = round(years * per_year)
    t = np.arange(1, n + 1)
    rate = annual_rate / per_year
    expected_interest = -npf.ipmt(rate, t, n, principal, -balloon)
    expected_principal = -npf.ppmt(rate, t, n, principal, -balloon)
    expected_principal[-1] += balloon  # the balloon is repaid in the last period
    np.testing.assert_allclose(s.interest, expected_interest, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(s.principal, expected_principal, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(s.closing[-1], 0.0, atol=1e-6 * principal)
    np.testing.assert_allclose(s.opening[1:], s.closing[:-1])


def test_annuity_matches_libreoffice_ipmt_ppmt(libreoffice):
    principal, annual_rate, per_year, years, balloon = 120_000.0, 0.09, 12, 4, 20_000.0
    n = years * per_year
    rows = [
        [
            f"=-IPMT({annual_rate}/{per_year},{t},{n},{principal},{-balloon})",
            f"=-PPMT({annual_rate}/{per_year},{t},{n},{principal},{-balloon})",
            f"=-PMT({annual_rate}/{per_year},{n},{principal},{-balloon})",
        ]
        for t in range(1, n + 1)
    ]
    lo = np.array(libreoffice.evaluate(rows), dtype=float)
    s = pyfuncs.debt_schedule(principal, annual_rate, years, per_year, "annuity", balloon)
    np.testing.assert_allclose(s.interest, lo[:, 0], rtol=1e-9)
    np.testing.assert_allclose(s.principal[:-1], lo[:-1, 1], rtol=1e-9)
    np.testing.assert_allclose(s.principal[-1], lo[-1, 1] + balloon, rtol=1e-9)
    np.testing.assert_allclose(s.debt_service[:-1], lo[:-1, 2], rtol=1e-9)


def test_linear_and_bullet_closed_forms():
    p, r, n = 1_200.0, 0.12, 12
    lin = pyfuncs.debt_schedule(p, r, 1, 12, "linear")
    np.testing.assert_allclose(lin.principal, np.full(n, p / n))
    # opening_t = P - (t-1)*P/n; interest_t = opening_t * r/12
    opening = p - np.arange(n) * p / n
    np.testing.assert_allclose(lin.interest, opening * 0.01)
    bullet = pyfuncs.debt_schedule(p, r, 1, 12, "bullet")
    np.testing.assert_allclose(bullet.interest, np.full(n, 12.0))
    np.testing.assert_allclose(bullet.principal, [0.0] * (n - 1) + [p])
    np.testing.assert_allclose(bullet.closing[-1], 0.0)


def test_linear_balloon_leaves_balloon_for_the_last_period():
    s = pyfuncs.debt_schedule(1_000.0, 0.10, 1, 4, "linear", 200.0)
    np.testing.assert_allclose(s.principal, [200.0, 200.0, 200.0, 400.0])


def test_floating_path_reamortises_each_period():
    sofr = np.array(
        [0.043, 0.041, 0.039, 0.035, 0.033, 0.030, 0.030, 0.031, 0.032, 0.033, 0.034, 0.035]
    )
    rates = pyfuncs.floating_rate(sofr, 0.0625)  # DDTL 2.0: SOFR + 6.25%, 0% floor [41]
    s = pyfuncs.debt_schedule(1e6, rates, 1, 12)
    n = 12
    for t in range(n):
        i = rates[t] / 12
        assert s.interest[t] == pytest.approx(s.opening[t] * i, rel=1e-12)
        assert s.debt_service[t] == pytest.approx(
            float(npf.pmt(i, n - t, -s.opening[t])), rel=1e-10
        )
    assert s.closing[-1] == pytest.approx(0.0, abs=1e-6)


def test_constant_rate_path_equals_fixed_rate():
    fixed = pyfuncs.debt_schedule(1e6, 0.08, 2, 12)
    path = pyfuncs.debt_schedule(1e6, np.full(24, 0.08), 2, 12)
    np.testing.assert_allclose(path.debt_service, fixed.debt_service, rtol=1e-12)


def test_many_loans_in_one_call_match_one_by_one():
    principals = np.array([1e5, 2e5, 3e5])
    rates = np.array([[0.05], [0.08], [0.12]])  # one rate per loan, periods on the last axis
    many = pyfuncs.debt_schedule(principals, rates, 3, 12)
    for k in range(3):
        one = pyfuncs.debt_schedule(principals[k], rates[k, 0], 3, 12)
        np.testing.assert_allclose(many.principal[k], one.principal, rtol=1e-12)


def test_floating_rate_floor():
    np.testing.assert_allclose(pyfuncs.floating_rate([-0.01, 0.02], 0.05, 0.0), [0.05, 0.07])
    [[low], [high]] = call("FLOATING_RATE", [[-0.002], [0.04]], 0.0625, 0.0)
    assert low == pytest.approx(0.0625) and high == pytest.approx(0.1025)


def test_sculpted_debt_holds_target_and_repays_fully(libreoffice):
    cfads = [120.0, 118.0, 90.0, 80.0, 60.0, 55.0, 40.0, 30.0]
    target, rate, per_year = 1.30, 0.09, 4
    s = pyfuncs.sculpted_debt(cfads, target, rate, per_year)
    np.testing.assert_allclose(np.asarray(cfads) / s.debt_service, target, rtol=1e-12)
    np.testing.assert_allclose(s.interest, s.opening * rate / per_year, rtol=1e-12)
    assert s.closing[-1] == pytest.approx(0.0, abs=1e-9)
    capacity = float(pyfuncs.debt_capacity(cfads, target, rate, per_year))
    assert s.opening[0] == pytest.approx(capacity, rel=1e-12)
    # Excel's NPV discounts the first value one period; numpy-financial's npv does not.
    assert capacity == pytest.approx(
        npf.npv(rate / per_year, [0.0, *(np.asarray(cfads) / target)]), rel=1e-12
    )
    cells = ",".join(str(c) for c in cfads)
    [[lo_npv]] = libreoffice.evaluate([[f"=NPV({rate}/{per_year},{cells})/{target}"]])
    assert capacity == pytest.approx(lo_npv, rel=1e-9)


def test_debt_capacity_with_a_rate_path_discounts_period_by_period():
    cfads, rates = [100.0, 100.0], [0.12, 0.24]
    # 100/1.01 + 100/(1.01*1.02), by hand
    expected = 100 / 1.01 + 100 / (1.01 * 1.02)
    assert float(pyfuncs.debt_capacity(cfads, 1.0, rates, 12)) == pytest.approx(expected, rel=1e-12)


def test_wal_closed_forms():
    # A bullet repays everything at the end: WAL = tenor.
    assert float(pyfuncs.wal([0.0] * 59 + [100.0], 12)) == pytest.approx(5.0)
    # Equal instalments over n periods: WAL = (n+1)/(2*per_year).
    assert float(pyfuncs.wal([10.0] * 20, 4)) == pytest.approx(21 / 8)
    # An annuity: sum(t * PPMT_t) / P from numpy-financial.
    t = np.arange(1, 61)
    ppmt = -npf.ppmt(0.11 / 12, t, 60, 1000.0)
    s = pyfuncs.debt_schedule(1000.0, 0.11, 5, 12)
    expected = float(np.sum(t / 12 * ppmt) / 1000.0)
    assert float(pyfuncs.wal(s.principal, 12)) == pytest.approx(expected, rel=1e-10)


def test_schedule_through_call_has_headers_and_rows():
    rows = call("GPU.DEBT_SCHEDULE", 1000, 0.12, 0.25, 12, "ANNUITY", None, True)
    assert rows[0] == ["period", "opening", "interest", "principal", "debt_service", "closing"]
    assert [r[0] for r in rows[1:]] == [1.0, 2.0, 3.0]
    assert rows[1][2] == pytest.approx(10.0)  # 1% of 1000
    pmt = float(npf.pmt(0.01, 3, -1000))
    assert all(r[4] == pytest.approx(pmt) for r in rows[1:])


def test_rate_path_of_wrong_length_is_value_error():
    err = call("DEBT_SCHEDULE", 1000, [[0.1], [0.1], [0.1]], 1, 12)
    assert err.code == "#VALUE!" and "12" in err.reason


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((1000, 0.1, 1.05, 12), "#NUM!"),  # 12.6 periods
        ((1000, 0.1, 1, 12, "balloon"), "#VALUE!"),
        ((1000, 0.1, 1, 12, "annuity", 2000), "#NUM!"),
        ((-5, 0.1, 1, 12), "#NUM!"),
        ((1000, -12.5, 1, 12), "#NUM!"),
        ((1000, 0.1, 1, 0), "#NUM!"),
        ((1000, 0.1, 1, 12, "bullet", 10), "#NUM!"),
    ],
)
def test_bad_schedules(args, code):
    assert call("DEBT_SCHEDULE", *args).code == code


def test_sculpting_rejects_negative_cfads_and_zero_target():
    assert call("SCULPTED_DEBT", [[10], [-1]], 1.3, 0.1).code == "#NUM!"
    assert call("DEBT_CAPACITY", [[10], [5]], 0, 0.1).code == "#NUM!"
    assert call("WAL", [[0], [0]]).code == "#DIV/0!"
