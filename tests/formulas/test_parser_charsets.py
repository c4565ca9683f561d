"""The tokenizer's name classes are spelled as negated ASCII classes (fast to compile); they must
accept exactly the characters of the ranges they stand for, over the whole Basic Multilingual
Plane: ASCII letters and "_" to start a name, digits and "." after, every character from
U+00A1 on, and "\\" or "?" where the tokenizer allows them."""

from __future__ import annotations

import re

import pytest

from pyfuncs.formulas import parser

EVERY_BMP_CHARACTER = "".join(chr(c) for c in range(0xFFFF + 1) if not 0xD800 <= c <= 0xDFFF)


@pytest.mark.parametrize(
    ("fast", "spelled_out"),
    [
        (parser.NAME_START, r"[A-Za-z_\u00a1-\uffff]"),
        (parser.NAME_CHAR, r"[\w.\u00a1-\uffff]"),
        (parser.NAME_START_BACKSLASH, r"[A-Za-z_\\\u00a1-\uffff]"),
        (parser.NAME_CHAR_BACKSLASH, r"[\w.\\\u00a1-\uffff]"),
        (parser.NAME_CHAR_DEFINED, r"[\w.?\\\u00a1-\uffff]"),
    ],
)
def test_negated_classes_accept_the_same_characters(fast, spelled_out):
    accepted = set(re.findall(fast, EVERY_BMP_CHARACTER))
    expected = set(re.findall(spelled_out, EVERY_BMP_CHARACTER))
    assert accepted == expected


@pytest.mark.parametrize(
    ("formula", "kinds"),
    [
        ("'My Sheet'!A1+Données!B2", ["sheet", "cell", "op", "sheet", "cell"]),
        ("Taux_2026.Q1*Δ_rent", ["name", "op", "name"]),
        ("SUM(Tbl_Ventes[Montant])", ["func", "struct", "punct"]),
        ("_xlfn.LET(x,1,x)", ["func", "name", "punct", "num", "punct", "name", "punct"]),
    ],
)
def test_names_with_accents_and_symbols_tokenize_as_before(formula, kinds):
    got = [m.lastgroup for m in parser._TOKEN.finditer(formula) if m.lastgroup != "ws"]
    assert got == kinds
