"""The Scenarios sheet: base, downside, severe and rebound cases, switched from one cell.

Each scenario moves a few drivers from the Inputs: a driver is *scaled* (market rent, utilisation,
BTC price: the input times the factor) or *shifted* (the annual rent decline: the input plus the
shift). ``Scenario`` (a cell with a list of the four names) picks the column in use, and the sheet
rebuilds the whole key/value block of assumptions with those drivers moved:
``ScenarioAssumptions``, which the schedule and the joint stress read (each moved driver also
has its own name, ``Scenario_rent0``, for templates built cell by cell). The base column moves
nothing, so the base scenario is the Inputs exactly; ``gpucredit refresh --set Scenario=severe``
switches it without Excel.

The shocks are illustrative and editable: the downside and severe declines stay inside the range
of observed H100 rent declines (20-46% a year, docs/domain.md), the rebound is a slower decline.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.worksheet.datavalidation import DataValidation

from pyfuncs.templates.layout import (
    INPUT_FILL,
    INPUT_FONT,
    NOTE_FONT,
    InputBlock,
    SheetWriter,
    define_name,
)
from pyfuncs.templates.layout import column as column_letter

SCENARIOS = ("base", "downside", "severe", "rebound")
#: A ``pick`` driver's value that keeps the Inputs' value.
KEEP = "inputs"
SHEET = "Scenarios"
SELECTOR = "B4"
TABLE_HEADER = 6


@dataclass(frozen=True)
class Driver:
    """One assumption a scenario moves: ``scale`` multiplies the input, ``shift`` adds to it,
    ``pick`` replaces it by the scenario's own value (a text choice such as ``gpu_scenario``)."""

    name: str
    label: str
    how: str
    values: tuple[float | str, float | str, float | str, float | str]
    number_format: str
    cap: float | None = None  # the result is at most this (utilisation at 1)


RENT = Driver("rent0", "Market rent, month 1", "scale", (1.0, 0.85, 0.70, 1.10), "0.00")
DECLINE = Driver(
    "annual_decline", "Annual rent decline", "shift", (0.0, 0.07, 0.15, -0.10), "+0.00;-0.00"
)
UTILISATION = Driver(
    "utilization", "Utilisation of market-rent GPUs", "scale", (1.0, 0.92, 0.80, 1.0), "0.00", 1.0
)
BTC = Driver("btc_price", "BTC price", "scale", (1.0, 0.75, 0.50, 1.30), "0.00")
#: The drivers of a GPU deal; a miner's add the BTC price.
GPU_DRIVERS = (RENT, DECLINE, UTILISATION)
MINER_DRIVERS = (*GPU_DRIVERS, BTC)


@dataclass(frozen=True)
class Grid:
    """A two-way SENSITIVITY table: ``output`` for ``name1`` (down) x ``name2`` (across)."""

    title: str
    name1: str
    label1: str
    values1: tuple[float, ...]
    format1: str
    name2: str
    label2: str
    values2: tuple[float, ...]
    format2: str
    output: str
    number_format: str


