"""Workbooks for the refresh tests: a rich one made by openpyxl and extended at the zip level
(x14 sparklines, a VBA project), and minimal hand-written ones for dynamic arrays."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
from openpyxl.chart import BarChart, Reference
from openpyxl.comments import Comment
from openpyxl.drawing.image import Image
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation


def png(width: int = 3, height: int = 2) -> bytes:
    """A tiny red PNG written by hand (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


SPARKLINES = (
    '<extLst><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:sparklineGroups xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:sparklineGroup displayEmptyCellsAs="gap"><x14:colorSeries rgb="FF376092"/>'
    "<x14:sparklines><x14:sparkline><xm:f>Inputs!D1:D12</xm:f><xm:sqref>F1</xm:sqref>"
    "</x14:sparkline></x14:sparklines></x14:sparklineGroup></x14:sparklineGroups></ext></extLst>"
)
VBA_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8  # CFB signature + filler


def rich_workbook(path: Path, macro: bool = False) -> Path:
    """Charts, an image, a comment, validation, conditional formats, names, freeze panes, a
    second sheet, x14 sparklines and (``macro``) a VBA project, around a small model:
    ``Inputs!D1:D12 = C*Rate``, ``Summary!B1 = SUM(D)``, ``Summary!B2 = PMT(...)``."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Inputs"
    sheet["A1"], sheet["B1"] = "Rate", 0.05
    sheet["A2"], sheet["B2"] = "Principal", 1000
    for r in range(1, 13):
        sheet.cell(row=r, column=3, value=r * 10)
        sheet.cell(row=r, column=4, value=f"=C{r}*Rate")
    sheet["E1"] = '=IF(D12>5,"high","low")'
    book.defined_names["Rate"] = DefinedName("Rate", attr_text="Inputs!$B$1")
    book.defined_names["Principal"] = DefinedName("Principal", attr_text="Inputs!$B$2")
    sheet.freeze_panes = "B2"
    sheet["B1"].comment = Comment("The annual rate, as a decimal.", "analyst")
    validation = DataValidation(type="decimal", operator="between", formula1="0", formula2="1")
    sheet.add_data_validation(validation)
    validation.add("B1")
    sheet.conditional_formatting.add(
        "D1:D12",
        CellIsRule(operator="greaterThan", formula=["5"], fill=PatternFill("solid", "FFC7CE")),
    )
    chart = BarChart()
    chart.add_data(Reference(sheet, min_col=4, min_row=1, max_row=12))
    sheet.add_chart(chart, "H2")
    sheet.add_image(Image(io.BytesIO(png())), "H20")
    summary = book.create_sheet("Summary")
    summary["A1"], summary["B1"] = "Total", "=SUM(Inputs!D1:D12)"
    summary["A2"], summary["B2"] = "Payment", "=PMT(Rate/12,12,-Principal)"
    summary["A3"] = "unchanged text"
    book.save(path)
    _extend(path, macro)
    return path


def _extend(path: Path, macro: bool) -> None:
    """Add what openpyxl cannot write: x14 sparklines and a VBA project."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</worksheet>", SPARKLINES.encode() + b"</worksheet>")
            if macro and info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                    b"</Types>",
                )
            if macro and info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                    b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
                )
            archive.writestr(info, data)
        if macro:
            archive.writestr("xl/vbaProject.bin", VBA_BYTES)
    path.write_bytes(out.getvalue())


# --- minimal workbooks written by hand ------------------------------------------------------

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/metadata.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheetMetadata+xml"/></Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Model" sheetId="1" r:id="rId1"/></sheets>{names}<calcPr calcId="191029"/></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sheetMetadata" Target="metadata.xml"/></Relationships>"""
# The dynamic-array metadata as Excel writes it (MS-XLSX 2.3.26; XlsxWriter's test files).
_METADATA = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<metadata xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:xda="http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray"><metadataTypes count="1"><metadataType name="XLDAPR" minSupportedVersion="120000" copy="1" pasteAll="1" pasteValues="1" merge="1" splitFirst="1" rowColShift="1" clearFormats="1" clearComments="1" assign="1" coerce="1" cellMeta="1"/></metadataTypes><futureMetadata name="XLDAPR" count="1"><bk><extLst><ext uri="{bdbb8cdc-fa1e-496e-a857-3c3f30c029c3}"><xda:dynamicArrayProperties fDynamic="1" fCollapsed="0"/></ext></extLst></bk></futureMetadata><cellMetadata count="1"><bk><rc t="1" v="0"/></bk></cellMetadata></metadata>"""
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
)


def hand_workbook(path: Path, sheet_data: str, names: str = "", tail: str = "") -> Path:
    """A one-sheet workbook ("Model") whose ``<sheetData>`` content is ``sheet_data``."""
    sheet = (
        f'{SHEET_HEAD}<dimension ref="A1"/><sheetData>{sheet_data}</sheetData>{tail}</worksheet>'
    )
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(names=defined))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/metadata.xml", _METADATA)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def parts(path: Path) -> list[tuple[str, int, bytes]]:
    """(name, compression, bytes) of every part, in stored order."""
    with zipfile.ZipFile(path) as archive:
        return [(i.filename, i.compress_type, archive.read(i)) for i in archive.infolist()]
