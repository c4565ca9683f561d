"""A workbook read for recalculation: sheets, cells, formulas, defined names, calc settings.

Read straight from the parts (not through openpyxl, which loses the dynamic-array marks and
cannot tell us where each cell sits in the XML): the same scan later serves the surgical writer.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyfuncs.xlsx.package import (
    Package,
    WorkbookFileError,
    check_xml,
    decode_xstring,
    parse_xml,
    xml_unescape,
)
from pyfuncs.xlsx.sheet_xml import (
    CellXml,
    SheetXml,
    cell_name,
    cell_value_of,
    decode_part,
    iter_cells,
    parse_range,
    scan_sheet,
    text_of_string_item,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DOC_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
XDA_NS = "http://schemas.microsoft.com/office/spreadsheetml/2017/dynamicarray"


@dataclass(slots=True)
class Formula:
    """A formula cell: its text (shared formulas take their master's), and its array range."""

    text: str
    host: tuple[int, int]  # the cell the text was written for (the shared master's cell)
    kind: str  # "normal", "shared", "array"
    array_ref: tuple[int, int, int, int] | None = None  # r1, c1, r2, c2 of an array formula
    dynamic: bool = False  # a dynamic (spilling) array formula


@dataclass
class Sheet:
    """One worksheet: cached values and formulas by (row, column)."""

    name: str
    index: int
    part: str
    xml: SheetXml
    values: dict[tuple[int, int], Any] = field(default_factory=dict)
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)

    @property
    def cells(self) -> dict[tuple[int, int], CellXml]:
        """Every cell's XML with its span, by (row, column) (the full scan, on first use)."""
        return {(cell.row, cell.col): cell for cell in self.xml.cells()}


@dataclass(frozen=True)
class Table:
    """An Excel table (a ``table`` part of a worksheet), for structured references.

    ECMA-376 Part 1, 18.5.1.2: ``ref`` covers the header row (``headerRowCount``, default 1),
    the data and the totals row (``totalsRowCount``, default 0).
    """

    name: str
    sheet_index: int
    area: tuple[int, int, int, int]  # r1, c1, r2, c2 of the whole table
    columns: tuple[str, ...]
    header_rows: int
    totals_rows: int


@dataclass(frozen=True)
class DefinedName:
    name: str
    text: str  # what it refers to, without "="
    sheet_index: int | None  # None: workbook scope


@dataclass
class Book:
    """A workbook opened for recalculation."""

    package: Package
    sheets: list[Sheet]
    names: list[DefinedName]
    date1904: bool = False
    iterate: bool = False
    iterate_count: int = 100
    iterate_delta: float = 0.001
    full_calc_on_load: bool = False
    other_sheets: list[str] = field(default_factory=list)  # chart sheets, dialog sheets
    tables: list[Table] = field(default_factory=list)  # Excel tables (structured references)

    @property
    def path(self) -> Path:
        return self.package.path

    def sheet(self, name: str) -> Sheet | None:
        folded = name.casefold()
        for sheet in self.sheets:
            if sheet.name.casefold() == folded:
                return sheet
        return None

    def name_lookup(self, name: str, sheet_index: int | None) -> DefinedName | None:
        """A defined name as a formula on ``sheet_index`` sees it: sheet scope first."""
        folded = name.casefold()
        found = None
        for item in self.names:
            if item.name.casefold() != folded:
                continue
            if item.sheet_index == sheet_index and sheet_index is not None:
                return item
            if item.sheet_index is None:
                found = item
        return found


