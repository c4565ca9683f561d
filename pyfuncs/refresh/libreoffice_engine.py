"""``--engine libreoffice``: LibreOffice Calc computes, our writer writes.

LibreOffice recalculates a temporary copy holding the inputs, with gpucredit's Calc add-in
loaded so ``GPU.*`` functions compute there too; we read its values back and hand them to the same
surgical writer, so the user's file is never saved by LibreOffice (which drops the theme and
freeze panes).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from pyfuncs.formulas.evaluator import Recalculation
from pyfuncs.refresh.inputs import Input
from pyfuncs.refresh.libreoffice import LibreOfficeError, recalculate_values
from pyfuncs.xlsx.reader import Book
from pyfuncs.xlsx.sheet_xml import NewValue, rewrite_sheet


class LibreOfficeEngine:
    """Recalculation by headless LibreOffice with the gpucredit add-in."""

    name = "libreoffice"

    def recalculate(self, book: Book, inputs: list[Input]) -> Recalculation:
        from pyfuncs.refresh.core import RefreshError

        with tempfile.TemporaryDirectory(prefix="gpucredit-refresh-") as work:
            source = Path(work) / f"in{book.path.suffix}"
            parts: dict[str, bytes] = {}
            for sheet_inputs in _by_sheet(inputs).values():
                sheet = sheet_inputs[0].sheet
                values = {(i.row, i.col): NewValue(i.value, "inlineStr") for i in sheet_inputs}
                parts[sheet.part] = rewrite_sheet(sheet.xml, values).encode("utf-8")
            source.write_bytes(book.package.to_bytes(parts))
            try:
                computed = recalculate_values(source, with_gpucredit=True, formulas_only=True)
            except LibreOfficeError as exc:
                raise RefreshError(f"LibreOffice could not recalculate: {exc}") from None
        result = Recalculation()
        known = {sheet.name for sheet in book.sheets}
        for (sheet_name, ref), value in computed.items():
            if sheet_name in known:
                result.values[(sheet_name, ref)] = "" if value is None else value
        result.formulas = sum(len(sheet.formulas) for sheet in book.sheets)
        return result


def _by_sheet(inputs: list[Input]) -> dict[str, list[Input]]:
    out: dict[str, list[Input]] = {}
    for item in inputs:
        out.setdefault(item.sheet.name, []).append(item)
    return out
