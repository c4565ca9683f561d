"""The minimum DSCR is over operating periods with scheduled debt service, worked by hand.

A maturity wall's DSCR is its principal over one month's cash (near zero by construction) and an
interest-only build month's DSCR is before the loan amortises: neither is a minimum DSCR
(docs/functions.md v2, "metrics that do not mean anything are not shown"). The deals are the
hand-built ones of tests/deal/test_metrics.py: CFADS of $100 a month times the path's factor.
"""

from __future__ import annotations

import numpy as np
import pytest

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal
from pyfuncs.deal.metrics import deal_summary, operating_periods, stress_summary

BASE = {
    "gpus": 100,
    "capex_per_gpu": 0,
    "rent0": 1 / 730,  # 100 GPUs x 730 hours x 1/730 $/hour = $100 a month
    "annual_decline": 0.0,
    "utilization": 1.0,
    "opex_hour": 0.0,
    "test_frequency": 12,
    "dscr_lookback": 1,
}
#: $1,200 senior at 0%, linear over 12 months ($100 a month), then $600 of 0% notes due month 24.
WALL = {
    **BASE,
    "debt_principal": 1_200,
    "annual_rate": 0.0,
    "tenor_years": 1,
    "profile": "linear",
    "dsra_months": 2,
    "convert_principal": 600,
    "convert_coupon": 0.0,
    "convert_years": 2,
}
#: $1,200 at 12% a year (1% a month): 12 months of interest only ($12 a month), then linear over
#: 12 months: principal $100 plus 1% of the opening balance.
BUILD = {
    **BASE,
    "debt_principal": 1_200,
    "annual_rate": 0.12,
    "tenor_years": 2,
    "profile": "linear",
    "interest_only_years": 1,
    "dsra_months": 12,
}


def test_a_maturity_wall_is_not_the_minimum_dscr():
    a = parse_assumptions(WALL)
    # $150 a month: months 1-12 pay $100 (DSCR 150/100 = 1.50x); months 13-23 owe nothing;
    # month 24 owes the $600 notes against $150 (150/600 = 0.25x, the wall, not coverage).
    schedule = run_deal(a, np.full((1, 24), 1.5))
    one = schedule.path(0)
    assert one.dscr[23] == pytest.approx(150 / 600)
    summary = deal_summary(a, one)
    assert summary.min_dscr == pytest.approx(150 / 100)
    assert summary.average_dscr == pytest.approx(150 / 100)
    assert schedule.outcome.min_dscr[0] == pytest.approx(150 / 100)  # the waterfall's too
    # the wall is reported on its own: $600 due, $150 of cash that month, default at month 24
    assert summary.wall.period == 24 and summary.wall.due == pytest.approx(600)
    assert summary.first_default == 24 and summary.default_kind == "maturity"
    mask = operating_periods(a, one, summary.first_default)
    assert list(np.flatnonzero(mask) + 1) == list(range(1, 13))


def test_the_covenant_tests_scheduled_debt_service_not_the_wall():
    a = parse_assumptions(WALL)  # monthly tests of the month's DSCR (test_frequency 12, LTM 1)
    one = run_deal(a, np.full((1, 24), 1.5)).path(0)
    # months 1-12 test 150/100 = 1.50x; month 24 owes only the wall, so nothing is tested there
    # (150/600 = 0.25x would be a lock-up at the wall, a covenant the notes do not have)
    assert one.tested_dscr[11] == pytest.approx(1.5)
    assert np.isnan(one.tested_dscr[23])
    summary = deal_summary(a, one)
    assert summary.min_tested_dscr == pytest.approx(1.5)
    assert summary.first_lockup is None
    assert summary.first_default == 24  # the wall is still a maturity default


