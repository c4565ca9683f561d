"""Inputs of a refresh: ``--set NAME=VALUE`` and ``--inputs FILE``, resolved to cells.

A target is a defined name that refers to one cell (workbook scope, or ``Sheet!Name`` for a
sheet-scoped one; a bare name that exists only at sheet scope is used when it is unique) or a
cell ``Sheet!B3`` (quote sheet names with spaces: ``'Deal inputs'!B3``). Setting a cell that
holds a formula, or that lies inside an array formula's range, is refused: it would silently
replace the model's logic (to change a formula, edit it in Excel).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pyfuncs.errors import EXCEL_ERROR_CODES, ExcelError, GpuCreditError
from pyfuncs.formulas.values import text_to_number
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


def parse_value(text: str) -> Any:
    """A command-line value: a number (``0.05``, ``5%``, ``1,000``), TRUE/FALSE, an error
    literal, empty for blank, ``"quoted"`` for text that looks like a number, else text."""
    stripped = text.strip()
    if stripped == "":
        return None
    if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
        return stripped[1:-1]
    if stripped.upper() in ("TRUE", "FALSE"):
        return stripped.upper() == "TRUE"
    if stripped.upper() in EXCEL_ERROR_CODES:
        return ExcelError(stripped.upper(), "set as an input")
    number = text_to_number(stripped) if not re.match(r"\s*\d{4}-", stripped) else None
    return text if number is None else number


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
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read inputs file {path}: {exc.strerror}") from None
    try:
        data = json.loads(text) if str(path).lower().endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"{path} is not valid YAML/JSON: {str(exc).splitlines()[0]}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise InputError(f"{path} must map input names to values (NAME: VALUE)")
    out = []
    for key, value in data.items():
        if isinstance(value, bool) or value is None:
            out.append((str(key), value))
        elif isinstance(value, int | float):
            out.append((str(key), float(value)))
        elif isinstance(value, str):
            out.append((str(key), value))
        else:
            raise InputError(f"{path}: the value of {key} must be a number, text or true/false")
    return out


def resolve(book: Book, target: str, value: Any) -> Input:
    """The cell a target names, checked settable."""
    sheet, row, col = _locate(book, target)
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
    return Input(target, sheet, row, col, value)


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