#: A GPU deal: how the minimum DSCR moves with the rent decline and the utilisation.
GPU_GRID = Grid(
    "Minimum DSCR by rent decline (down) and utilisation (across)",
    "annual_decline",
    "Annual rent decline",
    (0.15, 0.25, 0.35, 0.45),
    "0%",
    "utilization",
    "Utilisation",
    (0.70, 0.80, 0.90, 0.95),
    "0%",
    "min_dscr",
    '0.00"x"',
)
#: A miner: the PD by BTC price and the BTC-rent correlation (a joint stress per cell).
MINER_GRID = Grid(
    "PD over the horizon by BTC price (down) and BTC-rent correlation (across)",
    "btc_price",
    "BTC price, $",
    (45_000.0, 70_000.0, 91_000.0, 120_000.0),
    "#,##0",
    "correlation",
    "Correlation",
    (0.0, 0.5, 0.8),
    "0.0",
    "pd",
    "0.0%",
)
#: A colocation lease: delivery delay, cap rate, re-let haircut and tenant PD (shifted).
COLO_DRIVERS = (
    Driver("colo_delay_months", "Delivery delay, months", "shift", (0.0, 2.0, 6.0, 0.0), "0"),
    Driver("colo_cap_rate", "Cap rate", "shift", (0.0, 0.01, 0.02, -0.005), "+0.0%;-0.0%"),
    Driver("release_haircut", "Re-let haircut", "shift", (0.0, 0.10, 0.25, -0.10), "+0.0%;-0.0%"),
    Driver("contract_pd", "Tenant PD a year", "shift", (0.0, 0.03, 0.10, -0.02), "+0.0%;-0.0%"),
)
#: A colocation lease: the PD by delivery delay and tenant PD (a joint stress per cell).
COLO_GRID = Grid(
    "PD over the horizon by delivery delay (down) and tenant PD (across), with the backstop",
    "colo_delay_months",
    "Delivery delay, months",
    (0.0, 1.0, 3.0),
    "0",
    "contract_pd",
    "Tenant PD a year",
    (0.02, 0.05, 0.10, 0.20),
    "0%",
    "pd",
    "0.0%",
)
#: The colocation lease's headroom rows.
COLO_HEADROOM_ROWS = (
    ("colo_lease_rate", "default", "The lease rate can fall", "before the deal defaults", "0.0%"),
    (
        "colo_delay_months",
        "default",
        "Delivery can slip by",
        "months before the deal defaults",
        "0.0",
    ),
)
#: Headroom rows: (driver, test, words before, words after, format).
HEADROOM_ROWS = (
    ("rent0", "lockup", "Market rent can fall", "before the first lock-up test fails", "0.0%"),
    ("annual_decline", "lockup", "The rent decline can rise by", "a year before lock-up", "0.0%"),
    ("rent0", "default", "Market rent can fall", "before the deal defaults", "0.0%"),
)


@dataclass(frozen=True)
class ScenarioBlock:
    """Where the assumptions in use went: the key/value rows ``first..last`` of the sheet."""

    first: int
    last: int


