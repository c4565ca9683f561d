"""Shared counterparties in the portfolio: one default draw per named offtaker, on every deal."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import multivariate_normal, norm

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.portfolio_credit import common_draws, counterparty_stops, deal_path_shortfalls

# A deal whose whole revenue is one contract: contract rent pays the loan, the market rent the
# GPUs fall back to after a counterparty default does not. With no rent volatility it defaults
# exactly when its counterparty stops paying while the loan is outstanding.
CONTRACT_DEAL = dict(
    gpus=1_000,
    capex_per_gpu=30_000,
    loan_to_cost=0.7,
    annual_rate=0.10,
    per_year=1,
    tenor_years=4,
    profile="annuity",
    rent0=0.3,
    contract_rent=3.0,
    contracted_share=1.0,
    annual_decline=0.0,
    utilization=0.9,
    contract_utilization=0.9,
    opex_hour=0.4,
    rent_vol=0.0,
    btc_vol=0.0,
    correlation=0.0,
    dsra_months=0,
    site_factor=0.0,
    contract_pd=0.08,
    offtaker_correlation=0.3,
)


def _stops(deal: dict, paths: int, seed: int = 11, own_key: int = 0) -> np.ndarray:
    a = parse_assumptions(deal)
    _, w_index = common_draws(seed, paths, 36)
    own = np.random.Generator(np.random.SFC64(np.random.SeedSequence([seed, 1, own_key])))
    return counterparty_stops(a, w_index, own, seed)


def test_deals_naming_the_same_counterparty_default_on_the_same_paths():
    a = _stops(dict(CONTRACT_DEAL, contract_counterparty="Microsoft"), 20_000, own_key=1)
    b = _stops(dict(CONTRACT_DEAL, contract_counterparty=" microsoft "), 20_000, own_key=2)
    np.testing.assert_array_equal(a, b)
    # Unnamed deals draw their own default: they do not coincide.
    c = _stops(dict(CONTRACT_DEAL), 20_000, own_key=1)
    d = _stops(dict(CONTRACT_DEAL), 20_000, own_key=2)
    assert (c <= 3).mean() == pytest.approx(1 - 0.92**3, abs=0.01)
    assert not np.array_equal(c <= 3, d <= 3)


def test_two_counterparties_default_jointly_as_the_bivariate_normal():
    paths, years, pd, rho = 200_000, 3, 0.08, 0.3
    a = _stops(dict(CONTRACT_DEAL, contract_counterparty="Microsoft"), paths)
    b = _stops(dict(CONTRACT_DEAL, contract_counterparty="OpenAI"), paths)
    # Stop period <= T means a default within T years: P = 1 - (1 - pd)^T (constant hazard).
    p_t = 1 - (1 - pd) ** years
    assert (a <= years).mean() == pytest.approx(p_t, rel=0.02)
    # Latent scores sqrt(rho)*F + sqrt(1-rho)*e correlate at rho: joint = Phi2(k, k; rho).
    k = norm.ppf(p_t)
    joint = multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([k, k])
    observed = ((a <= years) & (b <= years)).mean()
    assert observed == pytest.approx(joint, rel=0.04)
    assert joint > p_t**2 * 1.3  # correlation is visible, not independence


def test_a_shared_counterparty_makes_the_deals_lose_together_in_the_portfolio():
    paths, months, seed = 4_000, 48, 7
    same = [dict(CONTRACT_DEAL, contract_counterparty=n) for n in ("Microsoft", "Microsoft")]
    apart = [dict(CONTRACT_DEAL, contract_counterparty=n) for n in ("Microsoft", "Meta")]

    def losses(deals):
        return [
            deal_path_shortfalls(parse_assumptions(d).model_dump(), i, paths, seed, months, 0.7)
            for i, d in enumerate(deals)
        ]

    s0, s1 = losses(same)
    assert (s0 > 0).mean() > 0.05  # the counterparty does default on some paths
    np.testing.assert_array_equal(s0 > 0, s1 > 0)
    a0, a1 = losses(apart)
    np.testing.assert_array_equal(a0 > 0, s0 > 0)  # the same Microsoft draw in both runs
    assert ((a0 > 0) != (a1 > 0)).mean() > 0.05


def test_counterparty_pd_zero_and_one_bracket_the_portfolio_loss():
    paths, months, seed = 2_000, 48, 5

    def mean_loss(pd):
        deal = dict(CONTRACT_DEAL, contract_counterparty="Microsoft", contract_pd=pd)
        values = parse_assumptions(deal).model_dump()
        return deal_path_shortfalls(values, 0, paths, seed, months, 0.7).mean()

    low, mid, high = mean_loss(0.0), mean_loss(0.08), mean_loss(1.0)
    assert low == 0.0
    assert low < mid < high
