"""HEADROOM against DECLINE_TO_BREACH and by definition; SENSITIVITY against DEAL_SCHEDULE."""

from __future__ import annotations

import math

import pytest

import pyfuncs
from pyfuncs import ExcelError, call

# A plain level-annuity loan on one GPU financed at cost: covenant tested every month on that
# month's DSCR, no reserve, no contracts, no generation steps, flat opex. Its minimum DSCR is
# the question DECLINE_TO_BREACH answers in closed form.
PLAIN = {
    "gpus": 1,
    "capex_per_gpu": 50_000,
    "rent0": 4.00,
    "annual_decline": 0.05,
    "utilization": 0.95,
    "opex_hour": 0.40,
    "loan_to_cost": 1.0,
    "annual_rate": 0.11,
    "tenor_years": 5,
    "profile": "annuity",
    "dsra_months": 0,
    "test_frequency": 12,
    "dscr_lookback": 1,
    "gen_periods": (),
    "lockup_dscr": 1.10,
    "default_dscr": 1.00,
}


def _kv(values: dict) -> list[list[object]]:
    return [[k, ";".join(map(str, v)) if isinstance(v, tuple) else v] for k, v in values.items()]


def test_headroom_on_a_plain_annuity_deal_equals_decline_to_breach():
    d_star = float(pyfuncs.decline_to_breach(4.00, 50_000, 0.11, 5, 0.95, 0.40, 1.10))
    room = pyfuncs.headroom(PLAIN, "annual_decline", "lockup")
    assert PLAIN["annual_decline"] + room == pytest.approx(d_star, abs=1e-5)
    assert call("HEADROOM", _kv(PLAIN), "annual_decline", "lockup") == pytest.approx(room)


def test_headroom_is_the_edge_of_the_breach():
    room = pyfuncs.headroom(PLAIN, "rent0", "lockup")
    assert 0 < room < 1

    def first_test_below_lockup(fall: float) -> object:
        # The schedule's own columns: a covenant test (tested_dscr) below 1.10x, or a default.
        table = call("DEAL_SCHEDULE", _kv({**PLAIN, "rent0": 4.00 * (1 - fall)}), True)
        tested, status = table[0].index("tested_dscr"), table[0].index("status")
        return next(
            (
                row[0]
                for row in table[1:]
                if (isinstance(row[tested], float) and row[tested] < 1.10)
                or row[status] == "DEFAULT"
            ),
            None,
        )

    assert first_test_below_lockup(room - 1e-4) is None
    assert first_test_below_lockup(room + 1e-4) is not None
    # A default needs a deeper fall than a lock-up (1.00x is below 1.10x).
    assert pyfuncs.headroom(PLAIN, "rent0", "default") > room


def test_headroom_zero_when_already_breached_and_na_when_never():
    assert pyfuncs.headroom({**PLAIN, "rent0": 1.0}, "rent0") == 0.0
    never = call("HEADROOM", _kv(PLAIN), "btc_price", "lockup")  # no BTC in this deal
    assert isinstance(never, ExcelError) and never.code == "#N/A"
    assert call("HEADROOM", _kv(PLAIN), "gpus").code == "#VALUE!"


def _min_dscr_of_schedule(values: dict) -> float:
    table = call("DEAL_SCHEDULE", _kv(values), True)
    column = table[0].index("dscr")
    return min(row[column] for row in table[1:] if isinstance(row[column], float))


def test_sensitivity_cells_equal_deal_schedule_at_each_pair():
    declines, utils = [0.05, 0.20, 0.35], [0.80, 0.95]
    grid = call(
        "SENSITIVITY", _kv(PLAIN), "annual_decline", [declines], "utilization", [[u] for u in utils]
    )
    assert len(grid) == 3 and all(len(row) == 2 for row in grid)
    for i, d in enumerate(declines):
        for j, u in enumerate(utils):
            expected = _min_dscr_of_schedule({**PLAIN, "annual_decline": d, "utilization": u})
            assert grid[i][j] == pytest.approx(expected, rel=1e-12)
    # Faster decline, lower utilisation: never a better minimum DSCR.
    assert grid[0][1] > grid[2][1] and grid[2][1] > grid[2][0]


def test_sensitivity_first_breach_and_pd_cells():
    grid = call(
        "SENSITIVITY", _kv(PLAIN), "rent0", [[4.00, 1.2]], "annual_decline", [[0.1]], "first_breach"
    )
    assert isinstance(grid[0][0], ExcelError) and grid[0][0].code == "#N/A"
    table = call("DEAL_SCHEDULE", _kv({**PLAIN, "rent0": 1.2}), True)
    tested, status = table[0].index("tested_dscr"), table[0].index("status")
    first = next(
        i
        for i, row in enumerate(table[1:], 1)
        if (isinstance(row[tested], float) and row[tested] < 1.10) or row[status] == "DEFAULT"
    )
    assert grid[1][0] == first
    pd_grid = pyfuncs.sensitivity(PLAIN, "rent0", [1.8], "annual_decline", [0.3], "pd")
    stress = pyfuncs.joint_stress({**PLAIN, "rent0": 1.8, "annual_decline": 0.3}, 2_000, 1)
    assert pd_grid[0][0] == stress["prob_default"]


def test_sensitivity_refuses_bad_requests_in_one_line():
    assert call("SENSITIVITY", _kv(PLAIN), "nope", [[1]], "gpus", [[1]]).code == "#VALUE!"
    assert call("SENSITIVITY", _kv(PLAIN), "gpus", [[1]], "gpus", [[1]]).code == "#VALUE!"
    cell = call("SENSITIVITY", _kv(PLAIN), "utilization", [[0.9, 1.5]], "gpus", [[1]])
    assert cell[0][0] == pytest.approx(_min_dscr_of_schedule({**PLAIN, "utilization": 0.9}))
    assert cell[1][0].code == "#NUM!"  # utilisation above 100%: that cell only
    assert not math.isnan(cell[0][0])
