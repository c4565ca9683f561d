"""References beyond one rectangle: structured references to Excel tables, unions,
intersections, 3-D references, and the dynamic ones (OFFSET, INDIRECT); and LET's names.

- Structured references (Microsoft Support, "Using structured references with Excel tables"):
  ``Table1[Col]`` is the column's data rows, ``Table1[[Col1]:[Col2]]`` a span of columns,
  ``Table1[#All]``, ``[#Data]``, ``[#Headers]``, ``[#Totals]`` the table's parts (``#Headers``
  with ``#Data``, ``#Data`` with ``#Totals`` combine), ``[@Col]`` and ``[[#This Row],[Col]]``
  the cell of the formula's own row; a reference without a table name means the table that
  holds the formula. The table's range comes from its ``table`` part (ECMA-376 18.5.1.2).
- ``(A1:B2,D4)`` (the union, a comma inside parentheses) and a 3-D reference
  ``Sheet1:Sheet3!A1`` are :class:`Areas`: functions that take any number of ranges (``SUM``,
  ``COUNT``, ``MAX``...) see one argument per area, as Excel does; elsewhere they are
  ``#VALUE!``. ``A1:C3 B2:D4`` (the intersection, a space) is the common cell range, or
  ``#NULL!`` when there is none.
- ``OFFSET(ref, rows, cols, [height], [width])`` and ``INDIRECT(text, [a1])`` compute their
  reference while evaluating; the evaluator's scheduler computes what they point at first.
  Both are volatile in Excel (recomputed on every change): the evaluator lists the cells that
  use them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.parser import MAX_COL, MAX_ROW, FormulaSyntaxError, parse_formula
from pyfuncs.formulas.problems import UnsupportedFormulaError
from pyfuncs.formulas.values import REF, Ref, XlError, num, text

if TYPE_CHECKING:
    from pyfuncs.formulas.evaluator import Evaluator
    from pyfuncs.xlsx.reader import Table

NULL = ExcelError("#NULL!", "the ranges do not intersect")
VOLATILE = frozenset({"OFFSET", "INDIRECT", "NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY"})


class Areas:
    """A reference of several rectangles (a union or a 3-D reference)."""

    __slots__ = ("refs",)

    def __init__(self, refs: list[Ref]) -> None:
        self.refs = refs

    def __repr__(self) -> str:
        return f"Areas({self.refs!r})"


# --- structured references ---------------------------------------------------------------------


def _split(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets (``'`` escapes the next character)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == "'":
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    return parts


def _unbracket(item: str) -> str:
    item = item.strip()
    if item.startswith("[") and item.endswith("]"):
        item = item[1:-1]
    return re.sub(r"'(.)", r"\1", item)


def parse_spec(spec: str) -> tuple[frozenset[str], tuple[str, str] | None]:
    """``"[[#This Row],[Amount]]"`` -> ({"#THIS ROW"}, ("Amount", "Amount")): the table parts
    named and the first and last column (``None``: every column)."""
    inner = spec[1:-1]
    parts: set[str] = set()
    if inner.startswith("@"):
        parts.add("#THIS ROW")
        inner = inner[1:]
        items = [inner] if inner.strip() else []
    elif "[" not in inner:
        items = [inner] if inner.strip() else []
    else:
        items = [i for i in _split(inner, ",") if i.strip()]
    columns: tuple[str, str] | None = None
    for item in items:
        ends = [_unbracket(p) for p in _split(item.strip(), ":")]
        if len(ends) == 1 and ends[0].startswith("#"):
            parts.add(" ".join(ends[0].upper().split()))
            continue
        if len(ends) > 2:
            raise UnsupportedFormulaError(f"unreadable structured reference {spec}")
        columns = (ends[0], ends[-1])
    unknown = parts - {"#ALL", "#DATA", "#HEADERS", "#TOTALS", "#THIS ROW"}
    if unknown:
        raise UnsupportedFormulaError(f"unknown table part {sorted(unknown)[0]} in {spec}")
    return frozenset(parts), columns


def _rows(table: Table, parts: frozenset[str], row: int) -> tuple[int, int] | ExcelError:
    r1, _, r2, _ = table.area
    first_data, last_data = r1 + table.header_rows, r2 - table.totals_rows
    if "#THIS ROW" in parts:
        if not first_data <= row <= last_data:
            return ExcelError("#VALUE!", "[@...] used outside the table's data rows")
        return row, row
    if not parts or parts == {"#DATA"}:
        return first_data, last_data
    if "#ALL" in parts:
        return r1, r2
    if parts == {"#HEADERS"}:
        return (r1, r1) if table.header_rows else ExcelError("#REF!", "the table has no header")
    if parts == {"#TOTALS"}:
        return (r2, r2) if table.totals_rows else ExcelError("#REF!", "the table has no totals")
    if parts == {"#HEADERS", "#DATA"}:
        return r1, last_data
    if parts == {"#DATA", "#TOTALS"}:
        return first_data, r2
    return ExcelError("#REF!", "this combination of table parts is not a range")


def compile_struct(ev: Evaluator, node: Any, sheet: int) -> Callable:
    _, name, spec = node
    parts, columns = parse_spec(spec)
    tables = ev.book.tables
    named = None
    if name is not None:
        named = next((t for t in tables if t.name.casefold() == name.casefold()), None)
        if named is None:
            raise UnsupportedFormulaError(f"no table named {name}")

    def table_at(r: int, c: int) -> Table | None:
        for t in tables:
            a = t.area
            if t.sheet_index == sheet and a[0] <= r <= a[2] and a[1] <= c <= a[3]:
                return t
        return None

    def struct(r: int, c: int) -> Any:
        table = named or table_at(r, c)
        if table is None:
            return ExcelError("#REF!", f"{spec} is used outside a table")
        rows = _rows(table, parts, r)
        if type(rows) is ExcelError:
            return rows
        if columns is None:
            c1, c2 = table.area[1], table.area[3]
        else:
            folded = [col.casefold() for col in table.columns]
            try:
                c1 = table.area[1] + folded.index(columns[0].casefold())
                c2 = table.area[1] + folded.index(columns[1].casefold())
            except ValueError:
                return ExcelError("#REF!", f"table {table.name} has no column {columns}")
        return Ref(table.sheet_index, rows[0], min(c1, c2), rows[1], max(c1, c2))

    return struct


# --- unions, intersections, 3-D references ---------------------------------------------------


def _areas_of(x: Any) -> list[Ref] | ExcelError:
    if type(x) is Ref:
        return [x]
    if type(x) is Areas:
        return x.refs
    if type(x) is ExcelError:
        return x
    return ExcelError("#VALUE!", "the union operator needs references")


def compile_union(ev: Evaluator, node: Any, array: bool, sheet: int) -> Callable:
    items = [ev.compile(item, True, sheet) for item in node[1]]

    def union(r: int, c: int) -> Any:
        refs: list[Ref] = []
        for fn in items:
            found = _areas_of(fn(r, c))
            if type(found) is ExcelError:
                return found
            refs.extend(found)
        return Areas(refs)

    return union


def intersection(a: Any, b: Any) -> Any:
    """The cells common to two references (``#NULL!`` when none)."""
    for x in (a, b):
        if type(x) is ExcelError:
            return x
        if type(x) is not Ref:
            return ExcelError("#VALUE!", "the intersection operator needs references")
    if a.sheet != b.sheet:
        return NULL
    r1, c1 = max(a.r1, b.r1), max(a.c1, b.c1)
    r2, c2 = min(a.r2, b.r2), min(a.c2, b.c2)
    if r1 > r2 or c1 > c2:
        return NULL
    return Ref(a.sheet, r1, c1, r2, c2)


def compile_isect(ev: Evaluator, node: Any, array: bool, sheet: int) -> Callable:
    left, right = ev.compile(node[1], True, sheet), ev.compile(node[2], True, sheet)
    return lambda r, c: intersection(left(r, c), right(r, c))


def compile_ref3d(ev: Evaluator, node: Any, sheet: int) -> Callable:
    """``Sheet1:Sheet3!A1``: the same cells on every sheet from the first to the last (in the
    workbook's order)."""
    _, first, last, *parts = node
    a, b = ev.sheet_index.get(first.casefold()), ev.sheet_index.get(last.casefold())
    if a is None or b is None:
        return lambda r, c: REF
    a, b = min(a, b), max(a, b)
    per_sheet = [
        ev.compile(("ref", ev.book.sheets[s].name, *parts), True, sheet) for s in range(a, b + 1)
    ]

    def ref3d(r: int, c: int) -> Any:
        refs = [fn(r, c) for fn in per_sheet]
        for x in refs:
            if type(x) is not Ref:
                return x
        return Areas(refs)

    return ref3d


# --- OFFSET and INDIRECT --------------------------------------------------------------------------


def _whole(ev: Evaluator, fn: Callable, r: int, c: int, array: bool) -> int | None:
    x = ev.value_of(fn(r, c), r, c, array)
    if x is None:
        return None
    return int(num(x))


def offset(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    """``OFFSET(reference, rows, cols, [height], [width])`` (Microsoft Support, "OFFSET
    function"): the reference moved by rows and columns, with the given size (default: the
    reference's); a negative height or width extends up or left; 0 or off the sheet is
    ``#REF!``."""
    if not 3 <= len(args) <= 5:
        raise UnsupportedFormulaError("OFFSET takes 3 to 5 arguments", "OFFSET")
    base = ev.compile(args[0], True, sheet)
    rest = [ev.compile(a, False, sheet) for a in args[1:]]

    def offset_(r: int, c: int) -> Any:
        ref = base(r, c)
        if type(ref) is ExcelError:
            return ref
        if type(ref) is not Ref:
            return ExcelError("#VALUE!", "OFFSET needs a reference")
        try:
            values = [_whole(ev, fn, r, c, False) for fn in rest]
        except XlError as exc:
            return exc.value
        rows, cols = values[0] or 0, values[1] or 0
        height = values[2] if len(values) > 2 and values[2] is not None else ref.shape[0]
        width = values[3] if len(values) > 3 and values[3] is not None else ref.shape[1]
        if height == 0 or width == 0:
            return ExcelError("#REF!", "OFFSET height and width must not be 0")
        r1, c1 = ref.r1 + rows, ref.c1 + cols
        r2, c2 = r1 + height - 1 if height > 0 else r1, c1 + width - 1 if width > 0 else c1
        if height < 0:
            r1 = r1 + height + 1
        if width < 0:
            c1 = c1 + width + 1
        if r1 < 1 or c1 < 1 or r2 > MAX_ROW or c2 > MAX_COL:
            return ExcelError("#REF!", "OFFSET points off the sheet")
        return Ref(ref.sheet, r1, c1, r2, c2)

    return offset_


_R1C1 = re.compile(
    r"^(?:(?P<sheet>'(?:[^']|'')+'|[^'!]+)!)?"
    r"R(?P<r1>\[-?\d+\]|\d+)C(?P<c1>\[-?\d+\]|\d+)(?::R(?P<r2>\[-?\d+\]|\d+)C(?P<c2>\[-?\d+\]|\d+))?$",
    re.I,
)


def _r1c1(spec: str, r: int, c: int) -> tuple[str | None, int, int, int, int] | None:
    m = _R1C1.match(spec.strip())
    if m is None:
        return None

    def part(p: str, base: int) -> int:
        return base + int(p[1:-1]) if p.startswith("[") else int(p)

    r1, c1 = part(m.group("r1"), r), part(m.group("c1"), c)
    r2 = part(m.group("r2"), r) if m.group("r2") else r1
    c2 = part(m.group("c2"), c) if m.group("c2") else c1
    sheet = m.group("sheet")
    if sheet and sheet.startswith("'"):
        sheet = sheet[1:-1].replace("''", "'")
    return sheet, r1, c1, r2, c2


def indirect(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    """``INDIRECT(ref_text, [a1])`` (Microsoft Support, "INDIRECT function"): the reference
    written in a text, A1 style (``"Sheet2!B3"``, ``"A1:C4"``, a defined name, a table
    reference) or R1C1 style when ``a1`` is FALSE; ``#REF!`` when the text is not one."""
    if not 1 <= len(args) <= 2:
        raise UnsupportedFormulaError("INDIRECT takes 1 or 2 arguments", "INDIRECT")
    ref_text = ev.compile(args[0], False, sheet)
    style = ev.compile(args[1], False, sheet) if len(args) > 1 else None
    cache: dict[str, Callable | ExcelError] = {}

    def resolve(spec: str) -> Callable | ExcelError:
        found = cache.get(spec)
        if found is None:
            try:
                tree = parse_formula(spec, (1, 1))
                if tree[0] not in ("ref", "name", "struct", "range", "ref3d"):
                    found = ExcelError("#REF!", f"INDIRECT text {spec[:40]!r} is not a reference")
                else:
                    found = ev.compile(tree, True, sheet)
            except (FormulaSyntaxError, UnsupportedFormulaError):
                found = ExcelError("#REF!", f"INDIRECT text {spec[:40]!r} is not a reference")
            if len(cache) < 10_000:
                cache[spec] = found
        return found

    def indirect_(r: int, c: int) -> Any:
        x = ev.value_of(ref_text(r, c), r, c, False)
        try:
            spec = text(x)
            a1 = True
            if style is not None:
                flag = ev.value_of(style(r, c), r, c, False)
                a1 = flag is None or bool(num(flag))
        except XlError as exc:
            return exc.value
        if not a1:
            found = _r1c1(spec, r, c)
            if found is None:
                return ExcelError("#REF!", f"INDIRECT text {spec[:40]!r} is not an R1C1 reference")
            name, r1, c1, r2, c2 = found
            target = sheet if name is None else ev.sheet_index.get(name.casefold())
            if (
                target is None
                or min(r1, c1, r2, c2) < 1
                or max(r1, r2) > MAX_ROW
                or max(c1, c2) > MAX_COL
            ):
                return REF
            return Ref(target, min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))
        fn = resolve(spec)
        if type(fn) is ExcelError:
            return fn
        return fn(1, 1)  # the text's relative references are read from A1: as written

    return indirect_


# --- LET ------------------------------------------------------------------------------------------


def let_name(name: str) -> str:
    """A LET parameter as the file stores it (``_xlpm.rate``) -> ``rate``, case-folded."""
    folded = name.casefold()
    return folded[len("_xlpm.") :] if folded.startswith("_xlpm.") else folded


def let(ev: Evaluator, args: tuple, array: bool, sheet: int) -> Callable:
    """``LET(name1, value1, [name2, value2, ...], calculation)`` (Microsoft Support, "LET
    function"): each value is computed once per evaluation, in order, and may use the names
    before it; the calculation sees them all."""
    if len(args) < 3 or len(args) % 2 == 0:
        raise UnsupportedFormulaError("LET takes name, value pairs and a calculation", "LET")
    count = len(args) // 2
    slots: list[Any] = [None] * count
    scope: dict[str, Callable] = {}
    values = []
    ev.let_scopes.append(scope)
    try:
        for i in range(count):
            name = args[2 * i]
            if name[0] != "name" or name[1] is not None:
                raise UnsupportedFormulaError("LET names must be plain names", "LET")
            values.append(ev.compile(args[2 * i + 1], array, sheet))
            scope[let_name(name[2])] = (lambda k: lambda r, c: slots[k])(i)
        body = ev.compile(args[-1], array, sheet)
    finally:
        ev.let_scopes.pop()

    def let_(r: int, c: int) -> Any:
        for i, fn in enumerate(values):
            slots[i] = fn(r, c)
        return body(r, c)

    return let_
