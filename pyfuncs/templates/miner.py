"""Template 2: a bitcoin miner pivoting to AI hosting.

Mining plus hosting cash flow carries senior secured debt; BTC held is collateral; convertible
notes add to leverage. The dashboard stresses BTC and GPU rents together at the default
correlation (0.5) and at the stress correlation (0.8): "correlation convergence" (docs/domain.md
section 7).
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook
from openpyxl.chart import Reference
from openpyxl.styles import Alignment

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.examples import MINER
from pyfuncs.templates.dashboard import (
    MONEY_M,
    RATIO,
    line_chart,
    place,
    print_one_page,
    sale_decay_formula,
    start_dashboard,
    stress_headlines,
    write_headlines,
    write_section,
    write_waterfall,
)
from pyfuncs.templates.deal_sheets import (
    COL,
    VIEWS,
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
    NOTE_FONT,
    OPEX_FORMULA,
    POWER_AND_OPEX,
    WATERFALL,
    SheetWriter,
    define_name,
    write_inputs,
    write_notes,
)
from pyfuncs.templates.neocloud import write_stress_controls
from pyfuncs.templates.notes import COMMON_METHOD
from pyfuncs.templates.scenarios import (
    MINER_DRIVERS,
    MINER_GRID,
    ScenarioBlock,
    in_use_name,
    write_scenarios,
)
from pyfuncs.templates.scenarios import SHEET as SCENARIO_SHEET

TITLE = "Bitcoin miner pivoting to AI hosting"

EXAMPLE: dict[str, Any] = MINER

INPUT_NAMES = [
    "name",
    *FLEET_AND_RENT,
    *GPU_MODEL,
    *CONTRACTS,
    *POWER_AND_OPEX,
    "hashrate_ph",
    "btc_price",
    "network_ehs",
    "network_growth",
    "subsidy",
    "halving_periods",
    "fees_per_block",
    "hash_cost_ph_day",
    "curtail_mining",
    "btc_held",
    "debt_principal",
    "annual_rate",
    "tenor_years",
    "per_year",
    "profile",
    "convert_principal",
    "convert_coupon",
    "convert_years",
    *COVENANTS,
    *WATERFALL,
    *COLLATERAL,
    *FIRE_SALE,
    "btc_vol",
    "rent_vol",
    "correlation",
    "copula",
    *MARKET_PRICING,
]

#: BTC prices of the sensitivity table, as multiples of btc_price.
BTC_MULTIPLES = (1.5, 1.25, 1.0, 0.75, 0.5, 0.35)


def write_stress_case(
    book: Workbook, writer: SheetWriter, first_row: int, scenario: ScenarioBlock
) -> str:
    """A second key/value block: the assumptions in use, but for a stressed correlation."""
    writer.header(
        first_row - 1,
        1,
        ["Stress case", "Value", "", "The scenario's assumptions, but a stressed correlation"],
    )
    count = scenario.last - scenario.first + 1
    for offset in range(count):
        row = first_row + offset
        key, value = (f"'{SCENARIO_SHEET}'!{c}{scenario.first + offset}" for c in "AB")
        writer.formula(f"A{row}", f"={key}")
        writer.formula(f"B{row}", f'=IF({key}="correlation", StressCorrelation, {value})')
    control = first_row + count + 1
    writer.sheet.cell(control, 1, "StressCorrelation")
    cell = writer.sheet.cell(control, 2, 0.8)
    cell.font, cell.fill = INPUT_FONT, INPUT_FILL
    writer.sheet.cell(
        control, 4, "Correlation of BTC and rent shocks in the stress case; 0.8 [98]."
    )
    define_name(book, "StressCorrelation", writer.sheet.title, cell.coordinate)
    area = f"A{first_row}:B{first_row + count - 1}"
    define_name(book, "StressAssumptions", writer.sheet.title, area)
    return area


def write_btc_sensitivity(writer: SheetWriter, first_row: int, debt_service_year_one: str) -> int:
    """HASHPRICE and MINER_DSCR at BTC prices around today's, for year one."""
    writer.header(
        first_row,
        1,
        ["BTC price", "$/PH/day", "Miner DSCR", "Mining margin, $M a year"],
    )
    hosting = (
        "(GPU.REVENUE(rent0, gpus*(1-contracted_share), utilization, 1)"
        " + GPU.REVENUE(IF(ISBLANK(contract_rent), rent0, contract_rent), gpus*contracted_share, "
        "contract_utilization, 1) - opex_hour*gpus*8760)"
    )
    for offset, multiple in enumerate(BTC_MULTIPLES, start=1):
        row = first_row + offset
        writer.formula(f"A{row}", f"=btc_price*{multiple}", "$#,##0")
        writer.formula(
            f"B{row}", f"=GPU.HASHPRICE(A{row}, network_ehs, subsidy, fees_per_block)", "$0.00"
        )
        writer.formula(
            f"C{row}",
            f"=GPU.MINER_DSCR(B{row}, hashrate_ph, hash_cost_ph_day, {hosting}, {debt_service_year_one})",
            RATIO,
        )
        writer.formula(f"D{row}", f"=(B{row}-hash_cost_ph_day)*hashrate_ph*365", MONEY_M)
    return first_row + len(BTC_MULTIPLES)


#: The BTC held at the scenario's price: the base case does not shock BTC, so every period's
#: price is the scenario's ``btc_price``.
BTC_VALUE = f"btc_held*{in_use_name('btc_price')}"
#: The GPUs' share of the Schedule's market value in a row: the market value column holds the GPUs
#: and the BTC held (at market), so the BTC comes off before the GPU count divides it.
GPU_MARKET_VALUE = f"Schedule!{COL['market_value']}{{row}}-{BTC_VALUE}"


