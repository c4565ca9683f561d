"""The one deal summary on the lender's measure, against hand-built deals.

The deal is the waterfall test's hand-worked one (tests/deal/test_waterfall.py): a $1,200 senior
loan at 0%, linear over 12 months ($100 a month), a two-month DSRA ($200), CFADS of $100 a month
times the rent shock. Beside it $600 of 0% convertible notes mature in month 24, so the schedule
runs 24 months. The fleet is worth nothing (``capex_per_gpu=0``), so a lender in default
recovers only the cash pledged to it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal
from pyfuncs.deal.metrics import deal_summary, lender_defaults, stress_summary

WITH_NOTES = {
    "gpus": 100,
    "capex_per_gpu": 0,
    "rent0": 1 / 730,
    "annual_decline": 0.0,
    "utilization": 1.0,
    "opex_hour": 0.0,
    "debt_principal": 1_200,
    "annual_rate": 0.0,
    "tenor_years": 1,
    "profile": "linear",
    "dsra_months": 2,
    "test_frequency": 12,
    "dscr_lookback": 1,
    "convert_principal": 600,
    "convert_coupon": 0.0,
    "convert_years": 2,
}
#: Path 0: $150 a month, the senior loan is repaid in month 12, then the $600 of notes fall due in
#: month 24 against $150 of cash: the borrower defaults, the lender has nothing outstanding.
#: Path 1: no cash at all: the DSRA pays months 1 and 2, the senior loan defaults in month 3
#: with $1,000 outstanding.
REPAID_FIRST = [150.0] * 24
FAILS_EARLY = [0.0] * 24


def _two_paths():
    a = parse_assumptions(WITH_NOTES)
    factor = np.asarray([REPAID_FIRST, FAILS_EARLY]) / 100.0
    return a, run_deal(a, factor)


def test_a_default_after_the_loan_is_repaid_is_not_the_lenders():
    a, schedule = _two_paths()
    o = schedule.outcome
    # The borrower defaults on both paths: at the notes' maturity, then on the senior loan.
    assert list(o.default_period) == [24, 3]
    assert list(lender_defaults(o)) == [False, True]
    repaid = deal_summary(a, schedule.path(0))
    assert repaid.first_default == 24 and repaid.default_kind == "maturity"
    assert repaid.lender_default is None
    assert repaid.ead == 0 and repaid.shortfall == 0 and repaid.lgd is None
    failed = deal_summary(a, schedule.path(1))
    assert failed.first_default == failed.lender_default == 3
    assert failed.ead == pytest.approx(1_000)  # 1,200 less the two instalments the DSRA paid
    assert failed.shortfall == pytest.approx(1_000) and failed.lgd == pytest.approx(1.0)


def test_pd_and_spread_are_on_the_lenders_measure():
    a, schedule = _two_paths()
    rows = stress_summary(a, 2, 1, schedule.outcome, principal=1_200)
    # One path in two defaults while the lender is exposed; the borrower fails on both.
    assert rows["prob_default"] == 0.5
    assert rows["prob_borrower_default"] == 1.0
    assert rows["prob_maturity_default"] == 0.0  # the lender's default is a payment default
    assert rows["first_default_p50"] == 3
    # annual PD over the 2-year horizon: 1 - (1 - 0.5)^(1/2)
    annual = 1 - 0.5**0.5
    assert rows["annual_pd"] == pytest.approx(annual, rel=1e-12)
    # the defaulted path loses its whole $1,000 exposure: no reserve left, a worthless fleet
    assert rows["expected_ead"] == pytest.approx(1_000)
    assert rows["expected_shortfall"] == pytest.approx(1_000)
    assert rows["expected_lgd"] == pytest.approx(1.0)
    assert rows["expected_loss_usd"] == pytest.approx(500)
    assert rows["expected_loss"] == pytest.approx(500 / 1_200)
    # FAIR_SPREAD = -ln(1 - annual PD) x LGD = 34.7%: above 2,000 bp, shown as distressed
    assert -math.log(1 - annual) * 1.0 == pytest.approx(0.3466, abs=1e-4)
    assert rows["fair_spread"] == "distressed"


def test_a_lender_repaid_on_every_path_has_zero_pd():
    a = parse_assumptions(WITH_NOTES)
    schedule = run_deal(a, np.asarray([REPAID_FIRST] * 3) / 100.0)
    rows = stress_summary(a, 3, 1, schedule.outcome, principal=1_200)
    assert rows["prob_borrower_default"] == 1.0
    assert rows["prob_default"] == 0.0 and rows["annual_pd"] == 0.0
    assert rows["fair_spread"] == 0.0 and rows["expected_loss_usd"] == 0.0
    assert rows["first_default_p50"].code == "#N/A"
