"""The Schedule and Dashboard sheets of a template built on DEAL_SCHEDULE and JOINT_STRESS.

Code shaped like the sheets: the schedule is one DEAL_SCHEDULE array formula with covenant and
"as usually modelled" columns beside it; the dashboard reads the schedule through defined names
(``=MIN(DSCR)``), runs JOINT_STRESS and RECOVERY_WATERFALL, and charts the thesis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.chart import BarChart, LineChart, Reference

from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.deal.stress import METRICS
from pyfuncs.recovery import WATERFALL_ITEMS
from pyfuncs.templates.layout import NOTE_FONT, SheetWriter, column, define_name

#: Schedule columns by name -> letter (DEAL_SCHEDULE fills A..O).
COL = {name: column(i + 1) for i, name in enumerate(SCHEDULE_COLUMNS)}
#: Rows of JOINT_STRESS's metric/value table.
STRESS_ROWS = len(METRICS)
HEADER_ROW = 3
FIRST = HEADER_ROW + 1


@dataclass(frozen=True)
class ScheduleLayout:
    """Where a deal schedule sits: rows ``first..last`` hold periods 1..periods."""

    sheet: str
    periods: int

    @property
    def first(self) -> int:
        return FIRST

    @property
    def last(self) -> int:
        return FIRST + self.periods - 1

    def ref(self, name: str) -> str:
        letter = COL.get(name) or EXTRA_COLUMNS[name]
        return f"'{self.sheet}'!${letter}${self.first}:${letter}${self.last}"


#: Columns written beside DEAL_SCHEDULE (letter by name).
EXTRA_COLUMNS = {"lockup": "P", "default": "Q", "covenant": "R", "flat_rent_dscr": "S"}
#: Defined names for schedule columns, as the dashboard's formulas read them.
SCHEDULE_NAMES = {
    "Period": "period",
    "Rent": "rent",
    "CFADS": "cfads",
    "DebtService": "debt_service",
    "DSCR": "dscr",
    "Balance": "balance",
    "BookLTV": "book_ltv",
    "MarketLTV": "market_ltv",
    "FiresaleLTV": "firesale_ltv",
    "FlatRentDSCR": "flat_rent_dscr",
}


def write_deal_schedule(book: Any, writer: SheetWriter, periods: int, title: str) -> ScheduleLayout:
    """DEAL_SCHEDULE over a fixed range, with covenant lines and the flat-rent DSCR beside it."""
    layout = ScheduleLayout(writer.sheet.title, periods)
    writer.title(
        title, "One row per period. Columns A:O are one formula: DEAL_SCHEDULE(Assumptions)."
    )
    last_column = COL[SCHEDULE_COLUMNS[-1]]
    writer.array(
        f"A{HEADER_ROW}:{last_column}{layout.last}", "=GPU.DEAL_SCHEDULE(Assumptions, TRUE)"
    )
    writer.header(HEADER_ROW, 16, ["lockup", "default", "covenant", "flat_rent_dscr"])
    formats = {
        "rent": "0.000",
        "revenue": "#,##0",
        "opex": "#,##0",
        "cfads": "#,##0",
        "interest": "#,##0",
        "principal": "#,##0",
        "debt_service": "#,##0",
        "dscr": "0.00",
        "balance": "#,##0",
        "book_value": "#,##0",
        "market_value": "#,##0",
        "book_ltv": "0.0%",
        "market_ltv": "0.0%",
        "firesale_ltv": "0.0%",
    }
    dscr, service, cfads = COL["dscr"], COL["debt_service"], COL["cfads"]
    for row in range(layout.first, layout.last + 1):
        for name, number_format in formats.items():
            writer.sheet[f"{COL[name]}{row}"].number_format = number_format
        writer.formula(f"P{row}", "=lockup_dscr", "0.00")
        writer.formula(f"Q{row}", "=default_dscr", "0.00")
        writer.formula(f"R{row}", f"=GPU.COVENANT_STATUS({dscr}{row}, lockup_dscr, default_dscr)")
        # As usually modelled: rents stay at their period-1 level, so CFADS stays at period 1's.
        writer.formula(f"S{row}", f"=${cfads}${layout.first}/{service}{row}", "0.00")
    for name, key in SCHEDULE_NAMES.items():
        letter = COL.get(key) or EXTRA_COLUMNS[key]
        define_name(book, name, layout.sheet, f"{letter}{layout.first}:{letter}{layout.last}")
    writer.widths({c: 12 for c in "ABCDEFGHIJKLMNOPQRS"})
    writer.sheet.freeze_panes = f"B{layout.first}"
    return layout


def write_metrics(writer: SheetWriter, first_row: int, rows: list[tuple[str, str, str]]) -> int:
    """Label / formula rows; returns the next free row."""
    writer.header(first_row, 1, ["Metric", "Value", "How it is computed"])
    for offset, (label, formula, number_format) in enumerate(rows, start=1):
        row = first_row + offset
        writer.sheet.cell(row, 1, label)
        writer.formula(f"B{row}", formula, number_format)
        writer.sheet.cell(row, 3, formula.lstrip("=")).font = NOTE_FONT
    return first_row + len(rows) + 2


def deal_metrics(layout: ScheduleLayout) -> list[tuple[str, str, str]]:
    """The coverage and LTV rows every deal dashboard shows."""
    first = layout.first
    opening = f"'{layout.sheet}'!{COL['balance']}{first}+'{layout.sheet}'!{COL['principal']}{first}"
    return [
        ("Minimum DSCR", "=MIN(DSCR)", "0.00"),
        ("Average DSCR", "=AVERAGE(DSCR)", "0.00"),
        ("Minimum DSCR as usually modelled (flat rents)", "=MIN(FlatRentDSCR)", "0.00"),
        (
            "First period below lock-up",
            '=IFERROR(GPU.BREACH_PERIOD(DSCR, lockup_dscr), "never")',
            "0",
        ),
        (
            "First period below default",
            '=IFERROR(GPU.BREACH_PERIOD(DSCR, default_dscr), "never")',
            "0",
        ),
        ("LLCR at close", f"=GPU.LLCR(CFADS, {opening}, annual_rate, per_year)", "0.00"),
        ("Maximum book LTV", "=MAX(BookLTV)", "0.0%"),
        ("Maximum market LTV", "=MAX(MarketLTV)", "0.0%"),
        ("Maximum fire-sale LTV", "=MAX(FiresaleLTV)", "0.0%"),
    ]


def write_stress(
    writer: SheetWriter, first_row: int, first_column: str, assumptions: str, label: str
) -> str:
    """A JOINT_STRESS table (header plus metric rows); returns its range."""
    writer.sheet[f"{first_column}{first_row - 1}"] = label
    last_column = column(ord(first_column) - ord("A") + 2)
    area = f"{first_column}{first_row}:{last_column}{first_row + STRESS_ROWS}"
    writer.array(area, f"=GPU.JOINT_STRESS({assumptions}, StressPaths, StressSeed, TRUE)", "0.0000")
    return area


def write_waterfall(writer: SheetWriter, first_row: int, unit_value: str) -> str:
    """RECOVERY_WATERFALL of the whole fleet at ``unit_value`` per GPU; returns its range."""
    area = f"A{first_row}:B{first_row + len(WATERFALL_ITEMS)}"
    writer.array(
        area,
        f"=GPU.RECOVERY_WATERFALL({unit_value}, gpus, monthly_volume, 0, gen_step, site_factor, "
        "cost_per_unit, months_to_sell, 0, volatility, impact, base_discount, TRUE)",
        "#,##0",
    )
    return area


def deal_charts(
    writer: SheetWriter, layout: ScheduleLayout, waterfall_first_row: int, anchor_column: str
) -> None:
    """DSCR against covenants, LTV book vs market vs fire-sale, the rent curve, the waterfall."""
    schedule = writer.sheet.parent[layout.sheet]
    periods = Reference(schedule, min_col=1, min_row=layout.first, max_row=layout.last)

    def line(title: str, y_title: str, columns: list[str], anchor: str, number_format: str) -> None:
        chart = LineChart()
        chart.title, chart.y_axis.title, chart.x_axis.title = title, y_title, "Period"
        chart.height, chart.width = 7.5, 16
        for letter in columns:
            index = ord(letter) - ord("A") + 1
            data = Reference(schedule, min_col=index, min_row=HEADER_ROW, max_row=layout.last)
            chart.add_data(data, titles_from_data=True)
        chart.set_categories(periods)
        chart.y_axis.number_format = number_format
        writer.sheet.add_chart(chart, anchor)

    line(
        "DSCR against covenants",
        "DSCR (x)",
        [COL["dscr"], "P", "Q", "S"],
        f"{anchor_column}3",
        "0.0",
    )
    line(
        "LTV: book vs market vs fire-sale",
        "LTV",
        [COL["book_ltv"], COL["market_ltv"], COL["firesale_ltv"]],
        f"{anchor_column}19",
        "0%",
    )
    line("Market rent, $ per GPU-hour", "$/GPU-hr", [COL["rent"]], f"{anchor_column}35", "0.00")
    bars = BarChart()
    bars.title, bars.y_axis.title = "Fire-sale recovery waterfall", "$"
    bars.height, bars.width = 7.5, 16
    data = Reference(
        writer.sheet,
        min_col=2,
        min_row=waterfall_first_row,
        max_row=waterfall_first_row + len(WATERFALL_ITEMS),
    )
    labels = Reference(
        writer.sheet,
        min_col=1,
        min_row=waterfall_first_row + 1,
        max_row=waterfall_first_row + len(WATERFALL_ITEMS),
    )
    bars.add_data(data, titles_from_data=True)
    bars.set_categories(labels)
    writer.sheet.add_chart(bars, f"{anchor_column}51")
