"""The committee dashboard: headline rows in words, formats by kind, a waterfall chart, one page.

Every headline is a row of label (in words), value and a one-line note saying what the number
measures. Values are formatted by what they are: coverage as ``1.25x``, LTV and probabilities as
percentages, spreads in basis points, amounts in $M, counts as whole numbers.

Presentation rules (README, "Templates"; the deal summary's conventions):

- An error is never hidden behind text. A breach cell reads "never" only when the DSCR column is
  free of errors; otherwise it shows the column's first error (``SUM`` of a range returns the
  first error it meets).
- A spread above 2,000 bp, or the spread of a deal that defaults on every path (whose annual PD
  is 100% and whose fair spread is infinite, ``#NUM!``), reads ``distressed``; the annual PD of
  such a deal reads "every path defaults" and the first default period is reported beside it.

The recovery waterfall is a stacked column chart whose first series (the running total before
each deduction) has no fill: openpyxl writes only the classic chart types of ``c:chartSpace``,
not Excel 2016's ``cx:chart`` waterfall, so the invisible-base construction is the one chart
that both Excel and LibreOffice draw as a waterfall.
"""

from __future__ import annotations

from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, Series
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from pyfuncs.deal.stress import METRICS
from pyfuncs.defaults import MARKET_VALUE_DECAY
from pyfuncs.recovery import WATERFALL_ITEMS
from pyfuncs.templates.layout import SheetWriter, define_name

#: Number formats by the kind of number.
RATIO = '0.00"x"'
PERCENT = "0.0%"
BASIS_POINTS = '#,##0" bp"'
MONEY_M = '$#,##0.0,,"M";-$#,##0.0,,"M"'
COUNT = "#,##0"
PERIOD = '"month "0'
RENT = "$0.00"
YEARS = '0.0" years"'
#: Spreads above this are shown as ``distressed`` (docs/functions.md).
DISTRESSED_SPREAD = 0.20
SECTION_FONT = Font(bold=True, color="1F3864", size=12)
#: Notes beside the headlines: small, grey, italic.
NOTE = Font(italic=True, color="595959", size=9)


@dataclass(frozen=True)
class Headline:
    """One dashboard row: label in words, value formula(s), number format, what it measures.

    ``values`` holds one formula per value column (one, or two for side-by-side views); an
    empty string leaves that column blank; an :class:`ArrayFormula` (its ref is ignored) is
    written as a one-cell array formula, for ``MIN`` over an array expression.
    """

    label: str
    values: tuple[str | ArrayFormula, ...]
    number_format: str
    note: str


def headline(label: str, value: str, number_format: str, note: str) -> Headline:
    """A one-value headline row."""
    return Headline(label, (value,), number_format, note)


def breach_formula(dscr: str, level: str) -> ArrayFormula:
    """First period of ``dscr`` below ``level``; "never" only when the column has no error.

    A one-cell array formula, ``MATCH(1, ISNUMBER(x)*(x<level), 0)``: months with nothing due or
    between covenant tests are blank and are skipped (a blank is not a DSCR of 0); ``#N/A`` (no
    such month) reads "never", any other error shows. ``ISNA`` rather than ``IFNA``, which an
    .xlsx must spell ``_xlfn.IFNA``.
    """
    match = f"MATCH(1, ISNUMBER({dscr})*({dscr}<{level}), 0)"
    return ArrayFormula(
        "A1",
        f'=IF(ISERROR(SUM({dscr})), SUM({dscr}), IF(ISNA({match}), "never", {match}))',
    )


def spread_formula(spread: str, prob_default: str) -> str:
    """A spread in bp, or ``distressed`` above 2,000 bp or when every path defaults."""
    return (
        f'=IF({prob_default}=1, "distressed", IF(ISTEXT({spread}), "distressed", '
        f'IF({spread}>{DISTRESSED_SPREAD:g}, "distressed", {spread}*10000)))'
    )


def annual_pd_formula(annual_pd: str, prob_default: str) -> str:
    """The annual PD, or "every path defaults" (an annual PD of 100% has no meaning)."""
    return f'=IF({prob_default}=1, "every path defaults", {annual_pd})'


def write_scenario_line(writer: SheetWriter) -> None:
    """Row 3: which scenario the dashboard shows (a formula on the ``Scenario`` cell)."""
    writer.formula("A3", '="Scenario in use: "&Scenario&" (choose it on the Scenarios sheet)"')
    writer.sheet["A3"].font = Font(bold=True, color="C00000")


