"""Math, trigonometry, statistics, lookup and logical built-ins against Microsoft's examples
(support.microsoft.com, "<NAME> function" pages) and hand calculations."""

from __future__ import annotations

import math

import pytest
from formula_engine import Err, evaluate, evaluate_array

SAMPLE = [1345, 1301, 1368, 1322, 1310, 1370, 1318, 1350, 1303, 1299]
CELLS = {f"A{i}": v for i, v in enumerate(SAMPLE, start=1)}


def test_spread_of_microsoft_sample():
    assert evaluate("=STDEV(A1:A10)", CELLS) == pytest.approx(27.46391572, abs=1e-8)
    assert evaluate("=STDEV.S(A1:A10)", CELLS) == pytest.approx(27.46391572, abs=1e-8)
    assert evaluate("=STDEVP(A1:A10)", CELLS) == pytest.approx(26.05455814, abs=1e-8)
    assert evaluate("=VAR(A1:A10)", CELLS) == pytest.approx(754.2666667, abs=1e-7)
    assert evaluate("=VAR.P(A1:A10)", CELLS) == pytest.approx(678.84, abs=1e-9)
    assert evaluate("=STDEV(A1)", CELLS) == Err("#DIV/0!")
    assert (
        evaluate("=AVERAGEA(A1:A5)", {"A1": 10, "A2": 7, "A3": 9, "A4": 2, "A5": "Not available"})
        == 5.6
    )


def test_order_statistics():
    assert evaluate("=MEDIAN(1,2,3,4,5)") == 3
    assert evaluate("=MEDIAN(1,2,3,4,5,6)") == 3.5
    assert evaluate("=PERCENTILE.INC({1,3,2,4},0.3)") == pytest.approx(1.9, rel=1e-15)
    exc = "{1,2,3,6,6,6,7,8,9}"
    assert evaluate(f"=PERCENTILE.EXC({exc},0.25)") == 2.5
    assert evaluate(f"=PERCENTILE.EXC({exc},0.01)") == Err("#NUM!")
    assert evaluate("=QUARTILE({1,2,4,7,8,9,10,12},1)") == 3.5
    q = "{6,7,15,36,39,40,41,42,43,47,49}"
    assert evaluate(f"=QUARTILE.EXC({q},1)") == 15
    assert evaluate(f"=QUARTILE.EXC({q},3)") == 43
    ranks = {"A1": 7, "A2": 3.5, "A3": 3.5, "A4": 1, "A5": 2}
    assert evaluate("=RANK(A2,A1:A5,1)", ranks) == 3
    assert evaluate("=RANK(A1,A1:A5,1)", ranks) == 5
    assert evaluate("=RANK.AVG(A2,A1:A5)", ranks) == 2.5
    assert evaluate("=RANK.AVG(94,{89,88,92,101,94,97,95})") == 4
    assert evaluate("=MODE({5.6,4,4,3,2,4})") == 4


def test_regression():
    ys, xs = "{2,3,9,1,8,7,5}", "{6,5,11,7,5,4,4}"
    assert evaluate(f"=SLOPE({ys},{xs})") == pytest.approx(0.305556, abs=1e-6)
    assert evaluate("=INTERCEPT({2,3,9,1,8},{6,5,11,7,5})") == pytest.approx(0.0483871, abs=1e-7)
    assert evaluate_array("=LINEST({1,9,5,7},{0,4,2,3})", "1x2") == [
        [pytest.approx(2.0), pytest.approx(1.0)]
    ]


def test_matrix_product():
    assert evaluate_array("=MMULT({1,3;7,2},{2,0;0,2})", "2x2") == [[2, 6], [14, 4]]
    assert evaluate("=MMULT({1,2},{1,2})") == Err("#VALUE!")


def test_subtotal_skips_nested_subtotals_and_aggregate_skips_errors():
    cells = {"A1": 120, "A2": 10, "A3": 150, "A4": 23}
    assert evaluate("=SUBTOTAL(9,A1:A4)", cells) == 303
    assert evaluate("=SUBTOTAL(1,A1:A4)", cells) == 75.75
    nested = {"A1": 1, "A2": 2, "A3": "=SUBTOTAL(9,A1:A2)", "A4": 4}
    assert evaluate("=SUBTOTAL(9,A1:A4)", nested) == 7  # A3's subtotal is not counted twice
    values = ["=1/0", 72, 30, "=SQRT(-1)", 31, 96, 32, 81, 33, 53, 34]
    errs = {f"A{i}": v for i, v in enumerate(values, start=1)}
    assert evaluate("=AGGREGATE(4,6,A1:A11)", errs) == 96
    assert evaluate("=AGGREGATE(14,6,A1:A11,3)", errs) == 72
    assert evaluate("=MAX(A1:A11)", errs) == Err("#DIV/0!")


