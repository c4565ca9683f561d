"""Scenarios switched from one cell, and the headroom rows, against the engine and closed forms.

Expected values: the engine (``pyfuncs.deal_schedule``) run on inputs moved by hand as each
scenario says (rent x factor, decline + shift, utilisation x factor, BTC x factor), and the
RENT_CURVE closed form written out for the data centre's deflating rent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pytest
import yaml

import pyfuncs
from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.refresh.core import refresh
from pyfuncs.templates.scenarios import MODELLED

ROOT = Path(__file__).parents[2]
WORKBOOKS = ROOT / "workbooks"
#: (rent factor, decline shift, utilisation factor, BTC factor) of each scenario, as documented.
MOVES = {
    "base": (1.0, 0.0, 1.0, 1.0),
    "downside": (0.85, 0.07, 0.92, 0.75),
    "severe": (0.70, 0.15, 0.80, 0.50),
    "rebound": (1.10, -0.10, 1.0, 1.30),
}


def _example(name: str) -> dict:
    return yaml.safe_load((WORKBOOKS / "examples" / f"{name}.yaml").read_text())


def _moved(example: dict, scenario: str, miner: bool) -> dict:
    rent, shift, use, btc = MOVES[scenario]
    defaults = pyfuncs.parse_assumptions(example)
    moved = {
        **example,
        "rent0": defaults.rent0 * rent,
        "annual_decline": defaults.annual_decline + shift,
        "utilization": min(1.0, defaults.utilization * use),
    }
    if miner:
        moved["btc_price"] = defaults.btc_price * btc
    return moved


def _schedule_dscr(path: Path, periods: int) -> list[float]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Schedule"]
    index = SCHEDULE_COLUMNS.index("dscr")
    rows = sheet.iter_rows(min_row=4, max_row=3 + periods, values_only=True)
    return [np.nan if row[index] is None else row[index] for row in rows]  # blank: nothing due


@pytest.mark.parametrize(
    ("name", "scenario"),
    [("neocloud", "severe"), ("neocloud", "rebound"), ("miner", "downside"), ("miner", "base")],
)
def test_switching_the_scenario_cell_runs_the_deal_on_the_moved_inputs(name, scenario, tmp_path):
    out = tmp_path / f"{name}-{scenario}.xlsx"
    refresh(WORKBOOKS / f"{name}.xlsx", out, assignments=[("Scenario", scenario)])
    expected = pyfuncs.deal_schedule(_moved(_example(name), scenario, name == "miner")).dscr
    np.testing.assert_allclose(_schedule_dscr(out, len(expected)), expected, rtol=1e-12)
    shown = openpyxl.load_workbook(out, data_only=True)["Dashboard"]["A3"].value
    assert shown.startswith(f"Scenario in use: {scenario}")


def test_the_base_scenario_is_the_inputs_exactly():
    expected = pyfuncs.deal_schedule(_example("neocloud")).dscr
    committed = _schedule_dscr(WORKBOOKS / "neocloud.xlsx", len(expected))
    np.testing.assert_allclose(committed, expected, rtol=1e-12)


def _headroom(path: Path, label: str) -> list:
    sheet = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    row = next(r for r in sheet.iter_rows(min_row=3) if r[0].value == label)
    return [c.value for c in row[1:3]]


def test_neocloud_headroom_is_the_revenue_fall_that_meets_lock_up_exactly():
    """Cut rent0 and the contract rent by the headroom: the worst month meets lock-up exactly."""
    example = _example("neocloud")
    a = pyfuncs.parse_assumptions(example)
    contract = a.contract_rent if a.contract_rent is not None else a.rent0
    flat_h, aware_h = _headroom(WORKBOOKS / "neocloud.xlsx", "Revenue can fall, before lock-up")
    for h, flat in ((flat_h, True), (aware_h, False)):
        cut = {**example, "rent0": a.rent0 * (1 - h), "contract_rent": contract * (1 - h)}
        if flat:  # as usually modelled: month-1 CFADS against every month's debt service
            s = pyfuncs.deal_schedule({**cut, **MODELLED})
            due = s.debt_service > 0
            worst = float(np.min(s.cfads[0] / s.debt_service[due]))
        else:  # the deal's own months with debt service due, each DSCR cut by h of revenue
            due = pyfuncs.deal_schedule(example).debt_service > 0
            worst = float(np.nanmin(pyfuncs.deal_schedule(cut).dscr[due]))
        assert worst == pytest.approx(a.lockup_dscr, rel=1e-9), (h, flat)


def _scenario_block(sheet) -> dict:
    """The assumptions in use (the ScenarioAssumptions block) from a workbook's cached values."""
    values, reading = {}, False
    for name, value, *_ in sheet.iter_rows(min_col=1, max_col=2, values_only=True):
        if name == "Assumption in use":
            reading = True
        elif reading and name is None:
            break
        elif reading and value not in (None, ""):
            values[name] = value
    return values


@pytest.mark.parametrize("name", ["neocloud", "miner"])
def test_the_sensitivity_table_is_the_deal_at_each_pair(name):
    sheet = openpyxl.load_workbook(ROOT / "workbooks" / f"{name}.xlsx", data_only=True)["Scenarios"]
    rows = list(sheet.iter_rows(values_only=True))
    corner = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and " \\ " in r[0])
    across = [v for v in rows[corner][1:] if isinstance(v, int | float)]
    down = [r[0] for r in rows[corner + 1 : corner + 5]]
    base = _scenario_block(sheet)
    title = rows[corner - 1][0]
    name1, name2 = (
        ("annual_decline", "utilization") if name == "neocloud" else ("btc_price", "correlation")
    )
    for i, x in (0, down[0]), (len(down) - 1, down[-1]):
        for j, y in (0, across[0]), (len(across) - 1, across[-1]):
            cell = rows[corner + 1 + i][1 + j]
            deal = {**base, name1: x, name2: y}
            if "Minimum DSCR" in title:  # the lowest DSCR of DEAL_SCHEDULE's own column
                table = pyfuncs.call("DEAL_SCHEDULE", [[k, v] for k, v in deal.items()], True)
                dscr = [r[table[0].index("dscr")] for r in table[1:]]
                assert cell == pytest.approx(min(d for d in dscr if isinstance(d, float)), rel=1e-9)
            else:  # PD of a 2,000-path joint stress, seed 1
                stress = pyfuncs.joint_stress(deal, 2_000, 1)
                assert cell == pytest.approx(stress["prob_default"], abs=1e-12)


def test_headroom_rows_are_zero_when_the_base_case_already_breaches():
    # The neocloud example breaches its lock-up test in the base case: no headroom to show.
    sheet = openpyxl.load_workbook(ROOT / "workbooks" / "neocloud.xlsx", data_only=True)[
        "Scenarios"
    ]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "Headroom (scenario in use)")
    first_lockup = pyfuncs.deal.metrics.deal_summary(
        pyfuncs.parse_assumptions(_scenario_block(sheet)),
        pyfuncs.run_deal(_scenario_block(sheet)),
    ).first_lockup
    assert (rows[start + 1][1] == 0) == (first_lockup is not None)
