"""Template 1: a neocloud's GPU-backed delayed-draw term loan (contracted and merchant GPUs).

CoreWeave-style terms (docs/domain.md section 3): 11% effective rate, draws maturing in 5 years, most
revenue on take-or-pay contracts, the rest on market rent; the contracts roll to market rent when
they end (re-leasing risk).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.examples import NEOCLOUD_DDTL
from pyfuncs.templates.dashboard import (
    PERCENT,
    RENT,
    Headline,
    headline,
    print_one_page,
    sale_decay_formula,
    start_dashboard,
    stress_headlines,
    write_headlines,
    write_waterfall,
)
from pyfuncs.templates.deal_sheets import (
    COL,
    VIEWS,
    aware_only,
    deal_charts,
    deal_metrics,
    has_maturity_wall,
    write_both_schedules,
    write_maturity_wall,
)
from pyfuncs.templates.layout import (
    COLLATERAL,
    CONTRACTS,
    COVENANTS,
    FIRE_SALE,
    FLEET_AND_RENT,
    GPU_MODEL,
    INPUT_FILL,
    INPUT_FONT,
    MARKET_PRICING,
    OPEX_FORMULA,
    POWER_AND_OPEX,
    WATERFALL,
    SheetWriter,
    define_name,
    write_inputs,
    write_notes,
)
from pyfuncs.templates.notes import COMMON_METHOD
from pyfuncs.templates.scenarios import GPU_DRIVERS, GPU_GRID, write_scenarios

TITLE = "Neocloud GPU-backed delayed-draw term loan"

#: Example deal: 10,000 H100s, 85% on 4-year contracts, CoreWeave DDTL 2.0-like debt.
EXAMPLE: dict[str, Any] = NEOCLOUD_DDTL

INPUT_NAMES = [
    "name",
    *FLEET_AND_RENT,
    *GPU_MODEL,
    *CONTRACTS,
    *POWER_AND_OPEX,
    "fixed_opex_period",
    "loan_to_cost",
    "annual_rate",
    "tenor_years",
    "per_year",
    "profile",
    *COVENANTS,
    *WATERFALL,
    *COLLATERAL,
    *FIRE_SALE,
    "rent_vol",
    "btc_vol",
    "correlation",
    *MARKET_PRICING,
]


BLENDED_RENT = (
    "=contracted_share*IF(ISBLANK(contract_rent), rent0, contract_rent)*contract_utilization"
    " + (1-contracted_share)*rent0*utilization"
)


def write_blended_rent(book: Workbook, writer: SheetWriter, row: int) -> None:
    """Billed rent per GPU-hour across contracted and market GPUs, for the one-rent metrics."""
    writer.sheet.cell(row, 1, "BlendedRent")
    writer.formula(f"B{row}", BLENDED_RENT, "0.000")
    writer.sheet.cell(row, 3, "$ per GPU-hour")
    writer.sheet.cell(
        row,
        4,
        "Billed rent per GPU-hour in period 1, contracted and market GPUs "
        "together (utilisation included).",
    )
    define_name(book, "BlendedRent", writer.sheet.title, f"B{row}")


def write_stress_controls(book: Workbook, writer: SheetWriter, row: int) -> None:
    """Paths and seed of the dashboard's JOINT_STRESS, as named inputs."""
    writer.header(row - 1, 1, ["Stress control", "Value", "Unit", "Meaning"])
    for offset, (name, value, unit, meaning) in enumerate(
        (
            ("StressPaths", 10_000, "paths", "Monte Carlo paths of JOINT_STRESS."),
            ("StressSeed", 1, "seed", "Seed: the same seed gives the same numbers everywhere."),
        )
    ):
        r = row + offset
        writer.sheet.cell(r, 1, name)
        cell = writer.sheet.cell(r, 2, value)
        cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        writer.sheet.cell(r, 3, unit)
        writer.sheet.cell(r, 4, meaning)
        define_name(book, name, writer.sheet.title, cell.coordinate)


