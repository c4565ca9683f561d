"""JOINT_STRESS against closed forms: no volatility, a lone lognormal shock, correlation."""

from __future__ import annotations

import itertools
import math
from statistics import NormalDist

import numpy as np
import pytest

import pyfuncs
from pyfuncs import call
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.stress import correlated_shocks
from pyfuncs.excel.values import to_excel

DEAL = {
    "gpus": 1_000,
    "rent0": 2.6,
    "annual_decline": 0.2,
    "opex_hour": 0.45,
    "loan_to_cost": 0.5,
    "tenor_years": 3,
    "monthly_volume": 3_000,
}

MINER = {
    "gpus": 2_000,
    "rent0": 2.3,
    "annual_decline": 0.2,
    "opex_hour": 0.45,
    "hashrate_ph": 20_000,
    "btc_price": 95_000,
    "network_ehs": 1_000,
    "hash_cost_ph_day": 28,
    "btc_held": 300,
    "debt_principal": 2.0e8,
    "annual_rate": 0.0775,
    "tenor_years": 4,
    "btc_vol": 0.5,
    "rent_vol": 0.3,
    # a network on a fixed path, so that mining cash moves one for one with the BTC shock
    "network_growth": 0.0,
    "hashrate_elasticity": 0.0,
}


def test_zero_volatility_gives_the_deterministic_schedule():
    calm = {**DEAL, "btc_vol": 0.0, "rent_vol": 0.0}
    stress = pyfuncs.joint_stress(calm, paths=500, seed=3)
    base = pyfuncs.deal_schedule(calm)
    np.testing.assert_allclose(stress.outcomes.min_dscr, np.nanmin(base.dscr), rtol=1e-12)
    defaults = bool(np.any(base.dscr < 1.0))
    assert stress["prob_dscr_below_1"] == float(defaults)
    assert stress["min_dscr_p1"] == pytest.approx(np.nanmin(base.dscr), rel=1e-12)


def test_lone_btc_shock_matches_the_lognormal_barrier_probability():
    sigma, s0, barrier = 0.5, 95_000.0, 60_000.0
    a = {**MINER, "rent_vol": 0.0, "btc_vol": sigma, "correlation": 0.0}
    paths = 20_000
    stress = pyfuncs.joint_stress(a, paths=paths, seed=11)
    n = parse_assumptions(a).horizon_periods
    horizon = (n - 1) / 12  # period n sits (n-1)/12 years out
    expected = NormalDist().cdf(
        (math.log(barrier / s0) + sigma**2 * horizon / 2) / (sigma * math.sqrt(horizon))
    )
    observed = float(np.mean(stress.outcomes.final_btc < barrier))
    standard_error = math.sqrt(expected * (1 - expected) / paths)
    assert abs(observed - expected) < 4 * standard_error


def test_gaussian_shocks_have_the_stated_volatility_and_correlation():
    a = parse_assumptions({**MINER, "correlation": 0.8, "horizon_years": 10, "tenor_years": 4})
    rent, btc = correlated_shocks(np.random.default_rng(5), 4_000, a)
    d_rent, d_btc = np.diff(np.log(rent), axis=1).ravel(), np.diff(np.log(btc), axis=1).ravel()
    assert np.std(d_btc) * math.sqrt(12) == pytest.approx(0.5, rel=0.01)
    assert np.std(d_rent) * math.sqrt(12) == pytest.approx(0.3, rel=0.01)
    assert np.corrcoef(d_rent, d_btc)[0, 1] == pytest.approx(0.8, abs=0.01)
    # The factor is lognormal with mean one: Var = exp(sigma^2 T) - 1 at T = (n-1)/12 years.
    horizon = (btc.shape[1] - 1) / 12
    standard_error = math.sqrt((math.exp(0.25 * horizon) - 1) / btc.shape[0])
    assert abs(np.mean(btc[:, -1]) - 1.0) < 4 * standard_error


def test_t_copula_keeps_variance_and_fattens_the_joint_tail():
    a = parse_assumptions({**MINER, "correlation": 0.5, "horizon_years": 10})
    gauss = correlated_shocks(np.random.default_rng(1), 4_000, a)
    student = correlated_shocks(
        np.random.default_rng(1), 4_000, a.model_copy(update={"copula": "t"})
    )

    def joint_tail(rent, btc):
        x, y = np.diff(np.log(rent), axis=1).ravel(), np.diff(np.log(btc), axis=1).ravel()
        return np.std(y), np.mean((x < np.quantile(x, 0.005)) & (y < np.quantile(y, 0.005)))

    sd_g, tail_g = joint_tail(*gauss)
    sd_t, tail_t = joint_tail(*student)
    assert sd_t == pytest.approx(sd_g, rel=0.03)
    assert tail_t > 1.5 * tail_g


