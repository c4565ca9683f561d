"""Evaluate formulas through the real engine without writing a workbook file.

A one-sheet :class:`~pyfuncs.xlsx.reader.Book` is built in memory from constants and formulas
(cell names to values or ``=`` texts), recalculated by :class:`Evaluator`, and read back.
"""

from __future__ import annotations

import re
from typing import Any

from pyfuncs.formulas.evaluator import Evaluator
from pyfuncs.xlsx.reader import Book, Formula, Sheet

_CELL = re.compile(r"([A-Z]{1,3})(\d+)$")
HOST = "Z1000"  # where a lone formula is placed: far from the constants it reads


def position(name: str) -> tuple[int, int]:
    letters, digits = _CELL.match(name.upper()).groups()  # type: ignore[union-attr]
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(digits), col


def _value(v: Any) -> Any:
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    return float(v)


def book(cells: dict[str, Any], date1904: bool = False) -> Book:
    """A one-sheet book named Sheet1: ``"=..."`` strings are formulas, the rest constants;
    ``{"A1:B2": "=..."}`` is a legacy array formula over that range."""
    values: dict[tuple[int, int], Any] = {}
    formulas: dict[tuple[int, int], Formula] = {}
    for name, v in cells.items():
        if isinstance(v, str) and v.startswith("="):
            if ":" in name:
                first, last = name.split(":")
                (r1, c1), (r2, c2) = position(first), position(last)
                formulas[(r1, c1)] = Formula(v[1:], (r1, c1), "array", (r1, c1, r2, c2))
            else:
                key = position(name)
                formulas[key] = Formula(v[1:], key, "normal")
        else:
            values[position(name)] = _value(v)
    sheet = Sheet("Sheet1", 0, "xl/worksheets/sheet1.xml", None, values, formulas)  # type: ignore[arg-type]
    return Book(package=None, sheets=[sheet], names=[], date1904=date1904)  # type: ignore[arg-type]


def run(cells: dict[str, Any], date1904: bool = False) -> dict[str, Any]:
    """Every formula cell's value (and array members) after recalculation, by cell name."""
    ev = Evaluator(book(cells, date1904))
    ev.run()
    return {cell: v for (_sheet, cell), v in ev.result().values.items()}


def evaluate(formula: str, cells: dict[str, Any] | None = None, date1904: bool = False) -> Any:
    """The value of one formula (placed at Z1000) reading ``cells``."""
    return run({**(cells or {}), HOST: formula}, date1904)[HOST]


def evaluate_array(formula: str, size: str, cells: dict[str, Any] | None = None) -> list[list[Any]]:
    """The values of a legacy array formula entered over ``size`` rows x columns ("3x2")."""
    rows, cols = (int(n) for n in size.split("x"))
    r1, c1 = position(HOST)
    last = f"{_letters(c1 + cols - 1)}{r1 + rows - 1}"
    out = run({**(cells or {}), f"{HOST}:{last}": formula})
    return [
        [out.get(f"{_letters(c)}{r}") for c in range(c1, c1 + cols)] for r in range(r1, r1 + rows)
    ]


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


class Err:
    """Equal to any Excel error value with this code, whatever its reason text."""

    def __init__(self, code: str) -> None:
        self.code = code

    def __eq__(self, other: object) -> bool:
        return getattr(other, "code", None) == self.code and type(other).__name__ == "ExcelError"

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Err({self.code!r})"
