"""The streaming reader and writer of worksheet XML agree with the full scan, cell by cell.

The full scan (``SheetXml.rows``: one object per row and cell, with spans) is the reading the
rest of the xlsx tests check against files saved by Excel, openpyxl and LibreOffice; the
streaming pass (``iter_cells``, ``rewrite_sheet`` when every cell exists) must give the same
cells and the same bytes on every shape below, fast shapes and unusual ones alike.
"""

from __future__ import annotations

from array import array

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


def span_keys(spans) -> list[tuple[int, int]]:
    """The cells of flat (row, col, start, end) spans."""
    return [(spans[i], spans[i + 1]) for i in range(0, len(spans), 4)]


def spanned(text: str):
    """The sheet as the reader leaves it: scanned, with its value spans recorded."""
    sheet = scan_sheet(text, "s")
    spans = array("q")
    list(iter_cells(sheet, spans))
    sheet.value_spans = spans
    return sheet


@pytest.mark.parametrize("plain", [False, True])
@pytest.mark.parametrize("prefix", ["", "x"])
def test_numbers_spliced_into_recorded_spans_are_the_full_rewrite(prefix, plain):
    # Numbers into plain and shared (master C2 and members C3, C5) formula cells go through
    # the spans; D2 (a cm attribute), text, booleans, errors, blanks and typed-in values the
    # general way.
    text = sheet_text(prefix=prefix)
    sheet = spanned(text)
    assert span_keys(sheet.value_spans) == [(2, 1), (2, 3), (3, 3), (5, 3)]
    values = (
        {k: v.value if v.text_as == "str" else v for k, v in VALUES.items()} if plain else VALUES
    )
    values = {**values, (2, 1): 4.25, (2, 3): 7.0, (5, 3): 1e20}
    expected = {k: v if type(v) is NewValue else NewValue(v) for k, v in values.items()}
    assert rewrite_sheet(sheet, values) == _rewrite_full(scan_sheet(text, "s"), expected, {})
    p = f"{prefix}:" if prefix else ""
    written = rewrite_sheet(spanned(text), values)
    # By hand: each formula is kept as it was, only the <v> changes.
    assert f'<{p}c r="A2"><{p}f>A1*2</{p}f><{p}v>4.25</{p}v></{p}c>' in written
    assert (
        f'<{p}c r="C2"><{p}f t="shared" ref="C2:C4" si="0">A2+1</{p}f><{p}v>7</{p}v></{p}c>'
        in written
    )
    assert f'<{p}c r="C5"><{p}f t="shared" si="0"/><{p}v>1e+20</{p}v></{p}c>' in written
    assert f'<{p}c r="D2" cm="1"><{p}f t="array" ref="D2:D3">A2:A3*2</{p}f>' in written


def test_a_spanned_cell_turning_to_text_and_a_cell_to_create_take_the_general_path():
    text = sheet_text()
    values = {(2, 1): "now text", (2, 3): 2.0, (9, 1): NewValue(1.0), (3, 3): 5.0}
    expected = {k: v if type(v) is NewValue else NewValue(v) for k, v in values.items()}
    written = rewrite_sheet(spanned(text), values)
    assert written == _rewrite_full(scan_sheet(text), expected, {})
    assert '<c r="A2" t="str"><f>A1*2</f><v>now text</v></c>' in written
    assert '<row r="9"><c r="A9"><v>1</v></c></row>' in written
    assert rewrite_sheet(spanned(text), {(3, 3): 5.0, (2, 1): 3.0}) == text  # as stored


def test_the_reader_records_spans_that_the_refresh_writes_through(tmp_path):
    import zipfile

    import openpyxl

    from pyfuncs.refresh.core import refresh
    from pyfuncs.xlsx.reader import load_book

    source = tmp_path / "book.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for r in range(1, 6):
        sheet.cell(r, 1, r * 10)
        sheet.cell(r, 2, f"=A{r}*2")
        sheet.cell(r, 3, f'=IF(A{r}>20,"big","small")')
    book.save(source)
    # openpyxl writes an empty <v /> (no fast shape, no spans); our output holds <v>20</v>.
    assert len(load_book(source).sheets[0].xml.value_spans) == 0
    first = refresh(source, tmp_path / "first.xlsx")
    spans = load_book(first.target).sheets[0].xml.value_spans
    assert span_keys(spans) == [(r, 2) for r in range(1, 6)]  # C holds t="str"
    report = refresh(first.target, tmp_path / "out.xlsx", assignments=[("Sheet!A3", 5.0)])
    values = openpyxl.load_workbook(report.target, data_only=True).active
    assert [values.cell(r, 2).value for r in range(1, 6)] == [20, 40, 10, 80, 100]
    assert [values.cell(r, 3).value for r in range(1, 6)] == ["small"] * 3 + ["big"] * 2
    with zipfile.ZipFile(report.target) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="B3"><f>A3*2</f><v>10</v></c>' in xml
    assert '<c r="C3" t="str"><f>IF(A3&gt;20,"big","small")</f><v>small</v></c>' in xml


@pytest.mark.parametrize("prefix", ["", "x"])
def test_shared_strings_plain_items_read_as_the_general_reading(prefix):
    from pyfuncs.xlsx.reader import shared_string_items
    from pyfuncs.xlsx.sheet_xml import text_of_string_item

    p = f"{prefix}:" if prefix else ""
    items = [
        f"<{p}si><{p}t>plain</{p}t></{p}si>",
        f'<{p}si><{p}t xml:space="preserve"> padded </{p}t></{p}si>',
        f"<{p}si><{p}t>a &amp; b_x000D_</{p}t></{p}si>",
        f"<{p}si><{p}r><{p}t>rich</{p}t></{p}r><{p}r><{p}t> runs</{p}t></{p}r></{p}si>",
        f'<{p}si><{p}t>kanji</{p}t><{p}rPh sb="0" eb="1"><{p}t>yomi</{p}t></{p}rPh></{p}si>',
        f"<{p}si/>",
        f"<{p}si><{p}t/></{p}si>",
    ]
    text = f'<{p}sst count="7">{"".join(items)}</{p}sst>'
    read = shared_string_items(text, p)
    assert read == [text_of_string_item(item, p) for item in items]
    # By hand (ECMA-376 18.4.8; _x000D_ is a carriage return, phonetic runs are left out):
    assert read == ["plain", " padded ", "a & b\r", "rich runs", "kanji", "", ""]
