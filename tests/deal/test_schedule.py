"""DEAL_SCHEDULE: the engine's columns against hand calculations and numpy-financial."""

from __future__ import annotations

import json
import math

import numpy as np
import numpy_financial as npf
import pytest

import pyfuncs
from pyfuncs import call
from pyfuncs.deal.assumptions import load_assumptions_file

NEOCLOUD = {
    "gpus": 1_000,
    "capex_per_gpu": 50_000,
    "rent0": 2.40,
    "annual_decline": 0.28,
    "utilization": 0.9,
    "opex_hour": 0.5,
    "loan_to_cost": 0.6,
    "annual_rate": 0.12,
    "tenor_years": 3,
    "monthly_volume": 4_000,
    "site_factor": 1.0,
    "cost_per_unit": 1_000,
}
#: Rents high enough that the loan never draws its reserve: the plain annuity schedule.
SOUND = {**NEOCLOUD, "rent0": 3.0, "annual_decline": 0.1}


def test_neocloud_schedule_by_hand():
    s = pyfuncs.deal_schedule(SOUND)
    n = 36
    t = np.arange(1, n + 1)
    rent = 3.0 * 0.9 ** ((t - 1) / 12)
    revenue = rent * 1_000 * 0.9 * 730
    opex = 0.5 * 1_000 * 730
    principal = 0.6 * 1_000 * 50_000
    payment = float(npf.pmt(0.01, n, -principal))
    balance = -npf.fv(0.01, t, -payment, principal)  # closing balance of a level annuity
    np.testing.assert_allclose(s.rent, rent, rtol=1e-12)
    np.testing.assert_allclose(s.revenue, revenue, rtol=1e-12)
    np.testing.assert_allclose(s.opex, opex)
    np.testing.assert_allclose(s.debt_service, payment, rtol=1e-10)
    np.testing.assert_allclose(s.dscr, (revenue - opex) / payment, rtol=1e-10)
    np.testing.assert_allclose(s.balance, balance, rtol=1e-9, atol=1e-4)
    book = 50e6 - t * 50e6 / 72  # 6-year straight line
    np.testing.assert_allclose(s.book_ltv, balance / book, rtol=1e-9, atol=1e-12)
    unit_market = 50_000 * 0.7 ** (t / 12)  # value at the end of period t
    np.testing.assert_allclose(s.market_ltv, balance / (1_000 * unit_market), rtol=1e-9, atol=1e-12)
    discount = 0.09 + min(0.6, 0.7 * 0.5 * math.sqrt(1 / 12) * math.sqrt(1_000 / 4_000))
    selling = (1 - 0.7**0.5) / (-0.5 * math.log(0.7))  # mean value over a 6-month even sale
    firesale = 1_000 * (unit_market * selling * (1 - discount) * 1.0 - 1_000 - 0.0)
    np.testing.assert_allclose(s.firesale_ltv, balance / firesale, rtol=1e-9, atol=1e-12)
    # The DSRA holds six level payments until the last six months, then releases one a month.
    reserve = payment * np.minimum(6, n - t)
    np.testing.assert_allclose(s.dsra_balance, reserve, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(s.dsra_draw, 0.0)
    cash = revenue - opex - payment
    np.testing.assert_allclose(s.distributed, cash + np.where(t >= n - 5, payment, 0.0), rtol=1e-9)
    assert list(s.status[:-1]) == ["OK"] * (n - 1) and s.status[-1] == "REPAID"


def test_contracts_hold_rent_until_they_roll_to_market():
    values = {**NEOCLOUD, "contracted_share": 1.0, "contract_rent": 3.0, "contract_periods": 12}
    s = pyfuncs.deal_schedule(values)
    np.testing.assert_allclose(s.revenue[:12], 3.0 * 1_000 * 0.95 * 730)
    market = 2.40 * 0.72 ** (12 / 12)
    assert s.revenue[12] == pytest.approx(market * 1_000 * 0.9 * 730)  # re-leased at market
    assert s.rent[0] == 2.40  # the rent column is the market rent


def test_sculpted_profile_holds_target_dscr_in_the_base_case():
    s = pyfuncs.deal_schedule(
        {**NEOCLOUD, "profile": "sculpted", "target_dscr": 1.4, "annual_decline": 0.1}
    )
    np.testing.assert_allclose(s.dscr, 1.4, rtol=1e-10)
    assert s.balance[-1] == pytest.approx(0, abs=1e-6)


def test_floating_rate_path():
    sofr = [0.04] * 18 + [0.03] * 18
    s = pyfuncs.deal_schedule({**SOUND, "base_rate_path": ";".join(map(str, sofr)), "margin": 0.06})
    assert s.interest[0] == pytest.approx(30e6 * 0.10 / 12)
    assert s.interest[18] == pytest.approx(s.opening[18] * 0.09 / 12)
    assert s.balance[-1] == pytest.approx(0, abs=1e-6)


def test_miner_mining_cash_halving_curtailment_and_converts():
    miner = {
        "gpus": 0,
        "btc_price": 100_000,
        "network_ehs": 1_000,
        "hashrate_ph": 10_000,
        "hash_cost_ph_day": 20,
        "halving_periods": "7",
        "btc_held": 500,
        "debt_principal": 5e7,
        "annual_rate": 0.08,
        "tenor_years": 1,
        "convert_principal": 2e8,
        "convert_coupon": 0.03,
        "convert_years": 2,
        "horizon_years": 1,
        "curtail_mining": True,
        "network_growth": 0.0,  # a flat network, so hashprice moves only with the halving
    }
    s = pyfuncs.deal_schedule(miner)
    hp = 3.125 * 144 * 100_000 / 1e6  # $45/PH/day
    days = 365 / 12
    assert s.revenue[0] == pytest.approx(hp * 10_000 * days)
    assert s.opex[0] == pytest.approx(20 * 10_000 * days)
    # After the halving hashprice is $22.5 > $20 cost: still mining, at half the revenue.
    assert s.revenue[6] == pytest.approx(hp / 2 * 10_000 * days)
    senior = float(npf.pmt(0.08 / 12, 12, -5e7))
    assert s.debt_service[0] == pytest.approx(senior + 2e8 * 0.03 / 12)
    # After the halving the DSRA (six months of senior debt service, funded at close) carries
    # the loan: it is repaid, and the notes, maturing after the horizon, are still owed.
    assert s.dsra_balance[0] == pytest.approx(6 * senior)
    assert s.dsra_draw[6] == pytest.approx(
        senior + 2e8 * 0.03 / 12 - hp / 2 * 10_000 * days + 20 * 10_000 * days
    )
    assert s.balance[-1] == pytest.approx(2e8)
    assert s.market_ltv[-1] == pytest.approx(2e8 / (500 * 100_000))
    curtailed = pyfuncs.deal_schedule({**miner, "hash_cost_ph_day": 30})
    assert curtailed.revenue[6] == 0 and curtailed.opex[6] == 0  # $22.5 < $30: switched off


def test_deal_schedule_through_call_with_a_key_value_range():
    kv = [[k, ";".join(map(str, v)) if isinstance(v, list) else v] for k, v in NEOCLOUD.items()]
    rows = call("GPU.DEAL_SCHEDULE", kv, True)
    assert rows[0][:3] == ["period", "rent", "revenue"] and len(rows) == 37
    python = pyfuncs.deal_schedule(NEOCLOUD)
    dscr_col = rows[0].index("dscr")
    assert rows[5][dscr_col] == pytest.approx(float(python.dscr[4]))


def test_dscr_blank_after_maturity_and_ltv_errors_when_value_is_gone():
    rows = call(
        "DEAL_SCHEDULE",
        [["horizon_years", 4], ["tenor_years", 3], ["gpus", 10], ["capex_per_gpu", 1000]],
    )
    dscr = [r[8] for r in rows]
    assert all(isinstance(x, float) for x in dscr[:36]) and all(x is None for x in dscr[36:])


@pytest.mark.parametrize(
    ("kv", "code", "words"),
    [
        ([["gpu_count", 5]], "#VALUE!", "unknown assumption 'gpu_count'"),
        ([["gpus", -5]], "#NUM!", "gpus"),
        ([["gpus", "many"]], "#VALUE!", "gpus"),
        ([["profile", "balloon"]], "#VALUE!", "profile"),
        ([["tenor_years", 1.01]], "#NUM!", "whole number"),
        ([["gpus", 1], ["GPUs", 2]], "#VALUE!", "twice"),
        ([["gpus", 1, 3]], "#VALUE!", "two columns"),
    ],
)
def test_bad_assumptions_are_errors(kv, code, words):
    result = call("DEAL_SCHEDULE", kv)
    assert result.code == code and words in result.reason


def test_assumptions_load_from_yaml_and_json(tmp_path):
    (tmp_path / "deal.yaml").write_text("name: A\ngpus: 100\ngen_periods: [13, 25]\n")
    (tmp_path / "deals.json").write_text(
        json.dumps({"deals": [{"name": "B"}, {"name": "C", "rent0": 2}]})
    )
    [a] = load_assumptions_file(tmp_path / "deal.yaml")
    assert pyfuncs.parse_assumptions(a).gen_periods == (13, 25)
    assert [d["name"] for d in load_assumptions_file(tmp_path / "deals.json")] == ["B", "C"]


def test_many_paths_equal_single_paths():
    rng = np.random.default_rng(0)
    factors = np.exp(rng.normal(0, 0.1, (3, 36)))
    many = pyfuncs.run_deal(NEOCLOUD, factors, factors)
    for k in range(3):
        one = pyfuncs.run_deal(NEOCLOUD, factors[k], factors[k])
        np.testing.assert_allclose(many.dscr[k], one.dscr[0], rtol=1e-13)
        np.testing.assert_allclose(many.firesale_ltv[k], one.firesale_ltv[0], rtol=1e-13)
