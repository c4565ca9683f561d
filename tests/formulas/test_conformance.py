"""LibreOffice's function test documents, ported: every row of
tests/data/conformance/libreoffice_functions.tsv runs through the engine (origin and licence in
tests/data/conformance/MANIFEST). The summary line names the functions and rows covered."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from formula_engine import evaluate

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import BUILTINS
from pyfuncs.formulas.values import compare

DATA = Path(__file__).parents[1] / "data" / "conformance" / "libreoffice_functions.tsv"


def _rows() -> list[tuple[str, int, str, str, str, dict]]:
    rows = []
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, row, formula, expected, check, *rest = line.split("\t")
        cells = json.loads(rest[0]) if rest and rest[0].strip() else {}
        rows.append((source, int(row), formula, expected, check, cells))
    return rows


ROWS = _rows()


def _expected(text: str):
    if text in ("TRUE", "FALSE"):
        return text == "TRUE"
    return float(text)


def _rounded(x: float, places: int) -> Decimal:
    return Decimal(repr(x)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@pytest.mark.parametrize(
    ("source", "row", "formula", "expected", "check", "cells"), ROWS, ids=lambda v: str(v)[:40]
)
def test_libreoffice_row(source, row, formula, expected, check, cells):
    got = evaluate(formula, cells)
    where = f"{source} row {row}: {formula}"
    if check == "error":
        assert isinstance(got, ExcelError), f"{where}: expected an error, got {got!r}"
        return
    want = _expected(expected)
    if check == "exact":
        assert type(got) is type(want) and compare(got, want) == 0, f"{where}: {got!r} != {want!r}"
    else:
        places = int(check.split(":")[1])
        assert isinstance(got, float), f"{where}: {got!r}"
        assert _rounded(got, places) == _rounded(want, places), f"{where}: {got!r} != {want!r}"


def test_coverage_of_the_ported_documents():
    functions = sorted(
        {name for row in ROWS for name in re.findall(r"([A-Z][A-Z0-9.]*)\(", row[2])}
    )
    documents = sorted({r[0] for r in ROWS})
    assert all(f in BUILTINS for f in functions), functions
    print(
        f"\nLibreOffice conformance: {len(ROWS)} rows from {len(documents)} documents, functions {', '.join(functions)}"
    )
    assert len(ROWS) >= 40
