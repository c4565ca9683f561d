"""``--engine libreoffice``: LibreOffice Calc computes, our writer writes.

The hook for the LibreOffice add-in: LibreOffice recalculates a temporary copy holding the
inputs, we read its values back and hand them to the same surgical writer, so the user's file
is never saved by LibreOffice (which drops the theme and freeze panes). Until the ``GPU.*``
add-in is wired in (:func:`_gpu_cells` is the place to lift the refusal), a workbook with
gpucredit functions is refused: LibreOffice would turn them into ``#NAME?``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import openpyxl

from pyfuncs.errors import EXCEL_ERROR_CODES, ExcelError
from pyfuncs.workbook.book import Book
from pyfuncs.workbook.engine import Recalculation
from pyfuncs.workbook.formula_parser import gpu_spelling
from pyfuncs.workbook.inputs import Input
from pyfuncs.workbook.libreoffice import recalculate
from pyfuncs.workbook.sheet_xml import NewValue, cell_name, rewrite_sheet


class LibreOfficeEngine:
    """Recalculation by headless LibreOffice (built-in functions only, for now)."""

    name = "libreoffice"

    def recalculate(self, book: Book, inputs: list[Input]) -> Recalculation:
        from pyfuncs.workbook.refresh import RefreshError

        gpu = _gpu_cells(book)
        if gpu:
            raise RefreshError(
                f"--engine libreoffice cannot evaluate gpucredit functions yet ({', '.join(gpu[:5])}"
                f"{' ...' if len(gpu) > 5 else ''}); use --engine builtin"
            )
        with tempfile.TemporaryDirectory(prefix="gpucredit-refresh-") as work:
            work_dir = Path(work)
            source = work_dir / f"in{book.path.suffix}"
            parts: dict[str, bytes] = {}
            for sheet_inputs in _by_sheet(inputs).values():
                sheet = sheet_inputs[0].sheet
                values = {(i.row, i.col): NewValue(i.value, "inlineStr") for i in sheet_inputs}
                parts[sheet.part] = rewrite_sheet(sheet.xml, values).encode("utf-8")
            source.write_bytes(book.package.to_bytes(parts))
            computed = recalculate(source, work_dir / "out")
            loaded = openpyxl.load_workbook(computed, data_only=True, read_only=False)
            result = Recalculation()
            for sheet in book.sheets:
                if not sheet.part:
                    continue
                values_sheet = loaded[sheet.name]
                for (r, c), formula in sheet.formulas.items():
                    area = formula.array_ref or (r, c, r, c)
                    for i in range(area[0], area[2] + 1):
                        for j in range(area[1], area[3] + 1):
                            value = _excel_value(values_sheet.cell(i, j).value)
                            result.values[(sheet.name, cell_name(i, j))] = value
                    result.formulas += 1
            return result


def _by_sheet(inputs: list[Input]) -> dict[str, list[Input]]:
    out: dict[str, list[Input]] = {}
    for item in inputs:
        out.setdefault(item.sheet.name, []).append(item)
    return out


def _gpu_cells(book: Book) -> list[str]:
    found = []
    for sheet in book.sheets:
        for (r, c), formula in sheet.formulas.items():
            text = formula.text.upper()
            if any(gpu_spelling(text[i:]) for i in _starts(text)):
                found.append(f"{sheet.name}!{cell_name(r, c)}")
    return found


def _starts(text: str) -> list[int]:
    return [0] + [i + 1 for i, ch in enumerate(text) if ch in "(,+-*/^&=<> !"]


def _excel_value(value: Any) -> Any:
    if isinstance(value, str) and value in EXCEL_ERROR_CODES:
        return ExcelError(value, "computed by LibreOffice")
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if value is None:
        return ""
    return value
