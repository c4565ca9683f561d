"""Port LibreOffice's function test documents (sc/qa/unit/data/functions/*/fods/*.fods of a
LibreOffice source tree, MPL-2.0) to rows of tests/data/conformance/libreoffice/CATEGORY.tsv.

    python tests/port_libreoffice_functions.py [--arrays OUT_DIR] SRC_FUNCTIONS_DIR [NAME ...]

prints, per document, the rows it ports (formula in Excel's syntax, the expected value, the
document's own check, the constants the formula reads and its cell) and the rows it leaves out
with the cause: LibreOffice-only syntax, another sheet, functions the engine lacks, array
rows whose check LibreOffice itself fails. Rows of array formulas (the formula cell's
table:number-matrix-rows-spanned/-columns-spanned area, one row a checked member) are printed as
``# array`` lines, or with ``--arrays OUT_DIR`` written to OUT_DIR/CATEGORY.tsv
(tests/data/conformance/libreoffice/array_formulas/), keeping the reasons written there.
Reasons for disagreements are written by hand in the TSV (see tests/data/conformance/MANIFEST).
"""

from __future__ import annotations

import datetime
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
T = "{" + NS["table"] + "}"
OFF = "{" + NS["office"] + "}"
X = "{" + NS["text"] + "}"


def para_text(p):
    """A text:p's text with its spaces: ``<text:s text:c="3"/>`` is three spaces (a cell
    holding " " is ``<text:p><text:s/></text:p>``, sumif.fods row 7), ``<text:tab/>`` a tab."""
    out = [p.text or ""]
    for child in p:
        if child.tag == X + "s":
            out.append(" " * int(child.get(X + "c", "1")))
        elif child.tag == X + "tab":
            out.append("\t")
        elif child.tag == X + "line-break":
            out.append("\n")
        else:
            out.append(para_text(child))
        out.append(child.tail or "")
    return "".join(out)


def cell_value(c):
    vt = c.get(OFF + "value-type")
    if vt is None:
        if c.get(T + "formula"):
            t = "".join(para_text(p) for p in c.findall(X + "p")).strip()
            if t in (
                "#DIV/0!",
                "#N/A",
                "#VALUE!",
                "#NUM!",
                "#REF!",
                "#NULL!",
                "#NAME?",
                "Err:502",
                "Err:504",
                "Err:511",
            ):
                return (
                    "error",
                    {"Err:502": "#NUM!", "Err:504": "#VALUE!", "Err:511": "#VALUE!"}.get(t, t),
                )
            if not t:
                return ""  # a formula giving empty text (=""): LibreOffice stores no value type
        return None
    if vt in ("float", "percentage", "currency"):
        return float(c.get(OFF + "value"))
    if vt == "boolean":
        flag = c.get(OFF + "boolean-value")
        if flag not in ("true", "false"):
            return float(flag)  # a number shown as a logical (subtotal.fods rows 15-16: 10)
        return flag == "true"
    if vt == "date":
        return ("date", c.get(OFF + "date-value"))
    if vt == "time":
        return ("time", c.get(OFF + "time-value"))
    if vt == "string":
        t = "".join(para_text(p) for p in c.findall(X + "p")).strip()
        if c.get(T + "formula") and t in (
            "#DIV/0!",
            "#N/A",
            "#VALUE!",
            "#NUM!",
            "#REF!",
            "#NULL!",
            "#NAME?",
            "Err:502",
            "Err:504",
            "Err:511",
        ):
            return (
                "error",
                {"Err:502": "#NUM!", "Err:504": "#VALUE!", "Err:511": "#VALUE!"}.get(t, t),
            )
        s = c.get(OFF + "string-value")
        if s is None:
            s = "\n".join(para_text(p) for p in c.findall(X + "p"))
        return s
    return None