def write_section(writer: SheetWriter, row: int, title: str) -> None:
    """A section title in the dashboard's first column."""
    cell = writer.sheet.cell(row, 1, title)
    cell.font = SECTION_FONT


def write_headlines(
    writer: SheetWriter,
    first_row: int,
    rows: list[Headline],
    value_headers: tuple[str, ...] = ("Value",),
    title: str = "",
    note_column: int | None = None,
) -> int:
    """A header and one row per headline; returns the next free row (after a blank one).

    Columns: label (A), one column per value (B, C...), the note after the values (or in
    ``note_column``, so that sections with fewer values line their notes up with the rest).
    """
    row = first_row
    if title:
        write_section(writer, row, title)
        row += 1
    note_column = note_column or 2 + len(value_headers)
    labels = ["", *value_headers]
    labels += [""] * (note_column - 1 - len(labels)) + ["What it measures"]
    writer.header(row, 1, labels)
    writer.sheet.cell(row, note_column).alignment = Alignment(horizontal="left")
    for line in rows:
        row += 1
        writer.sheet.cell(row, 1, line.label)
        for offset, value in enumerate(line.values):
            if value:
                ref = writer.sheet.cell(row, 2 + offset).coordinate
                if isinstance(value, ArrayFormula):  # one cell, evaluated as an array
                    writer.array(f"{ref}:{ref}", value.text, line.number_format)
                else:
                    writer.formula(ref, value, line.number_format)
                writer.sheet[ref].alignment = Alignment(horizontal="right")
        note = writer.sheet.cell(row, note_column, line.note)
        note.font, note.alignment = NOTE, Alignment(indent=1)
    return row + 2


def stress_value(values: str, metric: str) -> str:
    """A JOINT_STRESS metric of the value column ``values``, by its row in :data:`METRICS`.

    By position, not by ``MATCH`` on the metric names: LibreOffice 7.4 does not find text that an
    add-in's array result returns (``=`` and exact ``MATCH`` report no match although the text
    is the same; measured), and the builder knows the rows of the engine it builds with.
    """
    return f"INDEX({values}, {METRICS.index(metric) + 1})"


def stress_headlines(
    values: tuple[str, ...],
    btc: bool = True,
    wall: bool = True,
    correlation: Headline | None = None,
    other_debt: bool = True,
) -> list[Headline]:
    """The joint stress in words, one value column per stress table (names of value ranges).

    Only the rows that mean something for the deal: the BTC-rent correlation only with BTC in
    the deal (``btc``), the maturity-wall PD only with a maturity inside the horizon (``wall``);
    ``correlation`` replaces the BTC row with the deal's own (a colo tenant's with GPU rents);
    borrower distress only beside debt other than the lender's (``other_debt``: convertible
    notes), since with the lender's loan alone it is the PD again.
    """
    rows = _stress_rows(values)
    if correlation is not None:
        rows = [correlation if r.label == BTC_CORRELATION_LABEL else r for r in rows]
    elif not btc:
        rows = [r for r in rows if r.label != BTC_CORRELATION_LABEL]
    if not wall:
        rows = [r for r in rows if r.label != WALL_PD_LABEL]
    if not other_debt:
        rows = [r for r in rows if r.label != BORROWER_LABEL]
    return rows


#: Labels of the stress rows that only some deals have.
BTC_CORRELATION_LABEL = "Correlation of BTC and rent shocks"
WALL_PD_LABEL = "Probability of default at a maturity wall"
BORROWER_LABEL = "Borrower distress (default on any debt)"