def write_scenarios(
    book: Workbook,
    flavor: str,
    inputs: InputBlock,
    drivers: tuple[Driver, ...],
    grid: Grid | None = None,
    headroom_rows: tuple[tuple[str, str, str, str, str], ...] = HEADROOM_ROWS,
    modelled_extra: dict[str, str] | None = None,
    grid_assumptions: str = "ScenarioAssumptions",
    modelled: dict | None = None,
) -> ScenarioBlock:
    """The Scenarios sheet, placed after Inputs; defines ``Scenario`` and ``ScenarioAssumptions``.

    ``headroom_rows`` replace the headroom rows of :data:`HEADROOM_ROWS`; ``modelled_extra`` adds
    formulas by name to the deal as usually modelled (a data centre on a GPU model's curve gives
    its flat rent there); ``grid_assumptions`` names the block the SENSITIVITY table reads.
    """
    writer = SheetWriter(book.create_sheet(SHEET, index=1), flavor)
    sheet = writer.sheet
    writer.title(
        "Scenarios: base, downside, severe, rebound",
        "Choose the scenario in B4; the schedule, dashboard and stress follow it. The shocks "
        "(blue) are yours to edit; base moves nothing.",
    )
    sheet["A4"] = "Scenario in use"
    selector = sheet[SELECTOR]
    selector.value = SCENARIOS[0]
    selector.font, selector.fill = INPUT_FONT, INPUT_FILL
    choice = DataValidation(type="list", formula1=f'"{",".join(SCENARIOS)}"', allow_blank=False)
    choice.error, choice.errorTitle = f"choose one of {', '.join(SCENARIOS)}", "gpucredit"
    sheet.add_data_validation(choice)
    choice.add(SELECTOR)
    define_name(book, "Scenario", SHEET, SELECTOR)
    writer.header(TABLE_HEADER, 1, ["Driver", "How it applies", *SCENARIOS, "In use"])
    in_use: dict[str, str] = {}
    for offset, driver in enumerate(drivers, start=1):
        row = TABLE_HEADER + offset
        sheet.cell(row, 1, driver.label)
        how = {"scale": "input x factor", "pick": "chosen by the scenario"}.get(
            driver.how, "input + shift"
        )
        sheet.cell(row, 2, f"{driver.name}: {how}").font = NOTE_FONT
        for column, value in enumerate(driver.values, start=3):
            cell = sheet.cell(row, column, value)
            cell.font, cell.fill, cell.number_format = INPUT_FONT, INPUT_FILL, driver.number_format
        writer.formula(
            f"G{row}",
            f"=INDEX(C{row}:F{row}, MATCH(Scenario, $C${TABLE_HEADER}:$F${TABLE_HEADER}, 0))",
            driver.number_format,
        )
        in_use[driver.name] = f"$G${row}"
    first = TABLE_HEADER + len(drivers) + 4
    writer.header(first - 1, 1, ["Assumption in use", "Value", "From the Inputs"])
    by_name = {d.name: d for d in drivers}
    for offset, name in enumerate(inputs.cells):
        row = first + offset
        source = f"'{inputs.sheet}'!{inputs.cells[name]}"
        sheet.cell(row, 1, name)
        driver = by_name.get(name)
        if driver is None:
            formula = f'=IF(ISBLANK({source}), "", {source})'
            sheet.cell(row, 3, "as on Inputs").font = NOTE_FONT
        elif driver.how == "scale":
            formula = f"={source}*{in_use[name]}"
            if driver.cap is not None:
                formula = f"=MIN({driver.cap:g}, {source}*{in_use[name]})"
            sheet.cell(row, 3, f"moved by the {driver.label.lower()} factor").font = NOTE_FONT
        elif driver.how == "pick":  # "inputs" keeps the Inputs' value
            formula = f'=IF({in_use[name]}="{KEEP}", {source}, {in_use[name]})'
            sheet.cell(row, 3, f"the scenario's {driver.label.lower()}").font = NOTE_FONT
        else:
            formula = f"={source}+{in_use[name]}"
            sheet.cell(row, 3, f"moved by the {driver.label.lower()} shift").font = NOTE_FONT
        writer.formula(f"B{row}", formula, sheet_number_format(book, inputs, name))
        if driver is not None:
            define_name(book, in_use_name(name), SHEET, f"B{row}")
    last = first + len(inputs.cells) - 1
    define_name(book, "ScenarioAssumptions", SHEET, f"A{first}:B{last}")
    write_modelled(book, writer, first, list(inputs.cells), modelled_extra, modelled)
    if grid is not None:
        write_sensitivity(writer, last + 3, grid, headroom_rows, grid_assumptions)
    writer.widths({"A": 32, "B": 22, "C": 12, "D": 12, "E": 12, "F": 12, "G": 12, "I": 24})
    return ScenarioBlock(first, last)


#: The deal as usually modelled: flat rents (no decline, no generation steps) and no reserve.
MODELLED = {"annual_decline": 0, "gen_step": 0, "rent_gen_step": 0, "dsra_months": 0}


