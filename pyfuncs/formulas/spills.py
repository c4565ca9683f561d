"""Where a formula's result lands: one cell, a legacy array's fixed range, or a dynamic spill.

Dynamic arrays spill into their range when it is empty (``#SPILL!`` when not); a spill that
changed size makes the evaluator run another pass with the new ranges, so readers of the spill
see it whole. Legacy array formulas fill their fixed range (a smaller result pads with ``#N/A``,
a single row or column repeats, as Excel does). A normal formula whose result is a range takes
the implicit intersection with its own row or column; an array result shows its top-left value.
"""

from __future__ import annotations

from typing import Any

from pyfuncs.formulas.parser import MAX_COL, MAX_ROW
from pyfuncs.formulas.values import SPILL, Arr, Ref, checked, element
from pyfuncs.xlsx.reader import Formula

#: The most cells one array formula or spill may cover (a whole sheet is 17 billion).
MAX_ARRAY_CELLS = 2_000_000


def cell_value(value: Any) -> Any:
    """A formula's result as it lands in a cell: a blank reference shows 0."""
    if value is None:
        return 0.0
    if type(value) is float:
        return checked(value)
    if type(value) is int:
        return float(value)
    return value


def cells_of(area: tuple[int, int, int, int]) -> list[tuple[int, int]]:
    r1, c1, r2, c2 = area
    return [(i, j) for i in range(r1, r2 + 1) for j in range(c1, c2 + 1)]


def area_cells(area: tuple[int, int, int, int]) -> int:
    return (area[2] - area[0] + 1) * (area[3] - area[1] + 1)


class Placement:
    """The placing part of :class:`~pyfuncs.formulas.evaluator.Evaluator`."""

    vals: list[dict[tuple[int, int], Any]]
    cells: list[dict[tuple[int, int], Any]]
    owner: list[dict[tuple[int, int], tuple[int, int]]]
    areas: dict[tuple[int, int, int], tuple[int, int, int, int]]
    extent: tuple[int, int]
    changed_area: bool

    def place(self, sheet: int, key: tuple[int, int], formula: Formula, result: Any) -> None:
        vals = self.vals[sheet]
        r, c = key
        if formula.kind != "array":
            if type(result) is Ref:
                result = self.intersect(result, r, c)  # type: ignore[attr-defined]
            elif type(result) is Arr:
                result = result.values[0][0]
            vals[key] = cell_value(result)
            return
        if type(result) is Ref:
            result = (
                self.array(result)  # type: ignore[attr-defined]
                if result.shape != (1, 1)
                else self.value_of(result, r, c, True)  # type: ignore[attr-defined]
            )
        arr = result if type(result) is Arr else Arr([[result]])
        if formula.dynamic:
            self._spill(sheet, key, arr)
            return
        r1, c1, r2, c2 = formula.array_ref or (r, c, r, c)
        for i in range(r2 - r1 + 1):
            for j in range(c2 - c1 + 1):
                vals[(r1 + i, c1 + j)] = cell_value(element(arr, i, j))

    def _spill(self, sheet: int, key: tuple[int, int], arr: Arr) -> None:
        vals = self.vals[sheet]
        owner = self.owner[sheet]
        r, c = key
        old = self.areas[(sheet, r, c)]
        area = (r, c, r + arr.rows - 1, c + arr.cols - 1)
        blocked = area[2] > MAX_ROW or area[3] > MAX_COL or area_cells(area) > MAX_ARRAY_CELLS
        if not blocked:
            for i in range(area[0], area[2] + 1):
                for j in range(area[1], area[3] + 1):
                    if (i, j) == key:
                        continue
                    if (i, j) in self.cells[sheet] or (owner.get((i, j)) not in (None, key)):
                        blocked = True
                        break
                    if owner.get((i, j)) is None and vals.get((i, j)) is not None:
                        blocked = True
                        break
                if blocked:
                    break
        for cell in cells_of(old):
            if cell != key and owner.get(cell) == key:
                vals[cell] = None
        if blocked:
            vals[key] = SPILL
            area = (r, c, r, c)
        else:
            for i in range(arr.rows):
                for j in range(arr.cols):
                    vals[(r + i, c + j)] = cell_value(arr.values[i][j])
        if area != old:
            self.areas[(sheet, r, c)] = area
            self.extent = (max(self.extent[0], area[2]), max(self.extent[1], area[3]))
            self.changed_area = True
