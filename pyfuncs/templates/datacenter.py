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
from openpyxl.chart import LineChart, Reference

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.examples import DATACENTER
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
    ("L", "DSCR, flat", "0.00"),
    ("M", "book value", "#,##0"),
    ("N", "book LTV", "0.0%"),
    ("O", "rent", "0.000"),
    ("P", "revenue", "#,##0"),
    ("Q", "CFADS", "#,##0"),
    ("R", "DSCR", "0.00"),
    ("S", "covenant", "@"),
    ("T", "market value/GPU", "#,##0"),
    ("U", "market LTV", "0.0%"),
    ("V", "fire-sale value", "#,##0"),
    ("W", "fire-sale LTV", "0.0%"),
    ("X", "lockup", "0.00"),
    ("Y", "default", "0.00"),
    ("Z", "CFADS, floored at 0", "#,##0"),
    ("AA", "CFADS for sizing", "#,##0"),
]


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
        "0.0000",
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
        f"=GPU.RENT_CURVE(rent0, {n}, annual_decline, per_year, GenPeriods, gen_step)",
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
        sheet.formula(f"P{r}", f"=GPU.REVENUE(O{r}, gpus, utilization, per_year)")
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
        sheet.formula(f"W{r}", f'=IFERROR(G{r}/V{r}, "no recovery")')
        sheet.formula(f"X{r}", "=lockup_dscr")
        sheet.formula(f"Y{r}", "=default_dscr")
        sheet.formula(f"Z{r}", f"=MAX(Q{r}, 0)")
        sheet.formula(f"AA{r}", f"=E{r}*SizingScale")
    for letter, _, number_format in COLUMNS:
        for r in range(FIRST, last + 1):
            sheet.sheet[f"{letter}{r}"].number_format = number_format
    for name, letter in (
        ("FlatCFADS", "E"),
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
    dash.header(4, 1, ["", "As usually modelled", "Deflation-aware", "How it is computed"])
    rows = [
        (
            "Debt: lower of DSCR sizing and loan_to_cost",
            "=INDEX(Opening, 1)",
            "=INDEX(Opening, 1)",
            "SCULPTED_DEBT on flat CFADS x SizingScale",
            "#,##0",
        ),
        (
            "Debt the CFADS supports at target DSCR",
            "=GPU.DEBT_CAPACITY(FlatCFADS, target_dscr, annual_rate, per_year)",
            "=GPU.DEBT_CAPACITY(CFADSPositive, target_dscr, annual_rate, per_year)",
            "DEBT_CAPACITY (negative CFADS as 0)",
            "#,##0",
        ),
        ("Minimum DSCR", "=MIN(FlatDSCR)", "=MIN(DSCR)", "MIN of the DSCR column", "0.00"),
        ("Average DSCR", "=AVERAGE(FlatDSCR)", "=AVERAGE(DSCR)", "AVERAGE", "0.00"),
        (
            "First period below lock-up",
            '=IFERROR(GPU.BREACH_PERIOD(FlatDSCR, lockup_dscr), "never")',
            '=IFERROR(GPU.BREACH_PERIOD(DSCR, lockup_dscr), "never")',
            "BREACH_PERIOD",
            "0",
        ),
        (
            "LLCR at close",
            "=GPU.LLCR(FlatCFADS, INDEX(Opening, 1), annual_rate, per_year)",
            "=GPU.LLCR(CFADS, INDEX(Opening, 1), annual_rate, per_year)",
            "LLCR",
            "0.00",
        ),
        ("Maximum LTV", "=MAX(BookLTV)", "=MAX(MarketLTV)", "book vs market", "0.0%"),
        (
            "Maximum fire-sale LTV",
            "",
            '=IFERROR(MAX(FiresaleLTV), "no recovery")',
            "fire-sale",
            "0.0%",
        ),
        (
            "Duration gap, years (rents vs debt service)",
            "=GPU.DURATION_GAP(FlatCFADS, DebtService, annual_rate, per_year)",
            "=GPU.DURATION_GAP(CFADS, DebtService, annual_rate, per_year)",
            "DURATION_GAP",
            "0.00",
        ),
    ]
    for offset, (label, flat, deflating, how, number_format) in enumerate(rows, start=5):
        dash.sheet.cell(offset, 1, label)
        if flat:
            dash.formula(f"B{offset}", flat, number_format)
        dash.formula(f"C{offset}", deflating, number_format)
        dash.sheet.cell(offset, 4, how).font = NOTE_FONT
    dash.widths({"A": 44, "B": 20, "C": 20, "D": 30})

    schedule = book["Schedule"]
    periods = Reference(schedule, min_col=1, min_row=FIRST, max_row=last)
    for title, columns, anchor, number_format in (
        ("DSCR: flat rents vs deflating rents, same debt", ["L", "R", "X", "Y"], "F4", "0.0"),
        ("LTV: book vs market", ["N", "U"], "F20", "0%"),
        ("Rent, $ per GPU-hour", ["B", "O"], "F36", "0.00"),
    ):
        chart = LineChart()
        chart.title, chart.x_axis.title = title, "Period"
        chart.height, chart.width = 7.5, 16
        for letter in columns:
            index = ord(letter) - ord("A") + 1
            chart.add_data(
                Reference(schedule, min_col=index, min_row=FIRST - 1, max_row=last),
                titles_from_data=True,
            )
        chart.set_categories(periods)
        chart.y_axis.number_format = number_format
        dash.sheet.add_chart(chart, anchor)

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
