"""Hostile and huge formulas, generated at run time: no recursion limit, Excel's formula limits,
ranges clipped to the used area, array ranges bounded.

Limits are Microsoft's ("Excel specifications and limits"): a formula holds at most 8,192
characters and 64 nested levels of functions. Expected values are hand calculations.
"""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl
import pytest
from refresh_books import hand_workbook

from pyfuncs.formulas.evaluator import RefreshRefusedError
from pyfuncs.formulas.parser import FormulaSyntaxError, parse_formula
from pyfuncs.refresh.core import refresh


def _values(path: Path, cells: list[str]) -> list[object]:
    sheet = openpyxl.load_workbook(path, data_only=True).active
    return [sheet[c].value for c in cells]


def _one_formula(tmp_path: Path, formula: str, extra: str = "") -> Path:
    xml = f'<row r="1"><c r="A1"><f>{formula}</f><v>0</v></c>{extra}</row>'
    return hand_workbook(tmp_path / "f.xlsx", xml)


def test_a_100k_cell_chain_computed_bottom_up_needs_no_deep_stack(tmp_path):
    # A1 = A2+1, ..., A99999 = A100000+1, A100000 = 1: A1 needs every other cell first.
    n = 100_000
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><f>A{r + 1}+1</f><v>0</v></c></row>' for r in range(1, n)
    )
    rows += f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>'
    source = hand_workbook(tmp_path / "chain.xlsx", rows)
    report = refresh(source, tmp_path / "out.xlsx")
    assert report.formulas == n - 1
    assert _values(report.target, ["A1", "A2", f"A{n - 1}"]) == [n, n - 1, 2]


def test_3000_nested_parentheses_and_a_deep_expression_evaluate(tmp_path):
    nested = "(" * 3000 + "1+2" + ")" * 3000 + "*2"  # 6,005 characters: 6
    right = "1+(" * 2000 + "1" + ")" * 2000  # 1+(1+(...)): 2,001 ones
    xml = (
        f'<row r="1"><c r="A1"><f>{nested}</f><v>0</v></c>'
        f'<c r="B1"><f>{right}</f><v>0</v></c></row>'
    )
    source = hand_workbook(tmp_path / "deep.xlsx", xml)
    report = refresh(source, tmp_path / "out.xlsx")
    assert _values(report.target, ["A1", "B1"]) == [6, 2001]


def test_a_legal_8099_character_formula_evaluates(tmp_path):
    formula = "1" + "+1" * 4049  # 8,099 characters, a left-nested tree 4,049 deep
    assert len(formula) == 8099
    report = refresh(_one_formula(tmp_path, formula), tmp_path / "out.xlsx")
    assert _values(report.target, ["A1"]) == [4050]


def test_excel_limits_refuse_in_one_line_naming_the_cell(tmp_path):
    too_deep = "ABS(" * 1000 + "1" + ")" * 1000
    with pytest.raises(RefreshRefusedError) as caught:
        refresh(_one_formula(tmp_path, too_deep), tmp_path / "out.xlsx")
    message = str(caught.value)
    assert "Model!A1" in message and "64 nested levels" in message and "\n" not in message
    too_long = "1" + "+1" * 4100  # 8,201 characters
    with pytest.raises(RefreshRefusedError) as caught:
        refresh(_one_formula(tmp_path, too_long), tmp_path / "out.xlsx")
    assert "Model!A1" in str(caught.value) and "8,192" in str(caught.value)
    assert not (tmp_path / "out.xlsx").exists()


def test_the_nesting_limit_is_exactly_64_levels():
    sixty_four = "ABS(" * 64 + "-1" + ")" * 64
    assert parse_formula(sixty_four)[0] == "call"
    with pytest.raises(FormulaSyntaxError, match="64 nested levels"):
        parse_formula("ABS(" * 65 + "-1" + ")" * 65)


def test_a_sum_over_the_whole_sheet_reads_only_the_used_area(tmp_path):
    xml = (
        '<row r="1"><c r="A1"><f>SUM(B1:XFD1048576)</f><v>0</v></c><c r="B1"><v>2</v></c></row>'
        '<row r="2"><c r="A2"><f>COUNTBLANK(B1:XFD1048576)</f><v>0</v></c></row>'
        '<row r="3"><c r="A3"><f>SUMPRODUCT((B:B&gt;2)*C:C)</f><v>0</v></c>'
        '<c r="B3"><v>3</v></c><c r="C3"><v>5</v></c></row>'
    )
    source = hand_workbook(tmp_path / "whole.xlsx", xml)
    started = time.perf_counter()
    report = refresh(source, tmp_path / "out.xlsx")
    assert time.perf_counter() - started < 30  # a guard against a hang, not a speed target
    # 2 + 3 + 5; blanks: 16,383 columns x 1,048,576 rows less B1, B3 and C3; only row 3 has
    # B > 2, so the product sums 1 x 5.
    assert _values(report.target, ["A1", "A2", "A3"]) == [10, 16_383 * 1_048_576 - 3, 5]


def test_an_array_formula_over_the_whole_sheet_is_refused_in_one_line(tmp_path):
    xml = '<row r="1"><c r="A1"><f t="array" ref="A1:XFD1048576">1</f><v>1</v></c></row>'
    source = hand_workbook(tmp_path / "array.xlsx", xml)
    with pytest.raises(RefreshRefusedError) as caught:
        refresh(source, tmp_path / "out.xlsx")
    message = str(caught.value)
    assert "Model!A1" in message and "A1:XFD1048576" in message and "\n" not in message
