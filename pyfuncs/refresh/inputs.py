"""Inputs of a refresh: ``--set NAME=VALUE`` and ``--inputs FILE``, resolved to cells.

A target is a defined name that refers to one cell (workbook scope, or ``Sheet!Name`` for a
sheet-scoped one; a bare name that exists only at sheet scope is used when it is unique) or a
cell ``Sheet!B3`` (quote sheet names with spaces: ``'Deal inputs'!B3``). Setting a cell that
holds a formula, or that lies inside an array formula's range, is refused: it would silently
replace the model's logic (to change a formula, edit it in Excel).
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyfuncs.dates import date_to_serial
from pyfuncs.errors import GpuCreditError
from pyfuncs.fileio import read_data_file
from pyfuncs.formulas.typed import TypedValueError, parse_typed
from pyfuncs.xlsx.reader import Book, Sheet
from pyfuncs.xlsx.sheet_xml import cell_name, parse_cell_name

_TARGET = re.compile(r"^(?:'((?:[^']|'')+)'|([^!]+))!(.+)$")


class InputError(GpuCreditError):
    """An input that names nothing settable, or a value that cannot be read."""


@dataclass(frozen=True)
class Input:
    target: str  # as the user wrote it
    sheet: Sheet
    row: int
    col: int
    value: Any

    @property
    def where(self) -> str:
        return f"{self.sheet.name}!{cell_name(self.row, self.col)}"


def parse_value(text: str, *, date1904: bool = False) -> Any:
    """A ``--set`` value, read by the command line's one value reader
    (:func:`pyfuncs.formulas.typed.parse_typed`): numbers, ``6.5%``, ISO dates, TRUE/FALSE,
    error literals, empty for blank, ``"quoted"`` for text that looks like a number."""
    try:
        return parse_typed(text, date1904=date1904, keep_dates=True)
    except TypedValueError as exc:
        raise InputError(str(exc)) from None


def parse_assignments(items: list[str]) -> list[tuple[str, Any]]:
    """``["Rate=0.05", "Inputs!B3=12"]`` -> [(target, value)]."""
    out = []
    for item in items:
        target, sep, raw = item.partition("=")
        if not sep or not target.strip():
            raise InputError(f"--set {item!r}: write NAME=VALUE (or Sheet!A1=VALUE)")
        out.append((target.strip(), parse_value(raw)))
    return out


def read_inputs_file(path: Path) -> list[tuple[str, Any]]:
    """A YAML or JSON mapping of targets to values."""
    try:
        data = read_data_file(Path(path), "inputs file")
    except GpuCreditError as exc:
        raise InputError(exc.reason) from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise InputError(f"{path} must map input names to values (NAME: VALUE)")
    out = []
    for key, value in data.items():
        if isinstance(value, bool) or value is None or isinstance(value, dt.date):
            out.append((str(key), value))
        elif isinstance(value, int | float):
            out.append((str(key), float(value)))
        elif isinstance(value, str):
            out.append((str(key), value))
        else:
            raise InputError(
                f"{path}: the value of {key} must be a number, text, a date or true/false"
            )
    return out


def resolve(book: Book, target: str, value: Any) -> Input:
    """The cell a target names, checked settable, and the value checked against the cell's data
    validation and, for a deal assumption, its documented range (:mod:`pyfuncs.refresh.validate`).
    A date becomes its serial number in the workbook's date system."""
    from pyfuncs.refresh.validate import input_problem

    sheet, row, col = _locate(book, target)
    if isinstance(value, dt.date):  # and datetime
        value = date_to_serial(value, date1904=book.date1904)
    value = _cell_value(target, value)
    key = (row, col)
    if key in sheet.formulas:
        raise InputError(
            f"{target} is {sheet.name}!{cell_name(row, col)}, which holds a formula "
            f"(={sheet.formulas[key].text[:60]}); refusing to overwrite it"
        )
    for anchor, formula in sheet.formulas.items():
        area = formula.array_ref
        if area and area[0] <= row <= area[2] and area[1] <= col <= area[3]:
            raise InputError(
                f"{target} is inside the array formula of {sheet.name}!{cell_name(*anchor)}; "
                "refusing to overwrite part of an array"
            )
    problem = input_problem(book, sheet, row, col, target, value)
    if problem:
        raise InputError(f"{problem}; nothing was written")
    return Input(target, sheet, row, col, value)


def _cell_value(target: str, value: Any) -> Any:
    """A value a cell can hold: a number (any real, e.g. an ``int`` or a numpy scalar, as a
    float), text, TRUE/FALSE or empty; anything else is refused in one line."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, numbers.Real):
        number = float(value)
        if not math.isfinite(number):
            raise InputError(f"{target}: {value!r} is not a finite number; nothing was written")
        return number
    raise InputError(
        f"{target}: a cell holds a number, text or TRUE/FALSE, not {type(value).__name__}; "
        "nothing was written"
    )


def _locate(book: Book, target: str) -> tuple[Sheet, int, int]:
    match = _TARGET.match(target)
    if match:
        sheet_name = (match.group(1) or "").replace("''", "'") or match.group(2)
        rest = match.group(3)
        sheet = book.sheet(sheet_name)
        if sheet is None or not sheet.part:
            raise InputError(f"{target}: no worksheet named {sheet_name!r}")
        try:
            row, col = parse_cell_name(rest)
            return sheet, row, col
        except ValueError:
            pass
        scoped = [
            n
            for n in book.names
            if n.name.casefold() == rest.casefold() and n.sheet_index == sheet.index
        ]
        if not scoped:
            raise InputError(f"{target}: {rest!r} is neither a cell nor a name of {sheet.name}")
        return _name_cell(book, target, scoped[0].text)
    workbook_scope = [
        n for n in book.names if n.name.casefold() == target.casefold() and n.sheet_index is None
    ]
    candidates = workbook_scope or [n for n in book.names if n.name.casefold() == target.casefold()]
    if not candidates:
        hint = ""
        if re.fullmatch(r"\$?[A-Za-z]{1,3}\$?\d+", target):
            first = next((s.name for s in book.sheets if s.part), "Sheet1")
            hint = f" (for a cell, name its sheet: {first}!{target})"
        raise InputError(
            f"{target}: no defined name or Sheet!Cell of that name in the workbook{hint}"
        )
    if len(candidates) > 1:
        sheets = ", ".join(book.sheets[n.sheet_index].name for n in candidates)  # type: ignore[index]
        raise InputError(f"{target} is defined on several sheets ({sheets}); write Sheet!{target}")
    return _name_cell(book, target, candidates[0].text)


def _name_cell(book: Book, target: str, refers_to: str) -> tuple[Sheet, int, int]:
    match = _TARGET.match(refers_to.strip())
    if match:
        sheet = book.sheet((match.group(1) or "").replace("''", "'") or match.group(2))
        try:
            row, col = parse_cell_name(match.group(3))
        except ValueError:
            sheet = None
        if sheet is not None and sheet.part:
            return sheet, row, col
    raise InputError(f"{target} refers to {refers_to!r}, not to a single cell; set a cell instead")
