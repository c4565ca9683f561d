"""LibreOffice's function test documents, ported: every row of
tests/data/conformance/libreoffice_functions.tsv runs through the engine (origin and licence in
tests/data/conformance/MANIFEST). The summary line names the functions and rows covered."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from formula_engine import evaluate

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.special_forms import SPECIAL
from pyfuncs.formulas.values import compare

DATA = Path(__file__).parents[1] / "data" / "conformance" / "libreoffice_functions.tsv"


def _rows() -> list[tuple[str, int, str, str, str, dict, str]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, row, formula, expected, check, *rest = line.split("\t")
        cells = json.loads(rest[0]) if rest and rest[0].strip() else {}
        differs = rest[1].strip() if len(rest) > 1 else ""
        rows.append((source, int(row), formula, expected, check, cells, differs))
    return rows


ROWS = _rows()


def _expected(text: str):
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
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
        with pytest.raises(AssertionError):
            _check_row(source, row, formula, expected, check, cells)
        return
    _check_row(source, row, formula, expected, check, cells)


def _check_row(source, row, formula, expected, check, cells):
    got = evaluate(formula, cells)
    where = f"{source} row {row}: {formula}"
    if check == "error":
        assert isinstance(got, ExcelError), f"{where}: expected an error, got {got!r}"
        return
    want = _expected(expected)
    if check == "exact":
        assert type(got) is type(want) and compare(got, want) == 0, f"{where}: {got!r} != {want!r}"
    else:
        # The document's ROUND(result;N)=ROUND(expected;N) holds only when the two are within
        # 1E-N; that is the check, at no more places than the 15 significant digits the
        # document stores the expected value with (its last digit is LibreOffice's rounding).
        places = min(int(check.split(":")[1]), _places_stored(expected))
        assert isinstance(got, float), f"{where}: {got!r}"
        assert abs(Decimal(repr(got)) - Decimal(expected)) < Decimal(1).scaleb(-places), (
            f"{where}: {got!r} != {want!r} to {places} places"
        )


def summary() -> str:
    """One line: rows, documents, agreement and the functions the ported rows cover."""
    functions = sorted(
        {name for row in ROWS for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", row[2])}
    )
    documents = sorted({r[0] for r in ROWS})
    differing = [r for r in ROWS if r[6]]
    return (
        f"LibreOffice function documents: {len(ROWS)} rows from {len(documents)} documents "
        f"({len(ROWS) - len(differing)} agree, {len(differing)} known disagreements with "
        f"reasons), functions {', '.join(functions)}"
    )


def test_coverage_of_the_ported_documents():
    functions = sorted(
        {name for row in ROWS for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", row[2])}
    )
    assert all(f in BUILTINS or f in SPECIAL for f in functions), functions
    print("\n" + summary())
    assert len(ROWS) >= 130
