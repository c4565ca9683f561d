"""The data-centre template on the one deal engine, against hand calculations.

Independent expected values, written out here:

- the GPU model's rent and value from the closed forms of docs/gpu-curves.md (the GB200's March
  2026 rent is the H100's $2.35 times the CoreWeave list ratio 42.00/4 over 49.24/8; its cash-cost
  floor is 120/72 kW x (1.3 x $0.08 + $200/730); the margin over the floor falls 28% a year in the
  base case, 46% low, 20% high; value ``f + (1-f) x^age`` through the band midpoints 62.5% and
  42.5% at one and two years);
- the loan from numpy-financial's PV and PMT of the flat CFADS;
- headroom and the sensitivity table from DEAL_SCHEDULE (and the engine's rent factor) rerun at
  the moved inputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy_financial as npf
import openpyxl
import pytest
import yaml

import pyfuncs
from pyfuncs.deal.engine import SCHEDULE_COLUMNS, run_deal
from pyfuncs.deal.metrics import deal_summary
from pyfuncs.refresh.core import refresh

ROOT = Path(__file__).parents[2]
BOOK = ROOT / "workbooks" / "datacenter.xlsx"
EXAMPLE = yaml.safe_load((ROOT / "workbooks" / "examples" / "datacenter.yaml").read_text())
FIRST = 4  # first period row of the schedules (header on row 3)
PERIODS = 60  # 5 years monthly

#: GB200 by hand (docs/gpu-curves.md): March 2026 rent and cash-cost floor, $ per GPU-hour.
RENT_TODAY = 2.35 * (42.00 / 4) / (49.24 / 8)
FLOOR = 120 / 72 * (1.3 * 0.08 + 200 / 730)
MARGIN_DECLINE = {"base": 0.28, "low": 0.46, "high": 0.20}


def model_rent(t: np.ndarray, case: str = "base") -> np.ndarray:
    """Rent in period t: floor + (R - floor)(1 - d)^((t-1)/12)."""
    return FLOOR + (RENT_TODAY - FLOOR) * (1 - MARGIN_DECLINE[case]) ** ((t - 1) / 12)


def model_value(age: np.ndarray) -> np.ndarray:
    """Share of the new price at ``age`` years, through 62.5% at 1 year and 42.5% at 2."""
    r1, r2 = 0.625, 0.425
    floor = (r2 - r1**2) / (1 + r2 - 2 * r1)
    keep = (r1 - floor) / (1 - floor)
    return floor + (1 - floor) * keep**age


def column(sheet, name: str) -> np.ndarray:
    index = SCHEDULE_COLUMNS.index(name)
    rows = sheet.iter_rows(min_row=FIRST, max_row=FIRST + PERIODS - 1, values_only=True)
    return np.array([np.nan if r[index] is None else r[index] for r in rows], dtype=object)


def numbers(values: np.ndarray) -> np.ndarray:
    return values.astype(np.float64)


def dashboard(path: Path = BOOK) -> dict[str, list]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    return {r[0].value: [c.value for c in r[1:3]] for r in sheet.iter_rows(min_row=3) if r[0].value}


def flat_cfads() -> float:
    """Monthly CFADS at today's rent: billed rent less opex on every hour (no colocation)."""
    opex_hour = EXAMPLE["it_kw"] * EXAMPLE["pue"] * EXAMPLE["power_price"]
    per_gpu_hour = RENT_TODAY * EXAMPLE["utilization"] - opex_hour
    return per_gpu_hour * EXAMPLE["gpus"] * 8760 / 12


def test_the_loan_is_the_lower_of_loan_to_cost_and_flat_rent_sizing_in_both_views():
    book = openpyxl.load_workbook(BOOK, data_only=True)
    aware, modelled = book["Schedule"], book["Schedule as modelled"]
    rate = EXAMPLE["annual_rate"] / 12
    capacity = npf.pv(rate, PERIODS, -flat_cfads() / EXAMPLE["target_dscr"])
    cost_cap = EXAMPLE["loan_to_cost"] * EXAMPLE["gpus"] * EXAMPLE["capex_per_gpu"]
    loan = min(capacity, cost_cap)
    assert loan == cost_cap < capacity  # here loan-to-cost governs
    payment = npf.pmt(rate, PERIODS, -loan)
    for sheet in (aware, modelled):
        opening = column(sheet, "balance")[0] + column(sheet, "principal")[0]
        assert opening == pytest.approx(loan, rel=1e-12)
    # the same level annuity in both views (the deflation-aware deal never defaults here)
    for sheet in (aware, modelled):
        np.testing.assert_allclose(numbers(column(sheet, "debt_service")), payment, rtol=1e-10)
    # as usually modelled: flat rent, so a flat DSCR of flat CFADS over the payment
    np.testing.assert_allclose(numbers(column(modelled, "rent")), RENT_TODAY, rtol=1e-12)
    np.testing.assert_allclose(
        numbers(column(modelled, "dscr")), flat_cfads() / payment, rtol=1e-10
    )
    shown = dashboard()
    assert shown["Debt at close"] == [pytest.approx(loan, rel=1e-12)] * 2
    assert shown["Minimum DSCR"][0] == pytest.approx(flat_cfads() / payment, rel=1e-10)
    # as usually modelled, revenue R can fall by h until R(1-h) - opex = 1.10 x the payment
    opex = EXAMPLE["it_kw"] * EXAMPLE["pue"] * EXAMPLE["power_price"] * EXAMPLE["gpus"] * 730
    revenue = RENT_TODAY * EXAMPLE["utilization"] * EXAMPLE["gpus"] * 730
    headroom = 1 - (1.10 * payment + opex) / revenue
    modelled_headroom = shown["Rent can fall, before the first lock-up test fails"][0]
    assert modelled_headroom == pytest.approx(headroom, rel=1e-6)