def sheets(path):
    root = ET.parse(path).getroot()
    out = {}
    for t in root.iter(T + "table"):
        grid = {}
        r = 0
        for row in t.iter(T + "table-row"):
            rrep = int(row.get(T + "number-rows-repeated", "1"))
            cells = []
            col = 0
            for c in row:
                if c.tag not in (T + "table-cell", T + "covered-table-cell"):
                    continue
                crep = int(c.get(T + "number-columns-repeated", "1"))
                f = c.get(T + "formula")
                v = cell_value(c)
                text = "\n".join(para_text(p) for p in c.findall(X + "p"))
                mat = c.get(T + "number-matrix-rows-spanned")
                if f is not None or v is not None:
                    for k in range(min(crep, 50)):
                        cells.append(
                            (
                                col + k,
                                f,
                                v,
                                text,
                                mat and (int(mat), int(c.get(T + "number-matrix-columns-spanned"))),
                            )
                        )
                col += crep
            if cells:
                for k in range(min(rrep, 50)):
                    for cc, f, v, text, mat in cells:
                        grid[(r + k + 1, cc + 1)] = (f, v, text, mat)
            r += rrep
        out[t.get(T + "name")] = grid
    return out


def col_letters(c):
    s = ""
    while c:
        c, r = divmod(c - 1, 26)
        s = chr(65 + r) + s
    return s


def col_num(s):
    n = 0
    for ch in s:
        n = n * 26 + ord(ch) - 64
    return n


REF = re.compile(
    r"\[(\$?'?[^\]\.]*'?)?\.(\$?[A-Z]+\$?\d*)(?::(\$?'?[^\]\.]*'?)?\.(\$?[A-Z]+\$?\d*))?\]"
)


def translate(f):
    """ODF formula -> Excel syntax, or None if it uses what cannot be translated."""
    assert f.startswith("of:=")
    body = f[4:]
    out = []
    i = 0
    refs = []
    while i < len(body):
        ch = body[i]
        if ch == '"':
            j = i + 1
            while True:
                k = body.index('"', j)
                if k + 1 < len(body) and body[k + 1] == '"':
                    j = k + 2
                    continue
                break
            out.append(body[i : k + 1])
            i = k + 1
            continue
        if ch == "[":
            m = REF.match(body, i)
            if not m:
                return None, None
            s1, a, s2, b = m.groups()
            if (s1 and s1.strip("$")) or (s2 and s2.strip("$")):
                return None, None  # another sheet
            txt = a + (":" + b if b else "")
            refs.append(txt.replace("$", ""))
            out.append(txt)
            i = m.end()
            continue
        if ch == ";":
            out.append(",")
            i += 1
            continue
        if ch == "|":
            out.append(";")
            i += 1
            continue
        if ch == "~":
            out.append(",")
            i += 1
            continue
        if ch == "!":
            out.append(" ")
            i += 1
            continue
        out.append(ch)
        i += 1
    text = "".join(out)
    # References written bare, without brackets (textjoin.fods: TEXTJOIN("-";1;I13:K13)).
    code = re.sub(r'"(?:[^"]|"")*"', '""', text)
    bare = r"(?<![A-Za-z0-9_.$])\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?(?![A-Za-z0-9_(])"
    refs.extend(m.group(0).replace("$", "") for m in re.finditer(bare, code))
    text = re.sub(r"\bCOM\.MICROSOFT\.", "", text)
    text = re.sub(r"\b_xlfn\.", "", text)
    # OpenFormula's FDIST and FINV are the left-tailed F.DIST and F.INV; Excel's FDIST and
    # FINV are saved as LEGACY.FDIST and LEGACY.FINV (OASIS OpenFormula 1.2, those entries).
    text = re.sub(r"(?<![A-Za-z0-9_.])FDIST\(", "F.DIST(", text)
    text = re.sub(r"(?<![A-Za-z0-9_.])FINV\(", "F.INV(", text)
    text = re.sub(r"(?<![A-Za-z0-9_.])SKEWP\(", "SKEW.P(", text)  # OpenFormula's SKEWP
    # OpenFormula's names of Excel's compatibility functions (LEGACY.CHIDIST is CHIDIST).
    text = re.sub(r"(?<![A-Za-z0-9_.])LEGACY\.", "", text)
    if re.search(r"\b(ORG\.|COM\.|[A-Z]+\.[A-Z]+\.)", text) and re.search(r"\bORG\.", text):
        return None, None
    return "=" + text, refs


