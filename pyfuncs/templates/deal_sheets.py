"""The Schedule and Dashboard sheets of a template built on DEAL_SCHEDULE and JOINT_STRESS.

Code shaped like the sheets: the schedule is one DEAL_SCHEDULE array formula with covenant and
"as usually modelled" columns beside it; the dashboard reads the schedule through defined names
(``=MIN(DSCR)``) and charts the thesis (:mod:`pyfuncs.templates.dashboard` lays it out).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from openpyxl.chart import Reference
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from pyfuncs.deal.engine import SCHEDULE_COLUMNS
from pyfuncs.deal.stress import METRICS
from pyfuncs.templates.dashboard import (
    MONEY_M,
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
#: Columns written beside DEAL_SCHEDULE (letter by name): the covenant levels, for the chart.
EXTRA_COLUMNS = {
    name: column(len(SCHEDULE_COLUMNS) + 1 + i) for i, name in enumerate(("lockup", "default"))
}
#: Defined names for schedule columns, as the dashboard's formulas read them (a second schedule
#: prefixes them: ``ModelledDSCR``).
SCHEDULE_NAMES = {
    "Period": "period",
    "Rent": "rent",
    "Revenue": "revenue",
    "CFADS": "cfads",
    "DebtService": "debt_service",
    "DSCR": "dscr",
    "Balance": "balance",
    "Principal": "principal",
    "BookLTV": "book_ltv",
    "MarketLTV": "market_ltv",
    "FiresaleLTV": "firesale_ltv",
    "DSRA": "dsra_balance",
    "LockupBalance": "lockup_balance",
    "Swept": "swept",
    "Distributed": "distributed",
    "TestedDSCR": "tested_dscr",
    "Status": "status",
    "Due": "due_at_maturity",
}
MONEY = "#,##0"
#: Number formats of the schedule's columns.
SCHEDULE_FORMATS = {
    "rent": "0.000",
    "dscr": RATIO,
    "tested_dscr": RATIO,
    "book_ltv": "0.0%",
    "market_ltv": "0.0%",
    "firesale_ltv": "0.0%",
    "status": "@",
    "period": "0",
}


def write_deal_schedule(
    book: Any,
    writer: SheetWriter,
    periods: int,
    title: str,
    assumptions: str = "ScenarioAssumptions",
    prefix: str = "",
    subtitle: str = "the assumptions of the scenario in use",
) -> ScheduleLayout:
    """DEAL_SCHEDULE over a fixed range (the cash waterfall's columns too), covenant lines beside.

    Its columns get defined names (``DSCR``, ``Status``..., with ``prefix`` for a second run).
    """
    layout = ScheduleLayout(writer.sheet.title, periods)
    last_column = COL[SCHEDULE_COLUMNS[-1]]
    writer.title(
        title,
        f"One row per period. Columns A:{last_column} are one formula: "
        f"DEAL_SCHEDULE({assumptions}), {subtitle}.",
    )
    writer.array(
        f"A{HEADER_ROW}:{last_column}{layout.last}", f"=GPU.DEAL_SCHEDULE({assumptions}, TRUE)"
    )
    writer.header(HEADER_ROW, len(SCHEDULE_COLUMNS) + 1, list(EXTRA_COLUMNS))
    for row in range(layout.first, layout.last + 1):
        for name in SCHEDULE_COLUMNS:
            writer.sheet[f"{COL[name]}{row}"].number_format = SCHEDULE_FORMATS.get(name, MONEY)
        writer.formula(f"{EXTRA_COLUMNS['lockup']}{row}", "=lockup_dscr", RATIO)
        writer.formula(f"{EXTRA_COLUMNS['default']}{row}", "=default_dscr", RATIO)
    for name, key in SCHEDULE_NAMES.items():
        letter = COL.get(key) or EXTRA_COLUMNS[key]
        define_name(
            book, f"{prefix}{name}", layout.sheet, f"{letter}{layout.first}:{letter}{layout.last}"
        )
    writer.widths({column(i): 12 for i in range(1, len(SCHEDULE_COLUMNS) + len(EXTRA_COLUMNS) + 1)})
    writer.sheet.freeze_panes = f"B{layout.first}"
    return layout


#: The two views of a deal on the dashboards, in value-column order.
VIEWS = ("As usually modelled", "Deflation-aware")
#: The defined-name prefix of each view's schedule.
PREFIXES = ("Modelled", "")


def operating(prefix: str = "", build: bool = False) -> str:
    """Array mask of a schedule's operating months with debt service scheduled (1 or 0 each).

    A month counts when debt service is due, it is no maturity wall still due (``Due > 0`` with
    ``DebtService >= Due``: a bullet, balloon or convertible that was not refinanced) and, with
    ``build``, it is after the interest-only build (``Period > interest_only_years*per_year``):
    the months :func:`pyfuncs.deal.metrics.operating_periods` takes the minimum DSCR over.
    """
    p = prefix
    mask = f"({p}DebtService>0)*(1-({p}Due>0)*({p}DebtService>={p}Due))"
    if build:
        mask += f"*({p}Period>ROUND(interest_only_years*per_year, 0))"
    return mask


#: What the minimum DSCR headline measures, by whether the deal has an interest-only build.
MIN_DSCR_NOTE = (
    "Lowest monthly cash cover of scheduled debt service, operating months only: a maturity "
    "wall still due is shown under Maturity wall."
)
MIN_DSCR_BUILD_NOTE = (
    "Lowest monthly cash cover of scheduled debt service once the notes amortise: no "
    "interest-only build month, no maturity wall still due (see Maturity wall)."
)


def deal_metrics(years: int, build: bool = False, btc: bool = False) -> list[Headline]:
    """Coverage, covenant, default and collateral headlines for both views of a deal.

    The minimum DSCR and the revenue headroom are over the operating months with scheduled
    debt service (:func:`operating`; ``build``: the deal has an interest-only build). There is
    no maximum fire-sale LTV (its denominator runs to zero as the GPUs age): the LTV and the
    dollar shortfall are shown at year ends (covenant test dates), for ``years`` years. ``btc``:
    the collateral includes BTC held, and the notes say so.
    """

    def both(template: str) -> tuple[str, ...]:
        return tuple(template.format(p=p) for p in PREFIXES)

    def each(make: Any) -> tuple[ArrayFormula, ...]:
        return tuple(ArrayFormula("B1", make(p)) for p in PREFIXES)

    rows = [
        Headline(
            "Minimum DSCR",
            each(lambda p: f"=MIN(IF({operating(p, build)}, {p}DSCR))"),
            RATIO,
            MIN_DSCR_BUILD_NOTE if build else MIN_DSCR_NOTE,
        ),
        Headline(
            "Minimum tested DSCR",
            both("=MIN({p}TestedDSCR)"),
            RATIO,
            "Lowest trailing-12-month DSCR at a covenant test (quarter ends), on scheduled "
            "debt service: a maturity wall is not tested.",
        ),
        Headline(
            "First covenant test below lock-up",
            tuple(breach_formula(f"{p}TestedDSCR", "lockup_dscr") for p in PREFIXES),
            PERIOD,
            "First test month the trailing DSCR is below lock-up: cash is trapped.",
        ),
        Headline(
            "First default",
            tuple(status_month(p, "DEFAULT", "never") for p in PREFIXES),
            PERIOD,
            "First month in payment, covenant or maturity default in the cash waterfall.",
        ),
        Headline(
            "Loan repaid in full",
            tuple(status_month(p, "REPAID", "not in the horizon") for p in PREFIXES),
            PERIOD,
            "Month the lender is repaid (a sweep brings it forward).",
        ),
        Headline(
            "LLCR at close",
            both(
                "=GPU.LLCR({p}CFADS, INDEX({p}Balance, 1)+INDEX({p}Principal, 1), annual_rate, "
                "per_year)"
            ),
            RATIO,
            "PV of cash flow over the loan's life at the loan rate, over the debt at close.",
        ),
        Headline(
            "Revenue can fall, before lock-up",
            (
                ArrayFormula(
                    "B1",
                    "=(INDEX(ModelledCFADS, 1)-lockup_dscr*MAX(IF("
                    f"{operating('Modelled', build)}, ModelledDebtService)))"
                    "/INDEX(ModelledRevenue, 1)",
                ),
                ArrayFormula(
                    "B1",
                    f"=MIN(IF({operating('', build)}, (CFADS-lockup_dscr*DebtService)/Revenue))",
                ),
            ),
            PERCENT,
            "Headroom: share of revenue that can go before the worst operating month with debt "
            "service due hits lock-up; negative: already below.",
        ),
        Headline(
            "Maximum LTV: book value, then market value",
            ("=MAX(ModelledBookLTV)", "=MAX(MarketLTV)"),
            PERCENT,
            "Highest debt over book value (as modelled) and over the market value of the GPUs"
            + (" and BTC held." if btc else "."),
        ),
    ]
    held = " and of the BTC held at market" if btc else ""
    for year in range(1, years + 1):
        at = f"per_year*{year}"
        rows.append(
            Headline(
                f"Fire-sale LTV, end of year {year}",
                ("", f"=INDEX(FiresaleLTV, {at})"),
                PERCENT,
                "Debt over the net proceeds of a forced sale of the GPUs over months_to_sell"
                f"{held}.",
            )
        )
        rows.append(
            Headline(
                f"Fire-sale shortfall, end of year {year}",
                (
                    "",
                    f"=IF(INDEX(Balance, {at})=0, 0, MAX(0, INDEX(Balance, {at})"
                    f"*(1-1/INDEX(FiresaleLTV, {at}))))",
                ),
                MONEY_M,
                "Debt a fire sale at that date would not repay, $.",
            )
        )
    return rows


def status_month(prefix: str, status: str, none: str) -> str:
    """First month the schedule's status is ``status``; ``none`` only when the schedule is sound.

    A wildcard match (``"DEFAULT*"``): LibreOffice 7.4 finds no exact match on text an add-in
    returns (measured), a wildcard finds it, and in Excel both agree.
    """
    match = f'MATCH("{status}*", {prefix}Status, 0)'
    return (
        f'=IF(ISERROR(SUM({prefix}DSCR)), SUM({prefix}DSCR), IF(ISNA({match}), "{none}", {match}))'
    )


#: The wall month: the first month with the largest amount due at a maturity.
WALL = "MATCH(MAX(Due), Due, 0)"


def maturity_wall(per_year: int) -> list[Headline]:
    """The largest maturity inside the horizon: when, how much, the cash there and a refi DSCR."""
    lookback = "ROUND(dscr_lookback*per_year/12, 0)"
    trailing = (
        f"SUMPRODUCT((Period>{WALL}-{lookback})*(Period<={WALL})*CFADS)/MIN({WALL}, {lookback})"
    )
    payment = (
        "PMT(IF(ISBLANK(refi_rate), annual_rate, refi_rate)/per_year, "
        "IF(ISBLANK(refi_years), tenor_years, refi_years)*per_year, -MAX(Due))"
    )
    previous = f"INDEX({{name}}, MAX(1, {WALL}-1))*({WALL}>1)"
    return [
        headline(
            "Wall month",
            f'=IF(MAX(Due)=0, "none", {WALL})',
            PERIOD,
            "Month of the largest bullet, balloon or convertible due inside the horizon.",
        ),
        headline(
            "Amount due at the wall",
            "=MAX(Due)",
            MONEY_M,
            "Principal falling due that month (the convertible or balloon).",
        ),
        headline(
            "Cash available at the wall",
            f"=INDEX(CFADS, {WALL})+{previous.format(name='LockupBalance')}"
            f"+{previous.format(name='DSRA')}-{previous.format(name='DebtService')}",
            MONEY_M,
            "That month's CFADS plus the lock-up account and DSRA, less the regular debt service.",
        ),
        headline(
            "Refinancing DSCR at the wall",
            f"={trailing}/{payment}",
            RATIO,
            "Trailing-12-month CFADS over the payment to refinance it (refi_rate, or the loan's).",
        ),
    ]


def write_both_schedules(
    book: Any, flavor: str, assumptions: Any, title: str
) -> tuple[ScheduleLayout, ScheduleLayout]:
    """The deflation-aware Schedule and the Schedule as modelled (flat rents, no DSRA)."""
    periods = assumptions.horizon_periods
    aware = write_deal_schedule(
        book, SheetWriter(book.create_sheet("Schedule"), flavor), periods, f"{title}: schedule"
    )
    modelled = write_deal_schedule(
        book,
        SheetWriter(book.create_sheet("Schedule as modelled"), flavor),
        periods,
        f"{title}: schedule as usually modelled",
        assumptions="ModelledAssumptions",
        prefix="Modelled",
        subtitle="flat rents, no generation steps, no DSRA",
    )
    return aware, modelled


def has_maturity_wall(assumptions: Any) -> bool:
    """Whether the capital structure has a bullet, balloon or convertible inside the horizon."""
    from pyfuncs.deal.schedule import deal_schedule

    return bool(np.nanmax(np.asarray(deal_schedule(assumptions).due_at_maturity)) > 0)


def write_maturity_wall(
    dashboard: Any, row: int, per_year: int, view: str = VIEWS[1], title: str = "Maturity wall"
) -> int:
    """The maturity wall's headlines (:func:`maturity_wall`) under ``view``, the second value
    column, from ``row``; the next free row."""
    from pyfuncs.templates.dashboard import write_headlines

    return write_headlines(
        dashboard, row, aware_only(maturity_wall(per_year)), value_headers=("", view), title=title
    )


def aware_only(rows: list[Headline]) -> list[Headline]:
    """Headlines moved to the second value column (the deflation-aware view)."""
    return [replace(row, values=("", *row.values)) for row in rows]


def deal_charts(
    writer: SheetWriter,
    layout: ScheduleLayout,
    modelled: ScheduleLayout,
    workings: Worksheet,
    waterfall: WaterfallData,
    anchor_column: str,
    chart_size: tuple[float, float] = (14.0, 6.2),
    rows_per_chart: int = 12,
    third: tuple[str, str, str, str] = ("rent", "Market rent, $ per GPU-hour", "$/GPU-hr", "$0.00"),
) -> int:
    """DSCR against covenants (both views), LTVs, the rent curves and the fire-sale waterfall.

    ``third`` is the third chart's (column, title, axis title, format): the market rent, or a
    colocation lease's revenue. Returns the last row the charts cover.
    """
    schedule = writer.sheet.parent[layout.sheet]
    as_modelled = writer.sheet.parent[modelled.sheet]
    periods = Reference(schedule, min_col=1, min_row=layout.first, max_row=layout.last)

    def col(letter: str) -> int:  # "A" -> 1, "AA" -> 27
        return column_index_from_string(letter)

    def series(letter: str, legend: str, sheet: Worksheet = schedule) -> tuple:
        return (sheet, col(letter), layout.first, layout.last, legend)

    width, height = chart_size
    charts = [
        line_chart(
            "DSCR against covenants",
            "DSCR (x)",
            [
                series(COL["dscr"], "Deflation-aware"),
                series(COL["dscr"], "As usually modelled", as_modelled),
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
            third[1],
            third[2],
            [
                series(COL[third[0]], "Deflating" if third[0] == "rent" else "Scenario in use"),
                series(COL[third[0]], "As usually modelled", as_modelled),
            ],
            periods,
            third[3],
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