def load_book(path: Path) -> Book:
    """Read a workbook's sheets, cells, formulas and names."""
    package = Package.open(path)
    workbook_part = package.workbook_part()
    root = parse_xml(package.read(workbook_part), workbook_part)
    ns = {"m": MAIN_NS}
    rels = package.relationships(workbook_part)
    shared = _shared_strings(package, rels)
    dynamic_cm = _dynamic_metadata(package, rels)

    pr = root.find("m:workbookPr", ns)
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    calc = root.find("m:calcPr", ns)
    calc_attrs = dict(calc.attrib) if calc is not None else {}

    sheets: list[Sheet] = []
    others: list[str] = []
    tables: list[Table] = []
    for position, element in enumerate(root.iterfind("m:sheets/m:sheet", ns)):
        rel_id = element.get(f"{{{DOC_REL_NS}}}id", "")
        rel_type, target = rels.get(rel_id, ("", ""))
        name = element.get("name", f"Sheet{position + 1}")
        if not rel_type.endswith("/worksheet"):
            others.append(name)
            sheets.append(Sheet(name, position, "", SheetXml("", "", 0, 0, True, [], name)))
            continue
        check_xml(package.read(target), target)
        text = decode_part(package.read(target), target)
        sheet = Sheet(name, position, target, scan_sheet(text, target))
        _read_cells(sheet, shared, dynamic_cm)
        sheets.append(sheet)
        tables.extend(_tables(package, target, position))

    names: list[DefinedName] = []
    for element in root.iterfind("m:definedNames/m:definedName", ns):
        local = element.get("localSheetId")
        names.append(
            DefinedName(
                element.get("name", ""),
                (element.text or "").strip().removeprefix("="),
                int(local) if local is not None and local.isdigit() else None,
            )
        )
    return Book(
        package=package,
        sheets=sheets,
        names=names,
        date1904=date1904,
        iterate=calc_attrs.get("iterate") in ("1", "true"),
        iterate_count=_calc_number(calc_attrs, "iterateCount", "100", int, workbook_part),
        iterate_delta=_calc_number(calc_attrs, "iterateDelta", "0.001", float, workbook_part),
        full_calc_on_load=calc_attrs.get("fullCalcOnLoad") in ("1", "true"),
        other_sheets=others,
        tables=tables,
    )


def _calc_number(attrs: dict[str, str], name: str, default: str, kind: type, part: str) -> Any:
    """A number of ``<calcPr>`` (ECMA-376 Part 1, 18.2.2), or a one-line error naming it."""
    text = attrs.get(name, default)
    try:
        number = kind(text)
    except ValueError:
        raise WorkbookFileError(f'{part}: calcPr {name}="{text[:40]}" is not a number') from None
    if number != number or number < 0:  # NaN or negative
        raise WorkbookFileError(f'{part}: calcPr {name}="{text[:40]}" is not a number')
    return number


def _metadata_index(rc: Any, name: str, part: str) -> int:
    text = rc.get(name, "0" if name == "t" else "-1")
    try:
        return int(text)
    except ValueError:
        raise WorkbookFileError(
            f'{part}: cell metadata <rc {name}="{text[:40]}"> is not a number'
        ) from None


def _tables(package: Package, sheet_part: str, sheet_index: int) -> list[Table]:
    """The tables of one worksheet (its relationships of type ``.../table``)."""
    out: list[Table] = []
    for rel_type, target in package.relationships(sheet_part).values():
        if not rel_type.endswith("/table") or not package.has(target):
            continue
        root = parse_xml(package.read(target), target)
        ref = root.get("ref", "")
        try:
            area = parse_range(ref)
        except (ValueError, WorkbookFileError):
            continue  # a table without a readable range: its references stay unresolved
        ns = {"m": MAIN_NS}
        columns = tuple(
            (c.get("name") or "") for c in root.iterfind("m:tableColumns/m:tableColumn", ns)
        )
        header = root.get("headerRowCount", "1")
        totals = root.get("totalsRowCount", "0")
        out.append(
            Table(
                name=root.get("displayName") or root.get("name", ""),
                sheet_index=sheet_index,
                area=area,
                columns=columns,
                header_rows=int(header) if header.isdigit() else 1,
                totals_rows=int(totals) if totals.isdigit() else 0,
            )
        )
    return out


def _shared_strings(package: Package, rels: dict[str, tuple[str, str]]) -> list[str]:
    for rel_type, target in rels.values():
        if rel_type.endswith("/sharedStrings") and package.has(target):
            check_xml(package.read(target), target)
            text = decode_part(package.read(target), target)
            root = re.search(r"<(\w+:)?sst\b", text)
            return shared_string_items(text, (root.group(1) or "") if root else "")
    return []


def shared_string_items(text: str, p: str = "") -> list[str]:
    """The strings of a shared-string part, in order (ECMA-376 Part 1, 18.4.8 ``si``).

    An item of one plain run (``<si><t>text</t></si>``, what Excel writes for text without
    formatting) is read by one regular expression; any other (rich text runs, phonetic runs,
    an empty item) by :func:`text_of_string_item`.
    """
    items = re.compile(
        rf'<{p}si><{p}t(?: xml:space="preserve")?>([^<]*)</{p}t></{p}si>'
        rf"|<{p}si\s*/>|<{p}si\b.*?</{p}si>",  # an empty <si/> first: not up to the next </si>
        re.S,
    )
    out: list[str] = []
    append = out.append
    for m in items.finditer(text):
        plain = m.group(1)
        if plain is None:
            append(text_of_string_item(m.group(0), p))
        elif "&" in plain or "_x" in plain:
            append(decode_xstring(xml_unescape(plain)))
        else:
            append(plain)
    return out


