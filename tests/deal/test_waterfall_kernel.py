"""The compiled waterfall (pyfuncs/deal/waterfall_kernel.py) against the numpy waterfall.

The numpy waterfall is the reference, itself checked against a plain per-path loop written out
in tests/deal/test_waterfall_reference.py and against hand-worked schedules in
tests/deal/test_waterfall.py. Here every waterfall option runs through both on the same shocked
paths: the compiled loop must give each path the same default period, kind, lock-up, repayment,
margin-call and liquidation periods, and the same money amounts and DSCRs within 1e-9 relative.
The deals are the example deals (each exercising a different part of the capital structure)
and variants of them that switch on what the examples leave off; each case also asserts that
its paths reach the part it is there for, so a case cannot pass by exercising nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pyfuncs
from pyfuncs.deal import examples, waterfall_kernel
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import debt_profile
from pyfuncs.deal.stress import draw_chunk, path_outcomes

pytest.importorskip("numba")

PERIOD_FIELDS = (
    "default_period",
    "default_kind",
    "lockup_period",
    "repaid_period",
    "margin_call_period",
    "liquidation_period",
)
MONEY_FIELDS = (
    "min_dscr",
    "min_tested_dscr",
    "ead",
    "cash_at_default",
    "btc_at_default",
    "firesale_at_default",
)

MINER_BTC_LOAN = {
    **examples.MINER,
    "btc_held": 3_000,
    "btc_loan": 150e6,  # 55% LTV at $91k: margin calls at 70%, liquidation at 80-85%
    "btc_loan_rate": 0.08,
    "btc_vol": 0.8,
}
CASES = {
    # rent decline, lock-up trap, DSRA, payment default
    "neocloud": (examples.NEOCLOUD_THESIS, {"default", "lockup", "dsra"}),
    # contracts, a 100% sweep: repaid early
    "neocloud sweep": (
        {**examples.NEOCLOUD_CONTRACTED, "cash_sweep": 1.0, "rent_vol": 0.5, "lockup_dscr": 1.6},
        {"repaid", "lockup"},
    ),
    # lock-up sweep and covenant default
    "lock-up sweep, covenant": (
        {
            **examples.NEOCLOUD_CONTRACTED,
            "lockup_action": "sweep",
            "default_trigger": "covenant",
            "cash_sweep": 0.25,
            "rent_vol": 0.6,
            "lockup_dscr": 1.6,
            "default_dscr": 1.3,
        },
        {"covenant", "lockup", "repaid"},
    ),
    # the convertible's maturity wall inside the horizon, refinanced or a maturity default; BTC
    "miner wall": (
        {**examples.MINER, "horizon_years": 6, "btc_vol": 0.6},
        {"maturity", "refinanced"},
    ),
    # the wall with nothing to refinance it: due from cash
    "miner wall, no refinancing": (
        {k: v for k, v in examples.MINER.items() if k not in ("refi_rate", "refi_years")}
        | {"horizon_years": 6},
        {"maturity"},
    ),
    # BTC-backed loan: margin calls met from cash, liquidations by the BTC lender
    "miner BTC loan": (MINER_BTC_LOAN, {"margin_call", "liquidation", "default"}),
    # a delayed-draw facility under a borrowing base, with a DSRA
    "DDTL draws": (examples.NEOCLOUD_DDTL_DRAWS, {"default", "dsra"}),
    "DDTL draws, sweep and covenant": (
        {
            **examples.NEOCLOUD_DDTL_DRAWS,
            "cash_sweep": 0.5,
            "default_trigger": "covenant",
            "default_dscr": 1.3,
            "lockup_dscr": 1.5,
            "rent_vol": 0.6,
        },
        {"repaid", "default"},
    ),
    # colocation leases with a counterparty default and a refinanced balloon
    "colo": (examples.COLO, {"refinanced"}),
    # a balloon on an annuity and no DSRA
    "datacenter balloon": (
        {
            **examples.DATACENTER,
            "profile": "annuity",
            "balloon": 0.3 * 0.7 * 8000 * 65000,
            "dsra_months": 0,
            "refi_rate": 0.09,
            "refi_years": 3,
        },
        {"default", "refinanced"},
    ),
}


def outcomes(deal: dict, paths: int, seed: int, kernel: bool):
    """Each path's outcome of the deal on ``paths`` shocked paths, numpy or compiled.

    The rent shock is 25% a year unless the deal sets its own: wider than the calibrated default
    (0.15), so that a few hundred paths reach every part of the waterfall."""
    a = parse_assumptions({"rent_vol": 0.25, **deal})
    rent, btc, stop = draw_chunk(np.random.Generator(np.random.SFC64(seed)), paths, a)
    return path_outcomes(a, rent, btc, debt_profile(a), stop, kernel=kernel).outcome


def assert_same(reference, compiled) -> None:
    for name in PERIOD_FIELDS:
        np.testing.assert_array_equal(getattr(compiled, name), getattr(reference, name), name)
    for name in MONEY_FIELDS:
        np.testing.assert_allclose(
            getattr(compiled, name), getattr(reference, name), rtol=1e-9, atol=0, err_msg=name
        )


def seen(o, deal: dict) -> set[str]:
    """The parts of the waterfall these outcomes show were used."""
    kinds = set(np.unique(o.default_kind).tolist())
    got = set()
    got |= {"default"} if (o.default_period > 0).any() else set()
    got |= {"payment"} if 1 in kinds else set()
    got |= {"covenant"} if 2 in kinds else set()
    got |= {"maturity"} if 3 in kinds else set()
    got |= {"lockup"} if (o.lockup_period > 0).any() else set()
    got |= {"repaid"} if (o.repaid_period > 0).any() else set()
    got |= {"margin_call"} if (o.margin_call_period > 0).any() else set()
    got |= {"liquidation"} if (o.liquidation_period > 0).any() else set()
    got |= {"dsra"} if (o.cash_at_default > 0).any() else set()
    # a refinanced wall: paths that lived past a maturity inside the horizon
    a = parse_assumptions(deal)
    debt = debt_profile(a)
    walls = np.flatnonzero(debt.senior_wall_share > 0) + 1
    if debt.junior_maturity:
        walls = np.append(walls, debt.junior_maturity)
    if walls.size and a.refi_rate is not None:
        wall = walls.min()
        past = (o.default_period == 0) | (o.default_period > wall)
        alive = past & ((o.repaid_period == 0) | (o.repaid_period > wall))
        got |= {"refinanced"} if alive.any() else set()
    return got


@pytest.mark.parametrize("case", list(CASES))
def test_the_compiled_waterfall_gives_the_numpy_outcomes(case):
    deal, parts = CASES[case]
    reference = outcomes(deal, 600, 5, kernel=False)
    compiled = outcomes(deal, 600, 5, kernel=True)
    assert_same(reference, compiled)
    assert parts <= seen(reference, deal), f"{case}: {parts - seen(reference, deal)} not reached"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(
    base=st.sampled_from(list(CASES)),
    dsra_months=st.sampled_from([0, 1, 3, 6]),
    cash_sweep=st.sampled_from([0.0, 0.3, 1.0]),
    lockup_action=st.sampled_from(["trap", "sweep"]),
    trigger=st.sampled_from(["payment", "covenant"]),
    lockup_dscr=st.floats(1.0, 1.6),
    test_frequency=st.sampled_from([1, 2, 4, 12]),
    dscr_lookback=st.sampled_from([1, 3, 6, 12]),
    rent_vol=st.floats(0.05, 0.6),
    seed=st.integers(0, 2**32),
)
def test_random_assumptions_give_the_same_outcomes(
    base, dsra_months, cash_sweep, lockup_action, trigger, lockup_dscr, test_frequency,
    dscr_lookback, rent_vol, seed,
):  # fmt: skip
    deal = {
        **CASES[base][0],
        "dsra_months": dsra_months,
        "cash_sweep": cash_sweep,
        "lockup_action": lockup_action,
        "default_trigger": trigger,
        "lockup_dscr": lockup_dscr,
        "default_dscr": min(1.0, lockup_dscr),
        "test_frequency": test_frequency,
        "dscr_lookback": dscr_lookback,
        "rent_vol": rent_vol,
    }
    assert_same(outcomes(deal, 200, seed, kernel=False), outcomes(deal, 200, seed, kernel=True))


def test_a_big_stress_uses_the_kernel_and_gives_the_same_numbers_on_1_and_2_workers(monkeypatch):
    deal = {**examples.MINER, "horizon_years": 6, "btc_vol": 0.6}
    monkeypatch.setenv(waterfall_kernel.ENV_VAR, "numpy")
    reference = pyfuncs.joint_stress(deal, paths=9_000, seed=3, workers=1)
    monkeypatch.setenv(waterfall_kernel.ENV_VAR, "kernel")
    one = pyfuncs.joint_stress(deal, paths=9_000, seed=3, workers=1)
    two = pyfuncs.joint_stress(deal, paths=9_000, seed=3, workers=2)
    assert one.as_dict() == two.as_dict()
    for name in PERIOD_FIELDS:
        np.testing.assert_array_equal(getattr(one.outcomes, name), getattr(two.outcomes, name))
        np.testing.assert_array_equal(
            getattr(one.outcomes, name), getattr(reference.outcomes, name)
        )
    for metric, value in reference.as_dict().items():
        if isinstance(value, float):
            assert one[metric] == pytest.approx(value, rel=1e-9, abs=1e-12), metric
        else:
            assert one[metric] == value, metric


def test_the_setting_chooses_the_implementation(monkeypatch):
    monkeypatch.setenv(waterfall_kernel.ENV_VAR, "numpy")
    assert not waterfall_kernel.kernel_wanted(10**6)
    monkeypatch.setenv(waterfall_kernel.ENV_VAR, "kernel")
    assert waterfall_kernel.kernel_wanted(1)
    monkeypatch.setenv(waterfall_kernel.ENV_VAR, "auto")
    assert not waterfall_kernel.kernel_wanted(waterfall_kernel.KERNEL_MIN_PATHS - 1)
    assert waterfall_kernel.kernel_wanted(waterfall_kernel.KERNEL_MIN_PATHS)
    monkeypatch.delenv(waterfall_kernel.ENV_VAR)
    assert waterfall_kernel.mode() == "auto"


def test_without_numba_the_numpy_waterfall_runs(monkeypatch):
    deal = CASES["miner wall"][0]
    monkeypatch.setattr(waterfall_kernel, "available", lambda: False)
    monkeypatch.setenv(waterfall_kernel.ENV_VAR, "kernel")
    assert not waterfall_kernel.kernel_wanted(10**6)
    monkeypatch.setattr(waterfall_kernel, "run_kernel", _never)
    a = parse_assumptions(deal)
    rent, btc, stop = draw_chunk(np.random.Generator(np.random.SFC64(1)), 50, a)
    path_outcomes(a, rent, btc, debt_profile(a), stop)  # kernel=None: decided, numpy


def _never(*args, **kwargs):
    raise AssertionError("the kernel ran without numba")


def test_a_cache_that_cannot_be_written_still_compiles(tmp_path):
    """A read-only install or an unwritable cache: the kernel compiles in memory, never fails."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    code = (
        "import numpy as np\n"
        "from pyfuncs.deal import waterfall_kernel as w\n"
        "from pyfuncs.deal.examples import MINER\n"
        "from pyfuncs.deal.assumptions import parse_assumptions\n"
        "from pyfuncs.deal.engine import debt_profile\n"
        "from pyfuncs.deal.stress import draw_chunk, path_outcomes\n"
        "assert w.kernel_function() is not None, w._failed\n"
        "a = parse_assumptions(MINER)\n"
        "rent, btc, stop = draw_chunk(np.random.Generator(np.random.SFC64(2)), 64, a)\n"
        "runs = [path_outcomes(a, rent, btc, debt_profile(a), stop, k).outcome for k in (0, 1)]\n"
        "assert (runs[0].default_period == runs[1].default_period).all()\n"
        "print('compiled')\n"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(blocker / "cache")}
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=root
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "compiled"
