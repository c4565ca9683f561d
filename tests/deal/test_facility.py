"""Delayed-draw facilities and the borrowing base in the deal engine, against hand calculations.

The hand-worked facility: annual periods, three draws of $100, $200 and $300 at the end of
periods 0 (close), 1 and 2, each a two-year linear loan (``draw_tenor_years=2``), floating at a
flat 4% base rate plus the DDTL 2.0 grid margin of its contract's counterparty: IG 6.25%
(the midpoint of 6.00-6.50%), non-IG 13.00% (docs/domain.md [41]). The fleet earns far more
than the debt service, so nothing but the schedule moves the balances.
"""

from __future__ import annotations

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyfuncs import call
from pyfuncs.borrowing_base import borrowing_base
from pyfuncs.deal import examples
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import ALL_COLUMNS, debt_profile, run_deal
from pyfuncs.deal.facility import deal_borrowing_base, draw_margins
from pyfuncs.deal.metrics import lender_principal
from pyfuncs.deal.stress import correlated_shocks, path_outcomes
from pyfuncs.deal.waterfall import BLOCK_PATHS, PAYMENT_DEFAULT
from pyfuncs.errors import DomainError, InvalidInputError

RICH = {  # 1,000 GPUs at $3/h, 95% billed, $0.50/h opex: ~$21.9M a year of CFADS
    "gpus": 1_000,
    "rent0": 3.0,
    "annual_decline": 0.0,
    "opex_hour": 0.5,
    "per_year": 1,
    "dsra_months": 0,
}
THREE_DRAWS = {
    **RICH,
    "profile": "linear",
    "tenor_years": 2,
    "draw_periods": "0;1;2",
    "draw_amounts": "100;200;300",
    "draw_tenor_years": 2,
    "base_rate_path": 0.04,
    "draw_grades": "IG;non-IG;IG",
}


def test_three_draws_by_hand():
    s = run_deal(THREE_DRAWS).path(0)
    # rates: IG 4% + 6.25% = 10.25%, non-IG 4% + 13% = 17%.
    # draw 1 (100, close):    p1 open 100, int 10.25, prin 50;  p2 open 50,  int 5.125, prin 50
    # draw 2 (200, end p1):   p2 open 200, int 34.00, prin 100; p3 open 100, int 17.00, prin 100
    # draw 3 (300, end p2):   p3 open 300, int 30.75, prin 150; p4 open 150, int 15.375, prin 150
    np.testing.assert_allclose(s.opening, [100, 250, 400, 150])
    np.testing.assert_allclose(s.interest, [10.25, 5.125 + 34.0, 17.0 + 30.75, 15.375])
    np.testing.assert_allclose(s.principal, [50, 150, 250, 150])
    np.testing.assert_allclose(s.drawn, [200, 300, 0, 0])
    np.testing.assert_allclose(s.balance, [50 + 200, 100 + 300, 150, 0])
    np.testing.assert_allclose(s.drawn_balance, s.balance)
    assert list(s.status) == ["OK", "OK", "OK", "REPAID"]
    assert s.outcome.repaid_period[0] == 4  # the last draw matures 2 years after end of p2


def test_grid_margins_by_draw():
    a = parse_assumptions(THREE_DRAWS)
    np.testing.assert_allclose(draw_margins(a), [0.0625, 0.13, 0.0625])
    one = parse_assumptions(THREE_DRAWS, draw_grades="non-IG")  # one grade for every draw
    np.testing.assert_allclose(draw_margins(one), [0.13] * 3)
    deal = parse_assumptions({k: v for k, v in THREE_DRAWS.items() if k != "draw_grades"})
    np.testing.assert_allclose(draw_margins(deal), [0.0625] * 3)  # no grade: IG
    graded = parse_assumptions(deal, counterparty_grade="non-IG")
    np.testing.assert_allclose(draw_margins(graded), [0.13] * 3)


def test_each_draw_matures_draw_tenor_after_it_is_drawn():
    # bullets: each draw's whole amount is due draw_tenor_years after its draw
    s = run_deal({**THREE_DRAWS, "profile": "bullet"}).path(0)
    np.testing.assert_allclose(s.due_at_maturity, [0, 100, 200, 300])
    np.testing.assert_allclose(s.principal, [0, 100, 200, 300])
    np.testing.assert_allclose(s.balance, [300, 500, 300, 0])
    # interest-only until then: 10.25% on 100, 17% on 200, 10.25% on 300
    np.testing.assert_allclose(s.interest, [10.25, 10.25 + 34, 34 + 30.75, 30.75])