def test_rent_and_value_follow_the_gpu_model_and_the_rent_fall_is_stated_truthfully():
    book = openpyxl.load_workbook(BOOK, data_only=True)
    aware = book["Schedule"]
    t = np.arange(1, PERIODS + 1)
    rent = model_rent(t)
    np.testing.assert_allclose(numbers(column(aware, "rent")), rent, rtol=1e-12)
    # market value at the end of each period: a new fleet, t/12 years old
    fleet = EXAMPLE["gpus"] * EXAMPLE["capex_per_gpu"]
    np.testing.assert_allclose(
        numbers(column(aware, "market_value")), fleet * model_value(t / 12), rtol=1e-12
    )
    shown = dashboard()
    year_one = (RENT_TODAY - FLOOR) * 0.28 / RENT_TODAY  # the margin's 28% fall, on the rent
    assert shown["Market rent fall over year 1"] == [0, pytest.approx(year_one, rel=1e-12)]
    average = 1 - (rent[-1] / rent[0]) ** (12 / (PERIODS - 1))
    assert shown["Average yearly rent fall over the loan"][1] == pytest.approx(average, rel=1e-12)
    # the fall slows every year as the rent nears the cost floor: no generation step anywhere
    yearly = 1 - rent[12::12] / rent[:-12:12]
    assert np.all(np.diff(yearly) < 0)
    assert np.all(rent[1:] < rent[:-1])


def _status(sheet) -> list[str]:
    return [str(s) for s in column(sheet, "status")]


def test_the_deflation_aware_deal_runs_its_waterfall_dsra_and_lock_up():
    book = openpyxl.load_workbook(BOOK, data_only=True)
    aware, modelled = book["Schedule"], book["Schedule as modelled"]
    payment = numbers(column(aware, "debt_service"))[0]
    # a DSRA of six months of debt service, funded at close (none as usually modelled)
    assert numbers(column(aware, "dsra_balance"))[0] == pytest.approx(6 * payment, rel=1e-9)
    assert np.all(numbers(column(modelled, "dsra_balance")) == 0)
    # the first lock-up is the first quarter-end whose trailing 12-month DSCR is below 1.10x,
    # worked from the CFADS and debt service columns
    cfads = numbers(column(aware, "cfads"))
    tests = list(range(12, PERIODS + 1, 3))
    ltm = {m: cfads[m - 12 : m].sum() / (payment * 12) for m in tests}
    first = next(m for m in tests if ltm[m] < EXAMPLE.get("lockup_dscr", 1.10))
    assert dashboard()["First covenant test below lock-up"] == ["never", first]
    assert _status(aware)[first - 1].startswith("LOCKUP")
    assert "LOCKUP" not in " ".join(_status(modelled))


def _headroom_rows(path: Path) -> list[tuple]:
    rows = list(
        openpyxl.load_workbook(path, data_only=True)["Scenarios"].iter_rows(values_only=True)
    )
    start = next(i for i, r in enumerate(rows) if r[0] == "Headroom (scenario in use)")
    return rows[start + 1 : start + 3]


def _defaults(deal: dict) -> bool:
    table = pyfuncs.call("DEAL_SCHEDULE", [[k, v] for k, v in deal.items()], True)
    status = [r[table[0].index("status")] for r in table[1:]]
    return any(str(s).startswith("DEFAULT") for s in status)


def _min_tested_dscr(deal: dict) -> float:
    """The lowest trailing DSCR at a covenant test, from DEAL_SCHEDULE's own column."""
    table = pyfuncs.call("DEAL_SCHEDULE", [[k, v] for k, v in deal.items()], True)
    tested = [r[table[0].index("tested_dscr")] for r in table[1:]]
    return min(d for d in tested if isinstance(d, float))