def _stress_rows(values: tuple[str, ...]) -> list[Headline]:
    """Every row of the joint stress, for :func:`stress_headlines` to choose from."""

    def pick(metric: str) -> tuple[str, ...]:
        return tuple(stress_value(v, metric) for v in values)

    def show(metric: str) -> tuple[str, ...]:
        return tuple(f"={p}" for p in pick(metric))

    prob_default = pick("prob_default")

    def if_lender_defaults(metric: str) -> tuple[str, ...]:
        """A measure of the lender's defaults; "no lender default" when it never defaults."""
        return tuple(
            f'=IF({p}=0, "no lender default", {v})'
            for v, p in zip(pick(metric), prob_default, strict=True)
        )

    return [
        Headline(
            "Paths simulated",
            show("paths"),
            COUNT,
            "Monte Carlo paths; the seed makes them repeatable.",
        ),
        Headline(
            BTC_CORRELATION_LABEL,
            show("correlation"),
            "0.00",
            "Correlation of the monthly shocks to ln BTC and ln GPU rent.",
        ),
        Headline(
            "Probability of a lock-up",
            show("prob_lockup"),
            PERCENT,
            "Share of paths with a covenant test (trailing DSCR) below the lock-up level.",
        ),
        Headline(
            "Probability of default over the horizon",
            show("prob_default"),
            PERCENT,
            "The lender's PD: share of paths in payment, covenant or maturity default while "
            "its loan is outstanding.",
        ),
        Headline(
            WALL_PD_LABEL,
            show("prob_maturity_default"),
            PERCENT,
            "Share of paths on which the lender, still owed, sees a bullet, balloon or "
            "convertible that cannot be paid or refinanced.",
        ),
        Headline(
            BORROWER_LABEL,
            show("prob_borrower_default"),
            PERCENT,
            "Share of paths on which the borrower defaults on any debt, the lender repaid or "
            "not: equity distress, not the lender's PD.",
        ),
        Headline(
            "Annual probability of default",
            tuple(
                annual_pd_formula(a, p)
                for a, p in zip(pick("annual_pd"), prob_default, strict=True)
            ),
            PERCENT,
            "The PD as a constant yearly rate; when every path defaults, see the next row.",
        ),
        Headline(
            "Median first default, defaulting paths",
            if_lender_defaults("first_default_p50"),
            PERIOD,
            "Half the paths on which the lender defaults do so by this month.",
        ),
        Headline(
            "Average exposure at default",
            if_lender_defaults("expected_ead"),
            MONEY_M,
            "The lender's loan outstanding when a path defaults, averaged over those paths.",
        ),
        Headline(
            "Average shortfall at default",
            if_lender_defaults("expected_shortfall"),
            MONEY_M,
            "Exposure less reserves and the net fire sale, averaged over defaulting paths.",
        ),
        Headline(
            "Expected loss given default",
            if_lender_defaults("expected_lgd"),
            PERCENT,
            "Shortfalls over exposures, across the defaulting paths.",
        ),
        Headline(
            "Expected loss",
            show("expected_loss_usd"),
            MONEY_M,
            "Average dollar loss over all paths (PD x LGD x exposure).",
        ),
        Headline(
            "Minimum DSCR, 5th percentile path",
            show("min_dscr_p5"),
            RATIO,
            "One path in twenty has a lowest operating-month DSCR below this (no build month, "
            "no maturity wall).",
        ),
        Headline(
            "Minimum DSCR, median path",
            show("min_dscr_p50"),
            RATIO,
            "Half the paths have a lowest operating-month DSCR below this.",
        ),
        Headline(
            "Fair spread for this risk",
            tuple(
                spread_formula(s, p) for s, p in zip(pick("fair_spread"), prob_default, strict=True)
            ),
            BASIS_POINTS,
            "Spread that pays for the simulated PD and LGD; above 2,000 bp: distressed.",
        ),
        Headline(
            "Market spread",
            tuple(f"={p}*10000" for p in pick("market_spread")),
            BASIS_POINTS,
            "What the market charges today (the market_spread input).",
        ),
        Headline(
            "Repriced spread",
            tuple(
                spread_formula(s, p)
                for s, p in zip(pick("repriced_spread"), prob_default, strict=True)
            ),
            BASIS_POINTS,
            "The market's price per unit of expected loss, applied to this deal's PD and LGD.",
        ),
    ]


WORKINGS = "Workings"


def workings_sheet(book: Workbook, flavor: str) -> SheetWriter:
    """The Workings sheet: raw tables the dashboard presents (stress tables, chart data)."""
    writer = SheetWriter(book.create_sheet(WORKINGS), flavor)
    writer.title(
        "Workings: the raw tables the dashboard presents",
        "JOINT_STRESS tables by metric name, and the data of the waterfall chart.",
    )
    return writer