def test_annuity_draws_match_numpy_financial():
    # monthly: 6M at close and 4M after month 6, each a 24-month annuity at 9% fixed
    deal = {
        **RICH,
        "per_year": 12,
        "annual_rate": 0.09,
        "tenor_years": 2,
        "draw_periods": "0;6",
        "draw_amounts": "6e6;4e6",
    }
    s = run_deal(deal).path(0)
    months = np.arange(1, 25)
    interest = np.zeros(30)
    principal = np.zeros(30)
    for amount, start in ((6e6, 0), (4e6, 6)):
        interest[start : start + 24] += -npf.ipmt(0.09 / 12, months, 24, amount)
        principal[start : start + 24] += -npf.ppmt(0.09 / 12, months, 24, amount)
    np.testing.assert_allclose(s.interest, interest, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(s.principal, principal, rtol=1e-9, atol=1e-6)
    assert s.period.size == 30  # the horizon runs to the last draw's maturity


ONE_DRAW_CASES = [
    {**RICH, "debt_principal": 500, "tenor_years": 3, "annual_rate": 0.1},
    {**RICH, "debt_principal": 500, "tenor_years": 3, "profile": "linear", "balloon": 200},
    {**RICH, "debt_principal": 500, "tenor_years": 3, "profile": "bullet"},
    {
        **examples.NEOCLOUD_DDTL,
        "base_rate_path": 0.043,
        "counterparty_grade": "non-IG",
        "cash_sweep": 0.5,
        "dsra_months": 6,
    },
    {**examples.NEOCLOUD_DDTL, "lockup_action": "sweep", "dsra_months": 12, "annual_decline": 0.45},
    {**examples.NEOCLOUD_DDTL, "profile": "bullet", "refi_rate": 0.12, "horizon_years": 7},
    {**examples.MINER, "collateral_advance": 0.5},
]


@pytest.mark.parametrize("deal", ONE_DRAW_CASES)
def test_one_draw_at_close_is_the_plain_term_loan(deal):
    plain = run_deal(deal)
    facility = run_deal({**deal, "draw_periods": 0})
    for name in ALL_COLUMNS:
        if name == "status":
            assert list(plain.path(0).status) == list(facility.path(0).status)
            continue
        np.testing.assert_allclose(
            facility[name], plain[name], rtol=1e-12, atol=1e-6, err_msg=name, equal_nan=True
        )
    assert debt_profile(parse_assumptions(deal)).dsra_at_close == pytest.approx(
        debt_profile(parse_assumptions(deal, draw_periods=0)).dsra_at_close
    )


def test_one_draw_at_close_is_the_plain_term_loan_under_stress():
    deal = {**examples.NEOCLOUD_DDTL, "contract_pd": 0.05, "collateral_advance": 0.6}
    a, b = parse_assumptions(deal), parse_assumptions(deal, draw_periods=0)
    rent, btc = correlated_shocks(np.random.default_rng(7), 400, a)
    plain = path_outcomes(a, rent, btc, debt_profile(a)).outcome
    facility = path_outcomes(b, rent, btc, debt_profile(b)).outcome
    for name in ("default_period", "default_kind", "ead", "min_dscr", "repaid_period"):
        np.testing.assert_allclose(getattr(facility, name), getattr(plain, name), equal_nan=True)


# --- mandatory prepayment ----------------------------------------------------------------------
# One GPU bought at $200 whose market value halves every year: $100, $50, $25 at the ends of
# years 1-3. A $100 3-year bullet at 10%, collateral advance 80%: the borrowing base is $80, $40,
# $20 at the year ends. Year 1: interest 10, balance 100 > 80, so 20 is prepaid. Year 2: interest
# 8 on 80, 80 > 40, so 40 is prepaid. Year 3: interest 4 on 40 and the 40 bullet; nothing above.
# The GPU earns 1 $/h x 8,760 h x 95% = $8,322 a year with no opex.
PREPAY = {
    "gpus": 1,
    "capex_per_gpu": 200,
    "market_decay": 0.5,
    "rent0": 1.0,
    "annual_decline": 0.0,
    "opex_hour": 0.0,
    "per_year": 1,
    "debt_principal": 100,
    "annual_rate": 0.10,
    "tenor_years": 3,
    "profile": "bullet",
    "dsra_months": 0,
    "collateral_advance": 0.8,
}


def test_mandatory_prepayment_by_hand():
    s = run_deal(PREPAY).path(0)
    np.testing.assert_allclose(s.borrowing_base, [80, 40, 20])
    np.testing.assert_allclose(s.mandatory_prepayment, [20, 40, 0])
    np.testing.assert_allclose(s.interest, [10, 8, 4])
    np.testing.assert_allclose(s.principal, [0, 0, 40])
    np.testing.assert_allclose(s.balance, [80, 40, 0])
    # what is left after debt service and the prepayment goes to equity
    np.testing.assert_allclose(s.distributed, [8322 - 30, 8322 - 48, 8322 - 44])
    assert s.outcome.default_period[0] == 0


def test_failure_to_prepay_is_a_payment_default():
    # CFADS of 15 a year: the 10 of interest is paid but not the 20 of prepayment
    s = run_deal({**PREPAY, "fixed_opex_period": 8322 - 15}).path(0)
    assert s.outcome.default_period[0] == 1
    assert s.outcome.default_kind[0] == PAYMENT_DEFAULT
    assert s.outcome.ead[0] == pytest.approx(100)
    # with 30 of CFADS both are paid
    paid = run_deal({**PREPAY, "fixed_opex_period": 8322 - 30}).path(0)
    assert paid.outcome.default_period[0] == 0 or paid.outcome.default_period[0] > 1
    assert paid.mandatory_prepayment[0] == pytest.approx(20)


def test_prepayment_uses_the_lock_up_account_and_dsra_before_default():
    # a 1-year DSRA holds the first year's interest (10) at close: 15 + 10 = 25 < 30 due
    s = run_deal({**PREPAY, "fixed_opex_period": 8322 - 15, "dsra_months": 12}).path(0)
    assert s.outcome.default_period[0] == 1
    s = run_deal({**PREPAY, "fixed_opex_period": 8322 - 20, "dsra_months": 12}).path(0)
    np.testing.assert_allclose(s.dsra_draw[0], 10)  # 20 + 10 = 30: interest and prepayment
    np.testing.assert_allclose(s.mandatory_prepayment[0], 20)


def test_contract_leg_by_hand():
    # every GPU on a 2-year contract at $2/h, 100% billed, opex $0.5/h: 1.5 x 8,760 = 13,140 a
    # year of contracted cash. At 10% and a 50% advance the contract leg at the end of year 1 is
    # 0.5 x 13,140/1.1 = 5,972.73, and 0 from the end of year 2 (nothing is contracted after).
    deal = {
        **PREPAY,
        "contracted_share": 1.0,
        "contract_rent": 2.0,
        "contract_utilization": 1.0,
        "contract_periods": 2,
        "opex_hour": 0.5,
        "contract_advance": 0.5,
        "contract_discount_rate": 0.10,
        "collateral_advance": None,
        "debt_principal": 5_000,
    }
    s = run_deal(deal).path(0)
    np.testing.assert_allclose(s.borrowing_base, [0.5 * 13_140 / 1.1, 0, 0])
    # both legs: the collateral leg (0.8 x 100 = 80) is lower at the end of year 1
    both = run_deal({**deal, "collateral_advance": 0.8}).path(0)
    np.testing.assert_allclose(both.borrowing_base, [80, 0, 0])


def test_engine_borrowing_base_is_the_catalogue_function():
    deal = {**examples.NEOCLOUD_DDTL, "contract_advance": 0.8, "collateral_advance": 0.7}
    a = parse_assumptions(deal)
    s = run_deal(a).path(0)
    n = s.period.size
    hours = 8760 / 12
    # contracted cash: rent x contracted GPUs x 95% billed, less their opex over every hour
    cost = (s.opex[0] - a.fixed_opex_period) / (a.gpus * hours)  # opex per GPU-hour
    flows = np.zeros(n)
    flows[: a.contract_periods] = (
        a.gpus * a.contracted_share * hours * (a.contract_rent * 0.95 - cost)
    )
    start_value = np.concatenate([[a.gpus * a.capex_per_gpu], s.market_value[:-1]])
    expected = borrowing_base(flows, a.annual_rate, 0.8, start_value, 0.7, 12)
    # BORROWING_BASE at the start of period t+1 is the engine's at the end of period t
    np.testing.assert_allclose(s.borrowing_base[:-1], expected[1:], rtol=1e-10)
    assert s.borrowing_base[-1] == 0  # nothing contracted, or owed, after the last period


def test_counterparty_default_drops_the_contract_leg_from_that_period():
    deal = {**examples.NEOCLOUD_DDTL, "contract_advance": 0.8}
    a = parse_assumptions(deal)
    n = a.horizon_periods
    unit = np.full(n, 1.0)
    stop = np.array([10, 1_000_000])
    bb = deal_borrowing_base(a, unit, np.ones((2, n)), 0.1, stop)
    assert np.all(bb[0, 9:] == 0) and np.all(bb[0, :9] == bb[1, :9])
    assert np.all(bb[1, : a.contract_periods - 1] > 0)


# --- a higher borrowing base never raises PD ---------------------------------------------------
# With every dollar of excess cash swept (cash_sweep 1) and no reserve, two deals with the same
# debt that differ only in the borrowing base prepay the same cash each period until the lower
# one cannot meet a prepayment the higher one does not ask for: a path that defaults with the
# higher base defaults no later with the lower one. Two things the property does not cover: with
# cash kept or distributed an early forced prepayment can avoid a later default, and a later
# draw is limited to the availability, so a higher base lends more.
def _pd_pair(low, extra, decline, loan_to_cost, facility, seed, paths=300):
    deal = {
        **examples.NEOCLOUD_DDTL,
        "annual_decline": decline,
        "loan_to_cost": loan_to_cost,
        "cash_sweep": 1.0,
        "dsra_months": 0,
        "rent_vol": 0.4,
        "contract_advance": 0.9,
    }
    if facility:
        deal["draw_periods"] = 0
    a = parse_assumptions(deal, collateral_advance=low)
    b = parse_assumptions(deal, collateral_advance=min(1.0, low + extra))
    rent, btc = correlated_shocks(np.random.default_rng(seed), paths, a)
    lo = path_outcomes(a, rent, btc, debt_profile(a)).outcome.default_period
    hi = path_outcomes(b, rent, btc, debt_profile(b)).outcome.default_period
    return lo, hi


@settings(max_examples=12, deadline=None)
@given(
    headroom=st.floats(0.0, 0.5),
    extra=st.floats(0.05, 0.3),
    decline=st.floats(0.2, 0.5),
    loan_to_cost=st.floats(0.4, 0.8),
    facility=st.booleans(),
    seed=st.integers(0, 1000),
)
def test_higher_borrowing_base_never_raises_pd(
    headroom, extra, decline, loan_to_cost, facility, seed
):
    # collateral advances from the loan-to-cost up: the region where some paths default
    low = loan_to_cost + headroom * (1 - loan_to_cost)
    lo, hi = _pd_pair(low, extra, decline, loan_to_cost, facility, seed)
    assert np.mean(hi > 0) <= np.mean(lo > 0)
    both = hi > 0
    assert np.all(lo[both] > 0) and np.all(lo[both] <= hi[both])


def test_the_borrowing_base_property_is_not_vacuous():
    lo, hi = _pd_pair(0.8, 0.2, 0.28, 0.55, True, 3)
    assert 0 < np.mean(hi > 0) < np.mean(lo > 0) < 1
    assert np.any((hi > 0) & (lo < hi))  # the lower base defaults earlier on some paths


def test_a_later_draw_is_limited_to_the_availability():
    # PREPAY's GPU at $400: borrowing base 160, 80, 40, 20 at the ends of years 1-4. A $100 draw
    # at close and a $100 draw after year 1, each a 3-year bullet at 10%. After year 1 the
    # balance is 100, so only 160 - 100 = 60 of the second draw is funded (40 is cancelled).
    # Year 2: interest 10 + 6; the 160 outstanding is 80 above the base, so 80 is prepaid pro
    # rata: draw 1 (100) falls to 50, draw 2 (60) to 30. Year 3: interest 5 + 3 and draw 1's
    # bullet of 50; 30 left <= 40. Year 4: interest 3 and draw 2's bullet of 30.
    deal = {
        **PREPAY,
        "capex_per_gpu": 400,
        "debt_principal": None,
        "draw_periods": "0;1",
        "draw_amounts": "100;100",
    }
    s = run_deal(deal).path(0)
    np.testing.assert_allclose(s.borrowing_base, [160, 80, 40, 20])
    np.testing.assert_allclose(s.drawn, [60, 0, 0, 0])
    np.testing.assert_allclose(s.interest, [10, 16, 8, 3])
    np.testing.assert_allclose(s.mandatory_prepayment, [0, 80, 0, 0])
    np.testing.assert_allclose(s.principal, [0, 0, 50, 30])
    np.testing.assert_allclose(s.due_at_maturity, [0, 0, 50, 30])
    np.testing.assert_allclose(s.balance, [160, 80, 30, 0])


# --- input errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"draw_amounts": "1;2"}, "draw_amounts needs 3 amounts"),
        ({"draw_grades": "IG;IG"}, "draw_grades needs 1 or 3 grades"),
        ({"draw_grades": "AAA"}, "draw grades are IG or non-IG"),
        ({"base_rate_path": ()}, "give base_rate_path"),
        ({"margin": 0.05}, "leave margin blank"),
        ({"draw_periods": "2;1;3"}, "in order"),
        ({"draw_periods": "-1;1;3"}, "start at 0"),
        ({"profile": "sculpted"}, "amortises each draw"),
        ({"debt_principal": 10}, "debt_principal must equal the sum"),
        ({"base_rate_path": "0.04;0.05"}, "base_rate_path needs 1 or 4 rates"),
        ({"draw_tenor_years": 0.5}, "whole number of periods"),
    ],
)
def test_inconsistent_facilities_are_one_line_errors(changes, message):
    with pytest.raises((DomainError, InvalidInputError), match=message):
        parse_assumptions(THREE_DRAWS, **changes)


