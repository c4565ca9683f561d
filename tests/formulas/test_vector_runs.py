"""Filled-down runs computed as numpy vectors give, cell for cell, what the closures give.

The oracle is the cell-by-cell engine (every formula's own closure, the path the rest of the
formula tests check against LibreOffice): the same workbook is evaluated with the vector path
and without it, and every value must be identical (same type, same float bits, same error). The
inputs mix what the vector path must leave to the closures: blanks, text, numeric text, TRUE,
zero divisors, overflow, a chain that reads itself and a circular reference.
"""

from __future__ import annotations

import math
from pathlib import Path

import openpyxl
import pytest

from pyfuncs.errors import ExcelError
from pyfuncs.formulas import evaluator as evaluator_module
from pyfuncs.formulas.evaluator import Evaluator
from pyfuncs.xlsx.reader import load_book

ROWS = range(2, 202)


def _input(r: int) -> object:
    special = {
        7: None,
        11: "text",
        13: "12",
        17: True,
        19: 0.0,
        23: 0.30000000000000004,
        29: 1e308,
        31: -5.0,
        37: 0.1 + 0.2,
        38: 0.3,
    }
    if r in special:
        return special[r]
    return r * 1.5 - 40 if r % 3 else r / 7


FORMULAS = {
    "B": "=A{r}*3-A{r}/7+1",
    "C": "=IF(A{r}>10,A{r}-10,-A{r})",
    "D": "=A{r}^2",
    "E": "=1/A{r}",
    "F": "=ROUND(A{r}/3,2)",
    "G": "=SUM(A{w}:A{r})",
    "H": "=A{r}-$B$1",
    "I": "=C{r}+E{r}",
    "J": "=A{r}=A{n}",
    "K": "=J{r}*1",
    "L": "=L{p}+A{r}",
    "M": "=PMT(0.05/12,60,-A{r})",
    "P": "=TRUE+A{r}%",
    "Q": '=A{r}<>"x"',
    "R": "=IF(J{r},TRUE,FALSE)",
}


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Model"
    sheet["B1"] = 0.3
    sheet["L1"] = 0
    for r in ROWS:
        sheet[f"A{r}"] = _input(r)
        for col, text in FORMULAS.items():
            sheet[f"{col}{r}"] = text.format(r=r, w=max(2, r - 4), n=r + 1, p=r - 1)
    # a circular reference through two filled-down columns (shown as 0, and reported)
    for r in range(2, 60):
        sheet[f"N{r}"] = f"=O{r}+1"
        sheet[f"O{r}"] = f"=N{r}+A{r}"
    book.save(path)
    return path


def evaluate(path: Path) -> tuple[dict, list[str], int]:
    ev = Evaluator(load_book(path))
    ev.run()
    result = ev.result()
    return dict(result.values.items()), result.warnings, ev.vector_runs


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, ExcelError):
        return a.code == b.code
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    return a == b


def test_vector_runs_equal_the_closures_cell_for_cell(tmp_path, monkeypatch):
    path = workbook(tmp_path / "runs.xlsx")
    vector, vector_warnings, runs = evaluate(path)
    monkeypatch.setattr(evaluator_module, "MIN_RUN", 10**9)
    closures, closure_warnings, no_runs = evaluate(path)
    assert no_runs == 0
    # every column above but L (it reads itself) and N/O (a cycle) is a run; the rows of G
    # before its window is full (different shapes) are not
    assert runs >= 12
    assert set(vector) == set(closures)
    differ = [key for key in closures if not same(vector[key], closures[key])]
    assert differ == []
    assert vector_warnings == closure_warnings and closure_warnings


def test_rows_the_vector_path_leaves_keep_excels_values(tmp_path):
    values, _, _ = evaluate(workbook(tmp_path / "runs.xlsx"))
    # By hand: A5 = 5*1.5-40 = -32.5; B5 = -32.5*3 - (-32.5)/7 + 1.
    assert values[("Model", "B5")] == -32.5 * 3 - (-32.5) / 7 + 1
    assert values[("Model", "E19")].code == "#DIV/0!"  # 1/0
    assert values[("Model", "D29")].code == "#NUM!"  # (1E308)^2 overflows
    assert values[("Model", "D11")].code == "#VALUE!"  # "text"^2
    assert values[("Model", "D13")] == 144.0  # numeric text "12" squared
    assert values[("Model", "K17")] == 0.0  # TRUE = A18 is FALSE; FALSE*1 = 0
    assert values[("Model", "H23")] == 0.0  # 0.30000000000000004-0.3: Excel's snap to 0
    assert values[("Model", "J37")] is True  # 0.1+0.2 = 0.3 within Excel's tolerance
    assert values[("Model", "C7")] == 0.0  # -blank is 0
    assert values[("Model", "G9")] == pytest.approx(sum(_input(r) for r in (5, 6, 8, 9)))


def test_formulas_share_a_shape_key_only_when_their_trees_are_equal():
    from pyfuncs.formulas.compiler import shape_key
    from pyfuncs.formulas.parser import parse_formula

    texts = [
        ("A1*2+B$1", (1, 3)),
        ("A2*2+B$1", (2, 3)),  # filled down: same tree
        ("A10*2+B$1", (10, 3)),  # more digits, same tree
        ("A2*2+B$2", (2, 3)),  # the absolute row moved: another tree
        ("A2*3+B$1", (2, 3)),  # another constant
        ("A2*2+B$1", (2, 4)),  # copied across: the column offset differs
        ("$A2*2+B$1", (2, 4)),
        ("$A3*2+B$1", (3, 4)),
        ("SUM(A1:A10)", (10, 2)),
        ("SUM(A2:A11)", (11, 2)),
        ("SUM(A1:A11)", (11, 2)),
        ("LOG10(A1)", (1, 2)),
        ("LOG10(A2)", (2, 2)),
        ('A1&"B1"', (1, 3)),  # a literal: keyed by its own text and host
        ('A2&"B2"', (2, 3)),
    ]
    for text_a, host_a in texts:
        for text_b, host_b in texts:
            same_key = shape_key(text_a, host_a) == shape_key(text_b, host_b)
            same_tree = parse_formula(text_a, host_a) == parse_formula(text_b, host_b)
            if same_key:
                assert same_tree, (text_a, text_b)
    assert shape_key("A1*2+B$1", (1, 3)) == shape_key("A10*2+B$1", (10, 3))
    assert shape_key("SUM(A1:A10)", (10, 2)) == shape_key("SUM(A2:A11)", (11, 2))
    assert shape_key("$A2*2+B$1", (2, 4)) == shape_key("$A3*2+B$1", (3, 4))
