"""What a call will cost, known before it allocates anything, and the limits it must stay within.

Every catalogue function is priced from its converted arguments: the cells of its result, the
cells of the arrays it holds at once while computing (8 bytes each, float64), and for the Monte
Carlo stress its paths x periods. :func:`check` refuses a call over a limit with ``#NUM!`` and a
one-line reason *before* the function runs; :func:`pyfuncs.call` checks every call, and the
function server also prices whole batches and sends heavy calls to worker processes it can stop.

The per-period array counts below are upper bounds read off the code: the deal engine keeps
about 40 arrays one value per period (``pyfuncs/deal/engine.py``: revenue, opex, rates, balances,
interest, principal, the ratios and the LTVs, with temporaries); the joint stress keeps about 13
arrays of ``(chunk paths, periods)`` for a chunk of 4,096 paths (``pyfuncs/deal/stress.py``: two
normal draws, the two log paths and factors, the engine's path arrays), so 16 is used; 1,000
years monthly at 4,096 paths is 12,000 x 4,096 x 13 x 8 bytes = 5.1 GB, what the issue measured.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from pyfuncs.catalogue import FunctionSpec
from pyfuncs.errors import DomainError

#: Arrays the deal engine holds per period (upper bound, see the module note).
DEAL_ARRAYS_PER_PERIOD = 48
#: Arrays the joint stress holds per path and period (upper bound, see the module note).
STRESS_ARRAYS_PER_PATH_PERIOD = 16
#: Paths the joint stress draws at once (``pyfuncs.deal.stress.CHUNK_PATHS``).
STRESS_CHUNK_PATHS = 4096
#: Arrays any other function holds per input or output cell (element-wise math, schedules).
ARRAYS_PER_CELL = 8
#: Functions that always run in a stoppable worker process on the function server.
ALWAYS_HEAVY = frozenset({"JOINT_STRESS", "HEADROOM", "SENSITIVITY"})


@dataclass(frozen=True)
class Limits:
    """The documented limits of one call (the function server's settings of the same names)."""

    max_result_cells: int = 2_000_000
    max_work_cells: int = 25_000_000
    max_path_periods: int = 20_000_000


@dataclass(frozen=True)
class Cost:
    """What one call will hold and produce."""

    result_cells: int
    work_cells: int
    path_periods: int = 0


class CostLimitError(DomainError):
    """A call that would pass a limit; refused before it runs (``#NUM!``)."""


_LIMITS: ContextVar[Limits | None] = ContextVar("gpucredit_limits", default=None)
_process_limits = Limits()


def current_limits() -> Limits:
    """The limits in force here (set by :func:`use_limits` or :func:`set_process_limits`)."""
    return _LIMITS.get() or _process_limits


def set_process_limits(limits: Limits) -> None:
    """The limits of every call in this process (a worker process of the function server)."""
    global _process_limits
    _process_limits = limits


@contextmanager
def use_limits(limits: Limits):
    """The limits of the calls made inside the ``with`` block (this thread or task only)."""
    token = _LIMITS.set(limits)
    try:
        yield
    finally:
        _LIMITS.reset(token)


def _size(value: Any) -> int:
    if isinstance(value, np.ndarray):
        return int(value.size)
    if isinstance(value, list | tuple):
        return len(value)
    return 1


def _whole(value: Any, default: int = 1) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    return default if not math.isfinite(number) or number < 0 else math.ceil(number)


def _periods(kwargs: dict[str, Any]) -> int:
    """Rows of a schedule: ``periods``, or ``years x per_year``, or the longest range."""
    if "periods" in kwargs:
        return _whole(kwargs["periods"])
    if "years" in kwargs and "per_year" in kwargs:
        return _whole(_whole(kwargs["years"]) * _whole(kwargs["per_year"], 12))
    return max((_size(v) for v in kwargs.values() if isinstance(v, np.ndarray)), default=1)


def _deal_periods(kwargs: dict[str, Any]) -> int:
    """Periods of a deal's schedule, from its assumptions (validated as the deal will be)."""
    from pyfuncs.deal.assumptions import parse_assumptions

    deal = parse_assumptions(kwargs.get("assumptions") or {})
    return max(deal.horizon_periods, deal.tenor_periods)


def estimate(spec: FunctionSpec, kwargs: dict[str, Any]) -> Cost:
    """The cost of calling ``spec`` with ``kwargs`` (the Python arguments, converted).

    Parameters
    ----------
    spec : FunctionSpec
        The catalogue entry.
    kwargs : dict
        The arguments as the Python function takes them.

    Returns
    -------
    Cost
        Result cells, work cells (arrays held at once) and, for the stress, paths x periods.
    """
    inputs = sum(_size(v) for v in kwargs.values())
    kind = spec.result.kind
    if spec.name == "DEAL_SCHEDULE":
        periods = _deal_periods(kwargs)
        return Cost(periods * (len(spec.result.columns) + 1), periods * DEAL_ARRAYS_PER_PERIOD)
    if spec.name == "JOINT_STRESS":
        periods = _deal_periods(kwargs)
        paths = _whole(kwargs.get("paths"), 10_000)
        chunk = min(paths, STRESS_CHUNK_PATHS)
        return Cost(
            64 * len(spec.result.columns),
            chunk * periods * STRESS_ARRAYS_PER_PATH_PERIOD + periods * DEAL_ARRAYS_PER_PERIOD,
            paths * periods,
        )
    if spec.name == "HEADROOM":  # deals one after another (bisection), one path each
        return Cost(1, _deal_periods(kwargs) * DEAL_ARRAYS_PER_PERIOD)
    if spec.name == "SENSITIVITY":  # one deal per cell, or a stress of SENSITIVITY_PATHS
        from pyfuncs.deal.sensitivity import SENSITIVITY_PATHS

        periods = _deal_periods(kwargs)
        cells = _size(kwargs.get("values1")) * _size(kwargs.get("values2"))
        stressed = str(kwargs.get("output", "")).lower() in ("pd", "expected_loss")
        chunk = min(SENSITIVITY_PATHS, STRESS_CHUNK_PATHS) if stressed else 1
        return Cost(
            cells,
            chunk * periods * STRESS_ARRAYS_PER_PATH_PERIOD + periods * DEAL_ARRAYS_PER_PERIOD,
            cells * SENSITIVITY_PATHS * periods if stressed else 0,
        )
    if kind == "elementwise":
        cells = max((_size(v) for v in kwargs.values()), default=1)
        return Cost(cells, cells * ARRAYS_PER_CELL)
    if kind == "scalar":
        periods = _periods(kwargs) if ("years" in kwargs or "periods" in kwargs) else 1
        return Cost(1, (inputs + periods) * ARRAYS_PER_CELL)
    rows = _periods(kwargs)
    if spec.name == "RECOVERY_WATERFALL":
        rows = 16  # a fixed waterfall of a few steps
    width = max(len(spec.result.columns), 1)
    result = rows if kind == "column" else (rows + 1) * width  # a table may have a header row
    return Cost(result, (inputs + rows * max(width, 2)) * ARRAYS_PER_CELL)


def within(cost: Cost, limits: Limits) -> bool:
    """Whether ``cost`` stays within every limit of one call."""
    return (
        cost.result_cells <= limits.max_result_cells
        and cost.path_periods <= limits.max_path_periods
        and cost.work_cells <= limits.max_work_cells
    )


def check(spec: FunctionSpec, kwargs: dict[str, Any], limits: Limits | None = None) -> Cost:
    """:func:`estimate`, refused with :class:`CostLimitError` (``#NUM!``) over a limit."""
    return refuse_over(spec, estimate(spec, kwargs), limits)


def refuse_over(spec: FunctionSpec, cost: Cost, limits: Limits | None = None) -> Cost:
    """``cost``, or :class:`CostLimitError` (``#NUM!``) with the reason if it passes a limit."""
    limits = limits or current_limits()
    if cost.result_cells > limits.max_result_cells:
        raise CostLimitError(
            f"{spec.name} would return {cost.result_cells:,} cells; at most "
            f"{limits.max_result_cells:,} are allowed (refused before computing)"
        )
    if cost.path_periods > limits.max_path_periods:
        raise CostLimitError(
            f"{spec.name} would simulate {cost.path_periods:,} paths x periods; at most "
            f"{limits.max_path_periods:,} are allowed (use fewer paths or a shorter horizon)"
        )
    if cost.work_cells > limits.max_work_cells:
        raise CostLimitError(
            f"{spec.name} would hold {cost.work_cells:,} cells ({cost.work_cells * 8 / 1e9:.1f} "
            f"GB) while computing; at most {limits.max_work_cells:,} are allowed (refused "
            "before computing)"
        )
    return cost


@cache
def _dispatch() -> Any:
    """:mod:`pyfuncs.excel.dispatch` (it imports this module: imported on first use)."""
    from pyfuncs.excel import dispatch

    return dispatch


def estimate_call(name: str, args: list[Any] | tuple[Any, ...]) -> Cost | None:
    """The cost of ``pyfuncs.call(name, *args)`` on Excel values, or ``None`` when the call will
    fail before computing anything (unknown name, bad argument: the call itself says why)."""
    priced = price_call(name, args)
    return None if priced is None else priced[0]


def price_call(name: str, args: list[Any] | tuple[Any, ...]) -> tuple[Cost, Any] | None:
    """:func:`estimate_call` and, for a function of whole arguments, the arguments converted
    for it (:class:`pyfuncs.excel.dispatch.Prepared`, to run with
    :func:`~pyfuncs.excel.dispatch.call_prepared` without converting or pricing them again;
    ``None`` for an element-wise function)."""
    dispatch = _dispatch()
    try:
        spec = dispatch._spec(str(name))
        if spec is None:
            return None
        if spec.result.kind == "elementwise":
            if not any(type(a) is list for a in args):  # single cells: the usual call
                return _ONE_CELL, None
            cells = max((_excel_cells(a) for a in args), default=1)
            return Cost(cells, cells * ARRAYS_PER_CELL), None
        prepared = dispatch.prepare(spec, tuple(args))
        return estimate(spec, prepared.kwargs), prepared
    except Exception:  # the call will report its own error, cheaply
        return None


#: The cost of an element-wise call of single cells.
_ONE_CELL = Cost(1, ARRAYS_PER_CELL)


def _excel_cells(value: Any) -> int:
    if isinstance(value, list):
        return sum(len(row) if isinstance(row, list) else 1 for row in value)
    return 1


def is_heavy(name: str, cost: Cost, heavy_work_cells: int) -> bool:
    """Whether a call runs in a stoppable worker process on the function server."""
    from pyfuncs.catalogue import canonical_name

    return canonical_name(name) in ALWAYS_HEAVY or cost.work_cells > heavy_work_cells
