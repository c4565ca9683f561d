"""LibreOffice's function test documents, ported: every row of
tests/data/conformance/libreoffice_functions.tsv and libreoffice/*.tsv runs through the engine (origin and licence in
tests/data/conformance/MANIFEST). The summary line names the functions and rows covered."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from formula_engine import evaluate, run

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.evaluator import RefreshRefusedError
from pyfuncs.formulas.special_forms import SPECIAL
from pyfuncs.formulas.values import compare

CONFORMANCE = Path(__file__).parents[1] / "data" / "conformance"
# The hand-ported rows, then the rows tests/port_libreoffice_functions.py ported, by category.
DATA = [CONFORMANCE / "libreoffice_functions.tsv", *sorted(CONFORMANCE.glob("libreoffice/*.tsv"))]


def _rows() -> list[tuple[str, int, str, str, str, dict, str]]:
    rows = []
    lines = [line for path in DATA for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        if not line.strip() or line.startswith("#"):
            continue
        source, row, formula, expected, check, *rest = line.split("\t")
        cells = json.loads(rest[0]) if rest and rest[0].strip() else {}
        differs = rest[1].strip() if len(rest) > 1 else ""
        rows.append((source, int(row), formula, expected, check, cells, differs))
    return rows


ROWS = _rows()
# Rows whose formula is an array formula: source, row, area, formula, expected, check, cells
# (with "@": the member's cell), differs.
ARRAY_DATA = sorted(CONFORMANCE.glob("libreoffice/array_formulas/*.tsv"))


def _array_rows() -> list[tuple[str, int, str, str, str, str, dict, str]]:
    rows = []
    for path in ARRAY_DATA:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            source, row, area, formula, expected, check, cells, *rest = line.split("\t")
            differs = rest[0].strip() if rest else ""
            rows.append(
                (source, int(row), area, formula, expected, check, json.loads(cells), differs)
            )
    return rows


ARRAY_ROWS = _array_rows()


def _expected(text: str):
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    if text.startswith('"'):
        return json.loads(text)  # a text result, written as a JSON string
    return float(text)


def _places_stored(text: str) -> int:
    """Decimal places a 15-significant-digit number like the expected text can carry."""
    value = Decimal(text)
    if value == 0:
        return 14
    return max(14 - value.adjusted(), 0)  # 15 significant digits


@pytest.mark.parametrize(
    ("source", "row", "formula", "expected", "check", "cells", "differs"),
    ROWS,
    ids=lambda v: str(v)[:40],
)
def test_libreoffice_row(source, row, formula, expected, check, cells, differs):
    """A row with a reason in its ``differs`` column is a known disagreement: it must still
    differ (so the list cannot go stale) and says why."""
    if differs:
        # A formula the engine refuses (a LibreOffice-only form) differs as well.
        with pytest.raises((AssertionError, RefreshRefusedError)):
            _check_row(source, row, formula, expected, check, cells)
        return
    _check_row(source, row, formula, expected, check, cells)


@pytest.mark.parametrize(
    ("source", "row", "area", "formula", "expected", "check", "cells", "differs"),
    ARRAY_ROWS,
    ids=lambda v: str(v)[:40],
)
def test_libreoffice_array_row(source, row, area, formula, expected, check, cells, differs):
    """A member of a legacy array formula entered over ``area`` (as Excel evaluates a saved
    ``<f t="array" ref="area">``), checked as the document checks that member's row."""
    if differs:
        with pytest.raises((AssertionError, RefreshRefusedError)):
            _check_row(source, row, formula, expected, check, cells, area)
        return
    _check_row(source, row, formula, expected, check, cells, area)