def test_draw_names_need_draw_periods():
    with pytest.raises(DomainError, match="need draw_periods"):
        parse_assumptions(RICH, draw_amounts="1;2")


def test_the_example_ddtl_draws_and_prepays():
    s = run_deal(examples.NEOCLOUD_DDTL_DRAWS).path(0)
    a = parse_assumptions(examples.NEOCLOUD_DDTL_DRAWS)
    assert s.opening[0] == pytest.approx(150e6)  # the draw at close
    # the later draws, limited to the availability under the borrowing base
    assert 0 < s.drawn.sum() <= a.principal - 150e6
    assert np.all(s.drawn_balance <= s.borrowing_base + 0.01)
    assert s.mandatory_prepayment.sum() > 0  # GPU values fall faster than the draws amortise
    assert s.period.size == a.facility_periods


def test_a_facility_from_excel_cells():
    # one cell each: "0;1;2", "100;200;300", "IG;non-IG;IG", as a key/value range on a sheet
    kv = [[k, v] for k, v in THREE_DRAWS.items()]
    rows = call("GPU.DEAL_SCHEDULE", kv, True)
    interest = [r[rows[0].index("interest")] for r in rows[1:]]
    assert interest == pytest.approx([10.25, 39.125, 47.75, 15.375])


def test_a_bad_draw_list_in_a_cell_is_an_excel_error():
    kv = [[k, v] for k, v in {**THREE_DRAWS, "draw_amounts": "100;two;300"}.items()]
    result = call("DEAL_SCHEDULE", kv)
    assert result.code == "#VALUE!" and "draw_amounts" in result.reason
    kv = [[k, v] for k, v in {**THREE_DRAWS, "draw_amounts": "100;200"}.items()]
    result = call("DEAL_SCHEDULE", kv)
    assert result.code == "#NUM!" and "draw_amounts needs 3 amounts" in result.reason


