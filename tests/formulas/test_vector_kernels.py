"""The vector kernels of ROUND, PMT, MIN, MAX and IFERROR give what the scalar built-ins give.

The oracle is the scalar path: each built-in's own function (checked against Excel's and
LibreOffice's values in the other formula tests) called on each value, and the cell-by-cell
closures of a whole workbook evaluated without the vector path. Every value must be identical:
same type, same float bits (``-0.0`` is not ``0.0``), same error code. The inputs are the edge
values where a vector path could go wrong: ties at the 15th significant digit
(``ROUND(0.049999999999999975, 1)`` is 0.1 in Excel), values one ulp either side of a half,
signed zeros, huge and tiny numbers, blanks, text, TRUE, errors, zero divisors and tiny rates
(``PMT(1E-16, 10, 1000)`` is -100).
"""

from __future__ import annotations

import math
import random
import struct
from decimal import ROUND_HALF_UP
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from pyfuncs.errors import ExcelError
from pyfuncs.formulas import evaluator as evaluator_module
from pyfuncs.formulas.builtins.financial import pmt
from pyfuncs.formulas.builtins.math_trig import round_decimal
from pyfuncs.formulas.evaluator import Evaluator
from pyfuncs.formulas.kernels import extreme, pmt_shared_terms, round_half_up
from pyfuncs.xlsx.reader import load_book


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def near_ties(places: int, count: int, rng: random.Random) -> list[float]:
    """Numbers at and one or two ulps around k.5 / 10^places, and 15-digit ties."""
    out = []
    for _ in range(count):
        k = rng.randrange(0, 10 ** max(1, min(12, 14 - max(places, 0))))
        tie = (k + 0.5) / 10.0**places
        for v in (tie, math.nextafter(tie, 0), math.nextafter(tie, math.inf)):
            out += [v, math.nextafter(v, 0), math.nextafter(v, math.inf), -v]
    return out


def edge_values() -> list[float]:
    values = [
        0.0,
        -0.0,
        0.049999999999999975,  # Excel: ROUND(.., 1) is 0.1 (15 significant digits)
        -0.049999999999999975,
        0.5,
        -0.5,
        1.5,
        2.5,
        2.675,  # 2.67499999999999982236431605997495353221893310546875 in binary
        1.005,
        1.0049999999999999,
        0.285,
        8.06 - 8,
        0.1 + 0.2,
        1e-300,
        -1e-300,
        5e-324,
        1e15,
        123456789012345.6,
        4.5e13,
        9.999999999999999e13,
        1e300,
        -1e300,
        0.49999999999999994,  # the classic floor(x + 0.5) trap
        4503599627370495.5,
        4503599627370497.0,
    ]
    return values + [v * 10.0**e for v in (1.5, 2.5, 0.125, 0.375) for e in range(-16, 16)]


@pytest.mark.parametrize("places", [-15, -6, -2, -1, 0, 1, 2, 3, 4, 6, 9, 12, 15])
def test_round_kernel_equals_round_decimal_bit_for_bit(places):
    rng = random.Random(1200 + places)
    values = edge_values() + near_ties(places, 300, rng)
    values += [rng.uniform(-1e6, 1e6) for _ in range(2000)]
    values += [rng.uniform(-1, 1) * 10.0 ** rng.randrange(-20, 20) for _ in range(2000)]
    got = round_half_up(np.array(values), places).tolist()
    for value, mine in zip(values, got, strict=True):
        want = round_decimal(value, places, ROUND_HALF_UP)
        assert bits(mine) == bits(want), (value, places, mine, want)


def test_round_kernel_rounds_at_15_significant_digits_as_excel():
    # Microsoft: Excel keeps 15 significant digits; ROUND(0.049999999999999975,1) shows 0.1
    # (the oracle: Excel's cached value); 2.5 rounds away from zero to 3, -2.5 to -3.
    got = round_half_up(np.array([0.049999999999999975, 2.5, -2.5, 1234.5678]), 1).tolist()
    assert got[0] == 0.1
    assert round_half_up(np.array([2.5, -2.5]), 0).tolist() == [3.0, -3.0]
    assert got[3] == 1234.6
    assert math.copysign(1.0, round_half_up(np.array([-0.001]), 2)[0]) == -1.0  # -0.00


