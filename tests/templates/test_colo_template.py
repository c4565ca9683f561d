"""The colo template's cached numbers against hand calculations of the TeraWulf-Fluidstack example."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.refresh.core import refresh

WORKBOOKS = Path(__file__).parents[2] / "workbooks"
REVENUE = SCHEDULE_COLUMNS.index("revenue")


def _revenue(path: Path, sheet: str, months: int) -> list[float]:
    rows = openpyxl.load_workbook(path, data_only=True)[sheet].iter_rows(
        min_row=4, max_row=3 + months, values_only=True
    )
    return [row[REVENUE] for row in rows]


def _dashboard(path: Path) -> dict[str, tuple]:
    sheet = openpyxl.load_workbook(path, data_only=True)["Dashboard"]
    return {row[0]: row[1:3] for row in sheet.iter_rows(min_row=4, values_only=True) if row[0]}


def test_lease_revenue_by_hand_on_time_and_one_month_late():
    book = WORKBOOKS / "colo.xlsx"
    # 40 MW from month 1, 160 MW more from month 7, $134.50 per kW-month, +3% from month 13
    on_time = _revenue(book, "Schedule as modelled", 14)
    assert on_time[0] == pytest.approx(40_000 * 134.5)
    assert on_time[6] == pytest.approx(200_000 * 134.5)
    assert on_time[12] == pytest.approx(200_000 * 134.5 * 1.03)
    # the stressed schedule: every tranche one month later (StressDelayMonths = 1)
    late = _revenue(book, "Schedule", 14)
    assert late[0] == 0
    assert late[1] == pytest.approx(40_000 * 134.5)
    assert late[6] == pytest.approx(40_000 * 134.5) and late[7] == pytest.approx(200_000 * 134.5)
    board = _dashboard(book)
    assert board["Lease revenue, first year"][0] == pytest.approx(
        (6 * 40_000 + 6 * 200_000) * 134.5
    )


def test_cap_rate_residual_and_debt_per_mw_by_hand():
    board = _dashboard(WORKBOOKS / "colo.xlsx")
    # final (10th) lease year: $134.50 x 1.03^9 less $20 opex, on 200 MW, 12 months, at 7.5%
    noi = 200_000 * (134.5 * 1.03**9 - 20) * 12
    assert board["Cap-rate residual at lease end"][1] == pytest.approx(noi / 0.075)
    assert board["Debt at close per MW"][1] == pytest.approx(1.8e9 / 200)


def test_the_backstop_is_the_structural_protection_in_the_joint_stress():
    board = _dashboard(WORKBOOKS / "colo.xlsx")
    with_backstop, without = board["Probability of default over the horizon"]
    assert with_backstop < 0.01 < 0.2 < without


def test_the_severe_scenario_delivers_seven_months_late(tmp_path):
    out = tmp_path / "severe.xlsx"
    refresh(WORKBOOKS / "colo.xlsx", out, assignments=[("Scenario", "severe")])
    late = _revenue(out, "Schedule", 9)  # severe: 6 months, and the stress adds 1
    assert late[:7] == [0] * 7 and late[7] == pytest.approx(40_000 * 134.5)
    assert _revenue(out, "Schedule as modelled", 1)[0] == pytest.approx(40_000 * 134.5)