def _locks_up(deal: dict) -> bool:
    return _min_tested_dscr(deal) < 1.10  # lockup_dscr's default [72]


def test_the_headroom_rows_are_deal_schedule_rerun_at_that_rent_fall(tmp_path):
    lockup, default = _headroom_rows(BOOK)
    # the base case already locks up in year 4: no lock-up headroom
    assert lockup[1] == 0 and _locks_up(EXAMPLE)
    h = default[1]
    assert 0 < h < 1
    use = EXAMPLE["utilization"]
    assert not _defaults({**EXAMPLE, "utilization": use * (1 - h + 1e-5)})
    assert _defaults({**EXAMPLE, "utilization": use * (1 - h - 1e-5)})
    # ...and it is a fall in every month's rent: the engine with the rent curve scaled by 1 - h
    a = pyfuncs.parse_assumptions(EXAMPLE)

    def defaults_at(fall: float) -> bool:
        scaled = run_deal(a, rent_factor=np.full(a.horizon_periods, 1 - fall))
        return deal_summary(a, scaled).first_default is not None

    assert not defaults_at(h - 1e-5) and defaults_at(h + 1e-5)
    # The rebound (the high curve) has lock-up headroom; at that fall the tested DSCR meets 1.10x.
    out = tmp_path / "rebound.xlsx"
    refresh(BOOK, out, assignments=[("Scenario", "rebound")])
    lockup, _ = _headroom_rows(out)
    moved = {**EXAMPLE, "gpu_scenario": "high"}
    h = lockup[1]
    assert 0 < h < 1
    assert not _locks_up({**moved, "utilization": use * (1 - h + 1e-5)})
    assert _locks_up({**moved, "utilization": use * (1 - h - 1e-5)})
    at = {**moved, "utilization": use * (1 - h)}
    assert _min_tested_dscr(at) == pytest.approx(1.10, rel=1e-6)
    assert dashboard(out)["Rent can fall, before the first lock-up test fails"][1] == h


def test_the_sensitivity_table_is_deal_schedule_at_each_pair():
    sheet = openpyxl.load_workbook(BOOK, data_only=True)["Scenarios"]
    rows = list(sheet.iter_rows(values_only=True))
    corner = next(i for i, r in enumerate(rows) if isinstance(r[0], str) and " \\ " in r[0])
    across = [v for v in rows[corner][1:] if isinstance(v, int | float)]
    down = [r[0] for r in rows[corner + 1 : corner + 5]]
    assert down == [0.15, 0.25, 0.35, 0.45] and across == [0.7, 0.8, 0.9, 0.95]
    for i, decline in enumerate(down):
        for j, use in enumerate(across):
            # a constant decline from today's rent (rent0 given: the model's rent curve is off)
            deal = {**EXAMPLE, "rent0": RENT_TODAY, "annual_decline": decline, "utilization": use}
            table = pyfuncs.call("DEAL_SCHEDULE", [[k, v] for k, v in deal.items()], True)
            dscr = [r[table[0].index("dscr")] for r in table[1:]]
            expected = min(d for d in dscr if isinstance(d, float))
            assert rows[corner + 1 + i][1 + j] == pytest.approx(expected, rel=1e-9), (decline, use)
            if (i, j) == (0, 0):  # the rent is RENT_CURVE's closed form, no generation step
                rents = [r[table[0].index("rent")] for r in table[1:]]
                t = np.arange(PERIODS)
                np.testing.assert_allclose(rents, RENT_TODAY * (1 - decline) ** (t / 12))


@pytest.mark.parametrize(
    ("scenario", "case", "use"), [("severe", "low", 0.8), ("rebound", "high", 1.0)]
)
def test_a_scenario_moves_the_curve_and_utilisation_not_the_loan(scenario, case, use, tmp_path):
    out = tmp_path / f"{scenario}.xlsx"
    refresh(BOOK, out, assignments=[("Scenario", scenario)])
    before = openpyxl.load_workbook(BOOK, data_only=True)["Schedule"]
    after = openpyxl.load_workbook(out, data_only=True)["Schedule"]
    t = np.arange(1, PERIODS + 1)
    np.testing.assert_allclose(numbers(column(after, "rent")), model_rent(t, case), rtol=1e-12)
    opening = column(after, "balance")[0] + column(after, "principal")[0]
    assert opening == pytest.approx(column(before, "balance")[0] + column(before, "principal")[0])
    moved = {**EXAMPLE, "gpu_scenario": case, "utilization": EXAMPLE["utilization"] * use}
    expected = pyfuncs.deal_schedule(moved).dscr
    np.testing.assert_allclose(numbers(column(after, "dscr")), expected, rtol=1e-12)
    assert dashboard(out)["Market rent, month 1"][0] == pytest.approx(RENT_TODAY, rel=1e-12)
