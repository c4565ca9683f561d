"""Template 3: data-centre project finance, as usually modelled and deflation-aware, side by side.

The loan is sized as such loans usually are: the lower of ``loan_to_cost`` of capex and what flat
rents carry at ``target_dscr`` (sculpting debt service to a flat CFADS gives a level annuity, so
the sizing is ``PV(rate, periods, -flat CFADS/target_dscr)``). Both views run that same loan
through the one deal engine (``DEAL_SCHEDULE``, its cash waterfall included):

- **as usually modelled**: flat rents at today's market rent of the GPU model, no reserve;
- **deflation-aware**: rent and resale value follow the documented curves of ``gpu_model``
  (``GPU_CURVE``: all-in declines that slow towards a floor, no generation steps on top), with
  the loan's structural protections: a DSRA, quarterly LTM covenant tests, a lock-up trap or
  sweep, an optional cash sweep, payment or covenant default.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from openpyxl import Workbook

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.examples import DATACENTER
from pyfuncs.defaults import MARKET_VALUE_DECAY
from pyfuncs.gpu_curves import MODELS
from pyfuncs.templates.dashboard import (
    MONEY_M,
    PERCENT,
    RENT,
    Headline,
    print_one_page,
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
    COVENANTS,
    FIRE_SALE,
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
    GPU_GRID,
    UTILISATION,
    Driver,
    ScenarioBlock,
    write_scenarios,
)
from pyfuncs.templates.scenarios import SHEET as SCENARIO_SHEET

TITLE = "Data-centre project finance: as usually modelled vs deflation-aware"

#: Example deal: 8,000 GB200 NVL72 GPUs in a project financed at 70% of cost.
EXAMPLE: dict[str, Any] = DATACENTER

INPUT_NAMES = [
    "name",
    "gpus",
    "capex_per_gpu",
    "gpu_model",
    "gpu_scenario",
    "gpu_age_years",
    "utilization",
    *POWER_AND_OPEX,
    "fixed_opex_period",
    "debt_principal",
    "target_dscr",
    "loan_to_cost",
    "annual_rate",
    "tenor_years",
    "per_year",
    "profile",
    *COVENANTS,
    *WATERFALL,
    "book_life_years",
    *FIRE_SALE,
    "rent_vol",
    *MARKET_PRICING,
]

#: The usual sizing: the lower of loan-to-cost and the PV of flat CFADS over the target DSCR.
SIZING_FORMULA = (
    "=MIN(loan_to_cost*gpus*capex_per_gpu, "
    "PV(annual_rate/per_year, tenor_years*per_year, -FlatCFADS/target_dscr))"
)
#: Today's market rent of the GPU model: GPU_CURVE at the model's age in March 2026.
TODAY_RENT_FORMULA = (
    '=GPU.GPU_CURVE(gpu_model, 1, "rent", gpu_scenario, per_year, '
    "VLOOKUP(gpu_model, ModelAges, 2, FALSE))"
)
FLAT_CFADS_FORMULA = (
    "=GPU.REVENUE(TodayRent, gpus, utilization, per_year)"
    "-opex_hour*gpus*8760/per_year-fixed_opex_period"
)

#: The scenarios move the GPU curve (GPU_CURVE's low / base / high) and the billed utilisation;
#: the base case keeps the Inputs' curve ("inputs").
GPU_CURVE_CASE = Driver(
    "gpu_scenario", "Curve of the GPU model", "pick", ("inputs", "low", "low", "high"), "@"
)
DRIVERS = (GPU_CURVE_CASE, UTILISATION)
#: Revenue is rent x utilisation (no contracts), so a fall in utilisation is the same fall in
#: every month's rent: HEADROOM on utilization answers "how far can the rent curve fall".
HEADROOM = (
    (
        "utilization",
        "lockup",
        "Rent can fall, every month,",
        "before the first lock-up test fails (as billed utilisation: revenue = rent x use)",
        "0.0%",
    ),
    ("utilization", "default", "Rent can fall, every month,", "before the deal defaults", "0.0%"),
)
GRID = replace(
    GPU_GRID,
    title="Minimum DSCR if rent fell at a constant all-in rate from today's rent (down), by "
    "utilisation (across)",
)
#: Columns of the grid's assumptions on the Scenarios sheet (after the modelled block in I:J).
GRID_COLUMNS = ("L", "M")


def write_sizing(book: Workbook, writer: SheetWriter, row: int) -> int:
    """Model ages, today's rent, flat CFADS and the DSCR capacity, as named cells from ``row``."""
    sheet = writer.sheet
    writer.header(row, 1, ["GPU model", "Age in Mar 2026", "", "Years since volume launch"])
    for offset, model in enumerate(MODELS.values(), start=1):
        sheet.cell(row + offset, 1, model.name)
        sheet.cell(row + offset, 2, model.reference_age).number_format = "0.00"
    last = row + len(MODELS)
    define_name(book, "ModelAges", writer.sheet.title, f"A{row + 1}:B{last}")
    sheet.cell(
        row + 1, 4, "The rent curve starts at this age (docs/gpu-curves.md)."
    ).font = NOTE_FONT
    cells = (
        (
            "TodayRent",
            TODAY_RENT_FORMULA,
            "0.000",
            "$ per GPU-hour",
            "Market rent of gpu_model "
            "in March 2026 (GPU_CURVE at its age then): the flat rent as usually modelled.",
        ),
        (
            "FlatCFADS",
            FLAT_CFADS_FORMULA,
            "#,##0",
            "$ per period",
            "CFADS at today's rent, flat: billed rent less opex on every hour.",
        ),
        (
            "FlatCapacity",
            "=PV(annual_rate/per_year, tenor_years*per_year, -FlatCFADS/target_dscr)",
            "#,##0",
            "$",
            "Debt flat CFADS carries at target_dscr (sculpted to a flat CFADS = "
            "a level annuity); debt_principal is the lower of this and loan_to_cost.",
        ),
        (
            "gen_step",
            "=0",
            "0%",
            "decimal",
            "Generation step of the fire-sale waterfall: none, "
            "the model's curves are all-in (not an input of the deal).",
        ),
        (
            "market_decay",
            f"={MARKET_VALUE_DECAY:g}",
            "0%",
            "decimal a year",
            "Value decline "
            "while the fleet is sold, in the fire-sale waterfall: FIRESALE_RECOVERY's default, as "
            "in the schedule's fire-sale LTV (not an input of the deal: value is the model's).",
        ),
    )
    for offset, (name, formula, number_format, unit, meaning) in enumerate(cells, start=2):
        r = last + offset
        sheet.cell(r, 1, name)
        writer.formula(f"B{r}", formula, number_format)
        sheet.cell(r, 3, unit).font = NOTE_FONT
        sheet.cell(r, 4, meaning).font = NOTE_FONT
        define_name(book, name, writer.sheet.title, f"B{r}")
    return last + 1 + len(cells)