@pytest.mark.parametrize(
    ("rate", "nper"),
    [(0.05 / 12, 60.0), (1e-16, 10.0), (4.567e-15, 10.0), (0.0, 12.0), (-0.5, 7.0), (0.08, 0.5)],
)
def test_pmt_kernel_equals_pmt_bit_for_bit(rate, nper):
    rng = random.Random(7)
    pv = [rng.uniform(-1e6, 1e6) for _ in range(500)] + [0.0, -0.0, 1000.0, 1e300]
    fv = [rng.uniform(-1e3, 1e3) for _ in range(len(pv))]
    when = [float(rng.random() < 0.5) for _ in range(len(pv))]
    got, _ = pmt_shared_terms(rate, nper, np.array(pv), np.array(fv), np.array(when))
    for i, mine in enumerate(got.tolist()):
        want = pmt(rate, nper, pv[i], fv[i], when[i])
        if isinstance(want, ExcelError):  # not finite: the cell computes the error itself
            assert not math.isfinite(mine)
        else:
            assert bits(mine) == bits(want), (rate, nper, pv[i], mine, want)
    # LibreOffice's pmt.fods: PMT(1E-16,10,1000) is -100 (1000/10 as the rate vanishes)
    tiny = pmt_shared_terms(1e-16, 10.0, np.array([1000.0]), 0.0, 0.0)[0].tolist()
    assert tiny == [pytest.approx(-100.0, rel=1e-12)]


def test_pmt_kernel_leaves_rows_that_are_errors_everywhere():
    assert pmt_shared_terms(0.05, 0.0, np.array([1.0]), 0.0, 0.0) is None  # nper 0: #NUM!
    assert pmt_shared_terms(1e300, 1e300, np.array([1.0]), 0.0, 0.0) is None  # overflow


def test_min_max_kernels_keep_the_first_of_equal_values():
    a = np.array([0.0, -0.0, 1.0, -3.0, 2.0])
    b = np.array([-0.0, 0.0, 1.0, -3.0, 5.0])
    for larger, scalar in ((True, max), (False, min)):
        got = extreme([a, b], larger).tolist()
        want = [scalar(x, y) for x, y in zip(a.tolist(), b.tolist(), strict=True)]
        assert [bits(v) for v in got] == [bits(v) for v in want]


# --- whole workbooks: the vector path against the closures --------------------------------------

ROWS = range(2, 162)
INPUT_ROWS = range(2, 170)
SPECIAL = {
    5: None,  # blank
    9: "text",
    12: "7",  # numeric text
    14: True,
    16: 0.0,
    17: -0.0,
    21: 0.049999999999999975,
    22: 2.675,
    23: 1.005,
    24: 0.285,
    25: 1e300,
    26: 8.06 - 8,
    27: 0.1 + 0.2,
    28: 0.49999999999999994,
}


def _input(r: int) -> object:
    if r in SPECIAL:
        return SPECIAL[r]
    return (r * 7.123 - 300) / (3 if r % 2 else 7)


FORMULAS = {
    "C": "=ROUND(A{r},2)",
    "D": "=ROUND(A{r}*B{r},-1)",
    "E": "=ROUND(A{r}/3,0)",
    "F": "=PMT($H$1/12,60,-A{r})",
    "G": "=PMT($H$1/12,$H$2,A{r},B{r},1)",
    "I": "=PMT(B{r}/100,12,A{r})",  # a rate per row: the scalar function on each row
    "J": "=MAX(A{r},B{r},0)",
    "K": "=MIN(A{r},-B{r})",
    "L": "=IFERROR(A{r}/B{r},-1)",
    "M": "=IFERROR(1/(A{r}-A{r}),A{r})",
    "N": "=ROUND(IFERROR(A{r}/B{r},0),1)+MAX(A{r},1)",
    "O": "=ROUND(A{r},15)",
    "P": "=ROUND(A{r},-16)",  # beyond the kernel's digits: the scalar function
    "Q": "=A{r}^2",  # 1E300^2 overflows: #NUM!
    "R": "=B{r}^0.5",  # a negative number's square root: #NUM!
    "S": "=B{r}^(A{r}/50)",  # 0 to a negative power: #DIV/0!; fractional powers of negatives
    "T": "=SUM(A{w}:A{r})",  # a window moving down
    "U": "=SUM($A$2:$A$9)",  # a fixed window (with a blank and text: skipped)
    "V": "=SUM($A$30:$A$40)",  # a fixed window of numbers only
    "W": "=SUM(A{n}:A{w})",  # a window written bottom first
}


