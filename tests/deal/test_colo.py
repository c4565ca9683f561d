"""Colocation leases (powered shells to an AI tenant) against hand calculations."""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.colo import delivered_mw, lease_cash, residual_value, shell_values
from pyfuncs.deal.engine import run_deal
from pyfuncs.deal.stress import joint_stress
from pyfuncs.errors import DomainError

#: A small campus: 10 MW in month 1 and 5 MW in month 3 at $100/kW-month, +5% a year.
SMALL = {
    "gpus": 0,
    "colo_mw": "10;5",
    "colo_delivery_periods": "1;3",
    "colo_lease_rate": 100.0,
    "colo_escalator": 0.05,
    "colo_lease_years": 3,
    "colo_opex_kw_month": 10.0,
    "colo_cap_rate": 0.08,
    "colo_build_cost_per_mw": 6e6,
    "debt_principal": 25e6,
    "annual_rate": 0.06,
    "tenor_years": 3,
    "dsra_months": 0,
}


def test_lease_revenue_by_hand_with_delivery_schedule_and_escalator():
    a = parse_assumptions(SMALL)
    revenue, opex = lease_cash(a, 36)
    # months 1-2: 10 MW x 1,000 kW x $100; month 3 on: 15 MW; year 2: x 1.05; year 3: x 1.05^2
    assert revenue[0] == pytest.approx(10 * 1_000 * 100)
    assert revenue[1] == pytest.approx(1_000_000)
    assert revenue[2] == pytest.approx(15 * 1_000 * 100)
    assert revenue[11] == pytest.approx(1_500_000)
    assert revenue[12] == pytest.approx(15_000 * 105)
    assert revenue[24] == pytest.approx(15_000 * 110.25)
    assert opex[0] == pytest.approx(10_000 * 10) and opex[2] == pytest.approx(15_000 * 10)


def test_the_engine_carries_the_lease_into_revenue_cfads_and_dscr():
    s = run_deal(SMALL)
    revenue = np.asarray(s.revenue).ravel()
    assert revenue[0] == pytest.approx(1_000_000) and revenue[12] == pytest.approx(1_575_000)
    cfads = np.asarray(s.cfads).ravel()
    assert cfads[12] == pytest.approx(15_000 * (105 - 10))
    # a level annuity: Excel's PMT(6%/12, 36, -30e6)
    payment = -npf.pmt(0.06 / 12, 36, 25e6)
    assert np.asarray(s.debt_service).ravel()[0] == pytest.approx(payment)
    assert np.asarray(s.dscr).ravel()[12] == pytest.approx(15_000 * 95 / payment)


def test_a_delivery_delay_shifts_every_tranche():
    a = parse_assumptions(SMALL, colo_delay_months=2)
    np.testing.assert_allclose(delivered_mw(a, 6), [0, 0, 10, 10, 15, 15])
    revenue, _ = lease_cash(a, 6)
    np.testing.assert_allclose(revenue, [0, 0, 1e6, 1e6, 1.5e6, 1.5e6])
    quarterly = parse_assumptions(SMALL, per_year=4, colo_delay_months=3)
    # delivery periods are the schedule's periods: quarters 1 and 3, each one quarter late;
    # a quarter is 3 months of rent
    np.testing.assert_allclose(lease_cash(quarterly, 4)[0], [0, 3e6, 3e6, 15_000 * 300])


def test_cap_rate_residual_is_final_year_noi_over_the_cap_rate():
    a = parse_assumptions(SMALL)
    # lease year 3 rate $100 x 1.05^2 = $110.25; NOI = 15 MW x 1,000 x (110.25 - 10) x 12
    noi = 15 * 1_000 * (110.25 - 10) * 12
    assert residual_value(a) == pytest.approx(noi / 0.08)
    assert residual_value(a) == pytest.approx(225_562_500.0)


def test_shell_values_book_cap_rate_and_distressed():
    # a forced sale with no market impact, no time to sell, no costs: only the two discounts
    a = parse_assumptions(
        SMALL,
        book_life_years=10,
        release_haircut=0.2,
        base_discount=0.1,
        volatility=0,
        months_to_sell=0,
        site_factor=1,
    )
    book, value, distressed = shell_values(a, 36)
    cost = 15 * 6e6
    assert book[0] == pytest.approx(cost - cost / 120)  # straight line, end of month 1
    # after month 12 the next month's rate is year 2's: $105
    assert value[11] == pytest.approx(15_000 * (105 - 10) * 12 / 0.08)
    assert value[0] == pytest.approx(15_000 * 90 * 12 / 0.08)
    assert distressed[0] == pytest.approx(value[0] * 0.8 * 0.9)
    s = run_deal(a)
    assert np.asarray(s.market_value).ravel()[0] == pytest.approx(value[0])
    assert np.asarray(s.book_value).ravel()[0] == pytest.approx(book[0])
    # one campus into a market of one a month: square-root impact 0.7 x 0.5 x sqrt(1/12)
    sold = parse_assumptions(a, volatility=0.5, impact=0.7, monthly_volume=1, cost_per_unit=1e6)
    discount = 0.1 + 0.7 * 0.5 * (1 / 12) ** 0.5
    _, _, forced = shell_values(sold, 36)
    assert forced[0] == pytest.approx(value[0] * 0.8 * (1 - discount) - 1e6)