def write_btc_recovery(writer: SheetWriter, row: int) -> int:
    """The BTC held beside the GPUs' fire sale: liquid, sold at market with no fleet discount.

    The two are valued apart (docs/domain.md section 6): GPUs through FIRESALE_RECOVERY over
    months_to_sell, BTC at ``btc_held * btc_price`` (the scenario's price; the BTC trades in a
    deep market, so no square-root impact and no site factor). Returns the last row written.
    """
    net = f"B{row - 1}"
    rows = (
        (
            "BTC held, sold at market",
            f"={BTC_VALUE}",
            "Liquid: no fleet discount, no site factor, sold at the scenario's BTC price.",
        ),
        (
            "Net proceeds, GPUs and BTC",
            f"={net}+B{row}",
            "The GPUs' net fire-sale proceeds above plus the BTC held at market.",
        ),
    )
    for offset, (label, formula, meaning) in enumerate(rows):
        writer.sheet.cell(row + offset, 1, label)
        writer.formula(f"B{row + offset}", formula, MONEY_M)
        writer.sheet[f"B{row + offset}"].alignment = Alignment(horizontal="right")
        writer.sheet.cell(row + offset, 4, meaning).font = NOTE_FONT
    return row + len(rows) - 1


def build(assumptions: DealAssumptions, flavor: str) -> Workbook:
    """The miner workbook: Inputs, Schedule, Dashboard, Stress, Notes (formulas, no values)."""
    book = Workbook()
    inputs = SheetWriter(book.active, flavor)
    inputs.sheet.title = "Inputs"
    inputs.title(TITLE, "Blue cells are inputs; each has a defined name. Lists of periods: 13;25.")
    block = write_inputs(book, inputs, assumptions, INPUT_NAMES, 5, {"opex_hour": OPEX_FORMULA})
    define_name(book, "Assumptions", "Inputs", block.key_value_range)
    write_stress_controls(book, inputs, block.last_row + 3)
    scenario = write_scenarios(book, flavor, block, MINER_DRIVERS, MINER_GRID)
    write_stress_case(book, inputs, block.last_row + 7, scenario)
    inputs.widths({"A": 24, "B": 18, "C": 16, "D": 90})

    layout, modelled = write_both_schedules(book, flavor, assumptions, TITLE)

    dashboard, workings, stress, workings_row = start_dashboard(
        book,
        flavor,
        TITLE,
        "Mining and hosting carry the debt to the convertible's maturity; BTC and rents fall "
        "together.",
        [
            ("Base case correlation", "ScenarioAssumptions", "Stress"),
            ("Stress correlation", "StressAssumptions", "StressCase"),
        ],
    )
    next_row = write_headlines(
        dashboard,
        4,
        deal_metrics(3, btc=True),
        value_headers=VIEWS,
        title="The loans to the last maturity: as usually modelled (flat rents, no reserve) and "
        "deflation-aware (with the DSRA and lock-up)",
    )
    if has_maturity_wall(assumptions):
        next_row = write_maturity_wall(dashboard, next_row, assumptions.per_year)
    first, year_end = layout.first, layout.first + assumptions.per_year - 1
    service = f"SUM(Schedule!{COL['debt_service']}{first}:{COL['debt_service']}{year_end})"
    sensitivity_row = next_row + 1
    write_section(dashboard, next_row, "BTC sensitivity, year one")
    last = write_btc_sensitivity(dashboard, sensitivity_row, service)
    next_row = write_headlines(
        dashboard,
        last + 2,
        stress_headlines((stress["Stress"], stress["StressCase"])),
        value_headers=("Base case", "Stress case"),
        title="Joint stress: BTC and GPU rents shocked together",
    )
    last_row, waterfall = write_waterfall(
        dashboard,
        workings,
        next_row,
        workings_row,
        f"({GPU_MARKET_VALUE.format(row=year_end)})/MAX(gpus,1)",
        "Fire sale of the GPU fleet at the end of year 1 (the BTC held is sold apart)",
        sale_decay_formula("gpu_age_years+1"),
    )
    last_row = write_btc_recovery(dashboard, last_row + 1)
    last_chart_row = deal_charts(dashboard, layout, modelled, workings.sheet, waterfall, "F")
    chart = line_chart(
        "Miner DSCR against BTC price, year one",
        "DSCR (x)",
        [(dashboard.sheet, 3, sensitivity_row + 1, last, "Miner DSCR")],
        Reference(dashboard.sheet, min_col=1, min_row=sensitivity_row + 1, max_row=last),
        '0.0"x"',
    )
    chart.x_axis.title = "BTC price, $"
    place(dashboard.sheet, chart, f"F{last_chart_row + 1}", 14.0, 6.2)
    dashboard.widths({"A": 38, "B": 19, "C": 19, "D": 56, "E": 2})
    print_one_page(dashboard.sheet, f"A1:M{max(last_row, last_chart_row + 12)}")

    write_notes(
        SheetWriter(book.create_sheet("Notes"), flavor),
        f"{TITLE}: notes",
        [
            "Mining earns HASHPRICE x hashrate x days and costs hash_cost_ph_day x hashrate x days; "
            "the subsidy halves at halving_periods; with curtail_mining the fleet is off when "
            "hashprice is below cost. Hosting earns GPU rents as in the neocloud template.",
            "BTC held is collateral at market value in book, market and fire-sale LTV. Convertible "
            "notes pay their coupon and their principal at maturity (conversion is not modelled) and "
            "count in LTV; the lender's exposure at default is the senior loan.",
            *COMMON_METHOD,
        ],
    )
    return book