def workbook(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Model"
    sheet["H1"] = 0.06
    sheet["H2"] = 36
    for r in INPUT_ROWS:
        sheet[f"A{r}"] = _input(r)
        sheet[f"B{r}"] = "x" if r == 40 else (0 if r % 11 == 0 else (r % 13) - 6.5)
    for r in ROWS:
        for col, text in FORMULAS.items():
            sheet[f"{col}{r}"] = text.format(r=r, w=r + 4, n=r + 1)
    book.save(path)
    return path


def evaluate(path: Path) -> tuple[dict, int]:
    ev = Evaluator(load_book(path))
    ev.run()
    return dict(ev.result().values.items()), ev.vector_runs


def same(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, ExcelError):
        return a.code == b.code
    if isinstance(a, float):
        return bits(a) == bits(b)
    return a == b


def test_kernels_in_a_workbook_equal_the_closures_cell_for_cell(tmp_path, monkeypatch):
    path = workbook(tmp_path / "kernels.xlsx")
    vector, runs = evaluate(path)
    monkeypatch.setattr(evaluator_module, "MIN_RUN", 10**9)
    closures, no_runs = evaluate(path)
    assert no_runs == 0
    assert runs == len(FORMULAS)  # every column is one run
    differ = [(k, vector[k], closures[k]) for k in closures if not same(vector[k], closures[k])]
    assert differ == []


def test_kernel_rows_keep_excels_values(tmp_path):
    values, _ = evaluate(workbook(tmp_path / "kernels.xlsx"))
    assert values[("Model", "C21")] == 0.05  # ROUND(0.049999999999999975,2) at 15 digits
    assert values[("Model", "C22")] == 2.68  # 2.675 is 2.675 at 15 digits: half up
    assert values[("Model", "C23")] == 1.01
    assert values[("Model", "O28")] == 0.5  # 0.49999999999999994 at 15 digits is 0.5
    assert values[("Model", "C9")].code == "#VALUE!"  # ROUND("text", 2)
    assert values[("Model", "C12")] == 7.0  # numeric text
    assert values[("Model", "C5")] == 0.0  # a blank is 0
    assert values[("Model", "L16")] == 0.0  # 0/-3.5
    assert values[("Model", "L22")] == -1.0  # B22 = 22 % 11 == 0 -> 0: 2.675/0 caught
    assert values[("Model", "M30")] == _input(30)  # 1/0 caught: A30 itself
    assert values[("Model", "J9")] == 2.5  # MAX of a cell holding text skips it: MAX(2.5, 0)
    # PMT by hand: 0.005 a month over 60 months on 1,000: 1000*0.005/(1-1.005^-60)
    a31 = _input(31)
    assert values[("Model", "F31")] == pytest.approx(a31 * 0.005 / (1 - 1.005**-60), rel=1e-12)
    assert values[("Model", "Q25")].code == "#NUM!"  # (1E300)^2
    assert values[("Model", "R3")].code == "#NUM!"  # B3 = 3 - 6.5 < 0: no square root
    assert values[("Model", "R10")] == pytest.approx(math.sqrt(3.5))  # B10 = 10 - 6.5
    assert values[("Model", "U2")] == math.fsum(
        v for v in map(_input, range(2, 10)) if type(v) is float
    )  # SUM skips the blank and the text in a range
    assert values[("Model", "T50")] == math.fsum(_input(r) for r in range(50, 55))
