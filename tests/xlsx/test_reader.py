"""One xlsx reader: LibreOffice's output is read through pyfuncs.xlsx.reader too, and the few cells
it must read differently from a cached value keep their meaning."""

from __future__ import annotations

from pathlib import Path

from refresh_books import hand_workbook

from pyfuncs.errors import ExcelError
from pyfuncs.refresh.libreoffice import computed_values
from pyfuncs.xlsx.reader import load_book

SHEET = (
    '<row r="1"><c r="A1"><v>3</v></c><c r="B1"><f>A1*2</f><v>6</v></c>'
    '<c r="C1" t="str"><f>""</f></c>'  # a formula that returned "" (no <v>)
    '<c r="D1" t="e"><f>1/0</f><v>Err:502</v></c>'  # a code only LibreOffice knows
    '<c r="E1" t="e"><f>NA()</f><v>#N/A</v></c>'
    '<c r="F1" t="inlineStr"><f>"x"</f></c></row>'
    '<row r="2"><c r="A2"><f t="array" ref="A2:B3">A1</f><v>3</v></c><c r="B2"><v>0</v></c></row>'
    '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="C3"><v>9</v></c></row>'
)


def test_libreoffice_values_through_the_one_reader(tmp_path: Path):
    path = hand_workbook(tmp_path / "lo.xlsx", SHEET)
    values = computed_values(path)
    assert values == {
        ("Model", "B1"): 6.0,
        ("Model", "C1"): "",
        ("Model", "D1"): ExcelError("#VALUE!", "LibreOffice error Err:502"),
        ("Model", "E1"): ExcelError("#N/A", "computed by LibreOffice"),
        ("Model", "F1"): "",
        ("Model", "A2"): 3.0,
        ("Model", "B2"): 0.0,
        ("Model", "A3"): True,  # inside the array range A2:B3, so read though it has no formula
    }
    assert values[("Model", "D1")].reason == "LibreOffice error Err:502"
    everything = computed_values(path, formulas_only=False)
    assert everything[("Model", "A1")] == 3.0 and everything[("Model", "C3")] == 9.0


def test_the_same_cells_read_as_cached_values_differ_only_where_documented(tmp_path: Path):
    """As a workbook to refresh: no value is a blank, an unknown code a plain #VALUE!."""
    sheet = load_book(hand_workbook(tmp_path / "lo.xlsx", SHEET)).sheets[0]
    assert sheet.values[(1, 3)] is None and sheet.values[(1, 6)] is None
    assert sheet.values[(1, 4)].code == "#VALUE!" and sheet.values[(1, 4)].reason == "cached error"
    assert sheet.values[(1, 2)] == 6.0 and sheet.values[(3, 1)] is True