def _check_row(source, row, formula, expected, check, cells, area=None):
    cells = dict(cells)
    host = cells.pop("@", None)  # the document's own cell for the formula (ROW(), COLUMN(), @)
    if area:
        got = run({**cells, area: formula})[host]  # the member of the array at the row's cell
    else:
        got = run({**cells, host: formula})[host] if host else evaluate(formula, cells)
    where = f"{source} row {row}: {formula}" + (f" over {area}" if area else "")
    if check == "error":
        assert isinstance(got, ExcelError), f"{where}: expected an error, got {got!r}"
        return
    want = _expected(expected)
    if check == "exact":
        if isinstance(want, str):
            assert got == want, f"{where}: {got!r} != {want!r}"
            return
        assert type(got) is type(want) and compare(got, want) == 0, f"{where}: {got!r} != {want!r}"
    elif check.startswith("sig:"):
        # The document's ROUNDSIG(result;N)=ROUNDSIG(expected;N): within one unit of the
        # N-th significant digit of the expected value.
        digits = int(check.split(":")[1])
        assert isinstance(got, float), f"{where}: {got!r}"
        unit = Decimal(1).scaleb(Decimal(expected).adjusted() - digits + 1) if want else Decimal(0)
        assert abs(Decimal(repr(got)) - Decimal(expected)) <= unit, (
            f"{where}: {got!r} != {want!r} to {digits} significant digits"
        )
    else:
        # The document's ROUND(result;N)=ROUND(expected;N) holds only when the two are within
        # 1E-N; that is the check, at no more places than the 15 significant digits the
        # document stores the expected value with (its last digit is LibreOffice's rounding).
        places = min(int(check.split(":")[1]), _places_stored(expected))
        assert isinstance(got, float), f"{where}: {got!r}"
        assert abs(Decimal(repr(got)) - Decimal(expected)) < Decimal(1).scaleb(-places), (
            f"{where}: {got!r} != {want!r} to {places} places"
        )


def _functions(formula: str) -> set[str]:
    """The function names a formula calls (outside its text literals)."""
    code = re.sub(r'"(?:[^"]|"")*"', '""', formula)
    return set(re.findall(r"(?<![A-Za-z0-9_.])([A-Z][A-Z0-9.]*)\(", code))


def summary() -> str:
    """One line: rows, documents, agreement and the functions the ported rows cover; then the
    same for the members of array formulas."""
    every = [*ROWS, *((r[0], r[1], r[3], r[4], r[5], r[6], r[7]) for r in ARRAY_ROWS)]
    functions = sorted({name for row in every for name in _functions(row[2])})
    documents = sorted({r[0] for r in every})
    line = (
        f"LibreOffice function documents: {len(every)} rows from {len(documents)} documents "
        f"{_agreement(every)}, {len(functions)} functions: {', '.join(functions)}"
    )
    arrays = [(r[0], r[1], r[3], r[4], r[5], r[6], r[7]) for r in ARRAY_ROWS]
    array_functions = sorted({name for row in arrays for name in _functions(row[2])})
    formulas = {(r[0], r[2]) for r in ARRAY_ROWS}
    return line + (
        f"\nof which array formulas: {len(arrays)} rows (members) of {len(formulas)} array "
        f"formulas from {len({r[0] for r in arrays})} documents {_agreement(arrays)}, "
        f"{len(array_functions)} functions: {', '.join(array_functions)}"
    )


def _agreement(rows) -> str:
    differing = [r for r in rows if r[6]]
    untriaged = [r for r in differing if r[6].startswith("not yet triaged")]
    gaps = [r for r in differing if r[6].startswith("engine gap")]
    settled = len(differing) - len(untriaged) - len(gaps)
    return (
        f"({len(rows) - len(differing)} agree, {settled} differ where Excel differs from "
        f"LibreOffice (reasons given), {len(gaps)} engine gaps, {len(untriaged)} not yet "
        f"triaged)"
    )


def test_coverage_of_the_ported_documents():
    functions = sorted(
        {name for row in ROWS for name in _functions(row[2])}
        | {name for row in ARRAY_ROWS for name in _functions(row[3])}
    )
    assert all(f in BUILTINS or f in SPECIAL for f in functions), functions
    print("\n" + summary())
    assert len(ROWS) >= 5000
    assert len(ARRAY_ROWS) >= 500