def serial(v):
    if isinstance(v, tuple):
        kind, s = v
        if kind == "date":
            d = datetime.datetime.fromisoformat(s)
            base = datetime.datetime(1899, 12, 30)
            return (d - base).total_seconds() / 86400
        if kind == "time":
            m = re.match(r"-?PT(\d+)H(\d+)M([\d.]+)S", s)
            h, mi, se = m.groups()
            t = (int(h) * 3600 + int(mi) * 60 + float(se)) / 86400
            return -t if s.startswith("-") else t
    if isinstance(v, tuple) and v[0] == "error":
        return "=" + v[1]  # an error value, as a formula giving it
    return v


def cell_consts(grid, refs, host_row, depth=0):
    cells = {}

    def put(key, name):
        f, v = grid[key][0], grid[key][1]
        if depth == 0 and f and re.search(r"(SUBTOTAL|AGGREGATE)\(", f):
            tf, trefs = translate(f)
            if tf:
                inner = cell_consts(grid, trefs, host_row, depth + 1)
                if inner is not None:
                    cells.update(inner)
                    cells[name] = tf
                    return
        cells[name] = serial(v)

    for r in refs:
        if ":" in r:
            a, b = r.split(":")
            ma = re.match(r"([A-Z]+)(\d*)$", a)
            mb = re.match(r"([A-Z]+)(\d*)$", b)
            c1, c2 = col_num(ma.group(1)), col_num(mb.group(1))
            r1 = int(ma.group(2)) if ma.group(2) else 1
            r2 = int(mb.group(2)) if mb.group(2) else 2000
            for (rr, cc), (_f, v, _t, _mat) in grid.items():
                if (
                    r1 <= rr <= r2
                    and c1 <= cc <= c2
                    and v is not None
                    and not (isinstance(v, str) and v.startswith("="))
                ):
                    put((rr, cc), f"{col_letters(cc)}{rr}")
        else:
            m = re.match(r"([A-Z]+)(\d+)$", r)
            if not m:
                return None
            key = (int(m.group(2)), col_num(m.group(1)))
            if key in grid and grid[key][1] is not None:
                if isinstance(grid[key][1], str) and grid[key][1].startswith("="):
                    return None
                put(key, r)
    return cells


CHECK = [
    (re.compile(r"of:=ROUND\(\[\.A(\d+)\];(\d+)\)=ROUND\(\[\.B\1\];\2\)$"), "round"),
    (
        re.compile(
            r"of:=ORG\.LIBREOFFICE\.ROUNDSIG\(\[\.A(\d+)\];(\d+)\)=ORG\.LIBREOFFICE\.ROUNDSIG\(\[\.B\1\];\2\)$"
        ),
        "sig",
    ),
    (re.compile(r"of:=\[\.A(\d+)\]=\[\.B\1\]$"), "exact"),
    (re.compile(r"of:=\[\.B(\d+)\]=\[\.A\1\]$"), "exact"),
    (re.compile(r"of:=ISERROR\(\[\.A(\d+)\]\)$"), "error"),
]


def test_sheet(sh):
    best = None
    for name, g in sh.items():
        n = sum(
            1 for (r, c), x in g.items() if c == 3 and x[0] and any(p.match(x[0]) for p, _ in CHECK)
        )
        if best is None or n > best[0]:
            best = (n, name)
    return best[1]


def named_ranges(path, sheet):
    txt = Path(path).read_text(encoding="utf-8")
    out = {}
    for m in re.finditer(
        r'<table:named-range table:name="([^"]+)"[^>]*table:cell-range-address="([^"]+)"', txt
    ):
        name, addr = m.groups()
        parts = re.findall(r"\$?'?([^.:']*)'?\.\$?([A-Z]+)\$?(\d+)", addr)
        if not parts or parts[0][0] != sheet or any(p[0] not in ("", sheet) for p in parts):
            out[name] = None
            continue
        out[name] = ":".join(c + r for _, c, r in parts)
    return out


