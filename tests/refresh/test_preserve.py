"""A refresh keeps everything but the values: charts, images, comments, validation, conditional
formats, defined names, freeze panes, sparklines, a second sheet, VBA."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from refresh_books import VBA_BYTES, parts, rich_workbook

from pyfuncs.refresh.core import refresh
from pyfuncs.refresh.libreoffice import recalculate

pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension")

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
SHEETS = ("xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml")


def _without_values(xml: bytes) -> str:
    """A sheet's XML with every cell's value and type removed (everything else kept)."""
    root = ET.fromstring(xml)
    for cell in root.iter(f"{MAIN}c"):
        cell.attrib.pop("t", None)
        for child in list(cell):
            if child.tag in (f"{MAIN}v", f"{MAIN}is"):
                cell.remove(child)
    return ET.tostring(root, encoding="unicode")


def _outside_sheet_data(xml: bytes) -> tuple[bytes, bytes]:
    start = xml.index(b"<sheetData")
    end = xml.index(b"</sheetData>")
    return xml[:start], xml[end:]


@pytest.mark.parametrize("suffix", [".xlsx", ".xlsm"])
def test_refresh_keeps_every_part_and_changes_only_values(tmp_path: Path, suffix: str):
    source = rich_workbook(tmp_path / f"deal{suffix}", macro=suffix == ".xlsm")
    original = source.read_bytes()
    report = refresh(source, tmp_path / f"out{suffix}", assignments=[("Rate", 0.1)])
    assert source.read_bytes() == original, "the input file must not change"

    before, after = parts(source), parts(report.target)
    assert [(n, c) for n, c, _ in before] == [(n, c) for n, c, _ in after]
    names = [n for n, _, _ in before]
    for part in ("xl/charts/chart1.xml", "xl/media/image1.png", "xl/comments/comment1.xml"):
        assert part in names
    if suffix == ".xlsm":
        assert dict((n, d) for n, _, d in after)["xl/vbaProject.bin"] == VBA_BYTES
    for (name, _, old), (_, _, new) in zip(before, after, strict=True):
        if name in SHEETS:
            assert old != new
            assert _outside_sheet_data(old) == _outside_sheet_data(new), name
            assert _without_values(old) == _without_values(new), name
        else:
            assert old == new, f"{name} changed"
    assert set(report.parts_rewritten) == set(SHEETS)

    # The values, by hand: D = C*Rate with C = 10..120; the total and a level payment.
    book = openpyxl.load_workbook(report.target, data_only=True)
    inputs, summary = book["Inputs"], book["Summary"]
    assert inputs["B1"].value == 0.1
    assert [inputs.cell(row=r, column=4).value for r in range(1, 13)] == pytest.approx(
        [r * 10 * 0.1 for r in range(1, 13)]
    )
    assert inputs["E1"].value == "high"
    assert summary["B1"].value == pytest.approx(780 * 0.1)
    rate = 0.1 / 12
    assert summary["B2"].value == pytest.approx(1000 * rate / (1 - (1 + rate) ** -12))
    assert summary["A3"].value == "unchanged text"


def test_libreoffice_recalculating_our_output_agrees(tmp_path: Path, libreoffice):
    source = rich_workbook(tmp_path / "deal.xlsx")
    report = refresh(source, tmp_path / "ours.xlsx", assignments=[("Rate", 0.07)])
    theirs = openpyxl.load_workbook(recalculate(report.target, tmp_path / "lo"), data_only=True)
    ours = openpyxl.load_workbook(report.target, data_only=True)
    for sheet, cells in (("Inputs", ["D1", "D7", "D12", "E1"]), ("Summary", ["B1", "B2"])):
        for cell in cells:
            mine, lo = ours[sheet][cell].value, theirs[sheet][cell].value
            assert mine == (pytest.approx(lo, rel=1e-12) if isinstance(lo, float) else lo)


def test_a_second_refresh_with_nothing_new_copies_every_part(tmp_path: Path):
    first = refresh(rich_workbook(tmp_path / "deal.xlsx"), tmp_path / "a.xlsx")
    second = refresh(first.target, tmp_path / "b.xlsx")
    assert second.parts_rewritten == []
    assert parts(first.target) == parts(second.target)


def test_freeze_panes_and_defined_names_survive(tmp_path: Path):
    report = refresh(rich_workbook(tmp_path / "deal.xlsx"), assignments=[("Principal", 2000)])
    assert report.target == tmp_path / "deal.refreshed.xlsx"
    book = openpyxl.load_workbook(report.target)
    assert book["Inputs"].freeze_panes == "B2"
    assert set(book.defined_names) >= {"Rate", "Principal"}
    assert book["Inputs"].data_validations.dataValidation
    assert book["Inputs"]["B1"].comment.text.startswith("The annual rate")
    sheet_xml = dict((n, d) for n, _, d in parts(report.target))["xl/worksheets/sheet1.xml"]
    assert re.search(rb"<x14:sparklineGroups", sheet_xml)
