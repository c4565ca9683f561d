"""Statistical built-ins that return arrays: FREQUENCY, MODE.MULT, and the exponential fits
LOGEST and GROWTH (Microsoft's pages of each, support.microsoft.com "<NAME> function").

LOGEST and GROWTH fit ``y = b * m1^x1 * ...`` as LINEST and TREND fit ``ln y``: LOGEST's
coefficients are ``exp`` of LINEST's on ``ln y`` (its statistics are those of that linear
fit, as Microsoft's LOGEST page says), GROWTH's values ``exp`` of TREND's.
"""

from __future__ import annotations

import math
from typing import Any

from pyfuncs.errors import ExcelError
from pyfuncs.formulas.builtins import statistical
from pyfuncs.formulas.builtins.registry import OMITTED, builtin, numbers, numeric_matrix
from pyfuncs.formulas.values import Arr


@builtin("FREQUENCY", params="aa")
def frequency(data_array: Any, bins_array: Any) -> Any:
    """A vertical array one longer than the bins: each bin counts the values above the next
    smaller bin and at most its own (a repeated bin counts nothing the second time); the last
    element counts the values above the largest bin. Blanks and text are skipped. Both
    arguments are evaluated as arrays (``FREQUENCY(ROW(r),(r<12)*ROW(r))``)."""
    data = numbers((data_array,), direct_text=False)
    bins = numbers((bins_array,), direct_text=False)
    counts = [0.0] * (len(bins) + 1)
    order = sorted(range(len(bins)), key=lambda i: bins[i])
    values = sorted(data)
    at = 0
    for i in order:
        start = at
        while at < len(values) and values[at] <= bins[i]:
            at += 1
        counts[i] = float(at - start)
    counts[-1] = float(len(values) - at)
    return Arr([[c] for c in counts])


@builtin("MODE.MULT", params="r*", min_args=1)
def mode_mult(*args: Any) -> Any:
    """A vertical array of the most frequent numbers, in the order they first appear; none
    repeated is #N/A."""
    values = numbers(args, direct_text=False)
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    best = max(counts.values(), default=0)
    if best < 2:
        return ExcelError("#N/A", "MODE.MULT: no number is repeated")
    seen: list[float] = []
    for v in values:
        if counts[v] == best and v not in seen:
            seen.append(v)
    return Arr([[v] for v in seen])


def _log_ys(known_ys: Any, who: str) -> Any:
    """``ln y`` of the known y's, shaped as they are; a y <= 0 is #NUM!."""
    grid = numeric_matrix(known_ys, who)
    if any(v <= 0 for row in grid for v in row):
        return ExcelError("#NUM!", f"{who}: known_y's must be positive")
    return Arr([[math.log(v) for v in row] for row in grid])


def _exp_all(result: Any) -> Any:
    if type(result) is not Arr:
        return result
    return Arr([[math.exp(v) if type(v) is float else v for v in row] for row in result.values])


@builtin("LOGEST", params="aavv", min_args=1)
def logest(
    known_ys: Any, known_xs: Any = OMITTED, const: Any = OMITTED, stats: Any = OMITTED
) -> Any:
    """``{mk, ..., m1, b}`` of ``y = b * m1^x1 * ... * mk^xk``; with ``stats`` the rows of
    LINEST's statistics for the fit of ``ln y``."""
    logs = _log_ys(known_ys, "LOGEST")
    if type(logs) is ExcelError:
        return logs
    fit = statistical.linest(logs, known_xs, const, stats)
    if type(fit) is not Arr:
        return fit
    top = [math.exp(v) if type(v) is float else v for v in fit.values[0]]
    return Arr([top, *fit.values[1:]])


@builtin("GROWTH", params="aaav", min_args=1)
def growth(
    known_ys: Any, known_xs: Any = OMITTED, new_xs: Any = OMITTED, const: Any = OMITTED
) -> Any:
    """``b * m^x`` at ``new_xs`` (default: ``known_xs``) on the exponential fit of LOGEST."""
    logs = _log_ys(known_ys, "GROWTH")
    if type(logs) is ExcelError:
        return logs
    return _exp_all(statistical.trend(logs, known_xs, new_xs, const))
