"""The contract of pyfuncs.call: Excel values in, a value or an Excel error out, never a traceback."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import pytest

import pyfuncs
from pyfuncs import ExcelError, call
from pyfuncs.catalogue import REGISTRY
from pyfuncs.excel.values import date_to_serial


def test_scalars_in_scalar_out():
    assert call("GPU.DSCR", 1.3, 1.0) == pytest.approx(1.3)
    assert isinstance(call("DSCR", 13, 10), float)
    assert call("DSCR", [[13]], [[10]]) == pytest.approx(1.3)  # a one-cell range is a cell


def test_row_or_column_alike():
    column = call("DEBT_CAPACITY", [[100.0], [100.0], [None]], 1.25, 0.12)
    row = call("DEBT_CAPACITY", [[100.0, 100.0]], 1.25, 0.12)
    assert column == pytest.approx(row)
    assert call("RENT_CURVE", 2.0, 14, None, None, [[13]]) == call(
        "RENT_CURVE", 2.0, 14, None, None, [[13], [None]]
    )
    # Element-by-element results keep the orientation of the first range.
    assert call("DSCR", [[2.0, 3.0]], [[1.0], [2.0]]) == [[2.0, 1.5]]


def test_column_result_spills_down():
    out = call("RENT_CURVE", 2.0, 3, 0.0)
    assert out == [[2.0], [2.0], [2.0]]


def test_omitted_and_blank_optional_arguments_take_defaults():
    assert call("RENT_CURVE", 1.0, 13) == call("RENT_CURVE", 1.0, 13, 0.28, 12, None, 0.25, 0)
    assert call("HAZARD_RATE", 0.065, "") == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("DSCR", [[1], [2]], [[1], [2], [3]]), "#VALUE!", "mismatched"),
        (("DSCR", "abc", 1), "#VALUE!", "text"),
        (("DSCR", True, 1), "#VALUE!", "TRUE"),
        (("DSCR", math.nan, 1), "#NUM!", "finite"),
        (("DSCR", math.inf, 1), "#NUM!", "finite"),
        (("DSCR", None, 1), "#VALUE!", "required"),
        (("DSCR", 1, 1, 1), "#VALUE!", "at most 2"),
        (("RENT_CURVE", 2.0, -5), "#NUM!", "at least 1"),
        (("RENT_CURVE", 2.0, 2.5), "#NUM!", "whole"),
        (("RENT_CURVE", 2.0, 10**8), "#NUM!", "at most"),
        (("RENT_CURVE", 2.0, [[1, 2]]), "#VALUE!", "single cell"),
        (("DEBT_CAPACITY", [[1, 2], [3, 4]], 1.2, 0.1), "#VALUE!", "one row or one column"),
        (("DEBT_CAPACITY", [[1], [None], [3]], 1.2, 0.1), "#VALUE!", "blank"),
        (("DEBT_CAPACITY", [[1], ["x"]], 1.2, 0.1), "#VALUE!", "cell 2"),
        (("DEBT_CAPACITY", [[1], [math.nan]], 1.2, 0.1), "#NUM!", "finite"),
        (("DEBT_CAPACITY", [[1], [2, 3]], 1.2, 0.1), "#VALUE!", "different lengths"),
        (("BOOK_VALUE", 1000, 6, 10, 0, 3), "#VALUE!", "text"),
        (("LTV", 1, 0), "#DIV/0!", "zero"),
        (("NO_SUCH_THING", 1), "#NAME?", "unknown"),
    ],
)
def test_bad_input_gives_the_right_error(args, code, words):
    result = call(*args)
    assert isinstance(result, ExcelError), result
    assert result.code == code
    assert words.lower() in result.reason.lower()
    assert "\n" not in result.reason and len(result.reason) <= 200


def test_oversized_range_is_refused():
    big = [[1.0]] * 2_000_001
    result = call("DEBT_CAPACITY", big, 1.2, 0.1)
    assert result.code == "#VALUE!" and "cells" in result.reason


def test_one_bad_period_does_not_void_the_others():
    out = call(
        "LTV",
        [[50.0], ["n/a"], [None], [ExcelError("#REF!")], [10.0]],
        [[100.0], [1.0], [1.0], [1.0], [0.0]],
    )
    assert out[0][0] == pytest.approx(0.5)
    assert out[1][0].code == "#VALUE!"
    assert out[2][0] is None  # blank in, blank out
    assert out[3][0].code == "#REF!"  # an error passed in comes back out
    assert out[4][0].code == "#DIV/0!"


def test_errors_passed_in_propagate():
    assert call("DSCR", ExcelError("#N/A", "no data"), 1).code == "#N/A"
    assert call("DEBT_CAPACITY", [[1], [{"error": "#REF!"}]], 1.2, 0.1).code == "#REF!"
    assert call("DSCR", "#DIV/0!", 1).code == "#DIV/0!"


def test_headers_flag_accepts_excel_booleans():
    with_headers = call("DEBT_SCHEDULE", 100, 0.1, 1, 4, None, None, 1)
    assert with_headers[0][0] == "period"
    assert call("DEBT_SCHEDULE", 100, 0.1, 1, 4, None, None, "maybe").code == "#VALUE!"


def test_dates_become_serial_numbers():
    assert date_to_serial(dt.date(2000, 1, 1)) == 36526  # Excel's serial for 2000-01-01
    assert date_to_serial(dt.datetime(2000, 1, 1, 12)) == 36526.5
    assert call("LTV", dt.date(2000, 1, 1), 36526.0) == pytest.approx(1.0)


def test_an_internal_bug_becomes_an_error_value_not_a_traceback(monkeypatch):
    spec = REGISTRY["HAZARD_RATE"]

    def broken(spread, recovery=0.35):
        raise RuntimeError("boom")

    monkeypatch.setitem(REGISTRY, "HAZARD_RATE", dataclasses.replace(spec, func=broken))
    pyfuncs.excel.dispatch._spec.cache_clear()
    try:
        result = call("HAZARD_RATE", 0.05)
        assert result.code == "#VALUE!" and "internal error" in result.reason
    finally:
        pyfuncs.excel.dispatch._spec.cache_clear()


def test_unsupported_python_objects_are_value_errors():
    assert call("DSCR", object(), 1).code == "#VALUE!"
    assert call("DSCR", [[object()]], [[1]]).code == "#VALUE!"
