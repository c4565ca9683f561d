"""Shared fixtures: LibreOffice as an independent engine for Excel's own functions."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest

from pyfuncs.catalogue import catalogue
from pyfuncs.refresh.libreoffice import recalculate, soffice_path

# The registry fills as the catalogue's modules are imported (catalogue() and lookup() import
# them; ``import pyfuncs`` no longer does): test modules that read REGISTRY while they are
# collected see every function.
catalogue()


class LibreOfficeOracle:
    """Evaluates Excel formulas in LibreOffice Calc (a fresh profile per run, recalculated)."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.runs = 0

    def evaluate(self, rows: list[list[object]]) -> list[list[object]]:
        """Write ``rows`` (formulas as ``=...`` strings, or values) to a sheet; return the values."""
        self.runs += 1
        source = self.work / f"oracle{self.runs}.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        for row in rows:
            sheet.append(row)
        book.save(source)
        # Excel's own functions only: LibreOffice without the gpucredit add-in.
        result = recalculate(source, self.work / f"out{self.runs}", with_gpucredit=False)
        values = openpyxl.load_workbook(result, data_only=True).active
        return [
            [cell.value for cell in row]
            for row in values.iter_rows(min_row=1, max_row=len(rows), max_col=max(map(len, rows)))
        ]


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> LibreOfficeOracle:
    if soffice_path() is None:
        if os.environ.get("CI"):
            pytest.fail(
                "LibreOffice is required in CI: .ci/run must install libreoffice-calc-nogui"
            )
        pytest.skip(
            "LibreOffice (soffice) is not installed; apt-get install libreoffice-calc-nogui"
        )
    return LibreOfficeOracle(tmp_path_factory.mktemp("libreoffice"))
