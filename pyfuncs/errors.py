"""Errors of the credit math and the Excel error values they become.

The math raises ordinary Python exceptions, each carrying the Excel error code it maps to, so a
Python user gets an exception and an Excel user gets ``#NUM!`` with the same one-line reason.
``ExcelError`` is the *value* form returned by :func:`pyfuncs.call` (errors are values in Excel:
one bad period does not void the others).
"""

from __future__ import annotations

from dataclasses import dataclass

#: The Excel error values gpucredit returns, with what each means in the catalogue.
EXCEL_ERROR_CODES = {
    "#VALUE!": "wrong type or shape",
    "#NUM!": "out of domain",
    "#DIV/0!": "zero denominator",
    "#N/A": "nothing found",
    "#NAME?": "unknown function",
    "#NULL!": "empty intersection",
    "#REF!": "invalid reference",
    "#SPILL!": "result does not fit",
    "#CALC!": "calculation engine error",
}

#: Every error value a workbook's cells and formulas can hold: gpucredit's own, and Excel's
#: ``#GETTING_DATA`` (a cube or data-model cell still loading; ERROR.TYPE 8, ECMA-376 Part 1
#: section 18.17.4.3), which gpucredit never returns but a refreshed workbook keeps.
WORKBOOK_ERROR_CODES = {**EXCEL_ERROR_CODES, "#GETTING_DATA": "data still loading"}


class GpuCreditError(ValueError):
    """The root of every gpucredit exception; ``code`` is the Excel error it maps to.

    The math raises its subclasses below; the workbook, formula, refresh and LibreOffice layers
    derive theirs from it too, so ``except GpuCreditError`` catches everything gpucredit reports
    to a user (and nothing that is a bug).
    """

    code = "#VALUE!"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InvalidInputError(GpuCreditError):
    """Wrong type or shape: text where a number belongs, mismatched lengths (``#VALUE!``)."""

    code = "#VALUE!"


class DomainError(GpuCreditError):
    """A number outside its domain: a negative count, a rate at or below -100% (``#NUM!``)."""

    code = "#NUM!"


class ZeroDenominatorError(GpuCreditError, ZeroDivisionError):
    """A ratio whose denominator is zero (``#DIV/0!``)."""

    code = "#DIV/0!"


class NotFoundError(GpuCreditError, LookupError):
    """A search that found nothing, such as a DSCR path that never breaches (``#N/A``)."""

    code = "#N/A"


@dataclass(frozen=True, slots=True)
class ExcelError:
    """An Excel error value with a one-line reason, as returned by :func:`pyfuncs.call`.

    Parameters
    ----------
    code : str
        The Excel error literal, one of ``WORKBOOK_ERROR_CODES`` (``"#NUM!"``, ``"#DIV/0!"``,
        ...).
    reason : str
        One line saying what was wrong, in the analyst's words.
    """

    code: str
    reason: str = ""

    def __post_init__(self) -> None:
        if self.code not in WORKBOOK_ERROR_CODES:
            raise ValueError(f"not an Excel error code: {self.code!r}")

    def __str__(self) -> str:
        return f"{self.code} {self.reason}".strip()

    @classmethod
    def from_exception(cls, exc: GpuCreditError) -> ExcelError:
        """The error value a library exception stands for."""
        return cls(exc.code, _one_line(exc.reason))

    def to_json(self) -> dict[str, str]:
        """The JSON form used by the function server: ``{"error": code, "reason": reason}``."""
        return {"error": self.code, "reason": self.reason}


def _one_line(text: str, limit: int = 200) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
