"""The vectorised waterfall against a plain per-path loop written here, on random paths.

The engine runs the waterfall on every path at once with work buffers reused across periods
(pyfuncs/deal/waterfall.py); the loop below follows the waterfall's written order (the module's
docstring, docs/domain.md section 10) one path and one period at a time with Python floats, and
builds the loan's schedule itself from numpy-financial (a level-payment annuity at 6%, 24 months).
Every feature is on: a DSRA of three months, quarterly tests of a trailing three-month DSCR,
lock-up (trap or sweep), a 50% cash sweep, and payment or covenant default.

The deal earns $100 a month times the rent shock (100 GPUs at 1/730 $ an hour, fully used, no
opex), so a path's CFADS is ``100 * shock`` and each path is set month by month.
"""

from __future__ import annotations

import math

import numpy as np
import numpy_financial as npf
import pytest

from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal

CENT = 0.005
PRINCIPAL, RATE, MONTHS = 2_000.0, 0.06, 24
DEAL = {
    "gpus": 100,
    "rent0": 1 / 730,
    "annual_decline": 0.0,
    "utilization": 1.0,
    "opex_hour": 0.0,
    "debt_principal": PRINCIPAL,
    "annual_rate": RATE,
    "tenor_years": MONTHS / 12,
    "profile": "annuity",
    "dsra_months": 3,
    "test_frequency": 4,
    "dscr_lookback": 3,
    "lockup_dscr": 1.15,
    "default_dscr": 1.0,
    "cash_sweep": 0.5,
}


def base_schedule(dsra_months: int) -> tuple[list[float], list[float], float]:
    """Per month: the share of the opening balance repaid by schedule and the DSRA target per
    dollar of balance after the month; and the DSRA at close. From numpy-financial's annuity."""
    r = RATE / 12
    payment = float(-npf.pmt(r, MONTHS, PRINCIPAL))
    opening, fraction, per_balance = PRINCIPAL, [], []
    for t in range(MONTHS):
        principal = float(-npf.ppmt(r, t + 1, MONTHS, PRINCIPAL))
        closing = opening - principal
        fraction.append(principal / opening)
        ahead = payment * min(dsra_months, MONTHS - 1 - t)  # the next months' debt service
        per_balance.append(ahead / closing if closing > 1e-9 else 0.0)
        opening = closing
    return fraction, per_balance, payment * dsra_months


def reference_path(cfads: list[float], lockup_action: str, trigger: str) -> dict[str, list]:
    """One path through the waterfall, period by period, in plain Python."""
    fraction, per_balance, dsra = base_schedule(DEAL["dsra_months"])
    step, lookback = 3, 3  # quarterly tests of a three-month DSCR
    senior, lock, locked, dead = PRINCIPAL, 0.0, False, False
    ds_history: list[float] = []
    rows = {k: [] for k in ("debt_service", "balance", "dsra", "draw", "lock", "swept", "out")}
    rows.update(tested=[], status=[])
    outcome = {
        "default_period": 0,
        "default_kind": "none",
        "lockup_period": 0,
        "min_dscr": math.inf,
    }
    for t, cf in enumerate(cfads):
        period = t + 1
        active = not dead and senior > CENT
        due = (senior * RATE / 12 + senior * fraction[t]) if active else 0.0
        principal = senior * fraction[t] if active else 0.0
        need = due - cf
        lock_used = min(max(need, 0.0), lock)
        need -= lock_used
        draw = min(dsra, max(need, 0.0))
        payment_default = active and due > CENT and need - draw > CENT
        ds_history.append(due)
        tested, release, covenant_default = math.nan, False, False
        if period % step == 0:
            cf_sum, ds_sum = sum(cfads[max(0, t - lookback + 1) : t + 1]), sum(ds_history[-3:])
            if active and ds_sum > CENT:
                tested = cf_sum / ds_sum
            locked = tested < DEAL["lockup_dscr"]  # False when not tested (NaN)
            release = active and not locked
            if locked and outcome["lockup_period"] == 0:
                outcome["lockup_period"] = period
            covenant_default = (
                trigger == "covenant" and active and not payment_default and tested < 1.0
            )
        if active and due > CENT:
            outcome["min_dscr"] = min(outcome["min_dscr"], cf / due)
        swept = out = 0.0
        repaid = False
        if payment_default or covenant_default:
            dead = True
            outcome["default_period"] = period
            outcome["default_kind"] = "covenant" if covenant_default else "payment"
        elif active:
            senior -= principal
            lock -= lock_used
            dsra -= draw
            excess = max(cf - due, 0.0)
            target = senior * per_balance[t]
            released = max(dsra - target, 0.0)  # a reserve above its target is released
            dsra -= released
            excess += released
            top_up = min(excess, max(target - dsra, 0.0))
            dsra += top_up
            excess -= top_up
            swept = min(excess * DEAL["cash_sweep"], senior)
            if lockup_action == "sweep" and locked:
                swept += max(min(excess - swept, senior - swept), 0.0)
            excess -= swept
            senior -= swept
            if lockup_action == "trap" and locked:
                lock, excess = lock + excess, 0.0
            out = excess
            if release:
                out, lock = out + lock, 0.0
            if senior <= CENT:  # repaid: the reserve and the account go to the borrower
                out, dsra, lock, repaid = out + dsra + lock, 0.0, 0.0, True
        rows["debt_service"].append(due)
        rows["balance"].append(senior)
        rows["dsra"].append(dsra)
        rows["draw"].append(draw if active and not dead else 0.0)
        rows["lock"].append(lock)
        rows["swept"].append(swept)
        rows["out"].append(out)
        rows["tested"].append(tested)
        if dead:
            rows["status"].append("DEFAULT")
        elif not active or repaid:
            rows["status"].append("REPAID")
        else:
            rows["status"].append("LOCKUP" if locked else "OK")
    return rows | outcome


