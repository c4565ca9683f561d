"""Template 3: data-centre project finance, as usually modelled and deflation-aware, side by side.

The debt is sculpted to the CFADS of flat rents at a target DSCR (how such a loan is usually
sized). The same debt service is then set against CFADS from deflating rents with generation
steps, and the collateral is valued at book (6-year straight line), at market and at fire-sale
value: the article's mismatch on one page. Built from the individual catalogue functions mixed
with Excel built-ins, so each step can be audited cell by cell.
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.chart import Reference
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.formula import ArrayFormula

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.examples import DATACENTER
from pyfuncs.templates.dashboard import (
    MONEY_M,
    PERCENT,
    PERIOD,
    RATIO,
    YEARS,
    Headline,
    breach_formula,
    line_chart,
    place,
    print_one_page,
    waterfall_chart,
    workings_sheet,
    write_headlines,
    write_scenario_line,
    write_waterfall,
)
from pyfuncs.templates.deal_sheets import WATERFALL_HEIGHT, WATERFALL_ROWS
from pyfuncs.templates.layout import (
    COLLATERAL,
    COVENANTS,
    FIRE_SALE,
    INPUT_FILL,
    INPUT_FONT,
    NOTE_FONT,
    OPEX_FORMULA,
    POWER_AND_OPEX,
    SheetWriter,
    define_name,
    write_inputs,
    write_notes,
)
from pyfuncs.templates.notes import COMMON_METHOD
from pyfuncs.templates.scenarios import GPU_DRIVERS, write_scenarios

TITLE = "Data-centre project finance: as usually modelled vs deflation-aware"

EXAMPLE: dict[str, Any] = DATACENTER

INPUT_NAMES = [
    "name",
    "gpus",
    "capex_per_gpu",
    "rent0",
    "annual_decline",
    "gen_step",
    "utilization",
    *POWER_AND_OPEX,
    "target_dscr",
    "loan_to_cost",
    "annual_rate",
    "tenor_years",
    "per_year",
    *COVENANTS,
    *COLLATERAL,
    *FIRE_SALE,
]

FIRST = 5  # first period row on the Schedule

#: Schedule columns: (letter, header, number format).
COLUMNS = [
    ("A", "period", "0"),
    ("B", "flat rent", "0.000"),
    ("C", "flat revenue", "#,##0"),
    ("D", "opex", "#,##0"),
    ("E", "flat CFADS", "#,##0"),
    ("F", "debt period", "0"),
    ("G", "opening", "#,##0"),
    ("H", "interest", "#,##0"),
    ("I", "principal", "#,##0"),
    ("J", "debt service", "#,##0"),
    ("K", "closing", "#,##0"),
    ("L", "DSCR, flat", RATIO),
    ("M", "book value", "#,##0"),
    ("N", "book LTV", "0.0%"),
    ("O", "rent", "0.000"),
    ("P", "revenue", "#,##0"),
    ("Q", "CFADS", "#,##0"),
    ("R", "DSCR", RATIO),
    ("S", "covenant", "@"),
    ("T", "market value/GPU", "#,##0"),
    ("U", "market LTV", "0.0%"),
    ("V", "fire-sale value", "#,##0"),
    ("W", "fire-sale LTV", "0.0%"),
    ("X", "lockup", RATIO),
    ("Y", "default", RATIO),
    ("Z", "CFADS, floored at 0", "#,##0"),
    ("AA", "CFADS for sizing", "#,##0"),
]


def dashboard_rows(years: int) -> list[Headline]:
    """Headlines side by side: as usually modelled (flat rents, book value) and deflation-aware."""
    rows = [
        Headline(
            "Debt at close",
            ("=INDEX(Opening, 1)", "=INDEX(Opening, 1)"),
            MONEY_M,
            "Lower of what flat-rent CFADS carries at the target DSCR and loan-to-cost.",
        ),
        Headline(
            "Debt the cash flow supports at the target DSCR",
            (
                "=GPU.DEBT_CAPACITY(FlatCFADS, target_dscr, annual_rate, per_year)",
                "=GPU.DEBT_CAPACITY(CFADSPositive, target_dscr, annual_rate, per_year)",
            ),
            MONEY_M,
            "PV of CFADS over the target DSCR at the loan rate (negative months as 0).",
        ),
        Headline(
            "Minimum DSCR",
            ("=MIN(FlatDSCR)", "=MIN(DSCR)"),
            RATIO,
            "Lowest monthly cash cover of the same debt service.",
        ),
        Headline(
            "Average DSCR",
            ("=AVERAGE(FlatDSCR)", "=AVERAGE(DSCR)"),
            RATIO,
            "Mean monthly DSCR over the loan's life.",
        ),
        Headline(
            "First month below lock-up",
            (breach_formula("FlatDSCR", "lockup_dscr"), breach_formula("DSCR", "lockup_dscr")),
            PERIOD,
            "First month DSCR is below the lock-up level: distributions stop.",
        ),
        Headline(
            "First month below default",
            (breach_formula("FlatDSCR", "default_dscr"), breach_formula("DSCR", "default_dscr")),
            PERIOD,
            "First month DSCR is below the default level.",
        ),
        Headline(
            "LLCR at close",
            (
                "=GPU.LLCR(FlatCFADS, INDEX(Opening, 1), annual_rate, per_year)",
                "=GPU.LLCR(CFADS, INDEX(Opening, 1), annual_rate, per_year)",
            ),
            RATIO,
            "PV of loan-life cash flow at the loan rate over the debt at close.",
        ),
        Headline(
            "Revenue can fall, before lock-up",
            (
                "=(INDEX(FlatCFADS, 1)-lockup_dscr*MAX(DebtService))/INDEX(FlatRevenue, 1)",
                ArrayFormula("C1", "=MIN((CFADS-lockup_dscr*DebtService)/Revenue)"),
            ),
            PERCENT,
            "Headroom: share of each month's revenue that can go before the worst month hits "
            "lock-up.",
        ),
        Headline(
            "Maximum LTV: book, then market",
            ("=MAX(BookLTV)", "=MAX(MarketLTV)"),
            PERCENT,
            "Highest debt over book value (left) and over the GPUs' market value (right).",
        ),
        Headline(
            "Duration gap, years",
            (
                "=GPU.DURATION_GAP(FlatCFADS, DebtService, annual_rate, per_year)",
                "=GPU.DURATION_GAP(CFADS, DebtService, annual_rate, per_year)",
            ),
            YEARS,
            "Duration of the cash flow minus that of the debt service (negative: rents run out first).",
        ),
    ]
    for year in range(1, years + 1):
        at = f"per_year*{year}+1"
        rows.append(
            Headline(
                f"Fire-sale LTV, end of year {year}",
                ("", f"=INDEX(FiresaleLTV, {at})"),
                PERCENT,
                "Debt over the net proceeds of selling the whole fleet at once.",
            )
        )
        rows.append(
            Headline(
                f"Fire-sale shortfall, end of year {year}",
                ("", f"=MAX(0, INDEX(Opening, {at})-INDEX(FiresaleValue, {at}))"),
                MONEY_M,
                "Debt the fire sale would not repay (exposure minus net proceeds).",
            )
        )
    return rows


def build(assumptions: DealAssumptions, flavor: str) -> Workbook:
    """The data-centre workbook: Inputs, Schedule, Dashboard, Notes (formulas only, no values)."""
    book = Workbook()
    inputs = SheetWriter(book.active, flavor)
    inputs.sheet.title = "Inputs"
    inputs.title(TITLE, "Blue cells are inputs; each has a defined name.")
    block = write_inputs(
        book,
        inputs,
        assumptions,
        INPUT_NAMES,
        5,
        {"opex_hour": OPEX_FORMULA},
    )
    write_scenarios(book, flavor, block, GPU_DRIVERS)
    row = block.last_row + 2
    inputs.sheet.cell(row, 1, "GenPeriods")
    inputs.sheet.cell(
        row, 4, "Periods at which a new NVIDIA generation ships, one per cell [34]."
    ).font = NOTE_FONT
    releases = list(assumptions.gen_periods) or [None]
    for offset, period in enumerate(releases):
        cell = inputs.sheet.cell(row + 1, 2 + offset, period)
        cell.font, cell.fill = INPUT_FONT, INPUT_FILL
    last_release = inputs.sheet.cell(row + 1, 1 + max(len(releases), 3)).coordinate
    define_name(book, "GenPeriods", "Inputs", f"B{row + 1}:{last_release}")
    # The loan is the lower of what flat-rent CFADS carries at target_dscr and loan_to_cost of
    # capex: sculpting on CFADS x SizingScale keeps the sculpted shape at the capped size.
    inputs.sheet.cell(row + 3, 1, "SizingScale")
    inputs.formula(
        f"B{row + 3}",
        "=MIN(1, loan_to_cost*gpus*capex_per_gpu/"
        "GPU.DEBT_CAPACITY(FlatCFADS, target_dscr, annual_rate, per_year))",
        PERCENT,
    )
    inputs.sheet.cell(
        row + 3,
        4,
        "Share of flat-rent debt capacity borrowed: the loan is the lower of "
        "DSCR sizing and loan_to_cost.",
    ).font = NOTE_FONT
    define_name(book, "SizingScale", "Inputs", f"B{row + 3}")
    inputs.widths({"A": 24, "B": 18, "C": 16, "D": 90})

    n = assumptions.tenor_periods
    last = FIRST + n - 1
    sheet = SheetWriter(book.create_sheet("Schedule"), flavor)
    sheet.title(
        f"{TITLE}: schedule",
        "Left: as usually modelled (flat rents, book value). Right: deflation-aware.",
    )
    sheet.sheet["B3"], sheet.sheet["O3"] = "AS USUALLY MODELLED", "DEFLATION-AWARE"
    sheet.header(FIRST - 1, 1, [header for _, header, _ in COLUMNS])
    sheet.array(
        f"F{FIRST}:K{last}",
        f"=GPU.SCULPTED_DEBT(AA{FIRST}:AA{last}, target_dscr, annual_rate, per_year)",
    )
    sheet.array(
        f"M{FIRST}:M{last}",
        f'=GPU.BOOK_VALUE(gpus*capex_per_gpu, book_life_years, {n}, 0, "SLN", per_year)',
    )
    sheet.array(
        f"O{FIRST}:O{last}",
        f"=GPU.RENT_CURVE(Scenario_rent0, {n}, Scenario_annual_decline, per_year, GenPeriods, "
        "gen_step)",
    )
    sheet.array(
        f"T{FIRST}:T{last}",
        f"=GPU.MARKET_VALUE(capex_per_gpu, {n}, market_decay, per_year, GenPeriods, gen_step)",
    )
    for r in range(FIRST, last + 1):
        t = r - FIRST + 1
        sheet.sheet[f"A{r}"] = t
        sheet.formula(f"B{r}", "=rent0")
        sheet.formula(f"C{r}", f"=GPU.REVENUE(B{r}, gpus, utilization, per_year)")
        sheet.formula(f"D{r}", "=opex_hour*gpus*8760/per_year")
        sheet.formula(f"E{r}", f"=C{r}-D{r}")
        sheet.formula(f"L{r}", f"=GPU.DSCR(E{r}, J{r})")
        sheet.formula(f"N{r}", f"=GPU.LTV(K{r}, M{r})")
        sheet.formula(f"P{r}", f"=GPU.REVENUE(O{r}, gpus, Scenario_utilization, per_year)")
        sheet.formula(f"Q{r}", f"=P{r}-D{r}")
        sheet.formula(f"R{r}", f"=GPU.DSCR(Q{r}, J{r})")
        sheet.formula(f"S{r}", f"=GPU.COVENANT_STATUS(R{r}, lockup_dscr, default_dscr)")
        # market value and fire-sale value at the start of the period, against the opening balance
        sheet.formula(f"U{r}", f"=GPU.LTV(G{r}, T{r}*gpus)")
        sheet.formula(
            f"V{r}",
            f"=GPU.FIRESALE_RECOVERY(T{r}, gpus, monthly_volume, 0, gen_step, site_factor, "
            "cost_per_unit, months_to_sell, 0, volatility, impact, base_discount)",
        )
        sheet.formula(f"W{r}", f'=IF(V{r}=0, "no recovery", G{r}/V{r})')
        sheet.formula(f"X{r}", "=lockup_dscr")
        sheet.formula(f"Y{r}", "=default_dscr")
        sheet.formula(f"Z{r}", f"=MAX(Q{r}, 0)")
        sheet.formula(f"AA{r}", f"=E{r}*SizingScale")
    for letter, _, number_format in COLUMNS:
        for r in range(FIRST, last + 1):
            sheet.sheet[f"{letter}{r}"].number_format = number_format
    for name, letter in (
        ("FlatCFADS", "E"),
        ("FlatRevenue", "C"),
        ("Revenue", "P"),
        ("DebtService", "J"),
        ("Opening", "G"),
        ("FlatDSCR", "L"),
        ("BookLTV", "N"),
        ("CFADS", "Q"),
        ("DSCR", "R"),
        ("MarketLTV", "U"),
        ("FiresaleValue", "V"),
        ("FiresaleLTV", "W"),
        ("CFADSPositive", "Z"),
    ):
        define_name(book, name, "Schedule", f"{letter}{FIRST}:{letter}{last}")
    sheet.widths({letter: 12 for letter, _, _ in COLUMNS})
    sheet.sheet.freeze_panes = f"B{FIRST}"

    dash = SheetWriter(book.create_sheet("Dashboard"), flavor)
    dash.title(f"{TITLE}: dashboard", "The same debt, two views of the collateral and its cash.")
    write_scenario_line(dash)
    next_row = write_headlines(
        dash,
        4,
        dashboard_rows(min(3, assumptions.tenor_years)),
        value_headers=("As usually modelled", "Deflation-aware"),
        title="The loan, as usually modelled and deflation-aware",
    )
    year_one = FIRST + assumptions.per_year  # start of year 2 = end of year 1
    workings = workings_sheet(book, flavor)
    last_row, waterfall = write_waterfall(
        dash,
        workings,
        next_row,
        5,
        f"Schedule!T{min(year_one, last)}",
        "Fire sale of the whole fleet at the end of year 1",
    )
    dash.widths({"A": 38, "B": 19, "C": 19, "D": 56, "E": 2})

    schedule = book["Schedule"]
    periods = Reference(schedule, min_col=1, min_row=FIRST, max_row=last)

    def series(letter: str, legend: str) -> tuple:
        index = column_index_from_string(letter)
        return (schedule, index, FIRST, last, legend)

    charts = [
        line_chart(
            "DSCR, same debt: flat vs deflating rents",
            "DSCR (x)",
            [
                series("L", "Flat rents"),
                series("R", "Deflating rents"),
                series("X", "Lock-up"),
                series("Y", "Default"),
            ],
            periods,
            '0.0"x"',
        ),
        line_chart(
            "Loan-to-value: book vs market",
            "LTV",
            [series("N", "Book LTV"), series("U", "Market LTV")],
            periods,
            "0%",
        ),
        line_chart(
            "Rent, $ per GPU-hour",
            "$/GPU-hr",
            [series("B", "Flat rent"), series("O", "Deflating rent")],
            periods,
            "$0.00",
        ),
        waterfall_chart(workings.sheet, waterfall, "Fire sale at end of year 1, $M"),
    ]
    for index, chart in enumerate(charts[:-1]):
        place(dash.sheet, chart, f"F{4 + 12 * index}", 14.0, 6.2)
    last_chart = 4 + 12 * (len(charts) - 1)
    place(dash.sheet, charts[-1], f"F{last_chart}", 14.0, WATERFALL_HEIGHT)
    print_one_page(dash.sheet, f"A1:M{max(last_row, last_chart + WATERFALL_ROWS - 1)}")

    write_notes(
        SheetWriter(book.create_sheet("Notes"), flavor),
        f"{TITLE}: notes",
        [
            "As usually modelled: rent stays at rent0; debt is sculpted to flat-rent CFADS at "
            "target_dscr and capped at loan_to_cost of capex (SizingScale), so flat-rent DSCR is "
            "at least the target in every period; collateral is book value (straight line over "
            "book_life_years).",
            "Deflation-aware: rent follows RENT_CURVE (annual_decline, a gen_step at each of "
            "GenPeriods) against the same debt service; collateral at MARKET_VALUE and at "
            "FIRESALE_RECOVERY, both at the start of each period against the opening balance.",
            *COMMON_METHOD,
        ],
    )
    return book
