"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import pyfuncs
from pyfuncs import ExcelError, call
from pyfuncs.catalogue import REGISTRY

finite = st.floats(allow_nan=False, allow_infinity=False)


def _min_dscr(rent0, decline, capex, rate, years, util, opex):
    n = years * 12
    rents = pyfuncs.rent_curve(rent0, n, decline)
    cfads = pyfuncs.revenue(rents, 1, util) - pyfuncs.revenue(opex, 1, 1.0)
    schedule = pyfuncs.debt_schedule(capex, rate, years)
    return float(np.min(pyfuncs.dscr(cfads, schedule.debt_service)))


@given(
    rent0=st.floats(0.5, 10),
    d1=st.floats(-0.5, 0.9),
    d2=st.floats(-0.5, 0.9),
    capex=st.floats(5_000, 80_000),
    rate=st.floats(0.0, 0.25),
    years=st.integers(1, 7),
    util=st.floats(0.3, 1.0),
    opex=st.floats(0.0, 1.0),
)
def test_steeper_decline_never_raises_minimum_dscr(rent0, d1, d2, capex, rate, years, util, opex):
    low, high = sorted((d1, d2))
    assert (
        _min_dscr(rent0, high, capex, rate, years, util, opex)
        <= _min_dscr(rent0, low, capex, rate, years, util, opex) + 1e-12
    )


@given(
    units=st.lists(st.floats(1, 1e6), min_size=2, max_size=6),
    volume=st.floats(1, 1e5),
    value=st.floats(100, 60_000),
    cost=st.floats(0, 2_000),
)
def test_more_units_never_raise_the_recovery_rate(units, volume, value, cost):
    q = np.sort(np.asarray(units))
    rate = pyfuncs.firesale_recovery(value, q, volume, cost_per_unit=cost) / (q * value)
    assert np.all(np.diff(rate) <= 1e-12)


@given(lag1=st.floats(0, 6), lag2=st.floats(0, 6), step=st.floats(0, 0.9), age=st.floats(0, 6))
def test_a_later_generation_never_raises_value(lag1, lag2, step, age):
    lo, hi = sorted((lag1, lag2))
    assert pyfuncs.adj_ltv(1.0, 1.0, age, 0.3, hi, step) >= pyfuncs.adj_ltv(
        1.0, 1.0, age, 0.3, lo, step
    ) * (1 - 1e-12)
    recovery_hi = pyfuncs.firesale_recovery(20_000.0, 100, 1_000, hi, step)
    recovery_lo = pyfuncs.firesale_recovery(20_000.0, 100, 1_000, lo, step)
    assert recovery_hi <= recovery_lo * (1 + 1e-12)


@given(
    releases=st.lists(st.integers(1, 60), max_size=4),
    extra=st.integers(1, 60),
    step=st.floats(0, 1),
)
def test_another_release_never_raises_market_value(releases, extra, step):
    base = pyfuncs.market_value(50_000, 60, 0.3, 12, releases or None, step)
    more = pyfuncs.market_value(50_000, 60, 0.3, 12, [*releases, extra], step)
    assert np.all(more <= base * (1 + 1e-12))


@given(
    principal=st.floats(0, 1e9),
    rate=st.floats(-0.05, 0.5),
    years=st.integers(1, 10),
    per_year=st.sampled_from([1, 4, 12]),
    profile=st.sampled_from(["annuity", "linear", "bullet"]),
    balloon_share=st.floats(0, 1),
)
def test_principal_repaid_sums_to_principal(
    principal, rate, years, per_year, profile, balloon_share
):
    balloon = 0.0 if profile == "bullet" else principal * balloon_share
    s = pyfuncs.debt_schedule(principal, rate, years, per_year, profile, balloon)
    assert math.isclose(s.principal.sum(), principal, rel_tol=1e-9, abs_tol=1e-6)
    assert abs(s.closing[-1]) <= 1e-9 * max(1.0, principal)


excel_cell = st.one_of(
    st.none(),
    st.floats(),
    st.integers(-(10**12), 10**12),
    st.booleans(),
    st.text(max_size=8),
    st.sampled_from(["", "#N/A", "SLN", "annuity", "TRUE"]),
    st.builds(ExcelError, st.sampled_from(["#N/A", "#REF!", "#VALUE!"])),
)
excel_value = st.one_of(
    excel_cell,
    st.lists(st.lists(excel_cell, min_size=0, max_size=4), min_size=0, max_size=4),
    st.lists(excel_cell, max_size=4),
)


def _is_excel_value(value) -> bool:
    if isinstance(value, list):
        return all(isinstance(row, list) and all(_is_excel_value(c) for c in row) for row in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | bool | ExcelError)


@settings(max_examples=400, deadline=None)  # bounded by the cost model, not by a timer
@given(name=st.sampled_from(sorted(REGISTRY)), args=st.lists(excel_value, max_size=8))
def test_call_never_raises(name, args):
    result = call(name, *args)
    assert _is_excel_value(result)
