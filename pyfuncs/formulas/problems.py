"""What the formula engine refuses, and why: raised while compiling, before anything is computed."""

from __future__ import annotations

from pyfuncs.errors import GpuCreditError


class UnsupportedFormulaError(GpuCreditError):
    """A formula the engine cannot evaluate; ``function`` names the culprit when there is one."""

    def __init__(self, reason: str, function: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.function = function


class RefreshRefusedError(GpuCreditError):
    """The workbook holds formulas the engine cannot evaluate; nothing was written."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems  # (cell "Sheet!A1", reason)
        shown = "; ".join(f"{cell}: {reason}" for cell, reason in problems[:12])
        more = f" (and {len(problems) - 12} more)" if len(problems) > 12 else ""
        super().__init__(f"cannot evaluate {len(problems)} formula cell(s): {shown}{more}")