def test_a_tenant_default_stops_the_rent_then_downtime_then_relet_at_a_haircut():
    a = parse_assumptions(SMALL, releasing_months=2, release_haircut=0.25)
    stop = np.array([5, 10**9])  # path 0: the tenant defaults in month 5; path 1 never
    revenue, _ = lease_cash(a, 9, np.ones((2, 9)), stop)
    full = np.array([1e6, 1e6] + [1.5e6] * 7)
    np.testing.assert_allclose(revenue[1], full)
    expected = full.copy()
    expected[4:6] = 0.0  # months 5 and 6 dark
    expected[6:] = 1.5e6 * 0.75  # re-let at 75%
    np.testing.assert_allclose(revenue[0], expected)
    # the re-let rent follows the path's GPU-rent shock
    shock = np.full((2, 9), 0.5)
    np.testing.assert_allclose(lease_cash(a, 9, shock, stop)[0][0, 6:], 1.5e6 * 0.75 * 0.5)


def test_the_lease_ends_at_its_term_and_the_space_is_relet():
    a = parse_assumptions(SMALL, colo_lease_years=1, horizon_years=3, release_haircut=0.5)
    revenue, _ = lease_cash(a, 14)
    assert revenue[11] == pytest.approx(1.5e6)  # month 12, last of the lease
    assert revenue[12] == pytest.approx(15_000 * 105 * 0.5)  # re-let at once, half the rate


def test_interest_only_then_annuity_after_completion():
    a = parse_assumptions(SMALL, interest_only_years=1, debt_principal=30e6)
    s = run_deal(a)
    ds = np.asarray(s.debt_service).ravel()
    assert ds[0] == pytest.approx(30e6 * 0.06 / 12) and ds[11] == pytest.approx(150_000)
    assert ds[12] == pytest.approx(-npf.pmt(0.06 / 12, 24, 30e6))
    assert np.asarray(s.balance).ravel()[11] == pytest.approx(30e6)
    assert np.asarray(s.balance).ravel()[35] == pytest.approx(0.0, abs=1e-3)


def test_tenant_pd_zero_and_one_bracket_the_loss():
    # thin cover: a tenant default (re-let at half the rate after 6 dark months) breaks the deal,
    # and at a 60% cap rate the shells sell for less than the debt
    deal = {
        **SMALL,
        "colo_cap_rate": 0.6,
        "colo_escalator": 0.0,
        "debt_principal": 40e6,
        "releasing_months": 6,
        "release_haircut": 0.5,
        "dsra_months": 6,
    }

    def loss(pd: float, **more) -> float:
        return joint_stress({**deal, "contract_pd": pd, **more}, paths=2_000, seed=3)[
            "expected_loss"
        ]

    none, some, every = loss(0.0), loss(0.2), loss(1.0)
    assert none == pytest.approx(0.0, abs=1e-12)  # the rent never stops: no default
    assert none < some < every
    # PD 1: the tenant defaults in month 1 on every path, whatever the rent shock
    assert joint_stress({**deal, "contract_pd": 1.0}, paths=500, seed=3)["prob_default"] == 1.0
    # a backstop that never fails keeps paying: the loss of a tenant with PD 0
    assert loss(1.0, backstop_pd=0.0) == pytest.approx(none, abs=1e-12)


def test_bad_colo_inputs_are_one_line_errors():
    with pytest.raises(DomainError, match="one period per colo_mw tranche"):
        parse_assumptions(SMALL, colo_delivery_periods="1")
    with pytest.raises(DomainError, match="interest_only_years must be shorter"):
        parse_assumptions(SMALL, interest_only_years=3)
    with pytest.raises(DomainError, match="colo_cap_rate"):
        parse_assumptions(SMALL, colo_cap_rate=0)


def test_headroom_of_the_lease_rate_is_the_closed_form_fall_to_lock_up():
    from pyfuncs.deal.sensitivity import headroom

    # flat rent on 15 MW from month 1, no opex, monthly tests of the one-month DSCR: lock-up when
    # 15,000 x $100 x (1 - f) = 1.10 x PMT(6%/12, 36, -25e6)
    deal = {
        **SMALL,
        "colo_delivery_periods": "1;1",
        "colo_escalator": 0.0,
        "colo_opex_kw_month": 0.0,
        "test_frequency": 12,
        "dscr_lookback": 1,
    }
    payment = -npf.pmt(0.06 / 12, 36, 25e6)
    expected = 1 - 1.10 * payment / (15_000 * 100)
    assert headroom(deal, "colo_lease_rate", "lockup") == pytest.approx(expected, abs=1e-6)
    # a delay: the deal locks up once a month's rent is lost (no reserve to pay from)
    assert 0 < headroom(deal, "colo_delay_months", "default") <= 1.0