def _dynamic_metadata(package: Package, rels: dict[str, tuple[str, str]]) -> set[str]:
    """The ``cm`` values that mark a dynamic-array formula (cell metadata of type XLDAPR).

    [MS-XLSX] 2.3.26: ``cm`` indexes ``cellMetadata`` (1-based); its ``rc t`` names a metadata
    type (1-based) and ``v`` a block of that type's ``futureMetadata`` (0-based), whose
    ``dynamicArrayProperties fDynamic="1"`` marks a spilling formula.
    """
    target = next(
        (t for rt, t in rels.values() if rt.endswith("/sheetMetadata") and package.has(t)), None
    )
    if target is None:
        return set()
    root = parse_xml(package.read(target), target)
    ns = {"m": MAIN_NS}
    types = [e.get("name", "") for e in root.iterfind("m:metadataTypes/m:metadataType", ns)]
    dynamic_blocks: set[int] = set()
    for future in root.iterfind("m:futureMetadata", ns):
        if future.get("name") != "XLDAPR":
            continue
        for i, block in enumerate(future.iterfind("m:bk", ns)):
            for props in block.iter(f"{{{XDA_NS}}}dynamicArrayProperties"):
                if props.get("fDynamic") in ("1", "true"):
                    dynamic_blocks.add(i)
    out: set[str] = set()
    for i, block in enumerate(root.iterfind("m:cellMetadata/m:bk", ns), start=1):
        for rc in block.iterfind("m:rc", ns):
            t, v = _metadata_index(rc, "t", target), _metadata_index(rc, "v", target)
            if 0 < t <= len(types) and types[t - 1] == "XLDAPR" and v in dynamic_blocks:
                out.add(str(i))
    return out


def _read_cells(sheet: Sheet, shared: list[str], dynamic_cm: set[str]) -> None:
    masters: dict[str, Formula] = {}
    pending_shared: list[tuple[tuple[int, int], str]] = []
    values, formulas = sheet.values, sheet.formulas
    spans = array("q")
    cells = iter_cells(sheet.xml, spans)
    for row, col, kind, value_text, inline, f_kind, f_text, f_ref, si, cm in cells:
        key = (row, col)
        if kind == "n":  # the common case, as cached_value reads it
            if value_text is None or value_text == "":
                values[key] = None
            else:
                try:
                    values[key] = float(value_text)
                except ValueError:
                    values[key] = None
        else:
            try:
                values[key] = cell_value_of(kind, value_text, inline, shared)
            except WorkbookFileError:
                raise WorkbookFileError(
                    f"{sheet.part} ({sheet.name}): cell {cell_name(row, col)}: bad shared string"
                ) from None
        if f_kind is None:
            continue
        if f_kind == "normal" and (not f_text or f_text[0].isspace()) and not f_text.strip():
            # <f ca="1"/> on the member cells of a volatile spill: no formula of their own
            # (the anchor's spill writes them).
            continue
        if f_kind == "shared" and si is not None:
            if f_text.strip():
                masters[si] = formulas[key] = Formula(f_text, key, "shared")
            else:
                pending_shared.append((key, si))
        elif f_kind == "array":
            try:
                area = parse_range(f_ref) if f_ref else (row, col, row, col)
            except ValueError as exc:
                where = cell_name(row, col)
                raise WorkbookFileError(
                    f'{sheet.part} ({sheet.name}) cell {where}: array formula ref="{f_ref[:40]}" '
                    f"is not a range: {exc}"
                ) from None
            formulas[key] = Formula(
                f_text, key, "array", area, dynamic=cm is not None and cm in dynamic_cm
            )
        elif f_kind == "dataTable":
            formulas[key] = Formula("", key, "dataTable")
        else:
            formulas[key] = Formula(f_text, key, "normal")
    sheet.xml.value_spans = spans
    for key, index in pending_shared:
        master = masters.get(index)
        if master is None:
            raise WorkbookFileError(
                f"{sheet.part} ({sheet.name}) cell {cell_name(*key)}: shared "
                f"formula {index[:20]} has no master cell"
            )
        formulas[key] = master  # one object for every cell of a shared formula