def write_grid_assumptions(book: Workbook, writer: SheetWriter, block: ScenarioBlock) -> None:
    """``GridAssumptions``: the scenario in use with ``rent0`` = today's rent, for the grid.

    A constant decline (the grid's rows) needs a starting rent; the model's curve starts at
    today's rent too, so the grid's rows and the deal start from the same rent.
    """
    key, value = GRID_COLUMNS
    writer.header(block.first - 1, 12, ["Sensitivity table's deal", "Value"])
    writer.sheet.cell(
        block.first - 2, 12, "The scenario in use, from today's rent."
    ).font = NOTE_FONT
    for row in range(block.first, block.last + 1):
        writer.formula(f"{key}{row}", f"=A{row}")
        writer.formula(f"{value}{row}", f"=B{row}")
        writer.sheet[f"{value}{row}"].number_format = writer.sheet[f"B{row}"].number_format
    extra = block.last + 1
    writer.sheet[f"{key}{extra}"] = "rent0"
    writer.formula(f"{value}{extra}", "=TodayRent", "0.000")
    define_name(book, "GridAssumptions", SCENARIO_SHEET, f"{key}{block.first}:{value}{extra}")
    writer.widths({key: 24, value: 16})


def rent_and_sizing_headlines(periods: int, headroom_cell: str) -> list[Headline]:
    """Debt at close, the rent curve in words, and the rent headroom of the scenario in use."""

    def both(template: str) -> tuple[str, ...]:
        return tuple(template.format(p=p) for p in ("Modelled", ""))

    return [
        Headline(
            "Debt at close",
            both("=INDEX({p}Balance, 1)+INDEX({p}Principal, 1)"),
            MONEY_M,
            "Lower of loan_to_cost of capex and what flat rents carry at the target DSCR.",
        ),
        Headline(
            "Debt the cash flow carries at the target DSCR",
            both("=GPU.DEBT_CAPACITY({p}CFADS, target_dscr, annual_rate, per_year)"),
            MONEY_M,
            "PV of each view's CFADS over the target DSCR at the loan rate.",
        ),
        Headline(
            "Market rent, month 1",
            both("=INDEX({p}Rent, 1)"),
            RENT,
            "Today's market rent of the GPU model, $ per GPU-hour.",
        ),
        Headline(
            "Market rent fall over year 1",
            both("=1-INDEX({p}Rent, per_year+1)/INDEX({p}Rent, 1)"),
            PERCENT,
            "Flat as usually modelled; the model's curve falls fastest first.",
        ),
        Headline(
            "Average yearly rent fall over the loan",
            both(f"=1-(INDEX({{p}}Rent, {periods})/INDEX({{p}}Rent, 1))^(per_year/{periods - 1})"),
            PERCENT,
            "Compound yearly fall from month 1 to the last month (slows near the cost floor).",
        ),
        Headline(
            "Rent can fall, before the first lock-up test fails",
            ('=GPU.HEADROOM(ModelledAssumptions, "utilization", "lockup")', f"={headroom_cell}"),
            PERCENT,
            "HEADROOM: a fall in every month's rent; 0 when the deal already locks up.",
        ),
    ]


