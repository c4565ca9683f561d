"""Shared pieces of the template builders: styles, formula spelling, the inputs block, notes.

Formulas are written in one internal spelling, ``GPU.NAME(``, and emitted per target
(docs/excel-files.md): the Office.js flavor stores ``_xldudf_GPU_NAME(``, the spelling Excel saves for a
JavaScript custom function so that the call binds when the add-in loads (a literal ``GPU.NAME(``
shows ``#NAME?`` until the cell is re-entered: OfficeDev/Excel-Custom-Functions#108, #339;
office-js#6611); the xlwings flavor stores ``GPU_NAME(``, the VBA name xlwings imports; the
LibreOffice flavor keeps ``GPU.NAME(``, the only spelling LibreOffice 7.4 resolves through the
gpucredit Calc add-in (docs: README, "LibreOffice").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula
from openpyxl.worksheet.worksheet import Worksheet

from pyfuncs.deal.assumptions import DealAssumptions

FLAVORS = ("officejs", "xlwings", "libreoffice")
_GPU_CALL = re.compile(r"\bGPU\.([A-Z][A-Z0-9_]*)\(")

INPUT_FONT = Font(color="0000FF")  # blue: an input the analyst may change
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")
TITLE_FONT = Font(bold=True, size=14)
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F3864")
NOTE_FONT = Font(italic=True, color="595959")
THIN = Side(style="thin", color="BFBFBF")
BOX = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)

#: Number formats by the unit of an assumption.
UNIT_FORMATS = {
    "decimal": "0.0%",
    "decimal a year": "0.00%",
    "$ per GPU": "#,##0",
    "$ per GPU-hour": "0.000",
    "$": "#,##0",
    "$ per period": "#,##0",
    "$ per BTC": "#,##0",
    "GPUs": "#,##0",
    "x": '0.00"x"',
}


# Groups of assumptions, in the order the Inputs sheets list them.
FLEET_AND_RENT = (
    "gpus",
    "capex_per_gpu",
    "rent0",
    "annual_decline",
    "rent_gen_step",
    "gen_periods",
    "gen_step",
    "utilization",
)
#: The GPU model whose documented curves (GPU_CURVE) give the deal's rent and value.
GPU_MODEL = ("gpu_model", "gpu_scenario", "gpu_age_years")
#: Inputs a gpu_model curve replaces: left blank on the Inputs sheet unless the deal sets them.
MODEL_CURVE_INPUTS = ("rent0", "annual_decline", "market_decay")
CONTRACTS = ("contracted_share", "contract_rent", "contract_periods", "contract_utilization")
POWER_AND_OPEX = ("it_kw", "pue", "power_price", "colo_kw_month", "opex_hour")
COVENANTS = ("lockup_dscr", "default_dscr")
#: The cash waterfall: reserve, covenant tests, trap or sweep, default trigger, refinancing.
WATERFALL = (
    "dsra_months",
    "cash_sweep",
    "lockup_action",
    "test_frequency",
    "dscr_lookback",
    "default_trigger",
    "horizon_years",
    "refi_rate",
    "refi_years",
)
COLLATERAL = ("book_life_years", "market_decay")
FIRE_SALE = (
    "monthly_volume",
    "volatility",
    "impact",
    "base_discount",
    "site_factor",
    "cost_per_unit",
    "months_to_sell",
)
MARKET_PRICING = ("market_spread", "market_recovery")
#: OPEX_HOUR of the power inputs: a formula on the Inputs sheet, not an input.
OPEX_FORMULA = "=GPU.OPEX_HOUR(it_kw, pue, power_price, colo_kw_month)"


def spell(formula: str, flavor: str) -> str:
    """Rewrite ``GPU.NAME(`` calls for the target: Office.js, xlwings or LibreOffice."""
    if flavor == "officejs":
        return _GPU_CALL.sub(r"_xldudf_GPU_\1(", formula)
    if flavor == "xlwings":
        return _GPU_CALL.sub(r"GPU_\1(", formula)
    if flavor == "libreoffice":
        return formula  # GPU.NAME(, the one spelling LibreOffice 7.4 resolves
    raise ValueError(f"flavor must be one of {FLAVORS}, got {flavor!r}")


class SheetWriter:
    """Writes cells of one sheet in the template's flavor."""

    def __init__(self, sheet: Worksheet, flavor: str) -> None:
        self.sheet = sheet
        self.flavor = flavor

    def formula(self, ref: str, text: str, number_format: str | None = None) -> None:
        cell = self.sheet[ref]
        cell.value = spell(text, self.flavor)
        if number_format:
            cell.number_format = number_format

    def array(self, area: str, text: str, number_format: str | None = None) -> None:
        """A legacy array formula over a fixed range: it fills the range in Excel 2016 and 365
        alike ("Dynamic array formulas and spilled array behavior", docs/excel-files.md)."""
        first = area.split(":")[0]
        self.sheet[first] = ArrayFormula(area, spell(text, self.flavor))
        if number_format:
            for row in self.sheet[area]:
                for cell in row if isinstance(row, tuple) else (row,):
                    cell.number_format = number_format

    def title(self, text: str, subtitle: str = "") -> None:
        self.sheet["A1"] = text
        self.sheet["A1"].font = TITLE_FONT
        if subtitle:
            self.sheet["A2"] = subtitle
            self.sheet["A2"].font = NOTE_FONT

    def header(self, row: int, first_column: int, labels: list[str]) -> None:
        for offset, label in enumerate(labels):
            cell = self.sheet.cell(row, first_column + offset, label)
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
            cell.alignment = Alignment(horizontal="center", wrap_text=True)

    def widths(self, widths: dict[str, float]) -> None:
        for column, width in widths.items():
            self.sheet.column_dimensions[column].width = width


def define_name(book: Any, name: str, sheet: str, ref: str) -> None:
    """A workbook-scoped defined name, so formulas read ``=GPU.DSCR(CFADS, DebtService)``."""
    absolute = "$" + ref.replace(":", ":$")
    absolute = re.sub(r"\$([A-Z]+)(\d+)", r"$\1$\2", absolute)
    book.defined_names[name] = DefinedName(name, attr_text=f"'{sheet}'!{absolute}")


@dataclass(frozen=True)
class InputBlock:
    """Where the inputs went: each name's cell, and the key/value range of the whole block."""

    cells: dict[str, str]
    first_row: int
    last_row: int
    sheet: str

    @property
    def key_value_range(self) -> str:
        return f"A{self.first_row}:B{self.last_row}"


def _validation_for(name: str) -> DataValidation | None:
    field = DealAssumptions.model_fields[name]
    low = high = None
    for rule in field.metadata:
        for attr, is_low in (("ge", True), ("gt", True), ("le", False), ("lt", False)):
            bound = getattr(rule, attr, None)
            if bound is not None:
                if is_low:
                    low = bound
                else:
                    high = bound
    annotation = str(field.annotation)
    if "Literal" in annotation:
        choices = ",".join(str(c) for c in field.annotation.__args__)  # type: ignore[union-attr]
        return DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
    if annotation in ("<class 'bool'>",):
        return DataValidation(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
    if low is None and high is None:
        return None
    kind = "whole" if "int" in annotation and "float" not in annotation else "decimal"
    if low is not None and high is not None:
        rule = DataValidation(type=kind, operator="between", formula1=str(low), formula2=str(high))
    elif low is not None:
        rule = DataValidation(type=kind, operator="greaterThanOrEqual", formula1=str(low))
    else:
        rule = DataValidation(type=kind, operator="lessThanOrEqual", formula1=str(high))
    rule.allow_blank = True
    rule.error = f"{name}: out of range"
    rule.errorTitle = "gpucredit"
    return rule


def _shown(value: Any) -> Any:
    if isinstance(value, tuple):
        return ";".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) or None
    return value


def write_inputs(
    book: Any,
    writer: SheetWriter,
    assumptions: DealAssumptions,
    names: list[str],
    first_row: int,
    formulas: dict[str, str] | None = None,
) -> InputBlock:
    """The key/value block of assumptions: name, value, unit, source; one defined name each.

    ``formulas`` gives cells computed from other inputs (``opex_hour = GPU.OPEX_HOUR(...)``);
    they are formulas, not inputs, and are styled as such. With a ``gpu_model``, the inputs its
    curves replace (:data:`MODEL_CURVE_INPUTS`) are blank unless the deal sets them: a value
    there would override the model's curve.
    """
    sheet = writer.sheet
    formulas = formulas or {}
    writer.header(first_row - 1, 1, ["Assumption", "Value", "Unit", "Meaning and source"])
    cells: dict[str, str] = {}
    for offset, name in enumerate(names):
        row = first_row + offset
        field = DealAssumptions.model_fields[name]
        unit = str((field.json_schema_extra or {}).get("unit", ""))
        sheet.cell(row, 1, name)
        value_cell = sheet.cell(row, 2)
        if name in formulas:
            writer.formula(value_cell.coordinate, formulas[name])
        else:
            replaced = (
                assumptions.gpu_model is not None
                and name in MODEL_CURVE_INPUTS
                and name not in assumptions.model_fields_set
            )
            value_cell.value = None if replaced else _shown(getattr(assumptions, name))
            value_cell.font = INPUT_FONT
            value_cell.fill = INPUT_FILL
            rule = _validation_for(name)
            if rule is not None:
                sheet.add_data_validation(rule)
                rule.add(value_cell.coordinate)
        value_cell.number_format = UNIT_FORMATS.get(unit, "General")
        value_cell.border = BOX
        sheet.cell(row, 3, unit).font = NOTE_FONT
        sheet.cell(row, 4, field.description).font = NOTE_FONT
        cells[name] = value_cell.coordinate
        define_name(book, name, sheet.title, value_cell.coordinate)
    block = InputBlock(cells, first_row, first_row + len(names) - 1, sheet.title)
    return block


def write_notes(writer: SheetWriter, title: str, paragraphs: list[str]) -> None:
    """The Notes sheet: method, sources and what could not be verified without Excel."""
    writer.title(title)
    row = 3
    for paragraph in paragraphs:
        cell = writer.sheet.cell(row, 1, paragraph)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if paragraph.endswith(":") or paragraph.isupper():
            cell.font = Font(bold=True)
        row += 1
    writer.sheet.column_dimensions["A"].width = 120


def column(index: int) -> str:
    """Column letter of a 1-based index."""
    return get_column_letter(index)