def test_higher_correlation_never_lowers_the_miner_breach_probability():
    probabilities = [
        pyfuncs.joint_stress({**MINER, "correlation": rho}, paths=8_000, seed=2)[
            "prob_dscr_below_1"
        ]
        for rho in (-0.5, 0.0, 0.5, 0.8)
    ]
    assert 0.0 < probabilities[0] < 1.0
    # Common random numbers (one seed) make the comparison exact rather than statistical.
    assert all(b >= a for a, b in itertools.pairwise(probabilities))
    assert probabilities[-1] > probabilities[0]


def test_same_seed_same_numbers_in_python_excel_and_workers():
    one = pyfuncs.joint_stress(DEAL, paths=9_000, seed=7)
    again = pyfuncs.joint_stress(DEAL, paths=9_000, seed=7)
    parallel = pyfuncs.joint_stress(DEAL, paths=9_000, seed=7, workers=2)
    np.testing.assert_array_equal(one.value, again.value)
    np.testing.assert_array_equal(one.value, parallel.value)
    kv = [[k, v] for k, v in DEAL.items()]
    rows = call("JOINT_STRESS", kv, 9_000, 7)
    assert [r[0] for r in rows] == list(one.metric)
    assert [r[1] for r in rows] == [to_excel(v) for v in one.value]
    other = pyfuncs.joint_stress(DEAL, paths=9_000, seed=8)
    assert not np.array_equal(one.outcomes.min_dscr, other.outcomes.min_dscr)


def test_expected_loss_is_pd_times_lgd_times_exposure():
    stress = pyfuncs.joint_stress(MINER, paths=3_000, seed=4)
    o = stress.outcomes
    defaulted = o.default_period > 0
    assert 0 < defaulted.mean() < 1
    assert stress["prob_default"] == pytest.approx(defaulted.mean())
    # Shortfall of a defaulted path: EAD less the reserves and the discounted net fire sale.
    discount = 1.10 ** (6 / 12)
    net = o.cash_at_default + o.firesale_at_default / discount
    shortfall = np.where(defaulted, np.maximum(o.ead - net, 0.0), 0.0)
    assert stress["expected_loss_usd"] == pytest.approx(shortfall.mean())
    assert stress["expected_lgd"] == pytest.approx(shortfall.sum() / o.ead[defaulted].sum())
    assert stress["expected_loss_usd"] == pytest.approx(
        stress["prob_default"] * stress["expected_lgd"] * stress["expected_ead"]
    )
    years = 4
    assert stress["annual_pd"] == pytest.approx(1 - (1 - defaulted.mean()) ** (1 / years))
    assert stress["fair_spread"] == pytest.approx(
        -math.log(1 - stress["annual_pd"]) * stress["expected_lgd"]
    )
    # More debt: the fair spread passes 2,000 bp and is shown as distressed, not as a price.
    heavy = pyfuncs.joint_stress({**MINER, "debt_principal": 3.0e8}, paths=3_000, seed=4)
    assert -math.log(1 - heavy["annual_pd"]) * heavy["expected_lgd"] > 0.20
    assert heavy["fair_spread"] == "distressed"


def test_every_path_defaulting_has_no_annual_pd_but_a_first_default_period():
    doomed = {**DEAL, "rent0": 1.0, "btc_vol": 0.0, "rent_vol": 0.0}
    stress = pyfuncs.joint_stress(doomed, paths=200, seed=1)
    base = pyfuncs.deal_schedule(doomed)
    first = int(np.argmax(base.status == "DEFAULT")) + 1
    assert stress["prob_default"] == 1.0
    assert stress["annual_pd"].code == "#NUM!"
    assert f"period {first}" in stress["annual_pd"].reason
    assert stress["first_default_p50"] == first
    assert stress["fair_spread"] == "distressed"


def test_stress_errors():
    assert call("JOINT_STRESS", [["gpus", 10]], 0).code == "#NUM!"
    assert call("JOINT_STRESS", [["correlation", 1.5]]).code == "#NUM!"
    assert call("JOINT_STRESS", [["copula", "clayton"]]).code == "#VALUE!"
