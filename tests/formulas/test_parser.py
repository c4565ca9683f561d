"""The formula parser: tokens, Excel's operator precedence and references.

Precedence is checked by evaluating, against Microsoft's "Calculation operators and precedence
in Excel" (reference operators, then negation, %, ^, * and /, + and -, &, comparisons) and its
examples (=5+2*3 is 11, =(5+2)*3 is 21, =-2^2 is 4 in Excel)."""

from __future__ import annotations

import pytest
from formula_engine import Err, evaluate

from pyfuncs.formulas.parser import FormulaSyntaxError, parse_formula, tokenize


def test_tokens():
    kinds = [k for k, _ in tokenize("SUM(A1:B2,Sheet2!C3)*-2^2%")]
    assert kinds == [
        "func",
        "cell",
        "op",
        "cell",
        "punct",
        "sheet",
        "cell",
        "punct",
        "op",
        "op",
        "num",
        "op",
        "num",
        "op",
    ]
    assert tokenize('"a ""quoted"" text"') == [("str", '"a ""quoted"" text"')]
    assert ("err", "#DIV/0!") in tokenize("#DIV/0!+1")
    assert ("sheet", "'My Sheet'!") in tokenize("'My Sheet'!A1")


@pytest.mark.parametrize(
    ("formula", "value"),
    [
        ("=5+2*3", 11),
        ("=(5+2)*3", 21),
        ("=-2^2", 4),  # negation before ^
        ("=2^3^2", 64),  # ^ from the left
        ("=2*10%", 0.2),
        ("=-10%", -0.1),
        ('="a"&1+1', "a2"),  # + before &
        ("=1+1=2", True),  # comparison last
        ('="1"&"2"="12"', True),
        ("=10-2-3", 5),
        ("=12/2/3", 2),
        ("=3>2=TRUE", True),
    ],
)
def test_precedence(formula, value):
    assert evaluate(formula) == value


def test_references():
    # Relative references are offsets from the host cell, absolute ones row and column numbers.
    assert parse_formula("B3", (1, 1)) == ("ref", None, 2, False, 1, False, 2, False, 1, False)
    assert parse_formula("$B$3", (5, 5)) == ("ref", None, 3, True, 2, True, 3, True, 2, True)
    assert parse_formula("B3", (2, 2)) == parse_formula("C4", (3, 3))  # one tree for a fill
    assert parse_formula("'My Sheet'!A1")[1] == "My Sheet"
    whole_column = parse_formula("A:A")
    assert whole_column[2:4] == (1, True) and whole_column[6] == 1_048_576
    cells = {"A1": 1, "A2": 2, "B1": 10, "B2": 20}
    assert evaluate("=SUM(A1:B2)", cells) == 33
    assert evaluate("=SUM($A$1:A2)", cells) == 3
    assert evaluate("=SUM(A:A)", cells) == 3


def test_arguments_arrays_and_errors():
    assert parse_formula("SUM(A1,,2)")[2][1] == ("missing",)
    assert parse_formula("{1,2;3,4}") == ("arr", ((1.0, 2.0), (3.0, 4.0)))
    assert parse_formula("_xlfn.XLOOKUP(1,A1:A3,B1:B3)")[1] == "XLOOKUP"
    assert evaluate("=#N/A") == Err("#N/A")
    with pytest.raises(FormulaSyntaxError):
        parse_formula("SUM(1,")
