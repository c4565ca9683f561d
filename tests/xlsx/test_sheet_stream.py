"""The streaming reader and writer of worksheet XML agree with the full scan, cell by cell.

The full scan (``SheetXml.rows``: one object per row and cell, with spans) is the reading the
rest of the xlsx tests check against files saved by Excel, openpyxl and LibreOffice; the
streaming pass (``iter_cells``, ``rewrite_sheet`` when every cell exists) must give the same
cells and the same bytes on every shape below, fast shapes and unusual ones alike.
"""

from __future__ import annotations

import pytest

from pyfuncs.errors import ExcelError
from pyfuncs.xlsx.package import WorkbookFileError
from pyfuncs.xlsx.sheet_xml import (
    NewValue,
    _record,
    _rewrite_full,
    iter_cells,
    rewrite_sheet,
    scan_sheet,
)

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

ROWS = (
    '<row r="1" spans="1:6"><c r="A1" s="2"><v>1.5</v></c><c r="B1" t="s"><v>0</v></c>'
    '<c r="C1" t="inlineStr"><is><t>a &amp; b_x0009_</t></is></c><c r="D1" s="3"/>'
    '<c r="E1" t="b"><v>1</v></c><c r="F1" t="e"><v>#N/A</v></c></row>'
    '<row r="2"><c r="A2"><f>A1*2</f><v>3</v></c>'
    '<c r="B2" t="str"><f>"x"&amp;A1</f><v>x1.5</v></c>'
    '<c r="C2"><f t="shared" ref="C2:C4" si="0">A2+1</f><v>4</v></c>'
    '<c r="D2" cm="1"><f t="array" ref="D2:D3">A2:A3*2</f><v>6</v></c>'
    '<c r="E2" s="1" t="n"><f>SUM(A1:A2)</f><v>4.5</v><extLst><ext uri="x"/></extLst></c>'
    "<c r=\"F2\" t='str'><f>F1</f><v></v></c></row>"
    '<row r="3" customHeight="1"><c r="C3"><f t="shared" si="0"/><v>5</v></c><c r="D3"/>'
    '<c r="E3" ><v>7</v></c><c><v>8</v></c><c r="G3" t="inlineStr"><is><r><t>rich</t></r>'
    "<r><t> text</t></r></is></c></row>"
    '<row r="4"/><row><c r="C5"><f t="shared" si="0"/><v>6</v></c></row>'
)


def sheet_text(rows: str = ROWS, prefix: str = "") -> str:
    p = f"{prefix}:" if prefix else ""
    ns = NS.replace("xmlns=", f"xmlns:{prefix}=") if prefix else NS
    body = rows.replace("<", f"<{p}").replace(f"<{p}/", f"</{p}") if prefix else rows
    return (
        f'<?xml version="1.0"?><{p}worksheet {ns}><{p}dimension ref="A1:G5"/>'
        f"<{p}sheetData>{body}</{p}sheetData></{p}worksheet>"
    )


@pytest.mark.parametrize("prefix", ["", "x"])
def test_streamed_cells_are_the_full_scans_cells(prefix):
    text = sheet_text(prefix=prefix)
    streamed = list(iter_cells(scan_sheet(text, "sheet1.xml")))
    full = [_record(cell) for cell in scan_sheet(text, "sheet1.xml").cells()]
    assert streamed == full
    by_key = {(r[0], r[1]): r for r in streamed}
    # Read by hand from the XML above: C1's inline text unescaped and _x0009_ decoded,
    # C3 a shared formula's member, G3's rich text joined, the cell without r after E3 is F3.
    assert by_key[(1, 3)][4] == "a & b\t"
    assert by_key[(3, 3)][5:9] == ("shared", "", None, "0")
    assert by_key[(2, 2)][6] == '"x"&A1'
    assert by_key[(3, 7)][4] == "rich text"
    assert by_key[(3, 6)][3] == "8"
    assert (5, 3) in by_key  # the row without r follows row 4


VALUES = {
    (1, 1): NewValue(2.0),
    (1, 4): NewValue("typed", "inlineStr"),
    (1, 5): NewValue(False),
    (2, 1): NewValue(3.0),  # unchanged
    (2, 2): NewValue("y & z"),
    (2, 3): NewValue(ExcelError("#DIV/0!")),
    (2, 4): NewValue(8.0),
    (2, 5): NewValue(None),
    (2, 6): NewValue(0.1),
    (3, 3): NewValue(1e20),
    (3, 4): NewValue(9.0),
    (3, 5): NewValue(""),
    (3, 6): NewValue(True),
    (5, 3): NewValue(-0.0),
}


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("prefix", ["", "x"])
def test_streamed_rewrite_is_the_full_rewrite(prefix, plain):
    text = sheet_text(prefix=prefix)
    values = (
        {k: v.value if v.text_as == "str" else v for k, v in VALUES.items()} if plain else VALUES
    )
    streamed = rewrite_sheet(scan_sheet(text, "s"), values, {(2, 4): "D2:D4"})
    full = _rewrite_full(scan_sheet(text, "s"), VALUES, {(2, 4): "D2:D4"})
    assert streamed == full
    assert streamed != text
    p = f"{prefix}:" if prefix else ""
    # Written out by hand: A1's number replaces 1.5, the formula of A2 is kept as it was.
    assert f'<{p}c r="A1" s="2"><{p}v>2</{p}v></{p}c>' in streamed
    assert f'<{p}c r="A2"><{p}f>A1*2</{p}f><{p}v>3</{p}v></{p}c>' in streamed
    assert f'<{p}c r="B2" t="str"><{p}f>"x"&amp;A1</{p}f><{p}v>y &amp; z</{p}v></{p}c>' in streamed


def test_an_unchanged_sheet_comes_back_identical():
    text = sheet_text()
    same = {(1, 1): NewValue(1.5), (2, 1): NewValue(3.0), (3, 3): NewValue(5.0)}
    assert rewrite_sheet(scan_sheet(text), same) == text


def test_a_cell_to_create_takes_the_full_rewrite():
    text = sheet_text()
    values = {(1, 1): NewValue(2.0), (4, 2): NewValue(7.0), (9, 1): NewValue(1.0)}
    streamed = rewrite_sheet(scan_sheet(text), values)
    assert streamed == _rewrite_full(scan_sheet(text), values, {})
    assert '<row r="4"><c r="B4"><v>7</v></c></row>' in streamed
    assert '<dimension ref="A1:G9"/>' in streamed


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "outside the sheet"),
        ('<row r="1048577"><c r="A1"><v>1</v></c></row>', "past Excel's last row"),
        ('<row r="x"><c r="A1"><v>1</v></c></row>', "is not a row number"),
    ],
)
def test_cells_outside_the_grid_are_the_same_one_line_errors(rows, message):
    text = sheet_text(rows)
    with pytest.raises(WorkbookFileError, match=message):
        list(iter_cells(scan_sheet(text)))
    with pytest.raises(WorkbookFileError, match=message):
        scan_sheet(text).cells()
