"""Structured references, union and intersection, 3-D references, OFFSET, INDIRECT and LET.

Expected values are hand calculations from the definitions in Microsoft's documentation
("Using structured references with Excel tables", "Calculation operators and precedence" for
the reference operators, "OFFSET function", "INDIRECT function", "LET function").
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.table import Table, TableStyleInfo
from refresh_books import hand_workbook

from pyfuncs import call
from pyfuncs.formulas.evaluator import Evaluator, RefreshRefusedError
from pyfuncs.refresh.core import refresh
from pyfuncs.xlsx.reader import load_book

SALES = [("East", 100, 1), ("West", 200, 2), ("East", 300, 3), ("North", 400, 4)]

# Report!A{n}: formula, expected value (hand calculation over SALES and the sheets below).
REPORT = [
    ("=SUM(Sales[Amount])", 1000),
    ("=SUM(Sales[[Amount]:[Qty]])", 1010),
    ("=ROWS(Sales[#All])", 6),  # header, 4 data rows, totals
    ("=ROWS(Sales[#Data])", 4),
    ("=INDEX(Sales[#Headers],1,2)", "Amount"),
    ("=INDEX(Sales[#Totals],1,2)", 1000),  # the totals row sums the Amount column
    ('=SUMIFS(Sales[Amount],Sales[Region],"East")', 400),
    ("=SUM(Sales[Double])", 2000),  # a calculated column of [@Amount]*2
    ("=COUNTA(Sales[[#Headers],[#Data]])", 20),  # 4 headers + 4 rows x 4 columns
    ("=SUM((Data!B2,Data!B4:C5))", 100 + 300 + 3 + 400 + 4),  # union
    ("=SUM(Data!A2:C5 Data!B1:B10)", 1000),  # intersection: B2:B5
    ("=Data!A2:A3 Data!C4:C5", "#NULL!"),  # no common cell
    ("=SUM(Jan:Mar!A1)", 1 + 2 + 3),  # 3-D
    ("=SUM(Jan:Mar!A1:B1)", 1 + 10 + 2 + 20 + 3 + 30),
    ("=COUNT(Jan:Mar!A1)", 3),
    ("=SUM(OFFSET(Data!B2,1,0,2,1))", 200 + 300),  # B3:B4
    ("=OFFSET(Data!A1,2,1)", 200),  # B3
    ("=OFFSET(Data!A1,-1,0)", "#REF!"),  # above row 1
    ('=INDIRECT("Data!B5")', 400),
    ('=SUM(INDIRECT("Data!B2:B"&B1))', 100 + 200),  # B1 holds 3
    ('=INDIRECT("R2C2",FALSE)', 42),  # Report!B2
    ('=INDIRECT("no such!!")', "#REF!"),
    ('=INDIRECT("Report!A25")+1', 11),  # points at a formula computed later (A25)
    ("=_xlfn.LET(_xlpm.x,2,_xlpm.y,_xlpm.x*3,_xlpm.x+_xlpm.y)", 8),
    ("=5*2", 10),
    ("=_xlfn.LET(_xlpm.r,Data!B2:B5,SUM(_xlpm.r)/COUNT(_xlpm.r))", 250),
    ("=SUM(OFFSET(Sales[[#Headers],[Amount]],1,0,ROWS(Sales[Amount])))", 1000),
]


def _book(path: Path) -> Path:
    book = openpyxl.Workbook()
    data = book.active
    data.title = "Data"
    data.append(["Region", "Amount", "Qty", "Double"])
    for i, row in enumerate(SALES, start=2):
        # Excel stores [@Amount] as Sales[[#This Row],[Amount]]; both spellings are read.
        double = "=Sales[[#This Row],[Amount]]*2" if i % 2 else "=[@Amount]*2"
        data.append([*row, double])
    data.append(["Total", "=SUM(Sales[Amount])", None, None])
    table = Table(displayName="Sales", ref="A1:D6", totalsRowCount=1)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium9")
    data.add_table(table)
    for name, (a, b) in zip(["Jan", "Feb", "Mar"], [(1, 10), (2, 20), (3, 30)], strict=True):
        sheet = book.create_sheet(name)
        sheet["A1"], sheet["B1"] = a, b
    report = book.create_sheet("Report")
    report["B1"], report["B2"] = 3, 42
    for n, (formula, _) in enumerate(REPORT, start=1):
        report.cell(row=n, column=1, value=formula)
    book.save(path)
    return path


def test_reference_features_give_the_documented_values(tmp_path: Path):
    report = refresh(_book(tmp_path / "refs.xlsx"), tmp_path / "out.xlsx")
    values = openpyxl.load_workbook(report.target, data_only=True)
    got = [values["Report"].cell(row=n, column=1).value for n in range(1, len(REPORT) + 1)]
    assert got == [expected for _, expected in REPORT]
    assert [values["Data"][f"D{r}"].value for r in range(2, 6)] == [200, 400, 600, 800]
    assert values["Data"]["B6"].value == 1000


def test_offset_and_indirect_cells_are_listed_as_volatile(tmp_path: Path):
    evaluator = Evaluator(load_book(_book(tmp_path / "refs.xlsx")))
    evaluator.run()
    volatile = evaluator.result().volatile
    assert ("Report", "A16") in volatile and ("Report", "A19") in volatile
    assert ("Report", "A1") not in volatile


def test_an_unknown_table_is_refused_naming_the_cell(tmp_path: Path):
    book = openpyxl.Workbook()
    book.active["A1"] = "=SUM(Nope[Amount])"
    book.save(tmp_path / "nope.xlsx")
    with pytest.raises(RefreshRefusedError, match=r"Sheet!A1: no table named Nope"):
        refresh(tmp_path / "nope.xlsx", tmp_path / "out.xlsx")


def test_a_volatile_spills_member_cells_are_not_empty_formulas(tmp_path: Path):
    """Excel writes ``<f ca="1"/>`` on the member cells of a volatile dynamic array."""
    xml = (
        '<row r="1"><c r="A1" cm="1"><f t="array" ref="A1:A3" ca="1">'
        "_xldudf_GPU_RENT_CURVE(2.35,3,0.28)</f><v>0</v></c></row>"
        '<row r="2"><c r="A2"><f ca="1"/><v>0</v></c></row>'
        '<row r="3"><c r="A3"><f ca="1"/><v>0</v></c></row>'
    )
    report = refresh(hand_workbook(tmp_path / "spill.xlsx", xml), tmp_path / "out.xlsx")
    sheet = openpyxl.load_workbook(report.target, data_only=True).active
    curve = [row[0] for row in call("RENT_CURVE", 2.35, 3, 0.28)]
    assert [sheet[f"A{r}"].value for r in (1, 2, 3)] == pytest.approx(curve)
