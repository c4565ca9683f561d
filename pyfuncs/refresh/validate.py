"""Checks of a refresh input before anything is computed: the cell's data validation, and the
documented range of a deal assumption.

A headless refresh has no one to show Excel's "this value doesn't match" box to, so every rule is
enforced as Excel's *stop* style would (whatever ``showErrorMessage`` says): a value it does not
allow is refused with the reason. Where the target, or a defined name of its cell, is a deal
assumption (``annual_decline``, ``gpus``, ... of :class:`~pyfuncs.deal.assumptions.DealAssumptions`),
the value must also be one that assumption accepts (its type and documented limits).

Rule formulas that are numbers, quoted lists (``"a,b,c"``), cell or range references and defined
names are evaluated from the workbook's values; other formulas (``custom`` rules, arithmetic) are
not checked.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.values import general_text, text_to_number
from pyfuncs.xlsx.reader import Book, Sheet
from pyfuncs.xlsx.sheet_xml import cell_name, parse_range
from pyfuncs.xlsx.validation import DataValidation, data_validations

_REF = re.compile(
    r"^(?:(?:'((?:[^']|'')+)'|([^!'\"]+))!)?(\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)$"
)

_COMPARE = {
    "between": lambda x, a, b: a <= x <= b,
    "notBetween": lambda x, a, b: not a <= x <= b,
    "equal": lambda x, a, _: x == a,
    "notEqual": lambda x, a, _: x != a,
    "greaterThan": lambda x, a, _: x > a,
    "greaterThanOrEqual": lambda x, a, _: x >= a,
    "lessThan": lambda x, a, _: x < a,
    "lessThanOrEqual": lambda x, a, _: x <= a,
}
_SAID = {
    "between": "between {a} and {b}",
    "notBetween": "not between {a} and {b}",
    "equal": "equal to {a}",
    "notEqual": "not equal to {a}",
    "greaterThan": "> {a}",
    "greaterThanOrEqual": ">= {a}",
    "lessThan": "< {a}",
    "lessThanOrEqual": "<= {a}",
}
_KIND = {
    "whole": "a whole number",
    "decimal": "a number",
    "date": "a date",
    "time": "a time",
    "textLength": "text of length",
}


def shown(value: Any) -> str:
    """A value as the user would read it in a message."""
    if value is None:
        return "a blank"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, ExcelError):
        return value.code
    if isinstance(value, float):
        return general_text(value)
    return f"text {value!r}"


def validation_problem(book: Book, sheet: Sheet, row: int, col: int, value: Any) -> str | None:
    """Why the cell's data validation refuses ``value``, or None."""
    for rule in data_validations(sheet.xml.text, sheet.part):
        if rule.covers(row, col):
            allowed = _rule_problem(book, sheet, rule, value)
            if allowed:
                note = f", which says {rule.error!r}" if rule.error else ""
                return f"accepts {allowed}; got {shown(value)} (its data validation{note})"
    return None


def _rule_problem(book: Book, sheet: Sheet, rule: DataValidation, value: Any) -> str | None:
    if value is None:
        return None if rule.allow_blank else "no blank"
    if rule.kind == "list":
        return _list_problem(book, sheet, rule, value)
    if rule.kind not in _KIND:
        return None  # none, custom: nothing we can check
    bounds = [_number(book, sheet, f) for f in (rule.formula1, rule.formula2)]
    test = _COMPARE.get(rule.operator)
    if (
        test is None
        or bounds[0] is None
        or (rule.operator in ("between", "notBetween") and bounds[1] is None)
    ):
        return None
    a, b = bounds[0], bounds[1] if bounds[1] is not None else math.nan
    said = (
        _KIND[rule.kind] + " " + _SAID[rule.operator].format(a=general_text(a), b=general_text(b))
    )
    if rule.kind == "textLength":
        x = float(len(value if isinstance(value, str) else shown(value)))
    elif isinstance(value, float) and not isinstance(value, bool):
        x = value
    else:
        return said
    if rule.kind == "whole" and x != math.floor(x):
        return said
    return None if test(x, a, b) else said


def _list_problem(book: Book, sheet: Sheet, rule: DataValidation, value: Any) -> str | None:
    choices = _choices(book, sheet, rule.formula1 or "")
    if choices is None:
        return None
    wanted = _key(value)
    if any(_key(c) == wanted for c in choices):
        return None
    return "one of " + ", ".join(_text_of(c) for c in choices)


def _key(value: Any) -> Any:
    if isinstance(value, str):
        number = text_to_number(value)
        return number if number is not None else value.casefold()
    if isinstance(value, bool):
        return ("bool", value)
    return value


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return general_text(value)
    return str(value)