@pytest.mark.parametrize(
    ("lockup_action", "trigger"),
    [("trap", "payment"), ("trap", "covenant"), ("sweep", "payment"), ("sweep", "covenant")],
)
def test_the_vectorised_waterfall_equals_a_per_path_loop(lockup_action, trigger):
    rng = np.random.default_rng(7)
    # CFADS around the $94.7 a month of debt service: lock-ups, DSRA draws, some defaults
    shocks = rng.uniform(0.55, 1.7, size=(12, MONTHS))
    shocks[:2, 4:7] = 0.2  # two paths with a bad quarter
    shocks[2, 4:12] = 0.05  # and one with eight bad months, more than the reserves hold
    a = parse_assumptions(DEAL, lockup_action=lockup_action, default_trigger=trigger)
    schedule = run_deal(a, shocks)
    seen = set()
    for k in range(len(shocks)):
        s = schedule.path(k)
        want = reference_path(list(100.0 * shocks[k]), lockup_action, trigger)
        for column, name in [
            ("debt_service", "debt_service"),
            ("balance", "balance"),
            ("dsra_balance", "dsra"),
            ("dsra_draw", "draw"),
            ("lockup_balance", "lock"),
            ("swept", "swept"),
            ("distributed", "out"),
            ("tested_dscr", "tested"),
        ]:
            np.testing.assert_allclose(
                s[column], want[name], rtol=1e-9, atol=1e-9, err_msg=f"path {k} {column}"
            )
        assert list(s.status) == want["status"], f"path {k}"
        assert s.outcome.default_period[0] == want["default_period"]
        assert s.outcome.lockup_period[0] == want["lockup_period"]
        assert s.outcome.min_dscr[0] == pytest.approx(want["min_dscr"], rel=1e-12)
        kinds = ("none", "payment", "covenant", "maturity")
        assert kinds[s.outcome.default_kind[0]] == want["default_kind"]
        seen.update(want["status"])
        seen.add(want["default_kind"])
        seen.update(["draw"] if max(want["draw"]) > 0 else [])
        seen.update(["swept"] if max(want["swept"]) > 0 else [])
        seen.update(["trapped"] if max(want["lock"]) > 0 else [])
    # the random paths exercise every part of the waterfall they are meant to
    assert {"OK", "LOCKUP", "DEFAULT", "REPAID", "draw", "swept"} <= seen
    assert (trigger == "covenant") == ("covenant" in seen)
    assert (lockup_action == "trap") == ("trapped" in seen)