def test_per_path_borrowing_bases_follow_their_paths_through_the_blocks():
    # more paths than the waterfall's block (BLOCK_PATHS): each path keeps its own base
    a = parse_assumptions(examples.NEOCLOUD_DDTL_DRAWS, rent_vol=0.4)
    rent, btc = correlated_shocks(np.random.default_rng(11), BLOCK_PATHS + 300, a)
    debt = debt_profile(a)
    every = path_outcomes(a, rent, btc, debt).outcome
    tail = path_outcomes(a, rent[-300:], btc[-300:], debt).outcome
    assert 0 < np.mean(every.default_period > 0) < 1
    for name in ("default_period", "ead", "min_dscr", "repaid_period"):
        np.testing.assert_array_equal(getattr(every, name)[-300:], getattr(tail, name))


def test_the_lenders_loan_counts_every_funded_draw():
    # 100 at close, 200 and 300 later: the lender funds 600 (the hand-worked facility above).
    assert lender_principal(run_deal(THREE_DRAWS)) == pytest.approx(600)
    # Nothing drawn at close: the loan is still the 500 drawn at the ends of periods 1 and 2.
    later = {
        **THREE_DRAWS,
        "draw_periods": "1;2",
        "draw_amounts": "200;300",
        "draw_grades": "IG;IG",
    }
    assert lender_principal(run_deal(later)) == pytest.approx(500)
