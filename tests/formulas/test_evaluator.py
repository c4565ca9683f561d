"""The general engine against LibreOffice Calc recalculating the same formulas.

Every expected value here comes from LibreOffice (an independent spreadsheet engine), from
``pyfuncs.call`` for ``GPU.*`` functions (the engine must route them, not reimplement them), or
from a hand calculation written in the test.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import openpyxl
import pytest

from pyfuncs import call
from pyfuncs.errors import ExcelError
from pyfuncs.refresh.core import refresh

# Constants in row 1 (A..H) that the formulas below read.
# LibreOffice has no boolean type (TRUE is the number 1), so logical values are compared
# against Excel's documented rules in test_excel_rules_for_logical_values instead.
CONSTANTS = [100000, 0.08, 60, "text", 1, None, -3.75, "12"]
FORMULAS = [
    # arithmetic, precedence, unary minus, percent, comparison, concatenation
    "=A1*B1/12+C1^2-G1",
    "=-G1^2",
    "=2^3^2",
    "=-2^2+10%",
    "=A1>C1",
    '=D1<>"TEXT"',
    '=D1="TEXT"',
    '=D1&"-"&C1&"-"&B1',
    '=1/3&""',
    "=E1+1",
    "=H1*2",
    "=F1+1",
    '=F1&"x"',
    '="a"<"B"',
    "=1=1.0000000000000002",
    # errors
    "=1/0",
    "=D1*2",
    "=NoSuchName+1",
    '=IFERROR(1/0,"caught")',
    "=_xlfn.IFNA(NA(),7)",
    "=ISERROR(1/0)",
    "=ISNA(MATCH(999,A3:A8,0))",
    "=ISNUMBER(H1)",
    "=ISBLANK(F1)",
    "=ISTEXT(D1)",
    "=(1/0)+NA()",
    "=NA()+(1/0)",
    # aggregates over ranges with text, blanks and logicals
    "=SUM(A1:H1)",
    "=SUM(A1,H1,E1)",
    "=COUNT(A1:H1)",
    "=COUNTA(A1:H1)",
    "=COUNTBLANK(A1:H1)",
    "=AVERAGE(A1:C1,G1)",
    "=MIN(A1:H1)",
    "=MAX(A3:A8)",
    "=PRODUCT(B1,C1)",
    "=SUMPRODUCT(A3:A8,B3:B8)",
    "=SUMPRODUCT((A3:A8>2)*B3:B8)",
    "=MEDIAN(A3:A8)",
    "=LARGE(A3:A8,2)",
    "=SMALL(A3:A8,2)",
    # math
    "=ROUND(2.675,2)",
    "=ROUND(-2.5,0)",
    "=ROUND(1234.5678,-2)",
    "=ROUNDUP(-3.14159,3)",
    "=ROUNDDOWN(3.99,0)",
    "=INT(-3.5)",
    "=TRUNC(-3.5)",
    "=MOD(-7,3)",
    "=MOD(7.5,-2)",
    "=ABS(G1)",
    "=EXP(1)",
    "=LN(10)",
    "=LOG(8,2)",
    "=LOG(1000)",
    "=LOG10(0.01)",
    "=POWER(1.08,2.5)",
    "=SIGN(G1)",
    "=PI()",
    # logic
    '=IF(A1>5,"big","small")',
    "=IF(G1>0,1)",
    "=AND(E1,A1>0)",
    "=OR(FALSE,B1>1)",
    "=NOT(E1)",
    "=AND(A3:A8)",
    '=CHOOSE(2,"a","b","c")',
    # lookup
    "=INDEX(A3:B8,3,2)",
    "=INDEX(A3:A8,4)",
    "=SUM(A3:INDEX(A3:A8,3))",
    "=MATCH(4,A3:A8,0)",
    "=MATCH(4.5,A3:A8,1)",
    '=MATCH("b*",C3:C8,0)',
    "=VLOOKUP(5,A3:C8,3,FALSE)",
    "=VLOOKUP(5.5,A3:C8,2)",
    "=HLOOKUP(0.08,A1:C2,2,FALSE)",
    "=ROWS(A3:C8)",
    "=COLUMNS(A3:C8)",
    "=ROW(B7)",
    "=COLUMN(D2)",
    '=SUMIF(A3:A8,">3",B3:B8)',
    '=SUMIF(C3:C8,"b*",A3:A8)',
    '=COUNTIF(A3:A8,"<>4")',
    '=COUNTIF(C3:C8,"apple")',
    '=SUMIFS(B3:B8,A3:A8,">=2",A3:A8,"<=5")',
    '=COUNTIFS(A3:A8,">1",C3:C8,"<>apple")',
    '=AVERAGEIF(A3:A8,">2",B3:B8)',
    # financial
    "=PMT(B1/12,C1,-A1)",
    "=PMT(0,C1,-A1)",
    "=PMT(B1/12,C1,-A1,5000,1)",
    "=IPMT(B1/12,1,C1,-A1)",
    "=IPMT(B1/12,30,C1,-A1)",
    "=IPMT(B1/12,30,C1,A1)",
    "=IPMT(B1/12,2,C1,-A1,0,1)",
    "=PPMT(B1/12,30,C1,-A1)",
    "=FV(B1/12,C1,-1000)",
    "=PV(B1/12,C1,-2000)",
    "=NPER(B1/12,-2000,A1)",
    "=NPV(B1,B3:B8)",
    "=NPV(0.1,-100,30,40,50)",
    "=IRR(D3:D8)",
    "=IRR(D3:D8,0.5)",
    "=SLN(50000,5000,6)",
    "=DDB(50000,5000,6,1)",
    "=DDB(50000,5000,6,4)",
    "=DDB(50000,5000,6,6,1.5)",
    "=VDB(50000,5000,6,0,1)",
    "=VDB(50000,5000,6,3,5)",
    "=VDB(50000,5000,6,0,6)",
    "=VDB(50000,5000,6,2,4,1.5,TRUE)",
    "=VDB(2400,300,10,0,10)",
    # statistics
    "=NORMSDIST(1.2)",
    "=_xlfn.NORM.S.DIST(-0.7,TRUE)",
    "=_xlfn.NORM.S.DIST(0.3,FALSE)",
    "=NORMSINV(0.975)",
    "=_xlfn.NORM.S.INV(0.01)",
    "=NORMDIST(1,0.5,2,TRUE)",
    "=NORMINV(0.3,10,2)",
    # dates and text
    "=DATE(2025,14,35)",
    "=YEAR(45678)",
    "=MONTH(45678)",
    "=DAY(45678)",
    "=EDATE(45688,1)",
    "=EOMONTH(45678,-2)",
    "=LEN(D1)",
    "=LEFT(D1,2)&RIGHT(D1,1)&MID(D1,2,2)",
    '=UPPER(D1)&LOWER("ABC")',
    '=TRIM("  a   b  ")',
    "=VALUE(H1)+1",
    '=CONCATENATE("x",1,"y")',
    # defined-name-free cross references
    "=SUM(A3:A8*B3:B8)",
]
# Rows 3..8 hold a small table the lookups and aggregates read.
TABLE = [
    [1, 10, "apple", -1000],
    [2, 20, "banana", 300],
    [3, 30, "cherry", 400],
    [4, 40, "bean", 500],
    [5, 50, "date", 200],
    [6, 60, "fig", 100],
]


def _rows() -> list[list[object]]:
    rows: list[list[object]] = [list(CONSTANTS), [0.08, 0.05, 2.5]]
    rows += [list(r) for r in TABLE]
    rows += [[None, None, None, None, None, None, None, None, None, f] for f in FORMULAS]
    return rows


def _same(ours: object, theirs: object) -> bool:
    if isinstance(theirs, dt.datetime):  # a date-formatted result read back by openpyxl
        theirs = (theirs - dt.datetime(1899, 12, 30)).days
    if isinstance(theirs, str) and theirs.startswith("#"):
        return ours == theirs
    if isinstance(theirs, bool) or isinstance(ours, bool):
        return ours == theirs
    if isinstance(theirs, int | float) and isinstance(ours, int | float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    return ours == theirs


def _ours(tmp_path: Path, rows: list[list[object]]) -> list[object]:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    source = tmp_path / "formulas.xlsx"
    book.save(source)
    report = refresh(source, tmp_path / "out.xlsx")
    values = openpyxl.load_workbook(report.target, data_only=True).active
    return [values.cell(row=i + 1, column=10).value for i in range(len(rows))]


def test_engine_agrees_with_libreoffice_on_builtin_formulas(libreoffice, tmp_path):
    rows = _rows()
    theirs = libreoffice.evaluate(rows)
    ours = _ours(tmp_path, rows)
    first = len(rows) - len(FORMULAS)
    wrong = []
    for k, formula in enumerate(FORMULAS):
        mine, lo = ours[first + k], theirs[first + k][9]
        if formula == '=1/3&""':
            lo = lo[:17]  # LibreOffice shows 17 digits here; Excel (and we) show 15
            mine = mine[:17]
        if not _same(mine, lo):
            wrong.append(f"{formula}: ours {mine!r}, LibreOffice {lo!r}")
    assert not wrong, "\n".join(wrong)


def test_hand_calculations_of_financial_functions(tmp_path):
    rate, n, principal = 0.08 / 12, 60, 100000.0
    payment = principal * rate / (1 - (1 + rate) ** -n)
    balance_29 = principal * (1 + rate) ** 29 - payment * ((1 + rate) ** 29 - 1) / rate
    rows = [
        [None] * 9 + ["=PMT(0.08/12,60,-100000)"],
        [None] * 9 + ["=IPMT(0.08/12,30,60,-100000)"],
        [None] * 9 + ["=PPMT(0.08/12,30,60,-100000)"],
        [None] * 9 + ["=NPV(0.1,100,100)"],
    ]
    ours = _ours(tmp_path, rows)
    assert ours[0] == pytest.approx(payment, rel=1e-12)
    assert ours[1] == pytest.approx(balance_29 * rate, rel=1e-12)
    assert ours[2] == pytest.approx(payment - balance_29 * rate, rel=1e-12)
    assert ours[3] == pytest.approx(100 / 1.1 + 100 / 1.21, rel=1e-12)


def test_gpu_functions_in_every_spelling_go_through_pyfuncs_call(tmp_path):
    spellings = ["_xldudf_GPU_HAZARD_RATE", "GPU.HAZARD_RATE", "GPU_HAZARD_RATE", "gpu.hazard_rate"]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["A1"], sheet["A2"] = 0.0675, 0.35
    for i, name in enumerate(spellings, start=1):
        sheet.cell(row=i, column=3, value=f"={name}(A1,A2)")
    sheet["D1"] = "=GPU_DSCR(A1:A2,A1)"
    sheet["D2"] = "=GPU.CUMULATIVE_PD(GPU.HAZARD_RATE(A1,A2),5)*100"
    sheet["D3"] = "=GPU_HAZARD_RATE(A1,2)"  # recovery of 200% is out of domain
    source = tmp_path / "gpu.xlsx"
    book.save(source)
    report = refresh(source, tmp_path / "out.xlsx")
    values = openpyxl.load_workbook(report.target, data_only=True).active
    expected = call("HAZARD_RATE", 0.0675, 0.35)
    for i in range(1, 5):
        assert values.cell(row=i, column=3).value == pytest.approx(expected, rel=1e-15)
    # A normal (not array) formula shows the top-left value of a column result, as Excel does.
    assert values["D1"].value == pytest.approx(call("DSCR", [[0.0675], [0.35]], 0.0675)[0][0])
    assert values["D2"].value == pytest.approx(100 * call("CUMULATIVE_PD", expected, 5))
    error = call("HAZARD_RATE", 0.0675, 2)
    assert isinstance(error, ExcelError)
    assert values["D3"].value == error.code


def test_excel_rules_for_logical_values_and_errors(tmp_path):
    """Excel's documented rules where LibreOffice (no boolean type) differs.

    Microsoft: SUM/COUNT "ignore logical values ... in the array or reference" but count those
    typed as arguments; comparison operators order numbers < text < logicals; "&" and
    CONCATENATE show TRUE as the text TRUE; SQRT of a negative number is #NUM!.
    """
    rows = [
        [5, True, "7", None, None, None, None, None, None, "=SUM(A1:C1)"],
        [None] * 9 + ['=SUM(5,TRUE,"7")'],
        [None] * 9 + ["=COUNT(A1:C1)"],
        [None] * 9 + ['=COUNT(5,TRUE,"7")'],
        [None] * 9 + ["=TRUE>1"],
        [None] * 9 + ['="z"<TRUE'],
        [None] * 9 + ['=CONCATENATE("x",B1)&FALSE'],
        [None] * 9 + ["=SQRT(-1)"],
        [None] * 9 + ["=B1+B1"],
    ]
    assert _ours(tmp_path, rows) == [5, 13, 1, 3, True, True, "xTRUEFALSE", "#NUM!", 2]


def test_filled_down_formulas_share_a_parse_but_not_their_text(tmp_path):
    """Formulas that differ only in their relative references are parsed once; string
    literals and function names that look like cells must not be taken for references."""
    rows = [
        [1, '="A1"&""', "=LOG10(A1*100)", "=A1*2"],
        [2, '="A2"&""', "=LOG10(A2*100)", "=A2*2"],
    ]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    source = tmp_path / "fill.xlsx"
    book.save(source)
    out = openpyxl.load_workbook(refresh(source, tmp_path / "o.xlsx").target, data_only=True)
    values = [[c.value for c in row] for row in out.active.iter_rows()]
    assert values == [[1, "A1", 2, 2], [2, "A2", math.log10(200), 4]]
