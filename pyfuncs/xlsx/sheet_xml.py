"""Worksheet XML read and rewritten surgically: only the cells whose values change are touched.

The sheet part is never re-serialised. A scanner finds each ``<c>`` element of ``<sheetData>``
with its exact span in the text; a rewrite replaces the spans of changed cells (their ``t``
attribute and ``<v>``/``<is>`` child; the ``<f>`` element, the other attributes and any
``<extLst>`` are kept as they were) and inserts cells and rows that must be created (the spill
range of a dynamic array that grew, an input set in an empty cell). Every other byte of the part
(namespaces, sheet views, conditional formats, validation, x14 extensions) is left as it was.

The cell layout follows ECMA-376 Part 1, 18.3.1.4 (``c``), 18.3.1.40 (``f``), 18.18.11
(``ST_CellType``): ``t="str"`` for a formula's string result, ``b`` booleans, ``e`` errors,
``s`` shared strings, ``inlineStr`` inline text, ``n`` (the default) numbers.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyfuncs.dates import date_to_serial
from pyfuncs.errors import WORKBOOK_ERROR_CODES, ExcelError
from pyfuncs.xlsx.package import (
    WorkbookFileError,
    decode_xstring,
    xml_escape,
    xml_unescape,
)

_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
#: Excel's grid: 1,048,576 rows by 16,384 columns (XFD), its specifications and limits at
#: https://support.microsoft.com/office/excel-specifications-and-limits-1672b34d-7043-467e-8e27-269d656771c3
MAX_ROW = 1_048_576
MAX_COL = 16_384


def col_number(letters: str) -> int:
    """``"A"`` -> 1, ``"AA"`` -> 27."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def col_letters(number: int) -> str:
    """1 -> ``"A"``, 27 -> ``"AA"``."""
    letters = ""
    while number:
        number, rem = divmod(number - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    return f"{col_letters(col)}{row}"


def parse_cell_name(text: str) -> tuple[int, int]:
    """``"B3"`` (or ``"$B$3"``) -> (3, 2); ``ValueError`` outside Excel's grid (A1:XFD1048576)."""
    match = _CELL_REF.match(text.strip())
    if not match:
        raise ValueError(f"not a cell reference: {text[:40]!r}")
    row, col = int(match.group(2)), col_number(match.group(1))
    if not (1 <= row <= MAX_ROW and 1 <= col <= MAX_COL):
        raise ValueError(f"{text[:40]!r} is outside the sheet (A1:XFD1048576)")
    return row, col


def parse_range(text: str) -> tuple[int, int, int, int]:
    """``"A1:C3"`` -> (1, 1, 3, 3); a single cell is a 1x1 range."""
    first, _, last = text.partition(":")
    r1, c1 = parse_cell_name(first)
    r2, c2 = parse_cell_name(last) if last else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    if (r1, c1) == (r2, c2):
        return cell_name(r1, c1)
    return f"{cell_name(r1, c1)}:{cell_name(r2, c2)}"


def attributes(raw: str) -> dict[str, str]:
    """Attributes of a start tag's raw text, values unescaped."""
    return {
        m.group(1): xml_unescape(m.group(2) if m.group(2) is not None else m.group(3))
        for m in _ATTR.finditer(raw)
    }


@dataclass
class FormulaXml:
    """An ``<f>`` element: its raw text (kept verbatim) and what it says."""

    raw: str
    text: str  # the formula, unescaped, without "="
    kind: str  # "normal", "shared", "array", "dataTable"
    ref: str | None
    shared_index: str | None


@dataclass
class CellXml:
    """One ``<c>`` element and its exact place in the sheet text."""

    row: int
    col: int
    start: int
    end: int
    attrs_raw: str
    inner: str | None  # None for a self-closing cell
    type: str
    cm: str | None
    formula: FormulaXml | None
    value_text: str | None
    inline_text: str | None
    ext_raw: str


@dataclass
class RowXml:
    row: int
    start: int
    end: int
    open_tag: str  # "<row ...>" raw (for a self-closing row, without the "/")
    self_closing: bool
    cells: list[CellXml]


@dataclass
class SheetXml:
    """A scanned worksheet part: its text and where ``<sheetData>`` lies in it.

    The rows and cells with their spans (:class:`RowXml`, :class:`CellXml`) are found on first
    use of :attr:`rows` (the full scan); reading values (:func:`iter_cells`) and rewriting them
    (:func:`rewrite_sheet`) stream over the text without keeping an object per cell.
    """

    text: str
    prefix: str  # "" or "x:" when the main namespace has a prefix
    data_start: int  # where rows may be inserted: just inside <sheetData>
    data_end: int  # the position of </sheetData> (or of "/>" of an empty one)
    data_self_closing: bool
    scanned_rows: list[RowXml] | None = None
    name: str = "sheet"
    #: ``row, col, start, end`` (flat, four integers a cell) of the value of each formula cell
    #: of a fast shape holding a number (no ``t``), in document order, from ``start`` (just
    #: after ``</f>``) to ``end`` (just before ``</c>``): the reading (:func:`iter_cells` with
    #: ``spans``) records them so that writing numbers back (:func:`rewrite_sheet`) needs no
    #: second scan. An ``array`` of 8-byte integers: 32 bytes a cell.
    value_spans: array | None = None

    @property
    def rows(self) -> list[RowXml]:
        """Every row with its cells and their exact spans (scanned once, on demand)."""
        if self.scanned_rows is None:
            self.scanned_rows = _scan_rows(self)
        return self.scanned_rows

    def cells(self) -> list[CellXml]:
        return [cell for row in self.rows for cell in row.cells]


def decode_part(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkbookFileError(f"{name} is not UTF-8 XML; cannot rewrite it in place") from None


def scan_sheet(text: str, name: str = "sheet") -> SheetXml:
    """Find the worksheet's ``<sheetData>`` (its rows and cells are scanned when needed)."""
    root = re.search(r"<(\w+:)?worksheet\b", text)
    if root is None:
        raise WorkbookFileError(f"{name} is not a worksheet part")
    p = root.group(1) or ""
    start = re.search(rf"<{p}sheetData\b[^>]*?(/?)>", text)
    if start is None:
        raise WorkbookFileError(f"{name} has no sheetData")
    if start.group(1):
        return SheetXml(text, p, start.end(), start.end() - 2, True, [], name)
    end = text.find(f"</{p}sheetData>", start.end())
    if end < 0:
        raise WorkbookFileError(f"{name} has no end of sheetData")
    return SheetXml(text, p, start.end(), end, False, None, name)


def _scan_rows(sheet: SheetXml) -> list[RowXml]:
    """Every row and cell of ``<sheetData>`` with its span (the full scan)."""
    text, p, name = sheet.text, sheet.prefix, sheet.name
    if sheet.data_self_closing:
        return []
    row_re = re.compile(rf"<{p}row\b([^>]*?)(/>|>(.*?)</{p}row>)", re.S)
    cell_re = _generic_cell_re(p)
    rows: list[RowXml] = []
    last_row = 0
    for rm in row_re.finditer(text, sheet.data_start, sheet.data_end):
        number = _row_of(rm.group(1), last_row, name)
        last_row = number
        cells: list[CellXml] = []
        last_col = 0
        if rm.group(3) is not None:
            base = rm.start(3)
            for cm in cell_re.finditer(rm.group(3)):
                cell = _cell(cm, base, number, last_col, p, name)
                last_col = cell.col
                cells.append(cell)
        self_closing = rm.group(2) == "/>"
        open_end = rm.start(2) if self_closing else rm.start(2) + 1
        rows.append(
            RowXml(number, rm.start(), rm.end(), text[rm.start() : open_end], self_closing, cells)
        )
    return rows


def _row_of(attrs_raw: str, last_row: int, name: str) -> int:
    """The number of a row from its start tag's attributes (the next row when it has no r)."""
    rattrs = attributes(attrs_raw)
    number = _row_number(rattrs["r"], name) if "r" in rattrs else last_row + 1
    if number > MAX_ROW:
        raise WorkbookFileError(f"{name}: row {number:,} is past Excel's last row {MAX_ROW:,}")
    return number


def _generic_cell_re(p: str) -> re.Pattern[str]:
    return re.compile(rf"<{p}c\b([^>]*?)(/>|>(.*?)</{p}c>)", re.S)


# --- streaming: one pass over the text, no object per cell ------------------------------------
#
# The cell shapes Excel, openpyxl and LibreOffice write for almost every cell are matched by one
# regular expression (``_FAST``): ``<c r="B3" s="1" t="str">`` (s and t optional, in this order)
# holding nothing, or an optional ``<f>`` (plain, or shared with t, ref, si in Excel's order)
# then an optional ``<v>`` or an ``<is><t>`` inline string. Any other cell (other attributes,
# whitespace, rich text, extLst) is matched by the generic pattern and read by :func:`_cell`,
# as the full scan reads it, so both paths give the same cells.

#: Groups of a fast match: 1 a row's number when r is its first attribute, 2 the row tag's
#: (other) attributes; 3 the cell's r/s attributes; 4 column letters; 5 row digits; 6 t; 7 the
#: cell's content; 8 the <f> element; 9 shared ref; 10 shared si; 11 shared formula text; 12
#: plain formula text; 13 <v> text; 14 inline text; 15 a cell the fast shapes do not cover (its
#: attributes), 16 its end ("/>" or ">"), 17 its content.
_FAST_CACHE: dict[str, re.Pattern[str]] = {}


def _fast_re(p: str) -> re.Pattern[str]:
    pattern = _FAST_CACHE.get(p)
    if pattern is None:
        pattern = re.compile(
            rf'<{p}row\b(?: r="([0-9]{{1,7}})")?([^>]*)>'
            rf'|<{p}c( r="([A-Z]{{1,3}})([0-9]{{1,7}})"(?: s="[0-9]{{1,9}}")?)'
            rf'(?: t="([a-zA-Z]{{1,9}})")?'
            rf"(?:/>|>((<{p}f"
            rf'(?: t="shared"(?: ref="([A-Z0-9:]{{1,40}})")? si="([0-9]{{1,9}})"'
            rf"(?:/>|>([^<]*)</{p}f>)|>([^<]*)</{p}f>))?"
            rf"(?:<{p}v>([^<]*)</{p}v>|<{p}is><{p}t>([^<]*)</{p}t></{p}is>)?)</{p}c>)"
            rf"|<{p}c\b([^>]*?)(/>|>(.*?)</{p}c>)",
            re.S,
        )
        _FAST_CACHE[p] = pattern
    return pattern


def iter_cells(sheet: SheetXml, spans: array | None = None) -> Iterator[tuple]:
    """Every cell of the sheet, in document order, streamed as a tuple ``(row, col, t, value
    text, inline text, formula kind or None, formula text, ref, si, cm)``.

    The same cells, rows and one-line errors as the full scan (:attr:`SheetXml.rows`). With
    ``spans``, the value spans of :attr:`SheetXml.value_spans` are appended to it.
    """
    if sheet.data_self_closing:
        return
    text, p, name = sheet.text, sheet.prefix, sheet.name
    unescape = xml_unescape
    columns = _COLUMN_NUMBERS
    row = last_col = 0
    generic = _generic_cell_re(p)
    for m in _fast_re(p).finditer(text, sheet.data_start, sheet.data_end):
        (
            row_digits,
            row_attrs,
            head,
            letters,
            digits,
            kind,
            _content,
            f_raw,
            ref,
            si,
            shared_text,
            plain_text,
            v_text,
            inline,
            _g_attrs,
            _g_end,
            _g_inner,
        ) = m.groups()
        if head is not None:
            number = int(digits)
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = col_number(letters)
            if number != row or not (1 <= col <= MAX_COL) or number > MAX_ROW:
                # r names another row than its <row>, or lies outside the grid: the full
                # reading decides (and gives the one-line error)
                cell = _cell(generic.match(m.group(0)), 0, row, last_col, p, name)
                last_col = cell.col
                yield _record(cell)
                continue
            last_col = col
            if v_text is not None and "&" in v_text:
                v_text = unescape(v_text)
            if inline is not None:
                inline = decode_xstring(unescape(inline))
            if f_raw is None:
                yield (number, col, kind or "n", v_text, inline, None, "", None, None, None)
                continue
            if spans is not None and kind is None:
                spans.extend((number, col, m.end(8), m.end(7)))
            if si is not None:
                yield (
                    number,
                    col,
                    kind or "n",
                    v_text,
                    inline,
                    "shared",
                    unescape(shared_text or ""),
                    ref,
                    si,
                    None,
                )
            else:
                yield (
                    number,
                    col,
                    kind or "n",
                    v_text,
                    inline,
                    "normal",
                    unescape(plain_text),
                    None,
                    None,
                    None,
                )
        elif row_attrs is not None:
            row = _next_row(row_digits, row_attrs, row, name)
            last_col = 0
        else:
            cell = _cell(generic.match(m.group(0)), 0, row, last_col, p, name)
            last_col = cell.col
            yield _record(cell)


_COLUMN_NUMBERS: dict[str, int] = {}


def _next_row(digits: str | None, attrs_raw: str, last_row: int, name: str) -> int:
    """The number of the row whose start tag matched (``digits``: its r when first)."""
    if digits is not None:
        number = int(digits)
        if 1 <= number <= MAX_ROW:
            return number
        attrs_raw = f' r="{digits}"{attrs_raw}'
    if attrs_raw.endswith("/"):
        attrs_raw = attrs_raw[:-1]
    return _row_of(attrs_raw, last_row, name)


def _record(cell: CellXml) -> tuple:
    f = cell.formula
    if f is None:
        return (
            cell.row,
            cell.col,
            cell.type,
            cell.value_text,
            cell.inline_text,
            None,
            "",
            None,
            None,
            cell.cm,
        )
    return (
        cell.row,
        cell.col,
        cell.type,
        cell.value_text,
        cell.inline_text,
        f.kind,
        f.text,
        f.ref,
        f.shared_index,
        cell.cm,
    )


def _row_number(text: str, part: str) -> int:
    try:
        number = int(text)
    except ValueError:
        raise WorkbookFileError(f'{part}: <row r="{text[:40]}"> is not a row number') from None
    if number < 1:
        raise WorkbookFileError(f'{part}: <row r="{text[:40]}"> is not a row number')
    return number


def _cell(
    match: re.Match[str], base: int, row: int, last_col: int, p: str, part: str = "sheet"
) -> CellXml:
    attrs = attributes(match.group(1))
    if "r" in attrs:
        try:
            row, col = parse_cell_name(attrs["r"])
        except ValueError as exc:
            raise WorkbookFileError(f'{part}: cell r="{attrs["r"][:40]}": {exc}') from None
    else:
        col = last_col + 1
        if col > MAX_COL:
            raise WorkbookFileError(f"{part}: row {row} has more than {MAX_COL:,} cells")
    inner = match.group(3)
    formula = value_text = inline_text = None
    ext_raw = ""
    if inner:
        fm = re.search(rf"<{p}f\b([^>]*?)(/>|>(.*?)</{p}f>)", inner, re.S)
        if fm:
            fattrs = attributes(fm.group(1))
            formula = FormulaXml(
                raw=fm.group(0),
                text=xml_unescape(fm.group(3) or ""),
                kind=fattrs.get("t", "normal"),
                ref=fattrs.get("ref"),
                shared_index=fattrs.get("si"),
            )
        vm = re.search(rf"<{p}v\b[^>]*?(?:/>|>(.*?)</{p}v>)", inner, re.S)
        if vm:
            value_text = xml_unescape(vm.group(1) or "")
        im = re.search(rf"<{p}is\b.*?</{p}is>", inner, re.S)
        if im:
            inline_text = text_of_string_item(im.group(0), p)
        em = re.search(rf"<{p}extLst\b.*?</{p}extLst>", inner, re.S)
        if em:
            ext_raw = em.group(0)
    return CellXml(
        row=row,
        col=col,
        start=base + match.start(),
        end=base + match.end(),
        attrs_raw=match.group(1),
        inner=inner,
        type=attrs.get("t", "n"),
        cm=attrs.get("cm"),
        formula=formula,
        value_text=value_text,
        inline_text=inline_text,
        ext_raw=ext_raw,
    )


def text_of_string_item(raw: str, p: str = "") -> str:
    """The text of an ``<si>`` or ``<is>`` element: its ``<t>`` runs, phonetic runs left out."""
    raw = re.sub(rf"<{p}rPh\b.*?</{p}rPh>", "", raw, flags=re.S)
    parts = re.findall(rf"<{p}t\b[^>]*?(?:/>|>(.*?)</{p}t>)", raw, re.S)
    return decode_xstring(xml_unescape("".join(parts)))


def cached_value(cell: CellXml, shared_strings: list[str]) -> Any:
    """The value stored in a cell: float, str, bool, ExcelError or None (blank)."""
    try:
        return cell_value_of(cell.type, cell.value_text, cell.inline_text, shared_strings)
    except WorkbookFileError:
        raise WorkbookFileError(
            f"cell {cell_name(cell.row, cell.col)}: bad shared string"
        ) from None


def cell_value_of(
    kind: str, text: str | None, inline_text: str | None, shared_strings: list[str]
) -> Any:
    """The value a cell of type ``kind`` stores (its ``<v>`` text, its inline string): float,
    str, bool, ExcelError or None (blank); :class:`WorkbookFileError` for a bad shared string."""
    if kind == "inlineStr":
        return inline_text if inline_text is not None else None
    if text is None:
        return None
    if kind == "n":
        if text == "":
            return None
        try:
            return float(text)
        except ValueError:
            return None
    if kind == "s":
        try:
            return shared_strings[int(text)]
        except (ValueError, IndexError):
            raise WorkbookFileError("bad shared string") from None
    if kind == "str":
        return decode_xstring(text)
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        code = text.strip()
        return ExcelError(code if code in WORKBOOK_ERROR_CODES else "#VALUE!", "cached error")
    if kind == "d":
        try:
            stamp = dt.datetime.fromisoformat(text.strip().replace("Z", ""))
        except ValueError:
            return None
        return date_to_serial(stamp)
    return None


# --- writing ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewValue:
    """A value to store in a cell.

    ``text_as`` says how text is stored in a cell without a formula: ``"str"`` (as Excel stores
    the cells of an array formula's range) or ``"inlineStr"`` (a typed-in value; avoids touching
    the shared-string table). A formula cell always stores text as ``t="str"``.
    """

    value: Any
    text_as: str = "str"


def format_number(number: float) -> str:
    """A float as ``<v>`` text: shortest round-trip form, integers without ``.0``."""
    if number == 0:
        return "0"  # also turns -0.0 into 0: Excel has no negative zero
    if number.is_integer() and abs(number) < 1e15:
        return str(int(number))
    return repr(number)


def _encoded(value: Any, has_formula: bool, text_as: str, p: str) -> tuple[str | None, str]:
    """(t attribute or None for a number, the value element(s)) for a cell's new value."""
    if type(value) is bool:
        return "b", f"<{p}v>{1 if value else 0}</{p}v>"
    if isinstance(value, ExcelError):
        return "e", f"<{p}v>{xml_escape(value.code)}</{p}v>"
    if isinstance(value, int | float):
        number = float(value)
        if not math.isfinite(number):
            return "e", f"<{p}v>#NUM!</{p}v>"
        return None, f"<{p}v>{format_number(number)}</{p}v>"
    if value is None:
        if has_formula:
            return "str", f"<{p}v></{p}v>"
        return None, ""
    text = str(value)
    if has_formula or text_as == "str":
        return "str", f"<{p}v>{xml_escape(text)}</{p}v>"
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return "inlineStr", f"<{p}is><{p}t{space}>{xml_escape(text)}</{p}t></{p}is>"


_T_ATTR = re.compile(r"""\s+t\s*=\s*(?:"[^"]*"|'[^']*')""")
_REF_ATTR = re.compile(r"""(\sref\s*=\s*)(?:"[^"]*"|'[^']*')""")


def _with_type(attrs_raw: str, kind: str | None) -> str:
    if _T_ATTR.search(attrs_raw):
        replacement = f' t="{kind}"' if kind else ""
        return _T_ATTR.sub(lambda _m: replacement, attrs_raw, count=1)
    if kind is None:
        return attrs_raw
    stripped = attrs_raw.rstrip()
    return f'{stripped} t="{kind}"{attrs_raw[len(stripped) :]}'


def rewritten_cell(cell: CellXml, new: NewValue, p: str, array_ref: str | None = None) -> str:
    """The text of ``cell`` holding ``new``: formula, other attributes and extLst kept."""
    has_formula = cell.formula is not None
    kind, value_xml = _encoded(new.value, has_formula, new.text_as, p)
    formula_raw = cell.formula.raw if cell.formula else ""
    if array_ref is not None and formula_raw:
        formula_raw = _REF_ATTR.sub(lambda m: f'{m.group(1)}"{array_ref}"', formula_raw, count=1)
    body = formula_raw + value_xml + cell.ext_raw
    attrs = _with_type(cell.attrs_raw, kind)
    if not body:
        return f"<{p}c{attrs.rstrip()}/>"
    return f"<{p}c{attrs}>{body}</{p}c>"


def new_cell(row: int, col: int, new: NewValue, p: str) -> str:
    kind, value_xml = _encoded(new.value, False, new.text_as, p)
    type_attr = f' t="{kind}"' if kind else ""
    if not value_xml:
        return f'<{p}c r="{cell_name(row, col)}"/>'
    return f'<{p}c r="{cell_name(row, col)}"{type_attr}>{value_xml}</{p}c>'


def rewrite_sheet(
    sheet: SheetXml,
    values: dict[tuple[int, int], Any],
    array_refs: dict[tuple[int, int], str] | None = None,
) -> str:
    """The sheet text with ``values`` written into their cells (created where absent).

    A value is a :class:`NewValue`, or a plain value stored as ``NewValue(value)`` (a formula's
    result: text as ``t="str"``).

    ``array_refs`` gives new ``ref`` ranges for array-formula anchors (a spill that changed
    size). Cells whose stored value already equals the new one are still rewritten only if
    their text would change, so an unchanged sheet comes back identical.

    When every cell to write exists, one streaming pass splices the new cells into the text
    (:func:`_rewrite_streaming`); cells or rows to create take the full scan's spans.
    """
    array_refs = array_refs or {}
    if sheet.value_spans is not None and not array_refs and values:
        text, rest = _splice_numbers(sheet, values)
        if not rest:
            return text
        if text is not sheet.text:  # the other cells, written into the spliced text
            sheet = scan_sheet(text, sheet.name)
        values = rest
    if not sheet.data_self_closing and sheet.scanned_rows is None:
        text = _rewrite_streaming(sheet, values, array_refs)
        if text is not None:
            return text
    wrapped = {k: v if type(v) is NewValue else NewValue(v) for k, v in values.items()}
    return _rewrite_full(sheet, wrapped, array_refs)


_ABSENT = object()


def _splice_numbers(sheet: SheetXml, values: dict[tuple[int, int], Any]) -> tuple[str, dict]:
    """The text with each finite number of ``values`` written into its cell's value span
    (:attr:`SheetXml.value_spans`), and the values left for the general rewrite.

    Only the ``<v>`` changes: the cell held a number (no ``t``) and holds one, so its start tag
    and formula stay as they are, as :func:`_rewrite_streaming` writes them.
    """
    pending = dict(values)
    pop = pending.pop
    p = sheet.prefix
    text = sheet.text
    value_open, value_close = f"<{p}v>", f"</{p}v>"
    out: list[str] = []
    rest: dict[tuple[int, int], Any] = {}
    pos = 0
    flat = iter(sheet.value_spans or ())
    for row, col, start, end in zip(flat, flat, flat, flat, strict=True):
        key = (row, col)
        new = pop(key, _ABSENT)
        if new is _ABSENT:
            continue
        if type(new) is not float or new - new != 0.0:
            rest[key] = new  # text, a boolean, an error, a blank, a NewValue: the general path
            continue
        if new.is_integer() and -1e15 < new < 1e15:
            number_text = str(int(new))
        else:
            number_text = repr(new)
        replacement = f"{value_open}{number_text}{value_close}"
        if text[start:end] == replacement:
            continue
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    rest.update(pending)
    if not out:
        return text, rest
    out.append(text[pos:])
    return "".join(out), rest


def _rewrite_streaming(
    sheet: SheetXml,
    values: dict[tuple[int, int], Any],
    array_refs: dict[tuple[int, int], str],
) -> str | None:
    """The rewritten text in one pass, or None when a cell to write does not exist yet."""
    text, p, name = sheet.text, sheet.prefix, sheet.name
    columns = _COLUMN_NUMBERS
    generic = _generic_cell_re(p)
    pending = dict(values)
    out: list[str] = []
    pos = 0
    row = last_col = 0
    closing = f"</{p}c>"
    value_open, value_close = f"<{p}v>", f"</{p}v>{closing}"
    pending_pop = pending.pop
    for m in _fast_re(p).finditer(text, sheet.data_start, sheet.data_end):
        head = m.group(3)
        cell = None
        if head is not None:
            letters, digits = m.group(4, 5)
            number = int(digits)
            col = columns.get(letters)
            if col is None:
                col = columns[letters] = col_number(letters)
            if number != row or not (1 <= col <= MAX_COL) or number > MAX_ROW:
                cell = _cell(generic.match(m.group(0)), m.start(), row, last_col, p, name)
                number, col = cell.row, cell.col
        else:
            row_digits, row_attrs = m.group(1, 2)
            if row_attrs is not None:
                row = _next_row(row_digits, row_attrs, row, name)
                last_col = 0
                continue
            cell = _cell(generic.match(m.group(0)), m.start(), row, last_col, p, name)
            number, col = cell.row, cell.col
        last_col = col
        key = (number, col)
        new = pending_pop(key, _ABSENT)
        if new is _ABSENT and key not in array_refs:
            continue
        if cell is None and type(new) is float and new - new == 0.0 and key not in array_refs:
            # A fast shape holding a finite number, the common case: format_number inlined.
            if new.is_integer() and -1e15 < new < 1e15:
                number_text = str(int(new)) if new else "0"
            else:
                number_text = repr(new)
            kind, f_raw, v_text = m.group(6, 8, 13)
            if kind is None and v_text == number_text:
                continue  # stored as it would be written
            replacement = f"<{p}c{head}>{f_raw or ''}{value_open}{number_text}{value_close}"
            out.append(text[pos : m.start()])
            out.append(replacement)
            pos = m.end()
            continue
        original = m.group(0)
        if cell is None and key not in array_refs:  # a fast shape: t and <f> are known
            f_raw = m.group(8)
            if type(new) is NewValue:
                new_kind, value_xml = _encoded(new.value, f_raw is not None, new.text_as, p)
            else:
                new_kind, value_xml = _encoded(new, f_raw is not None, "str", p)
            attrs = f'{head} t="{new_kind}"' if new_kind else head
            body = (f_raw or "") + value_xml
            replacement = f"<{p}c{attrs}>{body}{closing}" if body else f"<{p}c{attrs}/>"
        else:
            if cell is None:
                cell = _cell(generic.match(original), m.start(), row, last_col, p, name)
            if new is _ABSENT:
                new = None
            elif type(new) is not NewValue:
                new = NewValue(new)
            if new is None:  # only the anchor's ref changes; keep its value as stored
                replacement = _REF_ATTR.sub(
                    lambda m, ref=array_refs[key]: f'{m.group(1)}"{ref}"', original, count=1
                )
            else:
                replacement = rewritten_cell(cell, new, p, array_refs.get(key))
        if replacement != original:
            out.append(text[pos : m.start()])
            out.append(replacement)
            pos = m.end()
    if pending:
        return None
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _rewrite_full(
    sheet: SheetXml,
    values: dict[tuple[int, int], NewValue],
    array_refs: dict[tuple[int, int], str],
) -> str:
    """:func:`rewrite_sheet` over the full scan's rows and cells (cells to create)."""
    p = sheet.prefix
    edits: list[tuple[int, int, str]] = []
    pending = dict(values)
    for row in sheet.rows:
        for cell in row.cells:
            key = (cell.row, cell.col)
            if key not in pending and key not in array_refs:
                continue
            new = pending.pop(key, None)
            if new is None:  # only the anchor's ref changes; keep its value as stored
                replacement = _REF_ATTR.sub(
                    lambda m, ref=array_refs[key]: f'{m.group(1)}"{ref}"',
                    sheet.text[cell.start : cell.end],
                    count=1,
                )
            else:
                replacement = rewritten_cell(cell, new, p, array_refs.get(key))
            if replacement != sheet.text[cell.start : cell.end]:
                edits.append((cell.start, cell.end, replacement))
    if pending:
        edits.extend(_insertions(sheet, pending))
        edits.extend(_dimension_edit(sheet, pending))
    return _apply(sheet.text, edits)


def _insertions(sheet: SheetXml, pending: dict[tuple[int, int], NewValue]) -> list:
    p = sheet.prefix
    by_row: dict[int, list[tuple[int, NewValue]]] = {}
    for (r, c), new in pending.items():
        by_row.setdefault(r, []).append((c, new))
    rows = {row.row: row for row in sheet.rows}
    edits: list[tuple[int, int, str]] = []
    new_rows: list[tuple[int, str]] = []
    for r, cells in sorted(by_row.items()):
        cells.sort(key=lambda item: item[0])
        row = rows.get(r)
        if row is None:
            body = "".join(new_cell(r, c, new, p) for c, new in cells)
            new_rows.append((r, f'<{p}row r="{r}">{body}</{p}row>'))
            continue
        if row.self_closing:
            body = "".join(new_cell(r, c, new, p) for c, new in cells)
            edits.append((row.start, row.end, f"{_widened(row, cells)}>{body}</{p}row>"))
            continue
        existing = row.cells
        i = 0
        for c, new in cells:
            while i < len(existing) and existing[i].col < c:
                i += 1
            at = existing[i].start if i < len(existing) else row.end - len(f"</{p}row>")
            edits.append((at, at, new_cell(r, c, new, p)))
        widened = _widened(row, cells)
        if widened != row.open_tag[:-1]:
            edits.append((row.start, row.start + len(row.open_tag) - 1, widened))
    if new_rows:
        if sheet.data_self_closing:
            start = sheet.data_end
            body = "".join(text for _, text in new_rows)
            edits.append((start, start + 2, f">{body}</{p}sheetData>"))
        else:
            for r, text in new_rows:
                after = [row for row in sheet.rows if row.row > r]
                at = after[0].start if after else sheet.data_end
                edits.append((at, at, text))
    return edits


def _widened(row: RowXml, cells: list[tuple[int, NewValue]]) -> str:
    """The row's start tag (without its closing '>' or '/>') with spans covering new cells."""
    tag = row.open_tag[:-1] if not row.self_closing else row.open_tag
    match = re.search(r'\sspans="(\d+):(\d+)"', tag)
    if not match:
        return tag
    low = min(int(match.group(1)), *(c for c, _ in cells))
    high = max(int(match.group(2)), *(c for c, _ in cells))
    return tag[: match.start()] + f' spans="{low}:{high}"' + tag[match.end() :]


def _dimension_edit(sheet: SheetXml, pending: dict[tuple[int, int], NewValue]) -> list:
    p = sheet.prefix
    match = re.search(rf'<{p}dimension\b[^>]*?\sref="([^"]*)"', sheet.text[: sheet.data_start])
    if not match:
        return []
    try:
        r1, c1, r2, c2 = parse_range(match.group(1))
    except ValueError:
        return []
    rows = [r for r, _ in pending]
    cols = [c for _, c in pending]
    box = (min(r1, *rows), min(c1, *cols), max(r2, *rows), max(c2, *cols))
    if box == (r1, c1, r2, c2):
        return []
    return [(match.start(1), match.end(1), range_name(*box))]


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    if not edits:
        return text
    # Stable order: by start, insertions (zero width) before a replacement at the same place.
    edits.sort(key=lambda e: (e[0], e[1] - e[0]))
    out: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        out.append(text[pos:start])
        out.append(replacement)
        pos = max(pos, end)
    out.append(text[pos:])
    return "".join(out)
