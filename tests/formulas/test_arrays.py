"""Arrays, spills, shared formulas, cell types and circular references, in hand-written XML."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from refresh_books import hand_workbook

from pyfuncs import call
from pyfuncs.refresh.core import refresh
from pyfuncs.refresh.libreoffice import recalculate

SPILL_MODEL = (
    '<row r="1"><c r="A1"><v>2.35</v></c><c r="B1"><v>3</v></c>'
    '<c r="C1"><f>SUM(_xlfn.ANCHORARRAY(A3))</f><v>0</v></c></row>'
    '<row r="3"><c r="A3" cm="1"><f t="array" ref="A3:A5">_xldudf_GPU_RENT_CURVE(A1,B1,0.28)</f>'
    "<v>0</v></c></row>"
    '<row r="4"><c r="A4"><v>0</v></c></row><row r="5"><c r="A5"><v>0</v></c></row>'
)
PERIODS = '<definedName name="Periods">Model!$B$1</definedName>'


def _sheet(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


def _column(path: Path, first: int, last: int) -> list[object]:
    sheet = openpyxl.load_workbook(path, data_only=True).active
    return [sheet.cell(row=r, column=1).value for r in range(first, last + 1)]


def test_a_dynamic_array_grows_and_its_readers_see_all_of_it(tmp_path: Path):
    source = hand_workbook(tmp_path / "spill.xlsx", SPILL_MODEL, PERIODS)
    report = refresh(source, tmp_path / "grown.xlsx", assignments=[("Periods", 5)])
    curve = [row[0] for row in call("RENT_CURVE", 2.35, 5, 0.28)]
    assert _column(report.target, 3, 7) == pytest.approx(curve)
    xml = _sheet(report.target)
    assert 'ref="A3:A7"' in xml and 'cm="1"' in xml
    assert '<dimension ref="A1:A7"/>' in xml  # the stored "A1" widened to the new cells
    assert openpyxl.load_workbook(report.target, data_only=True).active["C1"].value == (
        pytest.approx(sum(curve))
    )


def test_a_dynamic_array_shrinks_and_clears_what_it_left(tmp_path: Path):
    source = hand_workbook(tmp_path / "spill.xlsx", SPILL_MODEL, PERIODS)
    report = refresh(source, tmp_path / "shrunk.xlsx", assignments=[("Periods", 2)])
    curve = [row[0] for row in call("RENT_CURVE", 2.35, 2, 0.28)]
    assert _column(report.target, 3, 5) == pytest.approx([*curve, None])
    xml = _sheet(report.target)
    assert 'ref="A3:A4"' in xml
    assert re.search(r'<c r="A5"\s*/>', xml), "the cell the spill left is emptied"


def test_a_blocked_spill_is_spill_error(tmp_path: Path):
    blocked = SPILL_MODEL + '<row r="6"><c r="A6" t="inlineStr"><is><t>note</t></is></c></row>'
    source = hand_workbook(tmp_path / "spill.xlsx", blocked, PERIODS)
    report = refresh(source, tmp_path / "blocked.xlsx", assignments=[("Periods", 5)])
    assert _column(report.target, 3, 6) == ["#SPILL!", None, None, "note"]


LEGACY = (
    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><f t="array" ref="B1:B4">A1:A2*2</f><v>0</v></c>'
    '<c r="C1"><f t="shared" ref="C1:C3" si="0">A1*10</f><v>0</v></c>'
    '<c r="D1"><f>"a"&amp;"b"</f><v>0</v></c></row>'
    '<row r="2"><c r="A2"><v>2</v></c><c r="B2"><v>0</v></c><c r="C2"><f t="shared" si="0"/>'
    '<v>0</v></c><c r="D2"><f>A1&lt;A2</f><v>0</v></c></row>'
    '<row r="3"><c r="A3"><v>3</v></c><c r="B3"><v>0</v></c><c r="C3"><f t="shared" si="0"/>'
    '<v>0</v></c><c r="D3"><f>A1/0</f><v>0</v></c></row>'
    '<row r="4"><c r="B4"><v>0</v></c></row>'
)


def test_legacy_arrays_shared_formulas_and_cell_types(tmp_path: Path, libreoffice):
    source = hand_workbook(tmp_path / "legacy.xlsx", LEGACY)
    report = refresh(source, tmp_path / "ours.xlsx")
    theirs = openpyxl.load_workbook(recalculate(source, tmp_path / "lo"), data_only=True).active
    ours = openpyxl.load_workbook(report.target, data_only=True).active
    for cell in ("B1", "B2", "B3", "B4", "C1", "C2", "C3", "D1", "D3"):
        assert ours[cell].value == theirs[cell].value, cell
    assert [ours[c].value for c in ("B1", "B2", "B3", "B4")] == [2, 4, "#N/A", "#N/A"]
    assert ours["D2"].value is True  # LibreOffice stores TRUE as the number 1
    xml = _sheet(report.target)
    assert '<c r="D1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>' in xml
    assert '<c r="D2" t="b"><f>A1&lt;A2</f><v>1</v></c>' in xml
    assert '<c r="D3" t="e"><f>A1/0</f><v>#DIV/0!</v></c>' in xml
    assert '<c r="C2"><f t="shared" si="0"/><v>20</v></c>' in xml


def test_circular_references_show_zero_and_warn(tmp_path: Path):
    cycle = (
        '<row r="1"><c r="A1"><f>A2+1</f><v>5</v></c><c r="B1"><v>4</v></c></row>'
        '<row r="2"><c r="A2"><f>A1+1</f><v>6</v></c></row>'
        '<row r="3"><c r="A3"><f>A1*10+B1</f><v>0</v></c></row>'
    )
    source = hand_workbook(tmp_path / "cycle.xlsx", cycle)
    report = refresh(source, tmp_path / "out.xlsx")
    assert _column(report.target, 1, 3) == [0, 0, 4]
    assert any("circular reference" in w and "Model!A1" in w for w in report.warnings)


def test_a_long_chain_does_not_overflow_the_stack(tmp_path: Path):
    # A1 = A2+1, A2 = A3+1, ... : the first cell needs all the others before it.
    n = 5000
    rows = "".join(
        f'<row r="{r}"><c r="A{r}"><f>A{r + 1}+1</f><v>0</v></c></row>' for r in range(1, n)
    )
    rows += f'<row r="{n}"><c r="A{n}"><v>1</v></c></row>'
    source = hand_workbook(tmp_path / "chain.xlsx", rows)
    report = refresh(source, tmp_path / "out.xlsx")
    assert _column(report.target, 1, 1) == [n]
