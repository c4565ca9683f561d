"""Offtaker risk and re-leasing against hand calculations and closed forms."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
from scipy.stats import multivariate_normal

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal
from pyfuncs.deal.offtakers import NEVER, contract_stop_periods, rent_factor_score
from pyfuncs.deal.schedule import deal_schedule
from pyfuncs.deal.stress import correlated_shocks, joint_stress
from pyfuncs.errors import DomainError

HOURS = 8760 / 12  # hours in a monthly period

#: A neocloud whose contracts pay well above market: losing them hurts.
CONTRACTED = {
    "gpus": 1_000,
    "rent0": 2.2,
    "annual_decline": 0.25,
    "opex_hour": 0.45,
    "utilization": 0.8,
    "contracted_share": 0.7,
    "contract_rent": 2.9,
    "contract_periods": 36,
    "loan_to_cost": 0.6,
    "tenor_years": 3,
    "monthly_volume": 3_000,
}


def test_hand_worked_schedule_with_downtime_and_haircut():
    # 10 GPUs, 5 on a 2-month contract at $3.00 (100% billed), 5 merchant at $2.00 x 80%;
    # flat market rent; after the contract 2 months idle, then re-leased at $2.00 x 0.75 x 80%.
    a = {
        "gpus": 10,
        "rent0": 2.0,
        "annual_decline": 0.0,
        "opex_hour": 0.0,
        "utilization": 0.8,
        "contracted_share": 0.5,
        "contract_rent": 3.0,
        "contract_utilization": 1.0,
        "contract_periods": 2,
        "releasing_months": 2,
        "release_haircut": 0.25,
        "tenor_years": 0.5,
        "loan_to_cost": 0.1,
    }
    merchant = 5 * 2.0 * 0.8 * HOURS  # 5,840
    on_contract = 5 * 3.0 * 1.0 * HOURS  # 10,950
    released = 5 * 2.0 * 0.75 * 0.8 * HOURS  # 4,380
    expected = [merchant + on_contract] * 2 + [merchant] * 2 + [merchant + released] * 2
    got = deal_schedule(a).to_frame()["revenue"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got, [16_790, 16_790, 5_840, 5_840, 10_220, 10_220], rtol=1e-12)


def test_the_deterministic_schedule_never_defaults_the_counterparty():
    base = run_deal(CONTRACTED).revenue
    risky = run_deal({**CONTRACTED, "contract_pd": 0.9}).revenue
    np.testing.assert_array_equal(base, risky)


def _shocks(a, paths, seed=7):
    rng = np.random.Generator(np.random.SFC64(seed))
    rent, btc = correlated_shocks(rng, paths, a)
    return rng, rent, btc


def test_pd_one_loses_the_contracts_from_period_one_like_an_uncontracted_deal_plus_downtime():
    a = parse_assumptions(CONTRACTED, contract_pd=1.0, releasing_months=3)
    rng, rent, btc = _shocks(a, 500)
    stop = contract_stop_periods(rng, rent, a)
    assert np.all(stop == 1)
    stressed = run_deal(a, rent, btc, contract_stop=stop).cfads
    merchant_deal = run_deal({**CONTRACTED, "contracted_share": 0.0}, rent, btc).cfads
    # the uncontracted deal earns market rent on the 700 GPUs at once; here they idle 3 months
    market_rent = run_deal({**CONTRACTED, "contracted_share": 0.0}, rent, btc).rent
    idle = np.zeros_like(market_rent)
    idle[:, :3] = 700 * market_rent[:, :3] * 0.8 * HOURS
    np.testing.assert_allclose(stressed, merchant_deal - idle, rtol=1e-12)


def test_pd_zero_and_pd_one_bracket_the_deals_loss():
    rows = {
        pd: joint_stress({**CONTRACTED, "contract_pd": pd}, paths=4_000, seed=3)
        for pd in (0.0, 0.15, 1.0)
    }
    loss = {pd: r["expected_loss"] for pd, r in rows.items()}
    default = {pd: r["prob_default"] for pd, r in rows.items()}
    assert loss[0.0] < loss[0.15] < loss[1.0]
    assert default[0.0] <= default[0.15] <= default[1.0]
    # PD 1 with no downtime is the deal with no contracts at all (same seed, same rent paths)
    merchant = joint_stress({**CONTRACTED, "contracted_share": 0.0}, paths=4_000, seed=3)
    assert rows[1.0]["expected_loss"] == pytest.approx(merchant["expected_loss"], rel=1e-12)
    assert rows[1.0]["prob_default"] == merchant["prob_default"]
    # PD 0 is the deal as it was: no draws, the same numbers as without the assumption
    plain = joint_stress(CONTRACTED, paths=4_000, seed=3)
    assert rows[0.0].as_dict() == plain.as_dict()


@pytest.mark.parametrize("correlation", [0.0, 0.24])
def test_share_of_counterparty_defaults_within_t_years_is_one_minus_survival(correlation):
    pd, years, paths = 0.1, 3, 100_000
    a = parse_assumptions(
        CONTRACTED, contract_pd=pd, offtaker_correlation=correlation, rent_vol=0.4
    )
    rng, rent, _ = _shocks(a, paths)
    stop = contract_stop_periods(rng, rent, a)
    share = np.mean(stop <= years * 12)
    expected = 1 - (1 - pd) ** years  # 0.271
    assert share == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / paths))


def test_a_backstop_stops_the_contracts_only_when_both_default():
    pd, backstop, r, years, paths = 0.2, 0.1, 0.5, 2, 100_000
    a = parse_assumptions(CONTRACTED, contract_pd=pd, backstop_pd=backstop, backstop_correlation=r)
    rng, rent, _ = _shocks(a, paths)
    stop = contract_stop_periods(rng, rent, a)
    share = np.mean(stop <= years * 12)
    # joint default by T: bivariate normal at the two marginal default thresholds
    p1, p2 = 1 - (1 - pd) ** years, 1 - (1 - backstop) ** years
    inv = NormalDist().inv_cdf
    expected = multivariate_normal([0, 0], [[1, r], [r, 1]]).cdf([inv(p1), inv(p2)])
    assert share == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / paths))
    assert share < min(p1, p2)


def test_correlated_defaults_concentrate_on_low_rent_paths():
    paths = 50_000
    rates = {}
    for rho in (0.0, 0.5):
        a = parse_assumptions(CONTRACTED, contract_pd=0.1, offtaker_correlation=rho)
        rng, rent, _ = _shocks(a, paths)
        score = rent_factor_score(rent, a)
        defaulted = contract_stop_periods(rng, rent, a) <= 36
        low = score < np.quantile(score, 0.2)
        high = score > np.quantile(score, 0.8)
        rates[rho] = (defaulted[low].mean(), defaulted[high].mean())
    low0, high0 = rates[0.0]
    low5, high5 = rates[0.5]
    assert abs(low0 - high0) < 0.02  # independent: no pattern
    assert low5 > 2 * high5  # correlated: defaults where rents are low


def test_stop_periods_start_at_one_and_survivors_never_stop():
    a = parse_assumptions(CONTRACTED, contract_pd=0.05)
    rng, rent, _ = _shocks(a, 20_000)
    stop = contract_stop_periods(rng, rent, a)
    assert stop.min() >= 1
    # a constant hazard puts 1-(1-pd)^(1/12) of the paths in period 1: 0.43%
    assert np.mean(stop == 1) == pytest.approx(1 - 0.95 ** (1 / 12), abs=0.0015)
    assert np.mean(stop == NEVER) == 0  # a constant hazard defaults eventually; never "never"


@pytest.mark.parametrize(
    "bad", [{"contract_pd": 1.5}, {"release_haircut": -0.1}, {"offtaker_correlation": 2}]
)
def test_out_of_range_offtaker_inputs_are_one_line_errors(bad):
    with pytest.raises(DomainError) as info:
        parse_assumptions(CONTRACTED, **bad)
    assert "\n" not in str(info.value)


def test_the_same_seed_gives_the_same_offtaker_defaults_on_one_and_two_workers():
    deal = {**CONTRACTED, "contract_pd": 0.2, "backstop_pd": 0.05, "releasing_months": 3}
    one = joint_stress(deal, paths=9_000, seed=5, workers=1).as_dict()
    two = joint_stress(deal, paths=9_000, seed=5, workers=2).as_dict()
    assert one == two
    assert one["prob_default"] > joint_stress(CONTRACTED, paths=9_000, seed=5)["prob_default"]
