"""Spell gpucredit's function calls the way LibreOffice Calc resolves them, in a workbook copy.

Excel stores an Office.js custom-function call as ``_xldudf_GPU_DSCR(...)`` (docs/excel-files.md,
[MS: OfficeDev/Excel-Custom-Functions#108]); xlwings workbooks say ``GPU_DSCR(...)``. LibreOffice
7.4 resolves neither: it lower-cases an unknown name and shows ``#NAME?``, and it does not consult
an add-in's compatibility names when it opens an .xlsx (measured). It does resolve
``GPU.DSCR(...)``, the add-in's service name and method. So before Calc opens a workbook, a copy is
made in which every call of a registered function, in any of these spellings, reads ``GPU.X(``;
every other part of the file is copied byte for byte, and the user's file is never touched.
"""

from __future__ import annotations

import html
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pyfuncs.catalogue import NAMESPACE, lookup

# A call in any spelling: _xldudf_GPU_X( (Office.js, as stored), GPU_X( (xlwings) or GPU.X(.
# The look-behind keeps MYGPU_X( and Sheet.GPU_X( alone.
_CALL = re.compile(
    rf"(?<![\w.])(?:_xldudf_{NAMESPACE}_|{NAMESPACE}_|{NAMESPACE}\.)([A-Z][A-Z0-9_]*)(\s*\()",
    re.IGNORECASE,
)
# Elements holding formulas in SpreadsheetML: cell formulas, conditional formats, data
# validation, defined names (with or without a namespace prefix such as xm:).
_FORMULA_ELEMENT = re.compile(
    r"(<(?P<tag>(?:\w+:)?(?:f|formula|formula1|formula2|definedName))(?:\s[^>]*)?>)"
    r"(?P<body>[^<]*)(</(?P=tag)>)"
)
_FORMULA_PARTS = re.compile(r"xl/(workbook\.xml|worksheets/[^/]+\.xml)$")


@dataclass(frozen=True)
class Respelled:
    """What :func:`respell_workbook` did: calls rewritten, and calls of ours found in all."""

    rewritten: int
    calls: int


def calc_formula(text: str) -> tuple[str, int, int]:
    """``text`` with gpucredit calls spelled ``GPU.X(``; also (rewritten, calls) counts.

    String literals (between double quotes) are left as they are.
    """
    rewritten = calls = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal rewritten, calls
        spec = lookup(match.group(1))
        if spec is None or spec.name != match.group(1).upper():
            return match.group(0)
        calls += 1
        wanted = f"{spec.officejs_name}{match.group(2)}"
        if match.group(0) != wanted:
            rewritten += 1
        return wanted

    # Outside quotes are the even pieces (Excel doubles a quote inside a string: "a""b").
    pieces = text.split('"')
    for i in range(0, len(pieces), 2):
        pieces[i] = _CALL.sub(replace, pieces[i])
    return '"'.join(pieces), rewritten, calls


def _respell_part(xml: str) -> tuple[str, int, int]:
    rewritten = calls = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal rewritten, calls
        body = html.unescape(match.group("body"))
        new_body, n_rewritten, n_calls = calc_formula(body)
        rewritten += n_rewritten
        calls += n_calls
        if not n_rewritten:
            return match.group(0)
        escaped = new_body.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"{match.group(1)}{escaped}{match.group(4)}"

    return _FORMULA_ELEMENT.sub(replace, xml), rewritten, calls


def respell_workbook(source: Path, target: Path) -> Respelled:
    """Copy the workbook ``source`` to ``target`` with every gpucredit call spelled ``GPU.X(``.

    Parameters
    ----------
    source : Path
        An .xlsx or .xlsm workbook (read only). Other formats are copied unchanged.
    target : Path
        The copy to write.

    Returns
    -------
    Respelled
        ``calls`` is -1 when the file is not a SpreadsheetML package.
    """
    if not zipfile.is_zipfile(source):
        shutil.copyfile(source, target)
        return Respelled(0, -1)
    rewritten = calls = 0
    with zipfile.ZipFile(source) as zin:
        if "xl/workbook.xml" not in zin.namelist():
            shutil.copyfile(source, target)
            return Respelled(0, -1)
        with zipfile.ZipFile(target, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info)
                if _FORMULA_PARTS.match(info.filename):
                    xml, n_rewritten, n_calls = _respell_part(data.decode("utf-8"))
                    rewritten += n_rewritten
                    calls += n_calls
                    if n_rewritten:
                        data = xml.encode("utf-8")
                zout.writestr(info, data)
    return Respelled(rewritten, calls)