def test_the_stress_percentiles_skip_the_wall_too():
    a = parse_assumptions(WALL)
    # path 0 $150 a month (operating minimum 1.50x), path 1 $120 (1.20x); both fail the wall
    factor = np.vstack([np.full(24, 1.5), np.full(24, 1.2)])
    schedule = run_deal(a, factor, record=False)
    rows = stress_summary(a, 2, 1, schedule.outcome, principal=1_200)
    assert rows["min_dscr_p50"] == pytest.approx((1.5 + 1.2) / 2)  # numpy's midpoint median
    assert rows["prob_dscr_below_1"] == 0.0  # no operating month below 1.00x
    assert rows["prob_borrower_default"] == 1.0  # but the notes are not paid on either path


def test_an_interest_only_build_is_not_the_minimum_dscr():
    a = parse_assumptions(BUILD)
    # months 1-12: $6 of cash against $12 of interest (0.50x, drawn from the DSRA);
    # months 13-24: $224 against $100 + 1% of the opening balance: month 13 owes 100 + 12 =
    # $112 (2.00x), month 24 owes 100 + 1 = $101 (2.22x): the minimum is month 13's 2.00x.
    factor = np.concatenate([np.full(12, 0.06), np.full(12, 2.24)])[None, :]
    one = run_deal(a, factor).path(0)
    assert one.debt_service[0] == pytest.approx(12.0)
    assert one.dscr[0] == pytest.approx(0.5)
    assert one.debt_service[12] == pytest.approx(112.0)
    assert one.debt_service[23] == pytest.approx(101.0)
    summary = deal_summary(a, one)
    assert summary.first_default is None
    assert summary.min_dscr == pytest.approx(224 / 112)
    expected_average = np.mean([224 / (100 + 12 - k) for k in range(12)])
    assert summary.average_dscr == pytest.approx(expected_average)


def test_after_a_refinanced_wall_the_new_loan_counts():
    # the same notes refinanced at 0% over 12 months: nothing is due in month 24, then months
    # 25-36 owe $600/12 = $50 against $150 (3.00x): operating months like any other
    a = parse_assumptions({**WALL, "refi_rate": 0.0, "refi_years": 1, "horizon_years": 3})
    one = run_deal(a, np.full((1, 36), 1.5)).path(0)
    summary = deal_summary(a, one)
    assert summary.first_default is None
    assert one.debt_service[24] == pytest.approx(600 / 12)
    assert one.dscr[24] == pytest.approx(150 / 50)
    mask = operating_periods(a, one)
    assert list(np.flatnonzero(mask) + 1) == [*range(1, 13), *range(25, 37)]
    assert summary.min_dscr == pytest.approx(1.5)


def test_the_covenant_is_first_tested_after_the_build_on_operating_months_only():
    # BUILD with quarterly tests of a trailing twelve months (test_frequency 4, LTM 12) and a
    # 1.10x lock-up: months 1-12 cover 0.50x of their interest, but covenants start at
    # completion, so the first test date is month 15 and its window holds months 13-15 only:
    # CFADS 3 x $224 against (100 + 12) + (100 + 11) + (100 + 10) = $333, 672/333 = 2.018x.
    # Were the build tested, month 3 would test 0.50x and lock the deal up during its build.
    a = parse_assumptions({**BUILD, "test_frequency": 4, "dscr_lookback": 12})
    factor = np.concatenate([np.full(12, 0.06), np.full(12, 2.24)])[None, :]
    one = run_deal(a, factor).path(0)
    assert np.all(np.isnan(one.tested_dscr[:14]))
    assert one.tested_dscr[14] == pytest.approx(672 / 333)
    # month 24: the trailing twelve months 13-24, $224 x 12 over sum(100 + 12 - k) = $1,278
    assert one.tested_dscr[23] == pytest.approx(224 * 12 / sum(112 - k for k in range(12)))
    summary = deal_summary(a, one)
    assert summary.first_lockup is None
    assert summary.min_tested_dscr == pytest.approx(672 / 333)
    # the compiled waterfall (outcomes only) tests the same dates
    pytest.importorskip("numba")
    outcome = run_deal(a, factor, record=False, kernel=True).outcome
    assert outcome.lockup_period[0] == 0
    assert outcome.min_tested_dscr[0] == pytest.approx(672 / 333)
