"""The Schedule and Dashboard sheets of a template built on DEAL_SCHEDULE and JOINT_STRESS.

Code shaped like the sheets: the schedule is one DEAL_SCHEDULE array formula with covenant and
"as usually modelled" columns beside it; the dashboard reads the schedule through defined names
(``=MIN(DSCR)``) and charts the thesis (:mod:`pyfuncs.templates.dashboard` lays it out).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.chart import Reference
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.deal.stress import METRICS
from pyfuncs.templates.dashboard import (
    PERCENT,
    PERIOD,
    RATIO,
    Headline,
    WaterfallData,
    breach_formula,
    headline,
    line_chart,
    place,
    waterfall_chart,
)
from pyfuncs.templates.layout import SheetWriter, column, define_name

#: Schedule columns by name -> letter (DEAL_SCHEDULE fills the first columns).
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


#: Height of the waterfall chart (cm) and the rows it spans.
WATERFALL_HEIGHT, WATERFALL_ROWS = 8.0, 16
#: Columns written beside DEAL_SCHEDULE (letter by name).
EXTRA_COLUMNS = {
    name: column(len(SCHEDULE_COLUMNS) + 1 + i)
    for i, name in enumerate(("lockup", "default", "covenant", "flat_rent_dscr"))
}
#: Defined names for schedule columns, as the dashboard's formulas read them.
SCHEDULE_NAMES = {
    "Period": "period",
    "Rent": "rent",
    "Revenue": "revenue",
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
        title,
        f"One row per period. Columns A:{COL[SCHEDULE_COLUMNS[-1]]} are one formula: "
        "DEAL_SCHEDULE(ScenarioAssumptions), the assumptions of the scenario in use.",
    )
    last_column = COL[SCHEDULE_COLUMNS[-1]]
    writer.array(
        f"A{HEADER_ROW}:{last_column}{layout.last}",
        "=GPU.DEAL_SCHEDULE(ScenarioAssumptions, TRUE)",
    )
    writer.header(HEADER_ROW, len(SCHEDULE_COLUMNS) + 1, list(EXTRA_COLUMNS))
    formats = {
        "rent": "0.000",
        "revenue": "#,##0",
        "opex": "#,##0",
        "cfads": "#,##0",
        "interest": "#,##0",
        "principal": "#,##0",
        "debt_service": "#,##0",
        "dscr": RATIO,
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
        extra = {name: f"{letter}{row}" for name, letter in EXTRA_COLUMNS.items()}
        writer.formula(extra["lockup"], "=lockup_dscr", RATIO)
        writer.formula(extra["default"], "=default_dscr", RATIO)
        writer.formula(
            extra["covenant"],
            f"=IF(ISNUMBER({dscr}{row}), GPU.COVENANT_STATUS({dscr}{row}, lockup_dscr, "
            'default_dscr), "")',
        )
        # As usually modelled: rents stay at their period-1 level, so CFADS stays at period 1's;
        # blank where nothing is due (after a default or repayment).
        writer.formula(
            extra["flat_rent_dscr"],
            f'=IF({service}{row}>0, ${cfads}${layout.first}/{service}{row}, "")',
            RATIO,
        )
    for name, key in SCHEDULE_NAMES.items():
        letter = COL.get(key) or EXTRA_COLUMNS[key]
        define_name(book, name, layout.sheet, f"{letter}{layout.first}:{letter}{layout.last}")
    writer.widths({column(i): 12 for i in range(1, len(SCHEDULE_COLUMNS) + len(EXTRA_COLUMNS) + 1)})
    writer.sheet.freeze_panes = f"B{layout.first}"
    return layout


def deal_metrics(layout: ScheduleLayout, years: int) -> list[Headline]:
    """The coverage and collateral headlines every deal dashboard shows.

    The maximum fire-sale LTV is not one of them: its denominator runs to zero as the GPUs age,
    so the LTV is shown at year ends instead, for the first ``years`` years.
    """
    first = layout.first
    opening = f"'{layout.sheet}'!{COL['balance']}{first}+'{layout.sheet}'!{COL['principal']}{first}"
    rows = [
        headline(
            "Minimum DSCR",
            "=MIN(DSCR)",
            RATIO,
            "Lowest monthly cash cover of debt service, rents deflating.",
        ),
        headline(
            "Minimum DSCR as usually modelled",
            "=MIN(FlatRentDSCR)",
            RATIO,
            "The same if rents stayed at their month-1 level (flat rents).",
        ),
        headline("Average DSCR", "=AVERAGE(DSCR)", RATIO, "Mean monthly DSCR over the schedule."),
        headline(
            "First month below lock-up",
            breach_formula("DSCR", "lockup_dscr"),
            PERIOD,
            "First month DSCR is below the lock-up level: distributions stop.",
        ),
        headline(
            "First month below default",
            breach_formula("DSCR", "default_dscr"),
            PERIOD,
            "First month DSCR is below the default level.",
        ),
        headline(
            "LLCR at close",
            f"=GPU.LLCR(CFADS, {opening}, annual_rate, per_year)",
            RATIO,
            "PV of loan-life cash flow at the loan rate over the debt at close.",
        ),
        headline(
            "Revenue can fall, before lock-up, flat rents",
            "=(INDEX(CFADS, 1)-lockup_dscr*MAX(DebtService))/INDEX(Revenue, 1)",
            PERCENT,
            "Headroom: share of month-1 revenue that can go before the worst month hits lock-up.",
        ),
        Headline(
            "Revenue can fall, before lock-up, deflating",
            (ArrayFormula("B1", "=MIN((CFADS-lockup_dscr*DebtService)/Revenue)"),),
            PERCENT,
            "Headroom: share of every month's revenue that can go; negative: already below.",
        ),
        headline(
            "Maximum book LTV",
            "=MAX(BookLTV)",
            PERCENT,
            "Highest debt over straight-line book value.",
        ),
        headline(
            "Maximum market LTV",
            "=MAX(MarketLTV)",
            PERCENT,
            "Highest debt over the GPUs' market value.",
        ),
    ]
    for year in range(1, years + 1):
        rows.append(
            headline(
                f"Fire-sale LTV, end of year {year}",
                f"=INDEX(FiresaleLTV, per_year*{year})",
                PERCENT,
                "Debt over the net proceeds of selling the whole fleet at once.",
            )
        )
    return rows


def deal_charts(
    writer: SheetWriter,
    layout: ScheduleLayout,
    workings: Worksheet,
    waterfall: WaterfallData,
    anchor_column: str,
    chart_size: tuple[float, float] = (14.0, 6.2),
    rows_per_chart: int = 12,
) -> int:
    """DSCR against covenants, LTVs, the rent curve and the fire-sale waterfall, stacked.

    Returns the last row the charts cover.
    """
    schedule = writer.sheet.parent[layout.sheet]
    periods = Reference(schedule, min_col=1, min_row=layout.first, max_row=layout.last)

    def col(letter: str) -> int:  # "A" -> 1, "AA" -> 27
        return column_index_from_string(letter)

    def series(letter: str, legend: str) -> tuple:
        return (schedule, col(letter), layout.first, layout.last, legend)

    width, height = chart_size
    charts = [
        line_chart(
            "DSCR against covenants",
            "DSCR (x)",
            [
                series(COL["dscr"], "Deflating rents"),
                series(EXTRA_COLUMNS["flat_rent_dscr"], "Flat rents"),
                series(EXTRA_COLUMNS["lockup"], "Lock-up"),
                series(EXTRA_COLUMNS["default"], "Default"),
            ],
            periods,
            '0.0"x"',
        ),
        line_chart(
            "LTV: book, market, fire sale",
            "LTV",
            [
                series(COL["book_ltv"], "Book LTV"),
                series(COL["market_ltv"], "Market LTV"),
                series(COL["firesale_ltv"], "Fire-sale LTV"),
            ],
            periods,
            "0%",
        ),
        line_chart(
            "Market rent, $ per GPU-hour",
            "$/GPU-hr",
            [series(COL["rent"], "Market rent")],
            periods,
            "$0.00",
        ),
        waterfall_chart(workings, waterfall, "Fire sale at end of year 1, $M"),
    ]
    row = 4
    for chart in charts[:-1]:
        place(writer.sheet, chart, f"{anchor_column}{row}", width, height)
        row += rows_per_chart
    # The waterfall gets room for all eight step names.
    place(writer.sheet, charts[-1], f"{anchor_column}{row}", width, WATERFALL_HEIGHT)
    return row + WATERFALL_ROWS - 1