FUNC = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\(")


def port(path):
    sh = sheets(path)
    name = test_sheet(sh)
    g = sh[name]
    names = named_ranges(path, name)
    from pyfuncs.formulas.builtins import BUILTINS
    from pyfuncs.formulas.special_forms import SPECIAL

    known = set(BUILTINS) | set(SPECIAL)
    rows = []
    arrays = []
    skipped = []
    # Rows inside an array formula's area (its first cell holds the formula, the covered cells
    # below it the members): row -> (first row, rows, columns, formula).
    members = {}
    for (r, c), (f, _v, _t, mat) in g.items():
        if c == 1 and f and mat:
            for k in range(mat[0]):
                members[r + k] = (r, mat[0], mat[1], f)
    for (r, c), (f, _v, _t, _mat) in sorted(g.items()):
        if c != 3 or not f:
            continue
        kind = None
        for p, k in CHECK:
            m = p.match(f)
            if m and int(m.group(1)) == r:
                kind = k + (":" + m.group(2) if k in ("round", "sig") else "")
                break
        if kind is None:
            continue
        a = g.get((r, 1))
        area = None
        if r in members:
            first, nrows, ncols, source = members[r]
            area = [(rr, cc) for rr in range(first, first + nrows) for cc in range(1, ncols + 1)]
        elif not a or not a[0]:
            skipped.append((r, "no formula in A"))
            continue
        else:
            source = a[0]
        if g.get((r, 3))[1] is not True:
            skipped.append((r, "LibreOffice fails its own check"))
            continue
        formula, refs = translate(source)
        if formula is None:
            skipped.append((r, "LibreOffice-only syntax or another sheet: " + source))
            continue
        bad = False

        def sub(m, refs=refs):
            nonlocal bad
            w = m.group(0)
            if w.upper() in ("TRUE", "FALSE"):
                return w
            if w in names:
                if names[w] is None:
                    bad = True
                    return w
                refs.append(names[w])
                return names[w]
            return w

        # names outside strings
        parts = re.split(r'("(?:[^"]|"")*")', formula)
        for i in range(0, len(parts), 2):
            parts[i] = re.sub(
                r"(?<![A-Za-z0-9_.$!])[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_(!])(?![0-9]*[:(])",
                lambda m: sub(m) if not re.match(r"^[A-Z]{1,3}[0-9]+$", m.group(0)) else m.group(0),
                parts[i],
            )
        formula = "".join(parts)
        if bad:
            skipped.append((r, "a name on another sheet"))
            continue
        unknown = [f for f in FUNC.findall("".join(parts[0::2])) if f.upper() not in known]
        if unknown:
            skipped.append((r, "functions the engine lacks: " + ",".join(unknown)))
            continue
        if re.search(r"#(?!N/A|DIV/0!|VALUE!|REF!|NAME\?|NUM!|NULL!)", "".join(parts[0::2])):
            skipped.append((r, "LibreOffice error literal: " + formula))
            continue
        if re.search(r"\)[A-Z]", "".join(parts[0::2])):
            skipped.append((r, "LibreOffice-only syntax: " + formula))
            continue
        if kind == "error":
            expected = "error"
        else:
            b = g.get((r, 2))
            shown = a[1] if a else None  # an array member showing empty text has no cell here
            if (not b or b[1] is None) and kind == "exact" and shown in (None, ""):
                b = (None, "")  # an empty expected cell the formula's empty text equals
            if not b or b[1] is None:
                skipped.append((r, "no expected value"))
                continue
            ev = serial(b[1])
            if isinstance(shown, bool) and isinstance(ev, float) and ev in (0.0, 1.0):
                ev = bool(ev)  # LibreOffice stored the expected TRUE/FALSE as 1/0
            if isinstance(ev, bool):
                expected = "TRUE" if ev else "FALSE"
            elif isinstance(ev, float):
                expected = format_num(ev)
            else:
                expected = json.dumps(ev, ensure_ascii=False)
        if re.search(r"\b(INDIRECT|OFFSET)\(", formula):
            refs = [*refs, "A1:ZZ2000"]
        cells = cell_consts(g, refs, r)
        if cells is None:
            skipped.append((r, "unreadable reference"))
            continue
        host = f"A{r}"
        if area:
            own = {f"{col_letters(cc)}{rr}" for rr, cc in area}
            if own & set(cells):
                if not re.search(r"\b(INDIRECT|OFFSET)\(", formula):
                    skipped.append((r, "reads its own array area"))
                    continue
                cells = {k: v for k, v in cells.items() if k not in own}
            (r1, c1), (r2, c2) = area[0], area[-1]
            span = f"{col_letters(c1)}{r1}:{col_letters(c2)}{r2}"
            cells = {"@": host, **cells}
            arrays.append((r, span, formula, expected, _array_kind(kind, expected), cells))
            continue
        if host in cells:
            if not re.search(r"\b(INDIRECT|OFFSET)\(", formula):
                skipped.append((r, "reads its own cell"))
                continue
            del cells[host]
        if (
            isinstance(expected, str)
            and (expected.startswith('"') or expected in ("TRUE", "FALSE"))
            and kind.startswith(("round", "sig"))
        ):
            kind = "exact"
        cells = {"@": host, **cells}
        rows.append((r, formula, expected, kind, cells))
    return name, rows, skipped, arrays


def _array_kind(kind, expected):
    """The check of an array member: as a plain row's (text and logical results exactly)."""
    if (
        isinstance(expected, str)
        and (expected.startswith('"') or expected in ("TRUE", "FALSE"))
        and kind.startswith(("round", "sig"))
    ):
        return "exact"
    return kind


def format_num(x):
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    s = f"{x:.15g}"
    return s


ARRAY_HEADER = """\
# Rows of LibreOffice's function test documents, {category}/ (LibreOffice 7.4.7.2 source release,
# MPL-2.0; see ../../MANIFEST), whose formula is an array formula, ported by
# tests/port_libreoffice_functions.py. One row a checked member of the array: the document, the
# member's row, the array's area (a legacy array formula over it, as Excel's <f t="array">),
# the formula, the member's expected value, the check, the constants (with "@": the member's
# cell) and the reason the engine differs, if it does.
"""


def write_arrays(out: Path, by_category: dict[str, list[list[str]]]) -> None:
    """Write the array rows to OUT/CATEGORY.tsv, keeping the reasons already written there."""
    out.mkdir(parents=True, exist_ok=True)
    for category, lines in sorted(by_category.items()):
        path = out / f"{category}.tsv"
        reasons = {}
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line and not line.startswith("#"):
                    parts = line.split("\t")
                    if len(parts) > 7 and parts[7].strip():
                        reasons[(parts[0], parts[1])] = parts[7]
        text = ARRAY_HEADER.format(category=category) + "".join(
            "\t".join([*line, reasons.get((line[0], line[1]), "")]) + "\n" for line in lines
        )
        path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    arrays_dir = None
    if argv[:1] == ["--arrays"]:
        arrays_dir, argv = Path(argv[1]), argv[2:]
    src = Path(argv[0])
    only = set(argv[1:])
    by_category: dict[str, list[list[str]]] = {}
    for path in sorted(src.glob("*/fods/*.fods")):
        if only and path.stem not in only:
            continue
        _sheet, rows, skipped, arrays = port(str(path))
        doc = f"{path.parent.parent.name}/{path.name}"
        for r, formula, expected, kind, cells in rows:
            print("\t".join([doc, str(r), formula, expected, kind, json.dumps(cells)]))
        for r, span, formula, expected, kind, cells in arrays:
            line = [
                doc,
                str(r),
                span,
                formula,
                expected,
                kind,
                json.dumps(cells, ensure_ascii=False),
            ]
            by_category.setdefault(path.parent.parent.name, []).append(line)
            if arrays_dir is None:
                print("# array " + "\t".join(line))
        for r, why in skipped:
            print(f"# {doc} row {r} left out: {why}", file=sys.stderr)
    if arrays_dir is not None:
        write_arrays(arrays_dir, by_category)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
