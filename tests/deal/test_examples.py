"""The example deals (the demo's and the templates') sit on the H100 curves, counted once.

Expected values: the H100 rent curve written out (docs/gpu-curves.md): ``c + (2.35 - c) * 0.72^age``
with ``c = 1.275 kW * (1.3 * $0.08 + $200/730)`` the cash operating cost, and the refinancing DSCR
of the miner's convertible wall from the level payment ``P r / (1 - (1+r)^-n)``.
"""

from __future__ import annotations

import numpy as np
import pytest

import pyfuncs
from pyfuncs.deal import examples
from pyfuncs.deal.assumptions import parse_assumptions
from pyfuncs.deal.engine import run_deal

EXAMPLES = {
    "NEOCLOUD_THESIS": examples.NEOCLOUD_THESIS,
    "NEOCLOUD_CONTRACTED": examples.NEOCLOUD_CONTRACTED,
    "NEOCLOUD_DDTL": examples.NEOCLOUD_DDTL,
    "MINER": examples.MINER,
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_use_the_h100_curves_with_no_double_counting(name):
    a = parse_assumptions(EXAMPLES[name])
    assert a.gpu_model == "H100"
    assert not a.gen_periods
    assert a.curve_warnings == ()
    assert run_deal(a).warnings == ()


def test_the_thesis_deal_rents_on_the_h100_curve():
    a = parse_assumptions(examples.NEOCLOUD_THESIS)
    rent = run_deal(a).rent[0]
    floor = 1.275 * (1.3 * 0.08 + 200 / 730)
    months = np.arange(rent.size) / 12
    np.testing.assert_allclose(rent, floor + (2.35 - floor) * 0.72**months, rtol=1e-12)
    # the decline decelerates: -23% in year 1, less every year after
    yearly = rent[12::12] / rent[:-12:12] - 1
    assert np.all(np.diff(yearly) > 0)


def test_the_miners_convertible_wall_is_tested_for_refinancing_at_the_sourced_rate():
    a = parse_assumptions(examples.MINER)
    assert a.refi_rate == 0.0775 and a.refi_years == 5
    s = run_deal(a).path(0)
    wall = a.convert_periods  # month 60
    assert s.due_at_maturity[wall - 1] == pytest.approx(500e6)
    r, n = 0.0775 / 12, 60
    payment = 500e6 * r / (1 - (1 + r) ** -n)
    # the senior loan was repaid in month 36 and the notes pay no coupon: the refinancing's
    # payment is all the debt service, against the trailing twelve months' average CFADS
    trailing = s.cfads[wall - 12 : wall].mean()
    assert s.refi_dscr[wall - 1] == pytest.approx(trailing / payment, rel=1e-9)


def test_the_stress_runs_a_gpu_model_deal_on_its_curves():
    # With no volatility every path is the base case: the model's rent and value curves, not the
    # rent0/annual_decline/market_decay defaults a full dump of the assumptions would set.
    calm = {**examples.NEOCLOUD_CONTRACTED, "rent_vol": 0.0, "btc_vol": 0.0}
    stress = pyfuncs.joint_stress(calm, paths=50, seed=1)
    base = run_deal(parse_assumptions(calm))
    np.testing.assert_allclose(stress.outcomes.min_dscr, np.nanmin(base.dscr[0]), rtol=1e-12)
    flat_decay = run_deal(parse_assumptions(calm, rent0=2.35, annual_decline=0.28))
    assert np.nanmin(flat_decay.dscr[0]) < np.nanmin(base.dscr[0]) - 0.05