def _choices(book: Book, sheet: Sheet, formula: str) -> list[Any] | None:
    formula = formula.strip()
    if len(formula) >= 2 and formula[0] == formula[-1] == '"':
        items = []
        for part in formula[1:-1].replace('""', '"').split(","):
            part = part.strip()
            items.append({"TRUE": True, "FALSE": False}.get(part.upper(), part))
        return items
    values = _referenced(book, sheet, formula)
    return None if values is None else [v for v in values if v is not None]


def _number(book: Book, sheet: Sheet, formula: str | None) -> float | None:
    if formula is None:
        return None
    number = text_to_number(formula)
    if number is not None:
        return number
    values = _referenced(book, sheet, formula)
    if values and len(values) == 1 and isinstance(values[0], float):
        return values[0]
    return None


def _referenced(book: Book, sheet: Sheet, formula: str, depth: int = 0) -> list[Any] | None:
    """The values of a reference or defined name (None when it is anything else)."""
    text = formula.strip().removeprefix("=")
    match = _REF.match(text)
    if match:
        name = (match.group(1) or "").replace("''", "'") or match.group(2)
        target = book.sheet(name) if name else sheet
        if target is None:
            return None
        try:
            r1, c1, r2, c2 = parse_range(match.group(3))
        except ValueError:
            return None
        return [target.values.get((r, c)) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]
    defined = book.name_lookup(text, sheet.index)
    if defined is not None and depth < 3:
        return _referenced(book, sheet, defined.text, depth + 1)
    return None


def names_of_cell(book: Book, sheet: Sheet, row: int, col: int) -> list[str]:
    """The defined names that refer to exactly this one cell."""
    here = (row, col)
    found = []
    for item in book.names:
        match = _REF.match(item.text.strip())
        if not match or ":" in match.group(3):
            continue
        name = (match.group(1) or "").replace("''", "'") or match.group(2)
        if name is None or name.casefold() != sheet.name.casefold():
            continue
        r1, c1, _, _ = parse_range(match.group(3))
        if (r1, c1) == here:
            found.append(item.name)
    return found


def assumption_problem(name: str, value: Any) -> str | None:
    """Why the deal assumption ``name`` refuses ``value`` (its type and documented limits), or
    None; also None when ``name`` is not a deal assumption."""
    from pydantic import ValidationError

    from pyfuncs.deal.assumptions import DealAssumptions

    key = name.strip().lower()
    field = DealAssumptions.model_fields.get(key)
    if field is None:
        return None
    if isinstance(value, ExcelError):
        return f"the deal assumption {key} takes a value, not the error {value.code}"
    if value is None:
        if field.default is None or field.default == ():
            return None
        return f"the deal assumption {key} cannot be blank (its default is {field.default})"
    try:
        DealAssumptions.model_validate({key: value})
    except ValidationError as error:
        for item in error.errors():
            if item["loc"] and item["loc"][0] == key:
                message = item["msg"].removeprefix("Value error, ")
                unit = (field.json_schema_extra or {}).get("unit", "")  # type: ignore[union-attr]
                return f"the deal assumption {key} ({unit}) must be: {message}; got {shown(value)}"
    return None


def input_problem(
    book: Book, sheet: Sheet, row: int, col: int, target: str, value: Any
) -> str | None:
    """Why setting ``value`` at ``sheet!row,col`` (named ``target``) is refused, or None."""
    where = f"{sheet.name}!{cell_name(row, col)}"
    reason = validation_problem(book, sheet, row, col, value)
    if reason:
        named = where if target == where else f"{target} ({where})"
        return f"{named} {reason}"
    names = {target.split("!")[-1], *names_of_cell(book, sheet, row, col)}
    for name in sorted(names):
        reason = assumption_problem(name, value)
        if reason:
            return f"{target}: {reason}"
    return None


def produced_errors(
    old_values: dict[str, dict[tuple[int, int], Any]], new_values: dict[tuple[str, str], Any]
) -> list[tuple[str, Any, ExcelError]]:
    """Formula cells that held a value (not blank, not an error) and now hold an error:
    ``("Sheet!B3", old value, new error)``, in sheet and cell order."""
    from pyfuncs.xlsx.sheet_xml import parse_cell_name

    by_sheet = getattr(new_values, "by_sheet", None)
    if by_sheet is not None:  # the builtin engine's CellValues: keyed by (row, column)
        from pyfuncs.xlsx.sheet_xml import cell_name

        return [
            (f"{sheet_name}!{cell_name(*key)}", old, value)
            for sheet_name, cells in by_sheet.items()
            for key, value in cells.items()
            if isinstance(value, ExcelError)
            and (old := old_values.get(sheet_name, {}).get(key)) is not None
            and not isinstance(old, ExcelError)
        ]
    out = []
    for (sheet_name, ref), value in new_values.items():
        if not isinstance(value, ExcelError):
            continue
        old = old_values.get(sheet_name, {}).get(parse_cell_name(ref))
        if old is not None and not isinstance(old, ExcelError):
            out.append((f"{sheet_name}!{ref}", old, value))
    return out