def rent_headlines() -> list[Headline]:
    """Rent, breakeven and cash-yield headlines on the billed rent of month 1."""
    debt_per_gpu = "capex_per_gpu*loan_to_cost"
    breakeven = (
        f"GPU.BREAKEVEN_RENT({debt_per_gpu}, annual_rate, tenor_years, 1, opex_hour, "
        "lockup_dscr, per_year)"
    )
    return [
        headline(
            "Blended billed rent, month 1",
            "=BlendedRent",
            RENT,
            "Contracted and market GPUs together, utilisation included, $/GPU-hr.",
        ),
        headline(
            "Breakeven billed rent at the lock-up DSCR",
            f"={breakeven}",
            RENT,
            "Billed rent at which a level annuity on the loan just meets lock-up.",
        ),
        headline(
            "Annual rent decline the loan absorbs",
            f'=IF(BlendedRent<{breakeven}, "breaches at flat rents", '
            f"GPU.DECLINE_TO_BREACH(BlendedRent, {debt_per_gpu}, annual_rate, tenor_years, 1, "
            "opex_hour, lockup_dscr, per_year))",
            PERCENT,
            "Yearly fall in rent at which the lowest DSCR just meets lock-up.",
        ),
        headline(
            "Unlevered cash yield",
            "=GPU.CASH_YIELD(BlendedRent, 1, opex_hour, capex_per_gpu)",
            PERCENT,
            "Yearly net rent over capex at the blended rent, before debt.",
        ),
    ]


def dashboard_columns(writer: SheetWriter) -> None:
    """Label, two value columns and the note; a narrow gap; chart columns."""
    writer.widths({"A": 38, "B": 19, "C": 19, "D": 56, "E": 2})


def build(assumptions: DealAssumptions, flavor: str) -> Workbook:
    """The neocloud workbook: Inputs, Schedule, Dashboard, Stress, Notes (formulas, no values)."""
    book = Workbook()
    inputs = SheetWriter(book.active, flavor)
    inputs.sheet.title = "Inputs"
    inputs.title(TITLE, "Blue cells are inputs; each has a defined name. Lists of periods: 13;25.")
    block = write_inputs(book, inputs, assumptions, INPUT_NAMES, 5, {"opex_hour": OPEX_FORMULA})
    define_name(book, "Assumptions", "Inputs", block.key_value_range)
    write_stress_controls(book, inputs, block.last_row + 3)
    write_scenarios(book, flavor, block, GPU_DRIVERS, GPU_GRID)
    write_blended_rent(book, inputs, block.last_row + 6)
    inputs.widths({"A": 24, "B": 18, "C": 16, "D": 90})

    layout, modelled = write_both_schedules(book, flavor, assumptions, TITLE)

    dashboard, workings, stress, workings_row = start_dashboard(
        book,
        flavor,
        TITLE,
        "The deal as usually modelled beside the deflation-aware deal with its DSRA and lock-up; "
        "every number has its meaning beside it.",
        [("Joint stress of the deal", "ScenarioAssumptions", "Stress")],
    )
    next_row = write_headlines(
        dashboard,
        4,
        [*deal_metrics(3), *rent_headlines()],
        value_headers=VIEWS,
        title="The loan as usually modelled (flat rents, no reserve) and deflation-aware (with "
        "its DSRA and lock-up)",
    )
    wall = has_maturity_wall(assumptions)
    if wall:
        next_row = write_maturity_wall(dashboard, next_row, assumptions.per_year)
    next_row = write_headlines(
        dashboard,
        next_row,
        aware_only(
            stress_headlines(
                (stress["Stress"],),
                btc=assumptions.btc_held > 0 or assumptions.hashrate_ph > 0,
                wall=wall,
                other_debt=assumptions.convert_principal > 0,
            )
        ),
        value_headers=("", VIEWS[1]),
        title="Joint stress: GPU rents and resale values shocked around their curves",
    )
    year_one = layout.first + assumptions.per_year - 1
    last_row, waterfall = write_waterfall(
        dashboard,
        workings,
        next_row,
        workings_row,
        f"Schedule!{COL['market_value']}{year_one}/gpus",
        "Fire sale of the whole fleet at the end of year 1",
        sale_decay_formula("gpu_age_years+1"),
    )
    last_chart_row = deal_charts(dashboard, layout, modelled, workings.sheet, waterfall, "F")
    dashboard_columns(dashboard)
    print_one_page(dashboard.sheet, f"A1:M{max(last_row, last_chart_row)}")

    write_notes(
        SheetWriter(book.create_sheet("Notes"), flavor),
        f"{TITLE}: notes",
        [
            "The loan is sized as loan_to_cost of the fleet's capex and repaid as a level annuity. "
            "contracted_share of the GPUs earn contract_rent until contract_periods, then re-lease "
            "at the market rent; the rest earn the market rent at utilization.",
            *COMMON_METHOD,
        ],
    )
    return book