def write_stress_tables(
    book: Workbook, writer: SheetWriter, tables: list[tuple[str, str, str]], first: int = 5
) -> tuple[dict[str, str], int]:
    """One JOINT_STRESS table per (label, assumptions name, name prefix), side by side.

    Returns the defined name of each table's value column by prefix, and the next free row.
    """
    rows = len(METRICS)
    names: dict[str, str] = {}
    for index, (label, assumptions, prefix) in enumerate(tables):
        key_letter = get_column_letter(1 + 3 * index)
        value_letter = get_column_letter(2 + 3 * index)
        writer.sheet[f"{key_letter}{first - 1}"] = label
        writer.sheet[f"{key_letter}{first - 1}"].font = Font(bold=True)
        writer.array(
            f"{key_letter}{first}:{value_letter}{first + rows}",
            f"=GPU.JOINT_STRESS({assumptions}, StressPaths, StressSeed, TRUE)",
        )
        names[prefix] = f"{prefix}Values"
        define_name(
            book, names[prefix], WORKINGS, f"{value_letter}{first + 1}:{value_letter}{first + rows}"
        )
        writer.sheet.column_dimensions[key_letter].width = 28
        writer.sheet.column_dimensions[value_letter].width = 18
    return names, first + rows + 3


# --- the waterfall ------------------------------------------------------------------------------

#: Rows of RECOVERY_WATERFALL: gross value, the deductions, net proceeds.
WATERFALL_STEPS = len(WATERFALL_ITEMS)


@dataclass(frozen=True)
class WaterfallData:
    """Where the waterfall's chart data sits on the Workings sheet (rows first..last)."""

    first: int
    last: int


def sale_decay_formula(age: str) -> str:
    """The collateral's decline while sold from ``age`` years, as the engine computes it.

    ``market_decay`` when the Inputs give one; else the ``gpu_model`` resale curve annualised
    over the sale, ``1 - (RESIDUAL_VALUE(age + M/12)/RESIDUAL_VALUE(age))^(12/M)``
    (:func:`pyfuncs.deal.engine.collateral_decay`, docs/gpu-curves.md "Selling over months").
    """
    model = (
        f"1-(GPU.RESIDUAL_VALUE(gpu_model, {age}+months_to_sell/12, gpu_scenario)"
        f"/GPU.RESIDUAL_VALUE(gpu_model, {age}, gpu_scenario))^(12/months_to_sell)"
    )
    return (
        f"IF(ISBLANK(market_decay), IF(ISBLANK(gpu_model), {MARKET_VALUE_DECAY:g}, "
        f"IF(months_to_sell=0, 0, {model})), market_decay)"
    )


def write_waterfall(
    dashboard: SheetWriter,
    workings: SheetWriter,
    first_row: int,
    workings_row: int,
    unit_value: str,
    title: str,
    annual_decay: str = "market_decay",
    units: str = "gpus",
) -> tuple[int, WaterfallData]:
    """RECOVERY_WATERFALL of the whole fleet at ``unit_value`` per GPU, and its chart data.

    The dashboard gets the step/amount table; the Workings sheet, for each step, the invisible
    base (the lower of the running totals before and after the step), the deduction and the
    value bars. ``annual_decay`` is the value decline while the fleet is sold (a formula:
    :func:`sale_decay_formula` for a deal on a ``gpu_model`` curve). Returns the dashboard's last
    row and where the chart data is.
    """
    sheet = dashboard.sheet
    write_section(dashboard, first_row, title)
    header = first_row + 1
    dashboard.header(header, 1, ["Step", "Amount"])
    first, last = header + 1, header + WATERFALL_STEPS
    dashboard.array(
        f"A{first}:B{last}",
        f"=GPU.RECOVERY_WATERFALL({unit_value}, {units}, monthly_volume, 0, gen_step, site_factor, "
        "cost_per_unit, months_to_sell, 0, volatility, impact, base_discount, FALSE, "
        f"{annual_decay})",
        MONEY_M,
    )
    for r in range(first, last + 1):
        sheet[f"B{r}"].alignment = Alignment(horizontal="right")
    board = f"'{sheet.title}'!"
    workings.sheet[f"A{workings_row - 1}"] = f"Waterfall chart data ({title.lower()})"
    workings.sheet[f"A{workings_row - 1}"].font = Font(bold=True)
    workings.header(workings_row, 1, ["Step", "Base (no fill)", "Deduction", "Value"])
    data_first = workings_row + 1
    for offset in range(WATERFALL_STEPS):
        r, source = data_first + offset, first + offset
        amount = f"{board}B{source}"
        workings.formula(f"A{r}", f"={board}A{source}")
        if offset in (0, WATERFALL_STEPS - 1):
            workings.formula(f"B{r}", "=0", MONEY_M)
            workings.formula(f"C{r}", "=0", MONEY_M)
            workings.formula(f"D{r}", f"={amount}", MONEY_M)
        else:
            before = f"SUM({board}B${first}:B{source - 1})"
            after = f"SUM({board}B${first}:B{source})"
            workings.formula(f"B{r}", f"=MAX(0, MIN({before}, {after}))", MONEY_M)
            workings.formula(f"C{r}", f"=ABS({amount})", MONEY_M)
            workings.formula(f"D{r}", "=0", MONEY_M)
    return last, WaterfallData(data_first, data_first + WATERFALL_STEPS - 1)