def test_conditional_extremes_and_averages():
    cells = {f"A{i}": v for i, v in enumerate([89, 93, 96, 85, 91, 88], start=1)}
    cells |= {f"B{i}": v for i, v in enumerate([1, 2, 2, 3, 1, 1], start=1)}
    assert evaluate("=MAXIFS(A1:A6,B1:B6,1)", cells) == 91
    assert evaluate("=MINIFS(A1:A6,B1:B6,1)", cells) == 88
    assert evaluate('=AVERAGEIFS(A1:A6,B1:B6,">1")', cells) == pytest.approx((93 + 96 + 85) / 3)
    assert evaluate('=COUNTIFS(A1:A6,">88",B1:B6,1)', cells) == 2
    assert evaluate("=AVERAGEIFS(A1:A6,B1:B6,9)", cells) == Err("#DIV/0!")


def test_trigonometry():
    assert evaluate("=SIN(30*PI()/180)") == pytest.approx(0.5, abs=1e-15)
    assert evaluate("=COS(1.047)") == pytest.approx(0.5001711, abs=1e-7)
    assert evaluate("=TAN(0.785)") == pytest.approx(0.99920399, abs=1e-8)
    assert evaluate("=SINH(1)") == pytest.approx(1.175201194, abs=1e-9)
    assert evaluate("=ATAN2(1,1)") == pytest.approx(math.pi / 4, rel=1e-15)
    assert evaluate("=ACOS(-0.5)") == pytest.approx(2.094395102, abs=1e-9)
    assert evaluate("=DEGREES(PI())") == 180
    assert evaluate("=ASIN(2)") == Err("#NUM!")
    assert evaluate("=ATAN2(0,0)") == Err("#DIV/0!")


def test_rounding_to_multiples():
    assert evaluate("=MROUND(10,3)") == 9
    assert evaluate("=MROUND(-10,-3)") == -9
    assert evaluate("=MROUND(1.3,0.2)") == 1.4
    assert evaluate("=MROUND(5,-2)") == Err("#NUM!")
    # An empty argument is 0, so LCM(6,) is LCM(6,0) = 0 (LibreOffice lcm.fods row 38).
    assert evaluate("=LCM(6,)") == 0
    assert evaluate("=LCM(6,4)") == 12
    # Equal values have no spread, however large (LibreOffice stdev.fods row 8).
    assert evaluate("=STDEV(1E30,1E30,1E30)") == 0
    assert evaluate("=VAR.P(1E30,1E30)") == 0
    assert [evaluate(f"=EVEN({x})") for x in (1.5, 3, 2, -1)] == [2, 4, 2, -2]
    assert [evaluate(f"=ODD({x})") for x in (1.5, 3, 2, -1, -2)] == [3, 3, 3, -1, -3]


def test_lookup_vector_form():
    cells = {f"A{i}": v for i, v in enumerate([4.14, 4.19, 5.17, 5.77, 6.39], start=1)}
    cells |= {
        f"B{i}": v for i, v in enumerate(["red", "orange", "yellow", "green", "blue"], start=1)
    }
    assert evaluate("=LOOKUP(4.19,A1:A5,B1:B5)", cells) == "orange"
    assert evaluate("=LOOKUP(5.75,A1:A5,B1:B5)", cells) == "yellow"
    assert evaluate("=LOOKUP(7.66,A1:A5,B1:B5)", cells) == "blue"
    assert evaluate("=LOOKUP(0,A1:A5,B1:B5)", cells) == Err("#N/A")


def test_lookup_with_two_dimensional_ranges():
    # pycel's lookup.xlsx (saved by Excel): a result range of several rows and columns is #N/A.
    cells = {f"B{r}": float(r - 5) for r in range(5, 10)} | {f"C{r}": "x" for r in range(5, 10)}
    cells |= {f"E{r}": r * 10.0 for r in range(5, 10)} | {f"F{r}": r * 100.0 for r in range(5, 10)}
    assert evaluate("=LOOKUP(2,B5:C9,E5:F9)", cells) == Err("#N/A")
    assert evaluate("=LOOKUP(2,B5:C9,E5:E9)", cells) == 70.0  # keys down B (taller than wide)
    # A lookup range wider than tall is searched along its first row (LibreOffice lookup.fods
    # rows 414-446): 2 is the third key of G1:K1, so the third result.
    wide = {"G1": 0.0, "H1": 1.0, "I1": 2.0, "J1": 3.0, "K1": 4.0}
    wide |= {f"{c}2": 9.0 for c in "GHIJK"} | {f"{c}3": c for c in "GHIJK"}
    assert evaluate("=LOOKUP(2,G1:K2,G3:K3)", wide) == "I"


TABLE = {"A1": 10, "A2": 20, "A3": 30, "B1": "x", "B2": "y", "B3": "z", "C1": 1, "C2": 2, "C3": 3}


