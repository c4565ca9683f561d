"""Template 4: a miner or developer leasing powered shells to an AI tenant, funded by secured notes.

MW of critical IT delivered on a schedule, rent per kW-month with an annual escalator over a
10-15-year lease, a tenant with a PD and a backstop guarantor, a build cost per MW, a delivery
delay (the stress), a cap-rate residual at the end of the lease, and senior secured notes that
pay interest while the shells are built and amortise after completion. The TeraWulf-Fluidstack
leases with Google's backstop are the example (docs/domain.md section 10, "Colocation leases").
The lease is a revenue source of the one deal engine (:mod:`pyfuncs.deal.colo`), so the schedule
is DEAL_SCHEDULE and the stress JOINT_STRESS, as in the neocloud and miner templates.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from openpyxl import Workbook
from openpyxl.worksheet.formula import ArrayFormula

from pyfuncs.deal.assumptions import DealAssumptions
from pyfuncs.deal.examples import COLO
from pyfuncs.templates.dashboard import (
    MONEY_M,
    RATIO,
    Headline,
    print_one_page,
    start_dashboard,
    stress_headlines,
    write_headlines,
    write_waterfall,
)
from pyfuncs.templates.deal_sheets import (
    COL,
    deal_charts,
    deal_metrics,
    has_maturity_wall,
    operating,
    write_deal_schedule,
    write_maturity_wall,
)
from pyfuncs.templates.layout import (
    COLLATERAL,
    COVENANTS,
    FIRE_SALE,
    INPUT_FILL,
    INPUT_FONT,
    MARKET_PRICING,
    NOTE_FONT,
    WATERFALL,
    SheetWriter,
    define_name,
    write_inputs,
    write_notes,
)
from pyfuncs.templates.neocloud import write_stress_controls
from pyfuncs.templates.notes import COMMON_METHOD
from pyfuncs.templates.scenarios import (
    COLO_DRIVERS,
    COLO_GRID,
    COLO_HEADROOM_ROWS,
    MODELLED,
    ScenarioBlock,
    in_use_name,
    write_scenarios,
)
from pyfuncs.templates.scenarios import SHEET as SCENARIO_SHEET

TITLE = "Powered shells leased to an AI tenant, funded by senior secured notes"

EXAMPLE: dict[str, Any] = COLO

INPUT_NAMES = [
    "name",
    "colo_lease_rate",
    "colo_escalator",
    "colo_lease_years",
    "colo_mw",
    "colo_delivery_periods",
    "colo_delay_months",
    "colo_opex_kw_month",
    "colo_build_cost_per_mw",
    "colo_cap_rate",
    "contract_counterparty",
    "contract_pd",
    "backstop_pd",
    "offtaker_correlation",
    "backstop_correlation",
    "releasing_months",
    "release_haircut",
    "gpus",
    "debt_principal",
    "annual_rate",
    "tenor_years",
    "interest_only_years",
    "balloon",
    "per_year",
    "profile",
    *COVENANTS,
    *WATERFALL,
    *COLLATERAL,
    "gen_step",
    *FIRE_SALE,
    "rent_vol",
    "correlation",
    *MARKET_PRICING,
]

#: Tranches the Inputs sheet has room for (blank rows are no tranche).
TRANCHES = 4
#: The deal as usually modelled: every tranche on time (and MODELLED's flat GPU rents). The DSRA
#: stays: it is the notes' interest reserve while the shells are built.
COLO_MODELLED = {
    **{k: v for k, v in MODELLED.items() if k != "dsra_months"},
    "colo_delay_months": 0,
}
MONTHS = '0.0" months"'


def write_tranches(book: Workbook, writer: SheetWriter, row: int, a: DealAssumptions) -> str:
    """The delivery schedule, one tranche a row (MW, scheduled period); returns the joined text.

    ``colo_mw`` and ``colo_delivery_periods`` on the Inputs are these cells joined with ``;``
    (blank rows drop out), and ``TotalMW`` is their sum, for the dashboard's formulas.
    """
    writer.header(row - 1, 1, ["Delivery schedule", "MW", "Period", "Tranche of critical IT"])
    periods = a.colo_delivery_periods or (1,) * len(a.colo_mw)
    for i in range(TRANCHES):
        r = row + i
        writer.sheet.cell(r, 1, f"Tranche {i + 1}")
        for column, values in ((2, a.colo_mw), (3, periods)):
            value = values[i] if i < len(values) else None
            cell = writer.sheet.cell(r, column, value)
            cell.font, cell.fill = INPUT_FONT, INPUT_FILL
        writer.sheet.cell(
            r, 4, "MW entering service, and the scheduled period (before any delay)."
        ).font = NOTE_FONT
    last = row + TRANCHES - 1
    total = last + 1
    writer.sheet.cell(total, 1, "TotalMW")
    writer.formula(f"B{total}", f"=SUM(B{row}:B{last})", "#,##0")
    writer.sheet.cell(total, 4, "MW of critical IT in all tranches.").font = NOTE_FONT
    define_name(book, "TotalMW", writer.sheet.title, f"B{total}")
    return f"{row}:{last}"


def joined(column: str, rows: str) -> str:
    """``=B20&";"&B21...``: the tranche cells of ``column`` as one list in a cell."""
    first, last = (int(x) for x in rows.split(":"))
    return "=" + '&";"&'.join(f"{column}{r}" for r in range(first, last + 1))


#: Extra delivery delay of the stressed deal, months (a slip of a few weeks is common; unsourced).
STRESS_DELAY_MONTHS = 1.0


def write_stressed_cases(
    book: Workbook, writer: SheetWriter, first_row: int, scenario: ScenarioBlock
) -> int:
    """``StressedAssumptions`` and ``NoBackstopAssumptions`` blocks; returns the next free row.

    The stressed deal is the scenario in use with every tranche ``StressDelayMonths`` later; the
    second block is the stressed deal without the backstop guarantor (``backstop_pd`` blank).
    """
    count = scenario.last - scenario.first + 1
    control = first_row
    writer.sheet.cell(control, 1, "StressDelayMonths")
    cell = writer.sheet.cell(control, 2, STRESS_DELAY_MONTHS)
    cell.font, cell.fill = INPUT_FONT, INPUT_FILL
    writer.sheet.cell(control, 3, "months")
    writer.sheet.cell(
        control, 4, "Extra delivery delay of the stressed deal, on top of the scenario's."
    ).font = NOTE_FONT
    define_name(book, "StressDelayMonths", writer.sheet.title, cell.coordinate)
    blocks = (
        ("StressedAssumptions", "Stressed deal", "The scenario's assumptions, delivered later"),
        ("NoBackstopAssumptions", "Without the backstop", "The stressed deal, no guarantor"),
    )
    top = control + 3
    for index, (name, label, meaning) in enumerate(blocks):
        first = top + index * (count + 3)
        writer.header(first - 1, 1, [label, "Value", "", meaning])
        for offset in range(count):
            row = first + offset
            if index == 0:
                key, value = (f"'{SCENARIO_SHEET}'!{c}{scenario.first + offset}" for c in "AB")
                writer.formula(f"A{row}", f"={key}")
                writer.formula(
                    f"B{row}",
                    f'=IF({key}="colo_delay_months", {value}+StressDelayMonths, {value})',
                )
            else:
                key, value = f"A{top + offset}", f"B{top + offset}"
                writer.formula(f"A{row}", f"={key}")
                writer.formula(f"B{row}", f'=IF({key}="backstop_pd", "", {value})')
        define_name(book, name, writer.sheet.title, f"A{first}:B{first + count - 1}")
    return top + 2 * (count + 3)


#: Notes of the shared headlines, in this template's words (the collateral is shells, not GPUs).
COLO_NOTES = {
    "Maximum LTV: book value, then market value": "Highest debt over book value (as modelled) and "
    "over the shells' value at the cap rate.",
}


#: Revenue headroom over the operating months with rent (after the interest-only build, no
#: maturity wall still due): a delayed tranche earns none, and a month with debt service due and
#: no rent is a fall of 100% already, not a division by zero. Both views take the worst such
#: month: rent escalates and tranches arrive, so month 1 is not the as-modelled worst month.
REVENUE_HEADROOM = Headline(
    "Revenue can fall, before lock-up",
    tuple(
        ArrayFormula(
            "B1",
            f"=MIN(IF({operating(p, build=True)}*({p}Revenue>0), "
            f"({p}CFADS-lockup_dscr*{p}DebtService)/{p}Revenue))",
        )
        for p in ("Modelled", "")
    ),
    "0.0%",
    "Headroom: share of rent that can go before the worst month with rent and debt service due "
    "(after the build) hits lock-up; negative: already below.",
)

#: The correlation that drives this deal's stress: the tenant's default with GPU rents (no BTC).
TENANT_CORRELATION = Headline(
    "Correlation of the tenant's default with GPU rents",
    ("=offtaker_correlation", "=offtaker_correlation"),
    "0.00",
    "Asset correlation of the tenant with the GPU-rent shock (offtaker_correlation input).",
)

#: The collateral a forced sale sells here: the campus, not a GPU fleet.
FIRESALE_LTV_NOTE = (
    "Debt over the net proceeds of a forced sale of the campus (the shells, re-let at the "
    "haircut) over months_to_sell."
)


def colo_headlines(a: DealAssumptions) -> list[Headline]:
    """Lease, collateral and residual headlines: both views, or the scenario in use."""
    lease_end = "ROUND(colo_lease_years*per_year, 0)"
    residual = (
        "TotalMW*1000*(colo_lease_rate*(1+colo_escalator)^(colo_lease_years-1)"
        f"-colo_opex_kw_month)*12/{in_use_name('colo_cap_rate')}"
    )
    left = f"INDEX(Balance, MIN({lease_end}, ROWS(Balance)))"
    rows = [
        Headline(
            "Lease revenue, first year",
            (
                "=SUMPRODUCT((ModelledPeriod<=per_year)*ModelledRevenue)",
                "=SUMPRODUCT((Period<=per_year)*Revenue)",
            ),
            MONEY_M,
            "Rent the tenant pays in the first 12 months; a delivery delay cuts it.",
        ),
        Headline(
            "Debt at close per MW",
            ("", "=(INDEX(Balance, 1)+INDEX(Principal, 1))/TotalMW"),
            MONEY_M,
            "The notes over the MW of critical IT they fund (build cost $8-10M a MW).",
        ),
        Headline(
            "Cap-rate residual at lease end",
            ("", f"={residual}"),
            MONEY_M,
            "NOI of the final lease year over the cap rate: what the shells are worth then.",
        ),
        Headline(
            "Debt left at lease end",
            ("", f"={left}"),
            MONEY_M,
            "Notes (or their refinancing) still outstanding when the lease ends.",
        ),
        Headline(
            "Residual over the debt left",
            ("", f'=IF({left}=0, "repaid", {residual}/{left})'),
            RATIO,
            "How many times the residual covers the debt left at the end of the lease.",
        ),
        Headline(
            "Delivery can slip, before default",
            ("", '=GPU.HEADROOM(ScenarioAssumptions, "colo_delay_months", "default")'),
            MONTHS,
            "Months of extra delay (from the scenario in use) before the notes default.",
        ),
        Headline(
            "Lease rate can fall, before default",
            ("", '=GPU.HEADROOM(ScenarioAssumptions, "colo_lease_rate", "default")'),
            "0.0%",
            "Fall in the rent per kW-month (scenario in use) before the notes default.",
        ),
    ]
    return rows


def write_colo_headlines(dashboard: SheetWriter, row: int, a: DealAssumptions) -> int:
    """The deal both ways, then its lease and residual; returns the next free row."""
    shared = [replace(h, note=COLO_NOTES.get(h.label, h.note)) for h in deal_metrics(2, build=True)]
    shared = [
        replace(h, note=FIRESALE_LTV_NOTE) if h.label.startswith("Fire-sale LTV") else h
        for h in shared
    ]
    shared = [REVENUE_HEADROOM if h.label == REVENUE_HEADROOM.label else h for h in shared]
    return write_headlines(
        dashboard,
        row,
        [*shared, *colo_headlines(a)],
        value_headers=("As usually modelled", "Stressed, with protections"),
        title="The notes as usually modelled (every tranche on time) and stressed (the scenario "
        "in use, delivered StressDelayMonths later, with the DSRA and lock-up)",
    )


def build(assumptions: DealAssumptions, flavor: str) -> Workbook:
    """The colo workbook: Inputs, Scenarios, Schedules, Dashboard, Workings, Notes (formulas)."""
    book = Workbook()
    inputs = SheetWriter(book.active, flavor)
    inputs.sheet.title = "Inputs"
    inputs.title(
        TITLE,
        "Blue cells are inputs; each has a defined name. The delivery schedule is the table "
        "below the assumptions.",
    )
    tranche_row = 5 + len(INPUT_NAMES) + 8
    rows = f"{tranche_row}:{tranche_row + TRANCHES - 1}"
    block = write_inputs(
        book,
        inputs,
        assumptions,
        INPUT_NAMES,
        5,
        {"colo_mw": joined("B", rows), "colo_delivery_periods": joined("C", rows)},
    )
    define_name(book, "Assumptions", "Inputs", block.key_value_range)
    write_stress_controls(book, inputs, block.last_row + 3)
    write_tranches(book, inputs, tranche_row, assumptions)
    scenario = write_scenarios(
        book,
        flavor,
        block,
        COLO_DRIVERS,
        COLO_GRID,
        headroom_rows=COLO_HEADROOM_ROWS,
        modelled=COLO_MODELLED,
    )
    write_stressed_cases(book, inputs, tranche_row + TRANCHES + 3, scenario)
    inputs.widths({"A": 24, "B": 18, "C": 16, "D": 90})

    periods = assumptions.horizon_periods
    layout = write_deal_schedule(
        book,
        SheetWriter(book.create_sheet("Schedule"), flavor),
        periods,
        f"{TITLE}: schedule",
        assumptions="StressedAssumptions",
        subtitle="the scenario in use with every tranche StressDelayMonths later",
    )
    modelled = write_deal_schedule(
        book,
        SheetWriter(book.create_sheet("Schedule as modelled"), flavor),
        periods,
        f"{TITLE}: schedule as usually modelled",
        assumptions="ModelledAssumptions",
        prefix="Modelled",
        subtitle="every tranche on time",
    )

    dashboard, workings, stress, workings_row = start_dashboard(
        book,
        flavor,
        TITLE,
        "The notes as usually modelled beside the stressed deal with its DSRA, lock-up and "
        "backstop; every number has its meaning beside it.",
        [
            ("With the backstop guarantor", "StressedAssumptions", "Stress"),
            ("Without the backstop", "NoBackstopAssumptions", "NoBackstop"),
        ],
    )
    next_row = write_colo_headlines(dashboard, 4, assumptions)
    wall = has_maturity_wall(assumptions)
    if wall:
        next_row = write_maturity_wall(
            dashboard,
            next_row,
            assumptions.per_year,
            view="Stressed, with protections",
            title="Maturity wall: the notes' balloon in 2030",
        )
    next_row = write_headlines(
        dashboard,
        next_row,
        stress_headlines(
            (stress["Stress"], stress["NoBackstop"]),
            wall=wall,
            correlation=TENANT_CORRELATION,
            other_debt=assumptions.convert_principal > 0,
        ),
        value_headers=("With the backstop", "Without it"),
        title="Joint stress: tenant and guarantor defaults, re-let rents shocked with GPU rents",
    )
    year_one = layout.first + assumptions.per_year - 1
    last_row, waterfall = write_waterfall(
        dashboard,
        workings,
        next_row,
        workings_row,
        f"Schedule!{COL['market_value']}{year_one}*(1-release_haircut)",
        "Fire sale of the powered shells at the end of year 1, re-let at the haircut",
        units="1",
    )
    last_chart_row = deal_charts(
        dashboard,
        layout,
        modelled,
        workings.sheet,
        waterfall,
        "F",
        third=("revenue", "Lease revenue, $ a month", "$ a month", '$#,##0,,"M"'),
    )
    dashboard.widths({"A": 38, "B": 19, "C": 19, "D": 56, "E": 2})
    print_one_page(dashboard.sheet, f"A1:M{max(last_row, last_chart_row)}")

    write_notes(
        SheetWriter(book.create_sheet("Notes"), flavor),
        f"{TITLE}: notes",
        [
            "LEASE",
            "Each tranche of colo_mw enters service in its scheduled period plus colo_delay_months "
            "and earns colo_lease_rate per kW-month, stepped up by colo_escalator on each "
            "anniversary of period 1, until the lease ends colo_lease_years after period 1. The "
            "landlord pays colo_opex_kw_month on every delivered kW (the tenant pays its power).",
            "The tenant (contract_counterparty) defaults at contract_pd a year and the guarantor at "
            "backstop_pd; JOINT_STRESS stops the rent only when both have defaulted (a Gaussian "
            "copula, backstop_correlation) and correlates the tenant with the GPU-rent shock "
            "(offtaker_correlation). The shells are then dark for releasing_months and re-let at "
            "(1 - release_haircut) of the lease rate, moved by the GPU-rent shock. The real "
            "backstop covers a capped amount ($1.8B, then $3.2B); here it covers the whole lease.",
            "VALUE AND DEBT",
            "Book value: colo_build_cost_per_mw x MW, straight line over book_life_years. Market "
            "value: the next period's NOI a year over colo_cap_rate (direct capitalisation); the "
            "cap-rate residual at lease end is the final lease year's NOI over the cap rate. A "
            "fire sale sells the campus as one unit, re-let at the haircut (FIRESALE_RECOVERY).",
            "The notes pay interest only for interest_only_years (while the shells are built) and "
            "then amortise to tenor_years with a balloon, refinanced at refi_rate over refi_years "
            "if the refinancing DSCR passes the default level; the DSRA is funded at close.",
            "As usually modelled: every tranche on time. Stressed: the scenario in use (its "
            "delivery delay, cap rate, re-let haircut and tenant PD, Scenarios sheet) with every "
            "tranche StressDelayMonths later still; the joint stress runs on the stressed deal, "
            "with and without the backstop.",
            *COMMON_METHOD,
        ],
    )
    return book
