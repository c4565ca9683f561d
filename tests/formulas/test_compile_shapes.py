"""Formulas are compiled once per shape: a filled-down column shares one key, one tree, one
closure, and two formulas share a key only when their trees are equal.

The oracle for "equal trees" is the parser itself (:func:`parse_formula` of each text at its
own host cell): the shape key is a shortcut that must never join two different trees.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from pyfuncs.formulas.compiler import shape_key
from pyfuncs.formulas.evaluator import Evaluator
from pyfuncs.formulas.parser import parse_formula
from pyfuncs.formulas.problems import RefreshRefusedError
from pyfuncs.xlsx.reader import load_book

TEXTS = [
    ('COUNTIFS($B$2:$B$9,">"&C2)', (2, 7)),
    ('COUNTIFS($B$2:$B$9,">"&C3)', (3, 7)),  # filled down: the criterion moved, the range not
    ('COUNTIFS($B$2:$B$9,">"&C10)', (10, 7)),
    ('COUNTIFS($B$2:$B$9,">="&C3)', (3, 7)),  # another operator in the string
    ('COUNTIFS(B3:B10,">"&C3)', (3, 7)),  # a relative range
    ('A1&"B1"', (1, 3)),  # a string that looks like a reference: never a row
    ('A2&"B2"', (2, 3)),
    ('A2&"B1"', (2, 3)),
    ("'Q1 2024'!B5*2", (5, 4)),  # digits in a quoted sheet name are not rows
    ("'Q1 2024'!B6*2", (6, 4)),
    ("'Q2 2024'!B6*2", (6, 4)),
    ("'It''s 1'!A1+A1", (1, 2)),
    ("'It''s 1'!A2+A2", (2, 2)),
    ('IF(A1="x""1",1,2)', (1, 2)),
    ('IF(A2="x""1",1,2)', (2, 2)),
    ('IF(A2="x""2",1,2)', (2, 2)),
    ("Sheet2!A1+LOG10(A1)", (1, 2)),
    ("Sheet2!A2+LOG10(A2)", (2, 2)),
    ("Sheet3!A2+LOG10(A2)", (2, 2)),
    ("SUM(A$1:A1)*1E5", (1, 3)),
    ("SUM(A$1:A2)*1E5", (2, 3)),
    ("SUM(A$1:A2)*1E6", (2, 3)),
    ("A9+1", (9, 2)),
    ("A10+1", (10, 2)),  # one more digit, the same tree
    ("A10+10", (10, 2)),
    ("\u00e9t\u00e9!A1+1", (1, 2)),  # not ASCII
    ("\u00e9t\u00e9!A2+1", (2, 2)),
]


def test_formulas_share_a_shape_key_only_when_their_trees_are_equal():
    for _ in range(10):  # past the count at which a template's key function is generated
        keys = [shape_key(text, host) for text, host in TEXTS]
        trees = [parse_formula(text, host) for text, host in TEXTS]
        for i in range(len(TEXTS)):
            for j in range(len(TEXTS)):
                if keys[i] == keys[j]:
                    assert trees[i] == trees[j], (TEXTS[i], TEXTS[j])


def test_filled_down_text_criteria_and_quoted_names_share_a_key():
    def key(i: int) -> object:
        return shape_key(*TEXTS[i])

    assert key(0) == key(1) == key(2) != key(3)
    assert key(5) == key(7) != key(6)  # the string is kept as written
    assert key(8) == key(9) != key(10)
    assert key(11) == key(12)
    assert key(13) == key(14) != key(15)
    assert key(22) == key(23) != key(24)
    assert key(25) == key(26)


def test_a_filled_down_column_compiles_once(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 201):
        sheet[f"A{r}"] = r
        sheet[f"B{r}"] = f'=COUNTIFS($A$1:$A$200,">"&A{r})'
    path = tmp_path / "down.xlsx"
    book.save(path)
    ev = Evaluator(load_book(path))
    assert len(set(ev.cells[0].values())) == 1  # one closure for the 200 cells
    ev.run()
    values = ev.result().values
    assert values[("Sheet", "B1")] == 199.0  # by hand: 2..200 are above 1
    assert values[("Sheet", "B200")] == 0.0


def test_a_filled_down_unsupported_function_is_refused_naming_every_cell(tmp_path: Path):
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 4):
        sheet[f"A{r}"] = r
        sheet[f"B{r}"] = f"=NOSUCHFUNCTION(A{r})"
    path = tmp_path / "unsupported.xlsx"
    book.save(path)
    with pytest.raises(RefreshRefusedError) as caught:
        Evaluator(load_book(path))
    cells = [where for where, _ in caught.value.problems]
    assert cells == ["Sheet!B1", "Sheet!B2", "Sheet!B3"]
    assert all("NOSUCHFUNCTION" in reason for _, reason in caught.value.problems)