def write_modelled(
    book: Workbook,
    writer: SheetWriter,
    first: int,
    names: list[str],
    formulas: dict[str, str] | None = None,
    modelled: dict | None = None,
) -> None:
    """``ModelledAssumptions`` (columns I:J): the scenario's assumptions, as usually modelled.

    Every name of the block in use, with :data:`MODELLED` (or ``modelled``, the colo template's
    view) applied (names the Inputs do not list are added at the end), then ``formulas`` (name ->
    formula) for names the Inputs do not list.
    """
    sheet = writer.sheet
    fixed = MODELLED if modelled is None else modelled
    formulas = {k: v for k, v in (formulas or {}).items() if k not in names and k not in fixed}
    writer.header(first - 1, 9, ["As usually modelled", "Value"])
    extra = [n for n in fixed if n not in names]
    for offset, name in enumerate([*names, *extra]):
        row = first + offset
        sheet.cell(row, 9, name)
        if name in fixed:
            cell = sheet.cell(row, 10, fixed[name])
            cell.font = NOTE_FONT
        else:
            writer.formula(f"J{row}", f"=B{first + names.index(name)}")
            sheet[f"J{row}"].number_format = sheet[f"B{first + names.index(name)}"].number_format
    for offset, (name, formula) in enumerate(formulas.items(), start=len(names) + len(extra)):
        sheet.cell(first + offset, 9, name)
        writer.formula(f"J{first + offset}", formula)
    last = first + len(names) + len(extra) + len(formulas) - 1
    define_name(book, "ModelledAssumptions", SHEET, f"I{first}:J{last}")
    sheet.cell(first - 2, 9, "Flat rents, no generation steps, no DSRA.").font = NOTE_FONT


def write_sensitivity(
    writer: SheetWriter,
    top: int,
    grid: Grid,
    headroom_rows: tuple[tuple[str, str, str, str, str], ...] = HEADROOM_ROWS,
    grid_assumptions: str = "ScenarioAssumptions",
) -> int:
    """Headroom rows and a SENSITIVITY table of the scenario in use, from row ``top``.

    ``GPU.HEADROOM`` gives how far a driver can move before the first breach of the deal's
    covenant tests in DEAL_SCHEDULE; ``GPU.SENSITIVITY`` the deal's output for every pair of
    values (blue, editable). Returns the last row written.
    """
    sheet = writer.sheet
    writer.header(top, 1, ["Headroom (scenario in use)", "Move", "Until"])
    for offset, (driver, test, before, after, fmt) in enumerate(headroom_rows, start=1):
        row = top + offset
        sheet.cell(row, 1, before)
        writer.formula(f"B{row}", f'=GPU.HEADROOM(ScenarioAssumptions, "{driver}", "{test}")', fmt)
        sheet.cell(row, 3, after).font = NOTE_FONT
    head = top + len(headroom_rows) + 2
    sheet.cell(head, 1, grid.title).font = NOTE_FONT
    header = head + 1
    sheet.cell(header, 1, f"{grid.label1} \\ {grid.label2}")
    for j, value in enumerate(grid.values2, start=2):
        cell = sheet.cell(header, j, value)
        cell.font, cell.fill, cell.number_format = INPUT_FONT, INPUT_FILL, grid.format2
    for i, value in enumerate(grid.values1, start=1):
        cell = sheet.cell(header + i, 1, value)
        cell.font, cell.fill, cell.number_format = INPUT_FONT, INPUT_FILL, grid.format1
    rows, cols = len(grid.values1), len(grid.values2)
    last_col = column_letter(1 + cols)
    down = f"A{header + 1}:A{header + rows}"
    across = f"B{header}:{last_col}{header}"
    writer.array(
        f"B{header + 1}:{last_col}{header + rows}",
        f'=GPU.SENSITIVITY({grid_assumptions}, "{grid.name1}", {down}, "{grid.name2}", '
        f'{across}, "{grid.output}")',
        grid.number_format,
    )
    return header + rows


def in_use_name(name: str) -> str:
    """The defined name of a driver's value in the scenario in use (``Scenario_rent0``)."""
    return f"Scenario_{name}"


def sheet_number_format(book: Workbook, inputs: InputBlock, name: str) -> str:
    """The number format of ``name`` on the Inputs sheet, so the copy reads the same."""
    return book[inputs.sheet][inputs.cells[name]].number_format
