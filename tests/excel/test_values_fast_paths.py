"""The single-cell shortcuts of ``to_grid`` and ``to_excel`` answer as the general rules do."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pyfuncs.errors import ExcelError
from pyfuncs.excel.values import to_excel, to_grid


@pytest.mark.parametrize("cell", [3.0, 7, "abc", "", True, None, {"error": "#N/A"}])
def test_a_single_cell_is_not_a_grid(cell):
    assert to_grid(cell) is None


def test_ranges_are_still_rows_of_canonical_cells():
    assert to_grid([[1, 2.5], ["", "x"]]) == [[1.0, 2.5], [None, "x"]]
    assert to_grid([4, 5]) == [[4.0, 5.0]]  # a flat list is one row
    assert to_grid(np.array([[1.0], [2.0]])) == [[1.0], [2.0]]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan, np.float64("nan")])
def test_a_number_that_is_not_finite_is_num(value):
    result = to_excel(value)
    assert type(result) is ExcelError and result.code == "#NUM!"


def test_finite_numbers_come_back_as_floats():
    assert to_excel(0.25) == 0.25 and type(to_excel(0.25)) is float
    assert to_excel(np.float64(2.5)) == 2.5 and type(to_excel(np.float64(2.5))) is float
    assert to_excel(3) == 3.0 and to_excel(True) is True