def test_xlookup_and_xmatch():
    assert evaluate("=XLOOKUP(20,A1:A3,B1:B3)", TABLE) == "y"
    assert evaluate('=XLOOKUP(25,A1:A3,B1:B3,"none")', TABLE) == "none"
    assert evaluate("=XLOOKUP(25,A1:A3,B1:B3,,-1)", TABLE) == "y"  # next smaller
    assert evaluate("=XLOOKUP(25,A1:A3,B1:B3,,1)", TABLE) == "z"  # next larger
    assert evaluate("=XLOOKUP(25,A1:A3,B1:B3)", TABLE) == Err("#N/A")
    assert evaluate('=XLOOKUP("?",B1:B3,A1:A3,,2,-1)', TABLE) == 30  # wildcard, last to first
    assert evaluate("=XLOOKUP(30,A1:A3,B1:B3,,0,2)", TABLE) == "z"  # binary search
    assert evaluate_array("=XLOOKUP(20,A1:A3,B1:C3)", "1x2", TABLE) == [["y", 2]]
    assert evaluate('=XMATCH("Z",B1:B3)', TABLE) == 3
    assert evaluate("=XMATCH(15,A1:A3,1)", TABLE) == 2


def test_dynamic_arrays():
    assert evaluate_array("=SEQUENCE(2,3,10,5)", "2x3") == [[10, 15, 20], [25, 30, 35]]
    assert evaluate_array("=FILTER(B1:B3,A1:A3>15)", "2x1", TABLE) == [["y"], ["z"]]
    assert evaluate('=FILTER(B1:B3,A1:A3>99,"none")', TABLE) == "none"
    assert evaluate("=FILTER(B1:B3,A1:A3>99)", TABLE) == Err("#CALC!")
    assert evaluate_array("=SORT(A1:B3,1,-1)", "3x2", TABLE) == [[30, "z"], [20, "y"], [10, "x"]]
    assert evaluate_array("=SORTBY(B1:B3,C1:C3,-1)", "3x1", TABLE) == [["z"], ["y"], ["x"]]
    assert evaluate_array('=UNIQUE({"a";"B";"A";"b";"c"})', "3x1") == [["a"], ["B"], ["c"]]
    assert evaluate_array("=UNIQUE({1;2;1},FALSE,TRUE)", "1x1") == [[2]]


def test_ifs_and_switch_take_only_the_chosen_branch():
    assert evaluate('=IFS(A1>89,"A",A1>79,"B",TRUE,"F")', {"A1": 93}) == "A"
    assert evaluate('=IFS(A1>89,"A",A1>79,"B")', {"A1": 50}) == Err("#N/A")
    assert evaluate("=IFS(A1=0,0,TRUE,1/A1)", {"A1": 0}) == 0  # the 1/0 branch is not taken
    assert evaluate('=SWITCH(2,1,"one",2,"two","other")') == "two"
    assert evaluate('=SWITCH(9,1,"one",2,"two","other")') == "other"
    assert evaluate('=SWITCH(9,1,"one")') == Err("#N/A")


def test_trend_and_linest_as_excel_cached_them():
    # pycel's tests/fixtures/stats.xlsx (saved by Excel): y = 1,3,6,9,12 against a constant x
    # has slope 0 and intercept 6.2 (the x column adds nothing); an empty const is TRUE.
    cells = {
        "A1": 1,
        "B1": 3,
        "C1": 6,
        "D1": 9,
        "E1": 12,
        "A2": 1,
        "B2": 1,
        "C2": 1,
        "D2": 1,
        "E2": 1,
    }
    assert evaluate_array("=LINEST(A1:E1,A2:E2)", "1x2", cells) == [[0.0, 6.2]]
    assert evaluate_array("=TREND(A1:E1,A2:E2,{2.5,3.5})", "1x2", cells) == [[6.2, 6.2]]
    line = {
        "A1": 1,
        "B1": 2.1,
        "C1": 3.1,
        "D1": 4.1,
        "E1": 5.1,
        "A2": -2,
        "B2": -4,
        "C2": -7,
        "D2": -9,
        "E2": -11,
    }
    # slope = Sxy/Sxx = -23.46/53.2 by hand
    assert evaluate_array("=LINEST(A1:E1,A2:E2,,TRUE)", "1x1", line) == [
        [pytest.approx(-23.46 / 53.2, rel=1e-14)]
    ]
    # Microsoft, "TREND function": the line through (1,2),(2,4),(3,6) continues at 8 and 10.
    assert evaluate_array("=TREND({2;4;6},{1;2;3},{4;5})", "2x1") == [
        [pytest.approx(8.0)],
        [pytest.approx(10.0)],
    ]


def test_dynamic_array_functions_read_an_empty_argument_as_left_out():
    # Microsoft's XLOOKUP and SORT pages write XLOOKUP(x,a,b,,2)-style calls; an empty
    # if_not_found still gives #N/A, an empty sort_index sorts by the first column.
    assert evaluate("=XLOOKUP(25,A1:A3,B1:B3,,0)", TABLE) == Err("#N/A")
    assert evaluate("=XLOOKUP(25,A1:A3,B1:B3,,-1,)", TABLE) == "y"
    assert evaluate_array("=SORT(A1:B3,,-1)", "3x2", TABLE) == [[30, "z"], [20, "y"], [10, "x"]]
    assert evaluate_array("=SEQUENCE(2,,5)", "2x1") == [[5], [6]]