def base_versus_stress(default_headroom_cell: str) -> Headline:
    """Why the base case can never default while the stress often does, in one line.

    The base case runs on the curve itself; HEADROOM on utilisation (a fall in every month's
    rent, revenue being rent x use) before default is how far below the curve rents must run
    for the DSRA and trapped cash to run out. The stress's PD is the share of paths that go that
    far (docs/domain.md, "Calibrating the rent stress").
    """
    return Headline(
        "Rent can fall, every month, before default",
        (f"={default_headroom_cell}",),
        PERCENT,
        "Base vs stress: the base case survives on its DSRA; a path whose rents run this far "
        "below the curve defaults, and the PD below is the share of paths that do.",
    )


def meaningful(values: tuple[str, ...], assumptions: DealAssumptions, wall: bool) -> list[Headline]:
    """The stress rows that mean something here: no BTC correlation without BTC, no wall PD
    without a maturity wall, no borrower distress beside the lender's loan alone."""
    return stress_headlines(
        values,
        btc=False,
        wall=wall,
        other_debt=assumptions.convert_principal > 0,
    )


def _method() -> list[str]:
    """The shared method notes (they describe model curves and the fire sale over time)."""
    return list(COMMON_METHOD)


def build(assumptions: DealAssumptions, flavor: str) -> Workbook:
    """The data-centre workbook: Inputs, Scenarios, both Schedules, Dashboard, Workings, Notes."""
    book = Workbook()
    inputs = SheetWriter(book.active, flavor)
    inputs.sheet.title = "Inputs"
    inputs.title(TITLE, "Blue cells are inputs; each has a defined name.")
    formulas = {"opex_hour": OPEX_FORMULA}
    if assumptions.debt_principal is None:
        formulas["debt_principal"] = SIZING_FORMULA
    block = write_inputs(book, inputs, assumptions, INPUT_NAMES, 5, formulas)
    define_name(book, "Assumptions", "Inputs", block.key_value_range)
    write_stress_controls(book, inputs, block.last_row + 3)
    write_sizing(book, inputs, block.last_row + 6)
    scenario = write_scenarios(
        book,
        flavor,
        block,
        DRIVERS,
        GRID,
        headroom_rows=HEADROOM,
        modelled_extra={"rent0": "=TodayRent"},
        grid_assumptions="GridAssumptions",
    )
    scenarios = SheetWriter(book[SCENARIO_SHEET], flavor)
    write_grid_assumptions(book, scenarios, scenario)
    inputs.widths({"A": 24, "B": 18, "C": 16, "D": 90})

    layout, modelled = write_both_schedules(book, flavor, assumptions, TITLE)

    dashboard, workings, stress, workings_row = start_dashboard(
        book,
        flavor,
        TITLE,
        "The same loan as usually modelled (flat rents, no reserve) and deflation-aware (the GPU "
        "model's curves, with the DSRA and lock-up); every number has its meaning beside it.",
        [("Joint stress of the deal", "ScenarioAssumptions", "Stress")],
    )
    headroom_cell = f"'{SCENARIO_SHEET}'!$B${scenario.last + 4}"
    next_row = write_headlines(
        dashboard,
        4,
        [*rent_and_sizing_headlines(layout.periods, headroom_cell), *deal_metrics(3)],
        value_headers=VIEWS,
        title="The loan as usually modelled (flat rents, no reserve) and deflation-aware (GPU "
        "curves, DSRA and lock-up)",
    )
    wall = has_maturity_wall(assumptions)
    if wall:
        next_row = write_maturity_wall(dashboard, next_row, assumptions.per_year)
    next_row = write_headlines(
        dashboard,
        next_row,
        aware_only(
            [
                base_versus_stress(f"'{SCENARIO_SHEET}'!$B${scenario.last + 5}"),
                *meaningful((stress["Stress"],), assumptions, wall),
            ]
        ),
        value_headers=("", VIEWS[1]),
        title="Joint stress: GPU rents shocked around the model's curve",
    )
    year_one = layout.first + assumptions.per_year - 1
    last_row, waterfall = write_waterfall(
        dashboard,
        workings,
        next_row,
        workings_row,
        f"Schedule!{COL['market_value']}{year_one}/gpus",
        "Fire sale of the whole fleet at the end of year 1",
    )
    last_chart_row = deal_charts(dashboard, layout, modelled, workings.sheet, waterfall, "F")
    dashboard.widths({"A": 38, "B": 19, "C": 19, "D": 56, "E": 2})
    print_one_page(dashboard.sheet, f"A1:M{max(last_row, last_chart_row)}")

    write_notes(
        SheetWriter(book.create_sheet("Notes"), flavor),
        f"{TITLE}: notes",
        [
            "SIZING",
            "debt_principal is the lower of loan_to_cost of capex and FlatCapacity, the debt flat "
            "CFADS at today's rent carries at target_dscr. Debt sculpted to a flat CFADS has level "
            "debt service, so the loan is a level annuity (profile annuity) in both views: the "
            "same loan, two views of its cash and collateral.",
            "AS USUALLY MODELLED",
            "Rent stays at TodayRent, the GPU model's market rent in March 2026 (GPU_CURVE at the "
            "model's age then); no DSRA; collateral at book value (straight line over "
            "book_life_years, as CoreWeave's 6 years [31]).",
            "DEFLATION-AWARE",
            'Rent follows GPU_CURVE(gpu_model, n, "rent", gpu_scenario) from today: the margin '
            "over the model's cash operating cost falls 28% a year in the base case (46% low, 20% "
            "high), so the rent's own fall is slower and slows further near the floor; the "
            "dashboard states the fall in year 1 and on average. Resale value is capex_per_gpu x "
            'GPU_CURVE(gpu_model, n, "value", gpu_scenario, gpu_age_years). Both curves are '
            "all-in declines that already price new generations: no generation step is added "
            "(docs/gpu-curves.md).",
            "The cash waterfall of DEAL_SCHEDULE: a DSRA of dsra_months of debt service funded "
            "at close, drawn when CFADS falls short and topped up before distributions; covenant "
            "tests on the trailing dscr_lookback-month DSCR test_frequency times a year; below "
            "lockup_dscr excess cash is trapped (or swept, lockup_action); cash_sweep prepays "
            "from excess cash; default when debt service cannot be paid (or, with "
            "default_trigger covenant, a test below default_dscr).",
            "BASE CASE AND STRESS",
            "The base case runs on the curve and never defaults because the DSRA and trapped cash "
            "cover its last year below 1.00x; the stress shocks rent around the curve at rent_vol "
            "(0.15 a year: its 5th percentile follows the low, -46%/yr curve) and its PD is the "
            "share of paths whose rents run below the curve by more than the headroom before "
            "default, so a fragile base case shows as a high PD (docs/domain.md section 10).",
            "HEADROOM AND SENSITIVITY",
            "The Scenarios sheet's headroom rows are HEADROOM on utilization: revenue is rent x "
            "billed utilisation (no contracts), so a fall in utilisation is the same fall in "
            "every month's rent. The sensitivity table runs DEAL_SCHEDULE for each pair of a "
            "constant all-in rent decline from today's rent and a utilisation (GridAssumptions: "
            "the scenario in use with rent0 = TodayRent, since a given decline replaces the "
            "model's rent curve).",
            *_method(),
        ],
    )
    return book
