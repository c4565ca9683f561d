"""Inputs set through the Python API: any real number is a number; other types are refused."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import openpyxl
import pytest

from pyfuncs.refresh.core import refresh
from pyfuncs.refresh.inputs import InputError


@pytest.fixture
def book(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "S"
    ws["A1"] = 1
    ws["B1"] = "=IF(A1=5,1,0)"  # a comparison: ordered as Excel orders numbers
    ws["C1"] = "=A1*2"
    path = tmp_path / "t.xlsx"
    wb.save(path)
    return path


@pytest.mark.parametrize("five", [5, np.int64(5), np.float32(5), Fraction(5)])
def test_any_real_number_is_set_as_a_number(book, tmp_path, five):
    out = tmp_path / "out.xlsx"
    refresh(book, out, assignments=[("S!A1", five)])
    ws = openpyxl.load_workbook(out, data_only=True)["S"]
    assert ws["A1"].value == 5 and ws["B1"].value == 1 and ws["C1"].value == 10  # 5 = 5; 5 x 2


@pytest.mark.parametrize(
    ("value", "reason"),
    [(float("inf"), "not a finite number"), ([5], "not list"), (1j, "not complex")],
)
def test_a_value_no_cell_can_hold_is_refused_in_one_line(book, tmp_path, value, reason):
    out = tmp_path / "out.xlsx"
    with pytest.raises(InputError, match=reason) as caught:
        refresh(book, out, assignments=[("S!A1", value)])
    assert "\n" not in str(caught.value)
    assert not out.exists()