def waterfall_chart(workings: Worksheet, data: WaterfallData, title: str) -> BarChart:
    """The recovery waterfall: stacked columns over an invisible base."""
    chart = BarChart()
    # Horizontal bars, first step on top: the step names read across, not rotated.
    chart.type, chart.grouping, chart.overlap = "bar", "stacked", 100
    chart.title = chart_title(title)
    chart.x_axis.scaling.orientation = "maxMin"
    chart.y_axis.crosses = "max"
    chart.legend = None
    for offset, colour in enumerate((None, "C00000", "1F3864")):
        ref = Reference(workings, min_col=2 + offset, min_row=data.first, max_row=data.last)
        series = Series(ref, title=("Base", "Deduction", "Value")[offset])
        if colour is None:
            series.graphicalProperties = GraphicalProperties(noFill=True)
            series.graphicalProperties.line.noFill = True
        else:
            series.graphicalProperties = GraphicalProperties(solidFill=colour)
        chart.series.append(series)
    steps = Reference(workings, min_col=1, min_row=data.first, max_row=data.last)
    for series in chart.series:  # text categories: a string reference, not openpyxl's numRef
        series.cat = AxDataSource(strRef=StrRef(f=str(steps)))
    chart.y_axis.number_format = '$#,##0,,"M"'
    chart.y_axis.title = "$M"
    chart.gapWidth = 40
    chart.x_axis.tickLblSkip = 1  # every step named
    _show_axes(chart)
    return chart


def line_chart(
    title: str,
    y_title: str,
    series: list[tuple[Worksheet, int, int, int, str]],
    categories: Reference,
    number_format: str,
) -> LineChart:
    """A line chart of columns given as (sheet, column, first row, last row, legend in words)."""
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.x_axis.title = chart_title(title), y_title, "Month"
    for sheet, col, first, last, legend in series:
        line = Series(Reference(sheet, min_col=col, min_row=first, max_row=last), title=legend)
        line.smooth = False
        chart.series.append(line)
    chart.set_categories(categories)
    chart.y_axis.number_format = number_format
    chart.legend.position = "b"
    chart.x_axis.tickLblSkip = 12
    chart.x_axis.tickMarkSkip = 12
    _show_axes(chart)
    return chart


def chart_title(text: str, size: int = 1100) -> Title:
    """A chart title in bold at ``size`` hundredths of a point (openpyxl's default is 18 pt)."""
    run = CharacterProperties(sz=size, b=True)
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=run), r=[RegularTextRun(rPr=run, t=text)])
    return Title(tx=Text(rich=RichText(p=[paragraph])), overlay=False)


def _show_axes(chart: BarChart | LineChart) -> None:
    # openpyxl 3.1 marks axes deleted unless told otherwise; Excel then draws no axis labels.
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def place(
    sheet: Worksheet, chart: BarChart | LineChart, anchor: str, width: float, height: float
) -> None:
    """Anchor ``chart`` at ``anchor`` with a size in centimetres."""
    chart.width, chart.height = width, height
    sheet.add_chart(chart, anchor)


def print_one_page(sheet: Worksheet, area: str) -> None:
    """Print ``area`` landscape on one page (one wide, one tall), centred, with the sheet name."""
    sheet.print_area = area
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 1
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.oddFooter.center.text = "&A  page &P of &N"


def start_dashboard(
    book: Workbook, flavor: str, title: str, subtitle: str, stress: list[tuple[str, str, str]]
) -> tuple[SheetWriter, SheetWriter, dict[str, str], int]:
    """The Dashboard sheet with its title and scenario line, and the Workings sheet with the
    JOINT_STRESS tables (:func:`write_stress_tables`) the dashboard presents.

    Returns the dashboard, the workings, the stress tables' value names and Workings' next row.
    """
    dashboard = SheetWriter(book.create_sheet("Dashboard"), flavor)
    dashboard.title(f"{title}: dashboard", subtitle)
    write_scenario_line(dashboard)
    workings = workings_sheet(book, flavor)
    names, next_row = write_stress_tables(book, workings, stress)
    return dashboard, workings, names, next_row
