"""The cash waterfall against a hand-worked example, and its properties.

The hand-worked deal: $1,200 at 0% over 12 months, linear, so $100 of debt service a month; a
DSRA of two months ($200, funded at close); a covenant test every month on that month's DSCR
(``test_frequency=12``, ``dscr_lookback=1``), lock-up below 1.10x, default below 1.00x. CFADS is
set month by month through the rent shock: 100 GPUs at 1/730 $ an hour, fully used, no opex, earn
$100 a month times the shock.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import pyfuncs
from pyfuncs.deal import examples
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal

HAND = {
    "gpus": 100,
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
}


def run(cfads: list[float], **changes):
    a = parse_assumptions(HAND, **changes)
    factor = np.asarray(cfads, dtype=float) / 100.0
    return run_deal(a, factor).path(0)


def test_dsra_draw_and_refill_trap_then_release_by_hand():
    cfads = [150, 60, 130, 150, 105, 104, 90, 120, 108, 130, 150, 150]
    s = run(cfads)
    np.testing.assert_allclose(s.cfads, cfads, rtol=1e-12)
    np.testing.assert_allclose(s.debt_service, 100.0, rtol=1e-12)
    # m1 +50 distributed. m2 short 40: DSRA 200 -> 160, test 0.60x locks up.
    # m3 +30 refills to 190; test 1.30x passes. m4 +50: 10 refills to 200, 40 distributed.
    # m5, m6 tests 1.05x, 1.04x: the 5 and 4 of excess are trapped (lock-up account 9).
    # m7 short 10: 9 from the lock-up account, 1 from the DSRA (199). m8 +20: 1 refills,
    # 19 distributed (the account is empty). m9 1.08x traps 8; m10 1.30x passes: 30 + 8 out.
    # m11: the target falls to the one payment left (100): 100 released + 50 distributed.
    # m12: the loan is repaid; 50 and the last 100 of reserve are distributed.
    expected_dsra = [200, 160, 190, 200, 200, 200, 199, 200, 200, 200, 100, 0]
    expected_draw = [0, 40, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0]
    expected_lock = [0, 0, 0, 0, 5, 9, 0, 0, 8, 0, 0, 0]
    expected_out = [50, 0, 0, 40, 0, 0, 0, 19, 0, 38, 150, 150]
    np.testing.assert_allclose(s.dsra_balance, expected_dsra, atol=1e-9)
    np.testing.assert_allclose(s.dsra_draw, expected_draw, atol=1e-9)
    np.testing.assert_allclose(s.lockup_balance, expected_lock, atol=1e-9)
    np.testing.assert_allclose(s.distributed, expected_out, atol=1e-9)
    np.testing.assert_allclose(s.tested_dscr, np.asarray(cfads) / 100.0, rtol=1e-12)
    assert list(s.status) == [
        "OK", "LOCKUP", "OK", "OK", "LOCKUP", "LOCKUP",
        "LOCKUP", "OK", "LOCKUP", "OK", "OK", "REPAID",
    ]  # fmt: skip
    np.testing.assert_allclose(s.balance, [1_200 - 100 * k for k in range(1, 13)], atol=1e-9)
    assert s.outcome.default_period[0] == 0 and s.outcome.lockup_period[0] == 2
    assert s.outcome.min_dscr[0] == pytest.approx(0.6)


def test_cash_sweep_prepays_pro_rata_by_hand():
    s = run([150, 150, 150] + [100] * 9, cash_sweep=1.0)
    # m1: 50 of excess prepays: balance 1,200 - 100 - 50 = 1,050.
    assert s.swept[0] == pytest.approx(50)
    assert s.balance[0] == pytest.approx(1_050)
    # m2: instalments fall pro rata: 1,050/11 principal; the DSRA target, two instalments of
    # what is left after it, 2 x (1,050 - 95.45)/10 = 190.91, releases 9.09 to the sweep.
    principal = 1_050 / 11
    target = 2 * (1_050 - principal) / 10
    assert s.debt_service[1] == pytest.approx(principal)
    assert s.dsra_balance[1] == pytest.approx(target)
    assert s.swept[1] == pytest.approx(150 - principal + 200 - target)
    assert s.distributed[0] == 0 and s.distributed[1] == 0


def test_lockup_sweep_prepays_what_trap_would_hold():
    cfads = [150, 60, 130, 150, 105, 104, 90, 120, 108, 130, 150, 150]
    s = run(cfads, lockup_action="sweep")
    assert s.swept[4] == pytest.approx(5) and s.lockup_balance[4] == 0
    assert s.balance[4] == pytest.approx(1_200 - 500 - 5)


def test_payment_default_when_cfads_lockup_and_dsra_run_out():
    s = run([0.0] * 12)
    # m1 and m2 are paid from the $200 reserve; nothing is left for m3.
    np.testing.assert_allclose(s.dsra_draw[:2], 100)
    assert s.outcome.default_period[0] == 3
    assert s.outcome.ead[0] == pytest.approx(1_000)  # the loan outstanding at the start of m3
    assert list(s.status[2:]) == ["DEFAULT"] * 10
    assert s.debt_service[3] == 0 and np.isnan(s.dscr[3])


def test_covenant_default_on_a_tested_dscr_below_the_default_level():
    cfads = [150, 60, 130] + [150] * 9
    assert run(cfads).outcome.default_period[0] == 0  # payment trigger: the DSRA pays
    assert run(cfads, default_trigger="covenant").outcome.default_period[0] == 2


def test_refinancing_a_bullet_at_maturity_or_a_maturity_default():
    bullet = {"profile": "bullet", "horizon_years": 2, "dsra_months": 0}
    # No refinancing: the $1,200 is due in month 12 from $150 of cash: maturity default.
    s = run([150] * 24, **bullet)
    assert s.due_at_maturity[11] == pytest.approx(1_200)
    assert s.outcome.default_period[0] == 12 and s.outcome.default_kind[0] == 3
    # Refinanced at 0% over 12 months: $100 a month against $150 of CFADS, 1.50x.
    r = run([150] * 24, refi_rate=0.0, refi_years=1, **bullet)
    assert r.outcome.default_period[0] == 0
    assert r.refi_dscr[11] == pytest.approx(1.5)
    np.testing.assert_allclose(r.debt_service[12:], 100.0)
    assert r.balance[11] == pytest.approx(1_200) and r.balance[-1] == pytest.approx(0, abs=1e-9)


def test_neocloud_with_a_full_cash_sweep_repays_before_its_contracts_end():
    a = parse_assumptions(examples.NEOCLOUD_DDTL, cash_sweep=1.0)
    s = pyfuncs.deal_schedule(a)
    repaid = int(s.outcome.repaid_period[0])
    assert 0 < repaid < a.contract_periods
    assert s.status[repaid - 1] == "REPAID" and s.balance[repaid - 1] == 0


def test_miner_schedule_runs_to_the_convertible_maturity():
    a = parse_assumptions(examples.MINER)
    assert a.convert_years > a.tenor_years
    s = pyfuncs.deal_schedule(a)
    assert len(s.period) == round(a.convert_years * 12)
    assert s.due_at_maturity[-1] == pytest.approx(a.convert_principal)


# --- properties ----------------------------------------------------------------------------------

deals = st.fixed_dictionaries(
    {
        "rent0": st.floats(1.6, 3.2),
        "annual_decline": st.floats(0.1, 0.45),
        "loan_to_cost": st.floats(0.3, 0.8),
        "tenor_years": st.integers(2, 5),
        "gpus": st.just(1_000),
        "rent_vol": st.floats(0.1, 0.4),
    }
)


@settings(max_examples=15, deadline=None)
@given(deal=deals, small=st.floats(0, 6), extra=st.floats(0, 6))
def test_a_larger_dsra_never_raises_pd(deal, small, extra):
    low = pyfuncs.joint_stress({**deal, "dsra_months": small}, paths=300, seed=3)
    high = pyfuncs.joint_stress({**deal, "dsra_months": small + extra}, paths=300, seed=3)
    assert high["prob_default"] <= low["prob_default"]


@settings(max_examples=20, deadline=None)
@given(deal=deals, sweep=st.floats(0.01, 1.0))
def test_a_sweep_never_lengthens_the_loan(deal, sweep):
    plain = pyfuncs.deal_schedule(deal)
    swept = pyfuncs.deal_schedule({**deal, "cash_sweep": sweep})
    n = len(plain.period)

    def life(s):  # the last period with debt outstanding at its start
        owed = np.flatnonzero(s.opening > 1e-6)
        return int(owed[-1]) + 1 if owed.size else 0

    assert life(swept) <= life(plain) <= n
    assert np.all(swept.balance <= plain.balance + 1e-6)


def test_same_seed_same_numbers_on_one_and_two_workers():
    a = {**examples.MINER, "correlation": 0.8}
    one = pyfuncs.joint_stress(a, paths=9_000, seed=11, workers=1)
    two = pyfuncs.joint_stress(a, paths=9_000, seed=11, workers=2)
    assert one.as_dict() == two.as_dict()
    np.testing.assert_array_equal(one.outcomes.default_period, two.outcomes.default_period)
    np.testing.assert_array_equal(one.outcomes.min_dscr, two.outcomes.min_dscr)


# --- miners: BTC-backed loans and the network's response -----------------------------------------

BTC_MINER = {
    **HAND,
    "btc_held": 100,
    "btc_price": 100_000,
    "btc_loan": 5_000_000,  # 50% LTV at $100k
    "btc_loan_rate": 0.0,
    "capex_per_gpu": 0.0,  # the collateral is the BTC alone
}


def test_btc_loan_margin_call_is_cured_from_cash_and_liquidation_sells_btc():
    # BTC at $70k: LTV 5.0/7.0 = 71.4% >= 70%, a margin call. Cure to 50%: pay 5.0M - 3.5M.
    cfads = [150] * 12
    btc = [1.0, 0.70] + [0.70] * 10
    a = parse_assumptions(BTC_MINER)
    rich = run_deal(a, np.asarray(cfads) / 100.0, np.asarray(btc)).path(0)
    # only $50 of excess cash a month: the call is met with it, 50 at a time
    assert rich.outcome.margin_call_period[0] == 2
    assert rich.distributed[1] == 0
    equity = 100 * 70_000 - (5_000_000 - 50)
    assert rich.market_value[1] == pytest.approx(equity)
    # BTC at $60k: LTV 5.0/6.0 = 83% >= 80%: the lender sells 5.0M/60k = 83.3 BTC.
    crash = run_deal(a, np.asarray(cfads) / 100.0, np.asarray([1.0, 0.6] + [1.0] * 10)).path(0)
    assert crash.outcome.liquidation_period[0] == 2
    # BTC back at $100k: the senior lender's BTC is the 16.7 BTC left, not 100 BTC less the loan
    assert crash.market_value[2] == pytest.approx((100 - 5_000_000 / 60_000) * 100_000)


def test_network_hashrate_follows_the_btc_price_with_a_lag():
    miner = {
        "gpus": 0,
        "hashrate_ph": 10_000,
        "btc_price": 100_000,
        "network_ehs": 1_000,
        "network_growth": 0.0,
        "hash_cost_ph_day": 0.0,
        "hashrate_lag_months": 3,
        "hashrate_elasticity": 1.0,
        "debt_principal": 1e6,
        "tenor_years": 1,
    }
    shock = np.array([1.0, 2.0, 2.0, 2.0, 2.0, 2.0] + [2.0] * 6)
    s = run_deal(miner, None, shock).path(0)
    base = 3.125 * 144 * 100_000 / 1e6  # $45/PH/day at a 1,000 EH/s network
    # months 2-4: BTC doubled, the network not yet; from month 5 the network has doubled too
    np.testing.assert_allclose(s.hashprice[1:4], 2 * base)
    np.testing.assert_allclose(s.hashprice[4:], base)
